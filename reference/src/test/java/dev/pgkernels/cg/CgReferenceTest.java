package dev.pgkernels.cg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.fisher.FisherKernels;
import dev.pgkernels.fisher.LinearSoftmaxShape;
import dev.pgkernels.fisher.MlpSoftmaxShape;
import dev.pgkernels.reference.ReferenceCg;
import dev.pgkernels.reference.ReferenceFisher;
import dev.pgkernels.reference.ReferenceSoftmax;
import dev.pgkernels.softmax.SoftmaxKernels;
import dev.pgkernels.testsupport.EdgeValues;
import dev.pgkernels.testsupport.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Conjugate gradient against a direct solve (Gaussian elimination written here), hand-worked CG
 * iterations, every stopping status, the TRPO step's scaling and line-search rule on toy
 * objectives, and the softmax objective adapters on a hand-derived case.
 */
class CgReferenceTest {

    private final CgKernels cg = new ReferenceCg();

    // ------------------------------------------------------------------ helpers

    /** {@code v -> A v} for a dense row-major n×n matrix. */
    private static DoubleOperator dense(double[][] a) {
        return (v, out) -> {
            for (int i = 0; i < a.length; i++) {
                double s = 0;
                for (int j = 0; j < a.length; j++) {
                    s += a[i][j] * v[j];
                }
                out[i] = s;
            }
        };
    }

    private static FloatOperator denseF(double[][] a) {
        return (v, out) -> {
            for (int i = 0; i < a.length; i++) {
                double s = 0;
                for (int j = 0; j < a.length; j++) {
                    s += a[i][j] * v[j];
                }
                out[i] = (float) s;
            }
        };
    }

    /** Gaussian elimination with partial pivoting: the direct solve CG is compared with. */
    private static double[] gaussSolve(double[][] a0, double[] b0) {
        int n = b0.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = a0[i].clone();
        }
        double[] b = b0.clone();
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) {
                    piv = r;
                }
            }
            double[] t = a[c];
            a[c] = a[piv];
            a[piv] = t;
            double tb = b[c];
            b[c] = b[piv];
            b[piv] = tb;
            for (int r = c + 1; r < n; r++) {
                double m = a[r][c] / a[c][c];
                for (int k = c; k < n; k++) {
                    a[r][k] -= m * a[c][k];
                }
                b[r] -= m * b[c];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = b[r];
            for (int k = r + 1; k < n; k++) {
                s -= a[r][k] * x[k];
            }
            x[r] = s / a[r][r];
        }
        return x;
    }

    /**
     * A random SPD matrix Q diag(λ) Qᵀ with eigenvalues in [lo, hi] (Q orthogonal from Gram-Schmidt
     * on a seeded random matrix), so the condition number is at most hi/lo.
     */
    static double[][] spd(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        double[][] q = new double[n][n];
        for (int c = 0; c < n; c++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = r.nextGaussian();
            }
            for (int k = 0; k < c; k++) {
                double d = 0;
                for (int i = 0; i < n; i++) {
                    d += v[i] * q[i][k];
                }
                for (int i = 0; i < n; i++) {
                    v[i] -= d * q[i][k];
                }
            }
            double nrm = 0;
            for (int i = 0; i < n; i++) {
                nrm += v[i] * v[i];
            }
            nrm = Math.sqrt(nrm);
            for (int i = 0; i < n; i++) {
                q[i][c] = v[i] / nrm;
            }
        }
        double[] lam = new double[n];
        for (int k = 0; k < n; k++) {
            lam[k] = lo + (hi - lo) * r.nextDouble();
        }
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += q[i][k] * lam[k] * q[j][k];
                }
                a[i][j] = s;
            }
        }
        return a;
    }

    private static double[] toDouble(float[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    // ------------------------------------------------------------------ CG goldens

    /**
     * A = [[4, 1], [1, 3]], g = (1, 2), x0 = 0 (worked by hand):
     * r0 = p0 = (1, 2), r·r = 5; Ap0 = (6, 7), p·Ap = 6 + 14 = 20, α = 5/20 = 1/4;
     * x1 = (1/4, 1/2), r1 = (1 - 6/4, 2 - 7/4) = (-1/2, 1/4), r·r = 1/4 + 1/16 = 5/16;
     * β = (5/16)/5 = 1/16, p1 = (-1/2 + 1/16, 1/4 + 2/16) = (-7/16, 3/8);
     * Ap1 = (-28/16 + 3/8, -7/16 + 9/8) = (-11/8, 11/16), p·Ap = 77/128 + 33/128 = 110/128 = 55/64,
     * α = (5/16)/(55/64) = 4/11; x2 = (1/4 - 7/44, 1/2 + 3/22) = (1/11, 7/11), r2 = 0.
     * Direct: A⁻¹ = (1/11)[[3, -1], [-1, 4]], A⁻¹g = (1/11)(3 - 2, -1 + 8) = (1/11, 7/11). ✓
     */
    @Test
    void twoByTwoByHand() {
        double[][] a = {{4, 1}, {1, 3}};
        CgWorkspace ws = cg.doubleWorkspace(2);
        double[] x = new double[2];
        CgResult<double[]> res = cg.solve(dense(a), 2, new double[] {1, 2}, x, 10, 1e-10, ws);
        assertEquals(CgStatus.CONVERGED, res.status());
        assertEquals(2, res.iterations());
        assertTrue(res.x() == x);
        assertArrayEquals(new double[] {1.0 / 11, 7.0 / 11}, x, 1e-15);
        double[] h = res.residuals();
        assertEquals(3, h.length);
        assertEquals(5, h[0], 0);
        assertEquals(5.0 / 16, h[1], 1e-15);
        assertTrue(h[2] < 1e-28);
        // one iteration only: x1 = (1/4, 1/2), r·r = 5/16 >= tol → MAX_ITERATIONS
        CgResult<double[]> one = cg.solve(dense(a), 2, new double[] {1, 2}, x, 1, 1e-10, ws);
        assertEquals(CgStatus.MAX_ITERATIONS, one.status());
        assertEquals(1, one.iterations());
        assertArrayEquals(new double[] {0.25, 0.5}, x, 1e-15);
        assertArrayEquals(new double[] {5, 5.0 / 16}, one.residuals(), 1e-15);
        // tol = 1 stops before iteration 2, since 5/16 < 1: CONVERGED after 1 iteration
        CgResult<double[]> loose = cg.solve(dense(a), 2, new double[] {1, 2}, x, 10, 1.0, ws);
        assertEquals(CgStatus.CONVERGED, loose.status());
        assertEquals(1, loose.iterations());
        // fp32: the same numbers are exact binary fractions up to α = 4/11
        float[] xf = new float[2];
        CgResult<float[]> rf = cg.solve(denseF(a), 2, new float[] {1, 2}, xf, 10, 1e-10, cg.floatWorkspace(2));
        assertEquals(CgStatus.CONVERGED, rf.status());
        assertArrayEquals(new float[] {1f / 11, 7f / 11}, xf, 1e-7f);
    }

    /** g = 0: x = 0, no operator call, CONVERGED after 0 iterations — also with tol = 0. */
    @Test
    void zeroRightHandSide() {
        int[] calls = {0};
        DoubleOperator op = (v, out) -> {
            calls[0]++;
            java.util.Arrays.fill(out, 0, 3, 0.0);
        };
        for (double tol : new double[] {1e-10, 0}) {
            double[] x = {Double.NaN, 5, -5};
            CgResult<double[]> r = cg.solve(op, 3, new double[3], x, 10, tol, cg.doubleWorkspace(3));
            assertEquals(CgStatus.CONVERGED, r.status());
            assertEquals(0, r.iterations());
            assertArrayEquals(new double[3], x, 0);
            assertArrayEquals(new double[] {0}, r.residuals(), 0);
            float[] xf = {Float.NaN, 5, -5};
            CgResult<float[]> rf = cg.solve((v, out) -> calls[0]++, 3, new float[3], xf, 10, tol, cg.floatWorkspace(3));
            assertEquals(CgStatus.CONVERGED, rf.status());
            assertArrayEquals(new float[3], xf, 0);
        }
        assertEquals(0, calls[0]);
        // n = 0: nothing to solve
        CgResult<double[]> empty = cg.solve(op, 0, new double[0], new double[0], 10, 0, cg.doubleWorkspace(0));
        assertEquals(CgStatus.CONVERGED, empty.status());
    }

    /**
     * Indefinite operators. A = diag(1, -1), g = (1, 1): p·Ap = 1 - 1 = 0 <= 0 → stop before dividing,
     * x = 0, 0 iterations. A = diag(2, 2, -1), g = (1, 1, 0.1): iteration 0 has p·Ap = 2 + 2 - 0.01
     * = 3.99 > 0, α = r·r/p·Ap = 2.01/3.99, x1 = α g; then r1 = g - α A g
     * = (1 - 2α, 1 - 2α, 0.1 + 0.1α) ≈ (-0.00752, -0.00752, 0.15038), β = r1·r1/2.01 ≈ 0.011306,
     * p1 = r1 + β g ≈ (0.00379, 0.00379, 0.15151), p1·A p1 ≈ 4·1.43e-5 - 0.02295 < 0 → stop with
     * 1 iteration and x = α g = (α, α, 0.1 α).
     */
    @Test
    void nonPositiveCurvatureStopsWithStatus() {
        double[] x = new double[2];
        CgResult<double[]> r = cg.solve(dense(new double[][] {{1, 0}, {0, -1}}), 2, new double[] {1, 1}, x, 10, 1e-10,
                cg.doubleWorkspace(2));
        assertEquals(CgStatus.NON_POSITIVE_CURVATURE, r.status());
        assertEquals(0, r.iterations());
        assertArrayEquals(new double[2], x, 0);

        double alpha = 2.01 / 3.99;
        double[] x3 = new double[3];
        CgResult<double[]> r3 = cg.solve(dense(new double[][] {{2, 0, 0}, {0, 2, 0}, {0, 0, -1}}), 3,
                new double[] {1, 1, 0.1}, x3, 10, 1e-10, cg.doubleWorkspace(3));
        assertEquals(CgStatus.NON_POSITIVE_CURVATURE, r3.status());
        assertEquals(1, r3.iterations());
        assertArrayEquals(new double[] {alpha, alpha, 0.1 * alpha}, x3, 1e-15);

        float[] xf = new float[3];
        CgResult<float[]> rf = cg.solve(denseF(new double[][] {{2, 0, 0}, {0, 2, 0}, {0, 0, -1}}), 3,
                new float[] {1, 1, 0.1f}, xf, 10, 1e-10, cg.floatWorkspace(3));
        assertEquals(CgStatus.NON_POSITIVE_CURVATURE, rf.status());
        assertEquals(1, rf.iterations());
        assertArrayEquals(new float[] {(float) alpha, (float) alpha, (float) (0.1 * alpha)}, xf, 1e-6f);
    }

    /** Spread eigenvalues (1 .. 1000) and 3 iterations: MAX_ITERATIONS with a 4-entry history. */
    @Test
    void maxIterationsStatus() {
        double[][] a = spd(42, 12, 1, 1000);
        double[] g = toDouble(EdgeValues.uniform(7, 12, -1f, 1f));
        CgResult<double[]> r = cg.solve(dense(a), 12, g, new double[12], 3, 1e-30, cg.doubleWorkspace(12));
        assertEquals(CgStatus.MAX_ITERATIONS, r.status());
        assertEquals(3, r.iterations());
        assertEquals(4, r.residuals().length);
        CgResult<float[]> rf = cg.solve(denseF(a), 12, EdgeValues.uniform(7, 12, -1f, 1f), new float[12], 3, 1e-30,
                cg.floatWorkspace(12));
        assertEquals(CgStatus.MAX_ITERATIONS, rf.status());
        assertEquals(3, rf.iterations());
        assertEquals(CgKernels.DEFAULT_MAX_ITERATIONS, 10);
        assertEquals(CgKernels.DEFAULT_TOL, 1e-10);
    }

    // ------------------------------------------------------------------ CG properties

    /**
     * On a random SPD system (condition number <= 20, n <= 20) CG from 0 reaches the direct solution
     * within n iterations (exact termination in exact arithmetic; with κ <= 20 rounding does not
     * delay it). Double: |x - x*| <= 1e-8 (1 + |x*|) — the stop at r·r < 1e-20 |g|² bounds the error
     * by κ·1e-10 |x*|. fp32: vectors rounded to fp32 each iteration leave a residual ~κ·1e-7, so
     * the fp32 run uses tol = 1e-9 |g|² and is compared with rtol = atol = 1e-4 (κ·ε·few).
     */
    @Property(tries = 150)
    void cgMatchesDirectSolve(@ForAll long seed, @ForAll @IntRange(min = 1, max = 20) int n) {
        double[][] a = spd(seed, n, 0.5, 10);
        float[] gF = EdgeValues.uniform(seed + 1, n, -1f, 1f);
        double[] g = toDouble(gF);
        double gg = 0;
        for (double v : g) {
            gg += v * v;
        }
        double[] exact = gaussSolve(a, g);
        double[] x = new double[n];
        CgResult<double[]> r = cg.solve(dense(a), n, g, x, n + 5, 1e-20 * gg, cg.doubleWorkspace(n));
        assertEquals(CgStatus.CONVERGED, r.status(), r.toString());
        assertTrue(r.iterations() <= n, "iterations " + r.iterations() + " > n = " + n);
        Tolerance.of(1e-8, 1e-8).assertClose("cg vs gauss (double)", exact, x, n, 1.0);

        float[] xf = new float[n];
        CgResult<float[]> rf = cg.solve(denseF(a), n, gF, xf, 3 * n + 5, 1e-9 * gg, cg.floatWorkspace(n + 3));
        assertEquals(CgStatus.CONVERGED, rf.status(), rf.toString());
        Tolerance.of(1e-4, 1e-4).assertClose("cg vs gauss (fp32)", exact, xf, n, 1.0);
    }

    /**
     * Well-conditioned (eigenvalues in [1, 1.5], κ <= 1.5): CG's residual contracts by at least
     * (√κ-1)/(√κ+1) ≈ 0.1 per step in the A-norm, so r·r decreases strictly at every iteration.
     */
    @Property(tries = 150)
    void residualHistoryDecreasesWhenWellConditioned(@ForAll long seed, @ForAll @IntRange(min = 2, max = 20) int n) {
        double[][] a = spd(seed, n, 1, 1.5);
        double[] g = toDouble(EdgeValues.uniform(seed + 1, n, -1f, 1f));
        CgResult<double[]> r = cg.solve(dense(a), n, g, new double[n], 10, 1e-24, cg.doubleWorkspace(n));
        double[] h = r.residuals();
        for (int i = 1; i < h.length; i++) {
            assertTrue(h[i] < h[i - 1], "r·r history not decreasing: " + r);
        }
        assertEquals(r.iterations() + 1, h.length);
    }

    // ------------------------------------------------------------------ TRPO step

    /** Records the fractions of the full step the line search tried (through the candidate θ). */
    private static final class Toy implements DoubleObjective {
        final double[] theta0;
        final double[] full;
        final java.util.function.DoubleFunction<KlSurrogate> at; // fraction -> (KL, surrogate)
        final List<Double> tried = new ArrayList<>();

        Toy(double[] theta0, double[] full, java.util.function.DoubleFunction<KlSurrogate> at) {
            this.theta0 = theta0;
            this.full = full;
            this.at = at;
        }

        @Override
        public KlSurrogate evaluate(double[] theta) {
            double f = (theta[0] - theta0[0]) / full[0]; // the fraction of the full step taken
            tried.add(f);
            return at.apply(f);
        }
    }

    private static final double[][] F2 = {{2, 0}, {0, 8}};
    private static final double[] X2 = {1, 0.5};
    private static final double[] TH2 = {3, -1};
    private static final double[] FULL2 = {0.1, 0.05};

    /**
     * F = diag(2, 8), x = (1, 0.5): Fx = (2, 4), x·Fx = 2 + 2 = 4; δ = 0.02:
     * β = sqrt(2·0.02 / 4) = sqrt(0.01) = 0.1, full step (0.1, 0.05). Toy objective (the quadratic
     * model): KL(f) = ½ (f·βx)ᵀF(f·βx) = ½ f² β² x·Fx = 0.02 f² and surrogate(f) = g·(f·βx) with
     * g = (1, 1): 0.15 f. Full step: KL = 0.02 <= 0.03, improvement 0.15 > 0 → accepted at once.
     */
    @Test
    void trpoStepScalingAndAcceptsFirst() {
        Toy toy = new Toy(TH2, FULL2, f -> new KlSurrogate(0.02 * f * f, 0.15 * f));
        double[] step = {9, 9};
        TrpoResult<double[]> r = cg.trpoStep(dense(F2), 2, TH2, X2, TrpoParams.of(0.02), toy, step,
                cg.doubleWorkspace(2));
        assertEquals(TrpoStatus.ACCEPTED, r.status());
        assertEquals(0.1, r.fullStepScale(), 1e-15);
        assertEquals(1.0, r.fraction(), 0);
        assertEquals(0, r.backtracks());
        assertEquals(0.02, r.meanKl(), 1e-15);
        assertEquals(0.15, r.improvement(), 1e-15);
        assertArrayEquals(new double[] {0.1, 0.05}, step, 1e-15);
        assertTrue(r.step() == step);
        assertEquals(List.of(0.0, 1.0), toy.tried.stream().map(v -> Math.round(v * 1e9) / 1e9).toList());
        // fp32 overload, same numbers
        float[] stepF = new float[2];
        FloatObjective toyF = th -> {
            double f = (th[0] - 3) / 0.1;
            return new KlSurrogate(0.02 * f * f, 0.15 * f);
        };
        TrpoResult<float[]> rf = cg.trpoStep(denseF(F2), 2, new float[] {3, -1}, new float[] {1, 0.5f},
                TrpoParams.of(0.02), toyF, stepF, cg.floatWorkspace(2));
        assertEquals(TrpoStatus.ACCEPTED, rf.status());
        assertArrayEquals(new float[] {0.1f, 0.05f}, stepF, 1e-7f);
    }

    /**
     * KL(f) = 0.2 f² (ten times the model) against the bound 1.5 δ = 0.03: f = 1 → 0.2, f = 0.5 →
     * 0.05, both rejected; f = 0.25 → 0.0125 accepted: 2 backtracks, step 0.25·(0.1, 0.05) =
     * (0.025, 0.0125), improvement 0.15·0.25 = 0.0375.
     */
    @Test
    void backtracksUntilKlWithinBound() {
        Toy toy = new Toy(TH2, FULL2, f -> new KlSurrogate(0.2 * f * f, 0.15 * f));
        double[] step = new double[2];
        TrpoResult<double[]> r = cg.trpoStep(dense(F2), 2, TH2, X2, TrpoParams.of(0.02), toy, step,
                cg.doubleWorkspace(2));
        assertEquals(TrpoStatus.ACCEPTED, r.status());
        assertEquals(2, r.backtracks());
        assertEquals(0.25, r.fraction(), 0);
        assertEquals(0.0125, r.meanKl(), 1e-15);
        assertEquals(0.0375, r.improvement(), 1e-15);
        assertArrayEquals(new double[] {0.025, 0.0125}, step, 1e-15);
    }

    /**
     * Surrogate 0.15 f - 0.25 f² (overshoots): f = 1 → -0.1 (worse: rejected though KL = 0.02 is fine);
     * f = 0.5 → 0.075 - 0.0625 = 0.0125 > 0 accepted, 1 backtrack. A KL of exactly klFactor·δ is
     * accepted (the bound is "at most").
     */
    @Test
    void backtracksUntilSurrogateImproves() {
        double[] step = new double[2];
        TrpoParams params = TrpoParams.of(0.02);
        Toy toy = new Toy(TH2, FULL2, f -> new KlSurrogate(params.klFactor() * params.maxKl(), 0.15 * f - 0.25 * f * f));
        TrpoResult<double[]> r = cg.trpoStep(dense(F2), 2, TH2, X2, params, toy, step, cg.doubleWorkspace(2));
        assertEquals(TrpoStatus.ACCEPTED, r.status());
        assertEquals(1, r.backtracks());
        assertEquals(0.5, r.fraction(), 0);
        assertEquals(0.0125, r.improvement(), 1e-15);
    }

    /**
     * The surrogate never improves (-0.15 f): all 10 tries rejected, no step (zeros), status
     * LINE_SEARCH_FAILED, backtracks = 10, 11 evaluations (θ_old plus 10 tries, fractions 1, 1/2, ...,
     * 1/512). With klFactor 1, shrink 0.8, 3 tries the fractions are 1, 0.8, 0.64. A zero surrogate
     * change is not an improvement; a NaN KL is rejected.
     */
    @Test
    void rejectsAllAndReportsNoStep() {
        Toy toy = new Toy(TH2, FULL2, f -> new KlSurrogate(0, -0.15 * f));
        double[] step = {7, 7};
        TrpoResult<double[]> r = cg.trpoStep(dense(F2), 2, TH2, X2, TrpoParams.of(0.02), toy, step,
                cg.doubleWorkspace(2));
        assertEquals(TrpoStatus.LINE_SEARCH_FAILED, r.status());
        assertEquals(10, r.backtracks());
        assertEquals(0, r.fraction(), 0);
        assertArrayEquals(new double[2], step, 0);
        assertEquals(11, toy.tried.size());
        assertEquals(1.0 / 512, toy.tried.get(10), 1e-12);

        Toy custom = new Toy(TH2, FULL2, f -> new KlSurrogate(0, 0));
        TrpoResult<double[]> rc = cg.trpoStep(dense(F2), 2, TH2, X2, new TrpoParams(0.02, 1.0, 0.8, 3), custom, step,
                cg.doubleWorkspace(2));
        assertEquals(TrpoStatus.LINE_SEARCH_FAILED, rc.status());
        assertEquals(4, custom.tried.size());
        assertEquals(1.0, custom.tried.get(1), 1e-12);
        assertEquals(0.8, custom.tried.get(2), 1e-12);
        assertEquals(0.64, custom.tried.get(3), 1e-12);

        Toy nan = new Toy(TH2, FULL2, f -> new KlSurrogate(f > 0.3 ? Double.NaN : 0.001, 0.15 * f));
        TrpoResult<double[]> rn = cg.trpoStep(dense(F2), 2, TH2, X2, TrpoParams.of(0.02), nan, step,
                cg.doubleWorkspace(2));
        assertEquals(TrpoStatus.ACCEPTED, rn.status());
        assertEquals(2, rn.backtracks()); // 1 and 0.5 give NaN; 0.25 passes
    }

    /** x = 0 (or an operator with x·Fx <= 0): no step, NON_POSITIVE_CURVATURE, objective never called. */
    @Test
    void trpoNonPositiveCurvature() {
        Toy toy = new Toy(TH2, FULL2, f -> new KlSurrogate(0, 1));
        double[] step = {7, 7};
        TrpoResult<double[]> r = cg.trpoStep(dense(F2), 2, TH2, new double[2], TrpoParams.of(0.02), toy, step,
                cg.doubleWorkspace(2));
        assertEquals(TrpoStatus.NON_POSITIVE_CURVATURE, r.status());
        assertArrayEquals(new double[2], step, 0);
        assertTrue(toy.tried.isEmpty());
        float[] stepF = {7, 7};
        TrpoResult<float[]> rf = cg.trpoStep(denseF(new double[][] {{-1, 0}, {0, -1}}), 2, new float[2],
                new float[] {1, 1}, TrpoParams.of(0.02), th -> new KlSurrogate(0, 1), stepF, cg.floatWorkspace(2));
        assertEquals(TrpoStatus.NON_POSITIVE_CURVATURE, rf.status());
        assertArrayEquals(new float[2], stepF, 0);
    }

    // ------------------------------------------------------------------ softmax objective adapters

    /**
     * Linear softmax D = 1, A = 2, B = 1, x = 1, θ_old = 0 → pi_old = (1/2, 1/2). θ_new with
     * b = (0, ln 3) → pi_new = (1/4, 3/4). KL(old || new) = ½ ln((1/2)/(1/4)) + ½ ln((1/2)/(3/4))
     * = ½ ln 2 + ½ ln(2/3) = ½ ln(4/3) ≈ 0.143841. Action 1 with advantage 2: ratio (3/4)/(1/2)
     * = 1.5, surrogate 3. At θ_old: KL 0, ratio 1, surrogate 2.
     * The same through an MLP D = H1 = H2 = 1, all weights 0, b3 = (0, ln 3) (θ indices 6, 7).
     */
    @Test
    void softmaxObjectivesByHand() {
        SoftmaxKernels sm = new ReferenceSoftmax();
        float ln3 = (float) Math.log(3);
        FloatObjective lin = SoftmaxObjectives.linearSoftmax(sm, new LinearSoftmaxShape(1, 1, 2), new float[4],
                new float[] {1}, new int[] {1}, new float[] {2});
        KlSurrogate at0 = lin.evaluate(new float[4]);
        assertEquals(0, at0.meanKl(), 1e-7);
        assertEquals(2, at0.surrogate(), 1e-6);
        KlSurrogate at1 = lin.evaluate(new float[] {0, 0, 0, ln3});
        assertEquals(0.5 * Math.log(4.0 / 3), at1.meanKl(), 1e-6);
        assertEquals(3, at1.surrogate(), 1e-5);

        FloatObjective mlp = SoftmaxObjectives.mlpSoftmax(sm, new MlpSoftmaxShape(1, 1, 1, 1, 2), new float[8],
                new float[] {1}, new int[] {1}, new float[] {2});
        KlSurrogate m1 = mlp.evaluate(new float[] {0, 0, 0, 0, 0, 0, 0, ln3});
        assertEquals(0.5 * Math.log(4.0 / 3), m1.meanKl(), 1e-6);
        assertEquals(3, m1.surrogate(), 1e-5);
        // weights matter: W1 = 1, b1 = 0, W2 = 1, b2 = 0, W3 = (0, 1), b3 = 0, x = 1:
        // h1 = tanh 1, h2 = tanh(tanh 1), q = (0, tanh(tanh 1)); pi_1 = 1/(1 + exp(-q1)); ratio = 2 pi_1
        double q1 = Math.tanh(Math.tanh(1));
        KlSurrogate m2 = mlp.evaluate(new float[] {1, 0, 1, 0, 0, 1, 0, 0});
        assertEquals(2 * 2 / (1 + Math.exp(-q1)), m2.surrogate(), 1e-5);
    }

    /**
     * End to end on a linear-softmax policy: FVP operator → CG → TRPO step with the softmax
     * objective. For a small δ the quadratic model is accurate, so the full step is accepted and its
     * mean KL is close to δ (within 30%), and the surrogate improves (its gradient is g, step·g > 0).
     * The gradient of the surrogate at θ_old is derived here: ∂/∂q_i = adv_i (e_{a_i} - pi_i) / B,
     * chained through q = W x + b.
     */
    @Property(tries = 20)
    void endToEndLinearSoftmaxTrpo(@ForAll long seed) {
        int b = 64, dIn = 5, a = 4;
        LinearSoftmaxShape s = new LinearSoftmaxShape(b, dIn, a);
        int p = s.paramCount();
        float[] theta = EdgeValues.uniform(seed, p, -0.5f, 0.5f);
        float[] x = EdgeValues.uniform(seed + 1, b * dIn, -1f, 1f);
        float[] adv = EdgeValues.uniform(seed + 2, b, -1f, 1f);
        Random r = new Random(seed);
        int[] actions = new int[b];
        for (int i = 0; i < b; i++) {
            actions[i] = r.nextInt(a);
        }
        float[] g = new float[p];
        double[] gd = new double[p];
        for (int i = 0; i < b; i++) {
            double[] q = new double[a];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < a; j++) {
                q[j] = theta[a * dIn + j];
                for (int c = 0; c < dIn; c++) {
                    q[j] += theta[j * dIn + c] * x[i * dIn + c];
                }
                max = Math.max(max, q[j]);
            }
            for (int j = 0; j < a; j++) {
                sum += Math.exp(q[j] - max);
            }
            for (int j = 0; j < a; j++) {
                double dq = adv[i] * ((j == actions[i] ? 1 : 0) - Math.exp(q[j] - max) / sum) / b;
                for (int c = 0; c < dIn; c++) {
                    gd[j * dIn + c] += dq * x[i * dIn + c];
                }
                gd[a * dIn + j] += dq;
            }
        }
        for (int j = 0; j < p; j++) {
            g[j] = (float) gd[j];
        }
        FisherKernels fk = new ReferenceFisher();
        FloatOperator fvp = FvpOperators.linearSoftmax(fk, s, theta, x, 1e-3, 1, fk.workspace(s));
        float[] dir = new float[p];
        CgWorkspace ws = cg.floatWorkspace(p);
        CgResult<float[]> cgr = cg.solve(fvp, p, g, dir, 30, 1e-14, ws);
        assertTrue(cgr.status() != CgStatus.NON_POSITIVE_CURVATURE, cgr.toString());
        double delta = 1e-4;
        FloatObjective obj = SoftmaxObjectives.linearSoftmax(new ReferenceSoftmax(), s, theta, x, actions, adv);
        float[] step = new float[p];
        TrpoResult<float[]> tr = cg.trpoStep(fvp, p, theta, dir, TrpoParams.of(delta), obj, step, ws);
        assertEquals(TrpoStatus.ACCEPTED, tr.status(), tr.toString());
        assertEquals(0, tr.backtracks());
        assertTrue(Math.abs(tr.meanKl() - delta) < 0.3 * delta, "KL " + tr.meanKl() + " vs δ " + delta);
        assertTrue(tr.improvement() > 0);
    }
}
