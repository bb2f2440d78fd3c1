package dev.pgkernels.kfac;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.kfac.KfacPreconditioner.Layer;
import dev.pgkernels.kfac.KfacPreconditioner.Settings;
import dev.pgkernels.kfac.KfacPreconditioner.Variant;
import dev.pgkernels.linalg.DenseReference;
import dev.pgkernels.linalg.NotPositiveDefiniteException;
import dev.pgkernels.reference.ReferenceKfac;
import dev.pgkernels.testsupport.BadInput;
import dev.pgkernels.testsupport.EdgeValues;
import dev.pgkernels.testsupport.Shapes;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Example;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Golden cases derived by hand and properties of SPEC §6 (K-FAC) and of the dense helpers in
 * {@link DenseReference}, for the reference backend.
 */
class KfacReferenceTest {
    private static final KfacKernels K = new ReferenceKfac();
    private static final double U = DenseReference.UNIT_ROUNDOFF; // 2^-53
    private static final double U32 = 0x1p-24;                    // fp32 unit roundoff

    // =================================================================== dense helpers, by hand

    /**
     * A = [[4,2,2],[2,10,7],[2,7,21]]:
     * l00 = sqrt(4) = 2; l10 = 2/2 = 1; l20 = 2/2 = 1;
     * l11 = sqrt(10 - 1²) = 3; l21 = (7 - 1·1)/3 = 2;
     * l22 = sqrt(21 - 1² - 2²) = sqrt(16) = 4.
     * Every step is exact in binary, so the comparison is exact.
     */
    @Test
    void choleskyOfA3x3ByHand() {
        double[] a = {4, 2, 2, 2, 10, 7, 2, 7, 21};
        double[] l = BadInput.sentinelDouble(9);
        DenseReference.cholesky(3, a, l);
        assertArrayEquals(new double[] {2, 0, 0, 1, 3, 0, 1, 2, 4}, l);
    }

    /**
     * With the same A: A·(1,1,1) = (4+2+2, 2+10+7, 2+7+21) = (8, 19, 30) and A·(1,0,0) = (4, 2, 2)
     * (the first column). Two right-hand sides, columns of B = [[8,4],[19,2],[30,2]], so X must be
     * [[1,1],[1,0],[1,0]]. Forward: y0 = 8/2 = 4, y1 = (19-4)/3 = 5, y2 = (30-4-2·5)/4 = 4 (first
     * column); back: x2 = 4/4 = 1, x1 = (5-2·1)/3 = 1, x0 = (4-1-1)/2 = 1. Exact.
     */
    @Test
    void choleskySolveManyRightHandSidesByHand() {
        double[] l = {2, 0, 0, 1, 3, 0, 1, 2, 4};
        double[] b = {8, 4, 19, 2, 30, 2};
        DenseReference.solveLower(3, 2, l, b);
        assertArrayEquals(new double[] {4, 2, 5, 0, 4, 0}, b); // second column: 4/2=2, (2-2)/3=0, (2-2-0)/4=0
        DenseReference.solveLowerTransposed(3, 2, l, b);
        assertArrayEquals(new double[] {1, 1, 1, 0, 1, 0}, b);
    }

    /**
     * A = [[4,4,0],[4,4,0],[0,0,0]] (the factor of two equal samples (2,2,0)): d0 = 4, l00 = 2,
     * l10 = 4/2 = 2, d1 = 4 - 2² = 0 exactly: fails at pivot 1 with value 0.
     */
    @Test
    void choleskyReportsTheFailingPivot() {
        double[] a = {4, 4, 0, 4, 4, 0, 0, 0, 0};
        NotPositiveDefiniteException e = assertThrows(NotPositiveDefiniteException.class,
                () -> DenseReference.cholesky(3, a, new double[9]));
        assertEquals(1, e.pivotIndex());
        assertEquals(0.0, e.pivotValue());
        assertEquals(3, e.order());
        assertTrue(e.getMessage().contains("pivot 1"), e.getMessage());
        // A NaN on the diagonal is a failing pivot too (!(d > 0)).
        NotPositiveDefiniteException n = assertThrows(NotPositiveDefiniteException.class,
                () -> DenseReference.cholesky(1, new double[] {Double.NaN}, new double[1]));
        assertTrue(Double.isNaN(n.pivotValue()));
    }

    /**
     * A = [[2,1],[1,2]]: det(A - w I) = (2-w)² - 1 = 0 → w = 1, 3 (ascending). (A - I) v = 0 →
     * v = (1,-1)/√2; (A - 3I) v = 0 → v = (1,1)/√2 (signs free). One rotation: τ = (2-2)/(2·1) = 0,
     * t = 1, c = s = 1/√2 — the exact answer up to rounding, so a few ulps.
     */
    @Test
    void jacobiOf2x2ByHand() {
        double[] w = new double[2], q = new double[4];
        int sweeps = DenseReference.symmetricEigen(2, new double[] {2, 1, 1, 2}, w, q, new double[4]);
        assertEquals(1, sweeps);
        assertEquals(1.0, w[0], 4 * U * 3);
        assertEquals(3.0, w[1], 4 * U * 3);
        double r = Math.sqrt(0.5);
        for (int k = 0; k < 4; k++) {
            assertEquals(r, Math.abs(q[k]), 4 * U);
        }
        assertEquals(-Math.signum(q[0]), Math.signum(q[2])); // column 0 ∝ (1, -1)
        assertEquals(Math.signum(q[1]), Math.signum(q[3]));  // column 1 ∝ (1, 1)
        // Diagonal input: no rotation; sorting alone gives w = (1, 3), Q = the swap [[0,1],[1,0]].
        double[] w2 = new double[2], q2 = new double[4];
        assertEquals(0, DenseReference.symmetricEigen(2, new double[] {3, 0, 0, 1}, w2, q2, new double[4]));
        assertArrayEquals(new double[] {1, 3}, w2);
        assertArrayEquals(new double[] {0, 1, 1, 0}, q2);
    }

    @Test
    void jacobiOfNonFiniteInputIsNaN() {
        double[] w = new double[2], q = new double[4];
        DenseReference.symmetricEigen(2, new double[] {1, 0, Double.NaN, 1}, w, q, new double[4]);
        for (double v : w) assertTrue(Double.isNaN(v));
        for (double v : q) assertTrue(Double.isNaN(v));
    }

    // =================================================================== factor statistics, by hand

    /**
     * Two samples a1 = (1, 2), a2 = (3, -1), B = 2:
     * a1a1ᵀ = [[1,2],[2,4]], a2a2ᵀ = [[9,-3],[-3,1]], sum [[10,-1],[-1,5]], /2 → [[5,-0.5],[-0.5,2.5]].
     * With the bias (a trailing 1): last column = mean a = ((1+3)/2, (2-1)/2) = (2, 0.5), corner 1.
     * Running average with ε = 0.5 from F = I (3×3): 0.5·I + 0.5·batch =
     * [[3,-0.25,1],[-0.25,1.75,0.25],[1,0.25,1]]. All exact in binary.
     */
    @Test
    void factorOfTwoSamplesByHand() {
        KfacWorkspace ws = K.workspace(3);
        float[] x = {1, 2, 3, -1};
        float[] f = new float[4];
        K.updateFactor(2, 2, false, x, 0.0, ws, f);
        assertArrayEquals(new float[] {5, -0.5f, -0.5f, 2.5f}, f);

        double[] fb = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        K.updateFactor(2, 2, true, new double[] {1, 2, 3, -1}, 0.5, ws, fb);
        assertArrayEquals(new double[] {3, -0.25, 1, -0.25, 1.75, 0.25, 1, 0.25, 1}, fb);

        // ε = 0 never reads the old contents: NaN there does not leak.
        float[] nan = new float[9];
        Arrays.fill(nan, Float.NaN);
        K.updateFactor(2, 2, true, x, 0.0, ws, nan);
        assertArrayEquals(new float[] {5, -0.5f, 2, -0.5f, 2.5f, 0.5f, 2, 0.5f, 1}, nan);

        // ε = 1 keeps the old average even if the batch overflows; B = 0 does nothing.
        float[] keep = {7, 8, 9, 10};
        K.updateFactor(1, 2, false, new float[] {Float.MAX_VALUE, 1}, 1.0, ws, keep);
        K.updateFactor(0, 2, false, new float[0], 0.3, ws, keep);
        assertArrayEquals(new float[] {7, 8, 9, 10}, keep);
    }

    // =================================================================== π-damping and Cholesky route, by hand

    /**
     * A = [[2,1],[1,2]]: tr(A)/nA = 4/2 = 2; S = [0.5]: tr(S)/nS = 0.5; π = sqrt(2/0.5) = 2.
     * λ = 0.25, √λ = 0.5: A_d = A + 2·0.5 I = [[3,1],[1,3]], S_d = 0.5 + 0.5/2 = 0.75.
     * ∇W = [4, 4]: [1,1] is an eigenvector of A_d with eigenvalue 4, so [4,4] A_d⁻¹ = [1,1], and
     * S_d⁻¹ [1,1] = [4/3, 4/3].
     * ∇W = [2, 0]: A_d⁻¹ = (1/8)[[3,-1],[-1,3]], [2,0] A_d⁻¹ = [6/8, -2/8] = [0.75, -0.25];
     * /0.75 → [1, -1/3].
     * Rounding: a Cholesky solve of order 2 with these magnitudes is within a few ulps.
     */
    @Test
    void piDampedPreconditionByHand() {
        double[] a = {2, 1, 1, 2}, s = {0.5};
        assertEquals(2.0, K.pi(2, a, 1, s));
        KfacWorkspace ws = K.workspace(2);
        double[] delta = new double[2];
        assertEquals(2.0, K.precondition(1, 2, false, a, s, new double[] {4, 4}, 0.25, ws, delta));
        assertEquals(4.0 / 3, delta[0], 8 * U);
        assertEquals(4.0 / 3, delta[1], 8 * U);
        K.precondition(1, 2, false, a, s, new double[] {2, 0}, 0.25, ws, delta);
        assertEquals(1.0, delta[0], 8 * U);
        assertEquals(-1.0 / 3, delta[1], 8 * U);
        // fp32: the same, rounded once.
        float[] df = new float[2];
        K.precondition(1, 2, false, new float[] {2, 1, 1, 2}, new float[] {0.5f}, new float[] {2, 0}, 0.25, ws, df);
        assertEquals(1.0f, df[0], 2 * Math.ulp(1f));
        assertEquals(-1.0f / 3, df[1], 2 * Math.ulp(1f / 3));
    }

    /** π = 1 when either trace is 0 (SPEC), or an order is 0. */
    @Test
    void piIsOneForAZeroTrace() {
        assertEquals(1.0, K.pi(2, new double[4], 1, new double[] {3}));
        assertEquals(1.0, K.pi(1, new double[] {3}, 2, new double[4]));
        assertEquals(1.0, K.pi(0, new double[0], 1, new double[] {3}));
        // tr(A)/1 = 9, tr(S)/1 = 1 → π = 3 (fp32 overload).
        assertEquals(3.0, K.pi(1, new float[] {9}, 1, new float[] {1}));
    }

    // =================================================================== not positive definite

    /**
     * in = 3, B = 2 < in, both samples a = (2, 2, 0): A = [[4,4,0],[4,4,0],[0,0,0]], rank 1. With
     * λ = 0 the damping is zero and Cholesky fails at pivot 1 with value 4 - 2² = 0 exactly (see
     * choleskyReportsTheFailingPivot). With λ = 0.01 it succeeds and the residual is small.
     */
    @Test
    void rankDeficientFactorFailsWithoutDampingAndSucceedsWithIt() {
        KfacWorkspace ws = K.workspace(3);
        float[] x = {2, 2, 0, 2, 2, 0};
        float[] a = new float[9];
        K.updateFactor(2, 3, false, x, 0.0, ws, a);
        assertArrayEquals(new float[] {4, 4, 0, 4, 4, 0, 0, 0, 0}, a);
        float[] s = {1};
        float[] grad = {1, 2, 3};
        float[] delta = BadInput.sentinel(3);
        FactorNotPositiveDefiniteException e = assertThrows(FactorNotPositiveDefiniteException.class,
                () -> K.precondition(1, 3, false, a, s, grad, 0.0, ws, delta));
        assertEquals("A", e.factor());
        assertEquals(1, e.pivotIndex());
        assertEquals(0.0, e.pivotValue());
        assertEquals(-1, e.layer());
        assertNull(e.layerName());
        assertArrayEquals(BadInput.sentinel(3), delta, "nothing half-written");

        K.precondition(1, 3, false, a, s, grad, 0.01, ws, delta);
        double pi = K.pi(3, a, 1, s);
        assertResidual(1, 3, widen(a), widen(s), widen(grad), widen(delta), pi, 0.01, true);
    }

    /**
     * Preconditioner, two layers; layer 1 "pi" sees the rank-deficient data above and λ = 0:
     * precondition() throws naming layer 1, 'pi', factor A, pivot 1 (value 0); the update arrays
     * (sentinels) and the statistics are untouched; the same data with λ = 0.01 succeeds.
     */
    @Test
    void preconditionerNamesTheLayerAndPivotAndKeepsItsState() {
        List<Layer> layers = List.of(new Layer("fc", 2, 2, true), new Layer("pi", 3, 1, false));
        Settings noDamping = Settings.acktr().withLambda(0.0);
        KfacPreconditioner p = new KfacPreconditioner(K, layers, noDamping);
        feed(p);
        float[] a0 = p.factorA(0), s0 = p.factorS(0), a1 = p.factorA(1), s1 = p.factorS(1);
        float[][] grads = {{1, 2, 3, 4, 5, 6}, {1, 2, 3}};
        float[][] updates = {BadInput.sentinel(6), BadInput.sentinel(3)};
        FactorNotPositiveDefiniteException e = assertThrows(FactorNotPositiveDefiniteException.class,
                () -> p.precondition(grads, updates));
        assertEquals(1, e.layer());
        assertEquals("pi", e.layerName());
        assertEquals("A", e.factor());
        assertEquals(1, e.pivotIndex());
        assertEquals(0.0, e.pivotValue());
        assertTrue(e.getMessage().contains("layer 1 'pi'") && e.getMessage().contains("pivot 1"), e.getMessage());
        assertArrayEquals(BadInput.sentinel(6), updates[0], "layer 0 succeeded but must not be written");
        assertArrayEquals(BadInput.sentinel(3), updates[1]);
        assertArrayEquals(a0, p.factorA(0));
        assertArrayEquals(s0, p.factorS(0));
        assertArrayEquals(a1, p.factorA(1));
        assertArrayEquals(s1, p.factorS(1));

        KfacPreconditioner damped = new KfacPreconditioner(K, layers, noDamping.withLambda(0.01));
        feed(damped);
        double nu = damped.precondition(grads, updates);
        assertTrue(nu > 0 && nu <= 1);
        for (float[] u : updates) for (float v : u) assertTrue(Float.isFinite(v) && v != BadInput.SENTINEL);
    }

    private static void feed(KfacPreconditioner p) {
        p.observe(0, 3, new float[] {1, 0, 0, 1, 1, 1}, new float[] {1, 0, 0, 1, 1, -1});
        p.observe(1, 2, new float[] {2, 2, 0, 2, 2, 0}, new float[] {1, 1});
    }

    // =================================================================== KL clip, by hand

    /**
     * κ = 0.001, η = 0.25 (ACKTR): vFv = 0.16 → κ/(η² vFv) = 0.001/(0.0625·0.16) = 0.001/0.01 = 0.1,
     * ν = sqrt(0.1); vFv = 0.001 → 0.001/(0.0625·0.001) = 16, ν = min(1, 4) = 1; vFv = 0 → 1.
     */
    @Test
    void klClipByHand() {
        assertEquals(Math.sqrt(0.1), KfacKernels.klClip(0.001, 0.25, 0.16), 4 * U);
        assertEquals(1.0, KfacKernels.klClip(0.001, 0.25, 0.001));
        assertEquals(1.0, KfacKernels.klClip(0.001, 0.25, 0.0));
        assertTrue(Double.isNaN(KfacKernels.klClip(0.001, 0.25, Double.NaN)));
        assertEquals(1.0, KfacKernels.klClip(Double.POSITIVE_INFINITY, 0.25, 5.0));
    }

    /**
     * Two 1×1 layers, one sample a = 1, g = 1 each: A = S = [1], π = 1, λ = 1 → A_d = S_d = 2,
     * ΔW = ∇W/4. ∇W = 0.8 and 0.4: ΔW = 0.2, 0.1; vFv = 0.2·0.8 + 0.1·0.4 = 0.2;
     * κ/(η² vFv) = 0.001/(0.0625·0.2) = 0.08, ν = sqrt(0.08); updates 0.2ν and 0.1ν.
     * Tolerance: fp32 inputs (0.8f, 0.4f carry relative error ≤ 2^-24) and fp32 outputs: 4·2^-24 relative.
     */
    @Test
    void preconditionerKlClipByHand() {
        List<Layer> layers = List.of(new Layer("a", 1, 1, false), new Layer("b", 1, 1, false));
        KfacPreconditioner p = new KfacPreconditioner(K, layers, Settings.acktr().withLambda(1.0));
        p.observe(0, 1, new float[] {1}, new float[] {1});
        p.observe(1, 1, new float[] {1}, new float[] {1});
        float[][] updates = {new float[1], new float[1]};
        double nu = p.precondition(new float[][] {{0.8f}, {0.4f}}, updates);
        double expectNu = Math.sqrt(0.08);
        assertEquals(expectNu, nu, 4 * U32 * expectNu);
        assertEquals(0.2 * expectNu, updates[0][0], 4 * U32 * 0.2 * expectNu);
        assertEquals(0.1 * expectNu, updates[1][0], 4 * U32 * 0.1 * expectNu);
    }

    // =================================================================== eigen variants, by hand

    /**
     * A = [[2,1],[1,2]]: λ_A = (1, 3), v1 = (1,-1)/√2, v3 = (1,1)/√2; S = [0.5]: Q_S = [1],
     * λ_S = 0.5; λ = 0.5. ∇W = [2, 0] = √2·v1ᵀ + √2·v3ᵀ. Denominators: 0.5·1 + 0.5 = 1 and
     * 0.5·3 + 0.5 = 2. ΔW = √2·v1/1 + (√2/2)·v3 = (1,-1) + (0.5,0.5) = [1.5, -0.5].
     * Rounding: one Jacobi rotation and four tiny products: within 16 ulps.
     */
    @Test
    void eigenPreconditionByHand() {
        KfacWorkspace ws = K.workspace(2);
        double[] qA = new double[4], lA = new double[2], qS = new double[1], lS = new double[1];
        K.eigenBasis(2, new double[] {2, 1, 1, 2}, ws, qA, lA);
        K.eigenBasis(1, new double[] {0.5}, ws, qS, lS);
        assertArrayEquals(new double[] {1}, qS);
        assertArrayEquals(new double[] {0.5}, lS);
        double[] delta = new double[2];
        K.preconditionEigen(1, 2, false, qA, lA, qS, lS, new double[] {2, 0}, 0.5, ws, delta);
        assertEquals(1.5, delta[0], 16 * U * 1.5);
        assertEquals(-0.5, delta[1], 16 * U * 1.5);
        // EKFAC with s = λ_S λ_Aᵀ = [0.5, 1.5] is the same preconditioner.
        double[] e = new double[2];
        K.preconditionEkfac(1, 2, false, qA, qS, new double[] {0.5 * lA[0], 0.5 * lA[1]}, new double[] {2, 0}, 0.5,
                ws, e);
        assertEquals(1.5, e[0], 16 * U * 1.5);
        assertEquals(-0.5, e[1], 16 * U * 1.5);
    }

    // =================================================================== properties

    @Provide
    Arbitrary<Integer> dims() {
        return Shapes.sizes(0, 19);
    }

    @Provide
    Arbitrary<Integer> batches() {
        return Shapes.sizes(0, 33);
    }

    @Provide
    Arbitrary<Double> lambdas() {
        return Arbitraries.of(1e-4, 1e-2, 0.25, 1.0, 10.0);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    private static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** Random data of the factor statistics: activations, per-sample gradients, a gradient. */
    private record Data(int out, int in, boolean bias, int batch, float[] a, float[] g, float[] grad) {
        int nA() {
            return KfacKernels.factorDim(in, bias);
        }
    }

    private static Data data(long seed, int out, int in, boolean bias, int batch) {
        int nA = KfacKernels.factorDim(in, bias);
        return new Data(out, in, bias, batch, EdgeValues.uniform(seed, batch * in, -2f, 2f),
                EdgeValues.uniform(seed + 1, batch * out, -0.5f, 0.5f), EdgeValues.uniform(seed + 2, out * nA, -1f, 1f));
    }

    /**
     * The naive factor: (1/B) Σ_b x̃_b x̃_bᵀ written out element by element, against the kernel,
     * double and fp32. Scale of element (i, j): (1/B) Σ_b |x̃_bi x̃_bj| (SPEC: magnitude of the
     * summed terms); the double kernel sums in another order, the fp32 one also rounds once.
     */
    @Property(tries = 150)
    void factorMatchesTheNaiveSum(@ForAll("batches") int batch, @ForAll("dims") int dim, @ForAll boolean bias,
            @ForAll("seeds") long seed) {
        int n = KfacKernels.factorDim(dim, bias);
        float[] x = EdgeValues.array(seed, batch * dim, 3f, 0.1, false);
        double[] expect = new double[n * n], scale = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0, mag = 0;
                for (int b = 0; b < batch; b++) {
                    double xi = i < dim ? x[b * dim + i] : 1, xj = j < dim ? x[b * dim + j] : 1;
                    sum += xi * xj;
                    mag += Math.abs(xi * xj);
                }
                expect[i * n + j] = batch == 0 ? 0 : sum / batch;
                scale[i * n + j] = batch == 0 ? 0 : mag / batch;
            }
        }
        KfacWorkspace ws = K.workspace(n);
        double[] fd = new double[n * n];
        K.updateFactor(batch, dim, bias, widen(x), 0.0, ws, fd);
        float[] ff = new float[n * n];
        K.updateFactor(batch, dim, bias, x, 0.0, ws, ff);
        // double vs double: reassociation only, ≤ batch·u·scale.
        for (int k = 0; k < n * n; k++) {
            assertTrue(Math.abs(fd[k] - expect[k]) <= (batch + 1) * U * scale[k], "double factor element " + k);
            assertEquals(fd[k], fd[(k % n) * n + k / n], "symmetric");
        }
        // fp32: the best an fp32 output can be is the sum rounded to fp32 (products of the tiny edge
        // values, e.g. 1e-30², underflow to 0 there), so the SPEC rule is applied to that.
        float[] best = new float[n * n];
        for (int k = 0; k < n * n; k++) best[k] = (float) expect[k];
        dev.pgkernels.testsupport.Tolerance.spec().assertClose("fp32 factor", best, ff, n * n, scale);
    }

    /**
     * The Cholesky route solves (A_d ⊗ S_d) vec(ΔW) = vec(∇W), i.e. S_d ΔW A_d = ∇W.
     * Bound (Higham, Accuracy and Stability, Thm 10.4): a Cholesky solve of M x = b (order n)
     * returns x with (M + ΔM) x = b, |ΔM| ≤ γ_{3n+1} |L||Lᵀ|, and ‖|L||Lᵀ|‖_F ≤ ‖L‖_F² = tr(M).
     * The first solve gives Y with ∇W - S_d Y = E1, ‖E1‖_F ≤ γ_{3nS+1} tr(S_d) ‖Y‖_F; the second
     * gives ΔW with Y - ΔW A_d = E2, ‖E2‖_F ≤ γ_{3nA+1} tr(A_d) ‖ΔW‖_F. Then
     * ∇W - S_d ΔW A_d = E1 + S_d E2, and ‖Y‖_F ≤ ‖ΔW‖_F ‖A_d‖_2 (1 + γ) ≤ ‖ΔW‖_F tr(A_d)(1 + γ), so
     * ‖residual‖_F ≤ (γ_{3nS+1} + γ_{3nA+1}) tr(S_d) tr(A_d) ‖ΔW‖_F (1 + γ). The test's own
     * product S_d ΔW A_d adds γ_{nS+nA} tr(S_d) tr(A_d) ‖ΔW‖_F. With γ_k ≈ k u and a factor 2 for
     * the (1 + γ) terms and the rounded damping: bound = 2 (4 nS + 4 nA + 4) u tr(S_d) tr(A_d) ‖ΔW‖_F.
     * fp32 output adds the rounding of ΔW: ‖S_d δ A_d‖_F ≤ tr(S_d) tr(A_d) 2^-24 ‖ΔW‖_F.
     */
    @Property(tries = 200)
    void choleskyRouteResidual(@ForAll("dims") int out, @ForAll("dims") int in, @ForAll boolean bias,
            @ForAll("batches") int batch, @ForAll("lambdas") double lambda, @ForAll("seeds") long seed) {
        Data d = data(seed, out, in, bias, batch);
        int nA = d.nA();
        KfacWorkspace ws = K.workspace(Math.max(out, nA));
        double[] a = new double[nA * nA], s = new double[out * out];
        K.updateFactor(batch, in, bias, widen(d.a()), 0.0, ws, a);
        K.updateFactor(batch, out, false, widen(d.g()), 0.0, ws, s);
        double[] delta = new double[out * nA];
        double pi = K.precondition(out, in, bias, a, s, widen(d.grad()), lambda, ws, delta);
        assertEquals(K.pi(nA, a, out, s), pi);
        assertResidual(out, nA, a, s, widen(d.grad()), delta, pi, lambda, false);

        float[] af = new float[nA * nA], sf = new float[out * out];
        K.updateFactor(batch, in, bias, d.a(), 0.0, ws, af);
        K.updateFactor(batch, out, false, d.g(), 0.0, ws, sf);
        float[] df = new float[out * nA];
        double pf = K.precondition(out, in, bias, af, sf, d.grad(), lambda, ws, df);
        assertResidual(out, nA, widen(af), widen(sf), widen(d.grad()), widen(df), pf, lambda, true);
    }

    private static void assertResidual(int out, int nA, double[] a, double[] s, double[] grad, double[] delta,
            double pi, double lambda, boolean fp32) {
        double sq = Math.sqrt(lambda);
        double[] ad = a.clone(), sd = s.clone();
        double trA = 0, trS = 0;
        for (int i = 0; i < nA; i++) {
            ad[i * nA + i] += pi * sq;
            trA += ad[i * nA + i];
        }
        for (int i = 0; i < out; i++) {
            sd[i * out + i] += sq / pi;
            trS += sd[i * out + i];
        }
        double[] t = new double[out * nA], r = new double[out * nA];
        DenseReference.multiply(out, out, nA, sd, false, delta, false, t);
        DenseReference.multiply(out, nA, nA, t, false, ad, false, r);
        double res = 0, norm = 0;
        for (int k = 0; k < out * nA; k++) {
            res += (r[k] - grad[k]) * (r[k] - grad[k]);
            norm += delta[k] * delta[k];
        }
        double bound = 2 * (4.0 * out + 4.0 * nA + 4) * U * trS * trA * Math.sqrt(norm);
        if (fp32) {
            bound += U32 * trS * trA * Math.sqrt(norm);
        }
        assertTrue(Math.sqrt(res) <= bound, "residual " + Math.sqrt(res) + " > bound " + bound);
    }

    /**
     * Cholesky with A_d, S_d equals the eigen variant given the eigenpairs of A_d and S_d (not of
     * A, S) and λ = 0: both are (A_d ⊗ S_d)⁻¹ vec ∇W. Bound: each route is backward stable with a
     * relative backward error δ ≤ c n u in each factor (Cholesky: 4(n+1)u as in the residual
     * test; Jacobi: 8·sweeps·n·u, see eigenReconstruction), and a relative perturbation δ of a
     * factor M moves M⁻¹ by ≤ κ(M) δ/(1 - κ(M) δ). Summing both factors and both routes:
     * ‖ΔW_chol - ΔW_eig‖_F ≤ 2 (κ_A δ_A + κ_S δ_S) ‖ΔW‖_F (the 2 absorbs 1/(1 - κδ) and the
     * second-order terms), with δ = (8·sweeps + 4)(n + 1) u, sweeps ≤ 12 for these sizes.
     */
    @Property(tries = 150)
    void choleskyEqualsEigenWithTheDampedFactors(@ForAll("dims") int out, @ForAll("dims") int in,
            @ForAll boolean bias, @ForAll("batches") int batch, @ForAll("lambdas") double lambda,
            @ForAll("seeds") long seed) {
        Data d = data(seed, out, in, bias, batch);
        int nA = d.nA();
        KfacWorkspace ws = K.workspace(Math.max(out, nA));
        double[] a = new double[nA * nA], s = new double[out * out];
        K.updateFactor(batch, in, bias, widen(d.a()), 0.0, ws, a);
        K.updateFactor(batch, out, false, widen(d.g()), 0.0, ws, s);
        double[] chol = new double[out * nA];
        double pi = K.precondition(out, in, bias, a, s, widen(d.grad()), lambda, ws, chol);
        double[] ad = a.clone(), sd = s.clone();
        for (int i = 0; i < nA; i++) ad[i * nA + i] += pi * Math.sqrt(lambda);
        for (int i = 0; i < out; i++) sd[i * out + i] += Math.sqrt(lambda) / pi;
        double[] qA = new double[nA * nA], lA = new double[nA], qS = new double[out * out], lS = new double[out];
        K.eigenBasis(nA, ad, ws, qA, lA);
        K.eigenBasis(out, sd, ws, qS, lS);
        double[] eig = new double[out * nA];
        K.preconditionEigen(out, in, bias, qA, lA, qS, lS, widen(d.grad()), 0.0, ws, eig);
        if (out == 0 || nA == 0) {
            return;
        }
        double kA = lA[nA - 1] / lA[0], kS = lS[out - 1] / lS[0];
        double dA = (8 * 12 + 4) * (nA + 1) * U, dS = (8 * 12 + 4) * (out + 1) * U;
        double diff = 0, norm = 0;
        for (int k = 0; k < out * nA; k++) {
            diff += (chol[k] - eig[k]) * (chol[k] - eig[k]);
            norm += chol[k] * chol[k];
        }
        double bound = 2 * (kA * dA + kS * dS) * Math.sqrt(norm);
        assertTrue(Math.sqrt(diff) <= bound, "diff " + Math.sqrt(diff) + " > " + bound + " (kA=" + kA + ", kS=" + kS + ")");
    }

    /**
     * Q Λ Qᵀ = A and QᵀQ = I. Bound: a rotation applied in floating point to rows/columns p, r
     * returns J'ᵀ(W + E)J' with |E| ≤ 4u (|c| + |s|)|·| ≤ 6u|·| on the two rows and columns it
     * touches, i.e. ‖E‖_F ≤ 6u ‖rows and columns p, r of W‖_F; one sweep touches every row and
     * column n - 1 times, and by Cauchy–Schwarz the errors of one sweep add to ≤ 6u·n‖W‖_F (the
     * rotations are orthogonal, so ‖W‖_F stays ‖A‖_F). Hence ‖QΛQᵀ - A‖_F ≤ 6·sweeps·n·u‖A‖_F
     * plus the test's own product (n u ‖A‖_F) and the final off-diagonal ≤ u‖A‖_F; we allow
     * 8(sweeps + 1) n u ‖A‖_F. Likewise Q accumulates the same rotations: ‖QᵀQ - I‖_F ≤ 8(sweeps + 1) n u √n.
     */
    /** A case jqwik found: n = 1 and an entry of R so small that R Rᵀ underflows to 0 in fp32. */
    @Example
    void eigenReconstructionOfAnUnderflowingFactor() {
        eigenReconstruction(1, false, 1922532488L);
    }

    @Property(tries = 200)
    void eigenReconstruction(@ForAll("dims") int n, @ForAll boolean indefinite, @ForAll("seeds") long seed) {
        double[] a = new double[n * n];
        float[] r = EdgeValues.array(seed, n * n, 4f, 0.05, false);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = indefinite ? r[i * n + j] : 0;
                if (!indefinite) {
                    for (int k = 0; k < n; k++) v += (double) r[i * n + k] * r[j * n + k]; // R Rᵀ, PSD
                }
                a[i * n + j] = v;
                a[j * n + i] = v;
            }
        }
        double[] w = new double[n], q = new double[n * n];
        int sweeps = DenseReference.symmetricEigen(n, a, w, q, new double[n * n]);
        assertTrue(sweeps <= 12, "sweeps " + sweeps);
        double norm = 0, rec = 0, orth = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0) assertTrue(w[i - 1] <= w[i], "ascending");
            for (int j = 0; j < n; j++) {
                double qlq = 0, qtq = 0;
                for (int k = 0; k < n; k++) {
                    qlq += q[i * n + k] * w[k] * q[j * n + k];
                    qtq += q[k * n + i] * q[k * n + j];
                }
                norm += a[i * n + j] * a[i * n + j];
                rec += (qlq - a[i * n + j]) * (qlq - a[i * n + j]);
                orth += (qtq - (i == j ? 1 : 0)) * (qtq - (i == j ? 1 : 0));
            }
        }
        double c = 8.0 * (sweeps + 1) * n * U;
        assertTrue(Math.sqrt(rec) <= c * Math.sqrt(norm), "reconstruction " + Math.sqrt(rec) + " > " + c * Math.sqrt(norm));
        assertTrue(Math.sqrt(orth) <= c * Math.sqrt(n), "orthogonality " + Math.sqrt(orth));
        // The kernel (fp32 in and out) agrees with the double routine rounded: same eigenvalues within
        // the fp32 rounding of the input (|δA| ≤ 2^-24|A|, Weyl: |δλ| ≤ ‖δA‖_2 ≤ 2^-24‖A‖_F) + output.
        // Below fp32's normal range rounding is absolute, not relative: each entry and each output
        // eigenvalue is off by at most half the smallest subnormal, 2^-150, so ‖δA‖_F ≤ n·2^-150 and the
        // output adds 2^-150: (n + 1)·2^-150 in all (a tiny R Rᵀ with n = 1 rounds to 0 in fp32).
        double underflow = (n + 1) * 0x1p-150;
        float[] af = new float[n * n];
        for (int k = 0; k < n * n; k++) af[k] = (float) a[k];
        float[] wf = new float[n], qf = new float[n * n];
        K.eigenBasis(n, af, K.workspace(n), qf, wf);
        for (int i = 0; i < n; i++) {
            assertTrue(Math.abs(wf[i] - w[i]) <= 2 * U32 * Math.sqrt(norm) + c * Math.sqrt(norm) + underflow,
                    "fp32 eigenvalue " + i + ": " + wf[i] + " vs " + w[i]);
        }
    }

    /**
     * The eigen variant is (A ⊗ S + λI)⁻¹ vec ∇W with A, S the undamped factors: S ΔW A + λ ΔW = ∇W.
     * Bound: Q_A Λ_A Q_Aᵀ = A + E_A with ‖E_A‖_F ≤ c n_A u ‖A‖_F (eigenReconstruction, c = 8·13),
     * and the four products and the division add γ_{2 nS + 2 nA + 1} relative to
     * (‖S‖_F ‖A‖_F + λ)‖ΔW‖_F ... together ≤ (c (nA + nS) + 2 nS + 2 nA + 1) u (‖S‖_F ‖A‖_F + λ) ‖ΔW‖_F,
     * with a factor 2 for the non-orthogonality of Q.
     */
    @Property(tries = 150)
    void eigenVariantSolvesTheUndampedKroneckerSystem(@ForAll("dims") int out, @ForAll("dims") int in,
            @ForAll boolean bias, @ForAll("batches") int batch, @ForAll("lambdas") double lambda,
            @ForAll("seeds") long seed) {
        Data d = data(seed, out, in, bias, batch);
        int nA = d.nA();
        KfacWorkspace ws = K.workspace(Math.max(out, nA));
        double[] a = new double[nA * nA], s = new double[out * out];
        K.updateFactor(batch, in, bias, widen(d.a()), 0.0, ws, a);
        K.updateFactor(batch, out, false, widen(d.g()), 0.0, ws, s);
        double[] qA = new double[nA * nA], lA = new double[nA], qS = new double[out * out], lS = new double[out];
        K.eigenBasis(nA, a, ws, qA, lA);
        K.eigenBasis(out, s, ws, qS, lS);
        double[] grad = widen(d.grad()), delta = new double[out * nA];
        K.preconditionEigen(out, in, bias, qA, lA, qS, lS, grad, lambda, ws, delta);
        double[] t = new double[out * nA], r = new double[out * nA];
        DenseReference.multiply(out, out, nA, s, false, delta, false, t);
        DenseReference.multiply(out, nA, nA, t, false, a, false, r);
        double res = 0, nd = 0, na = 0, ns = 0;
        for (int k = 0; k < out * nA; k++) {
            double e = r[k] + lambda * delta[k] - grad[k];
            res += e * e;
            nd += delta[k] * delta[k];
        }
        for (double v : a) na += v * v;
        for (double v : s) ns += v * v;
        double bound = 2 * (8 * 13 * (nA + out) + 2 * out + 2 * nA + 1) * U * (Math.sqrt(ns * na) + lambda) * Math.sqrt(nd);
        assertTrue(Math.sqrt(res) <= bound + 1e-300, "residual " + Math.sqrt(res) + " > " + bound);
    }

    /**
     * EKFAC, one sample, ε = 0: s equals the diagonal of the sample's true Fisher
     * F = vec(g ãᵀ) vec(g ãᵀ)ᵀ in the Kronecker eigenbasis K = Q_A ⊗ Q_S, diag(Kᵀ F K), computed
     * here with the P×P matrices written out (vec stacks columns: element (i, j) at j·out + i;
     * (Q_A ⊗ Q_S)[j·out + i, l·out + k] = Q_A[j, l] Q_S[i, k]). Bound: every entry of diag is
     * (Σ|terms|)² ≤ ‖v‖_1² and both sides are sums of ≤ P products: 4 P u ‖v‖_1².
     */
    @Property(tries = 100)
    void ekfacOfOneSampleIsTheFisherDiagonalInTheEigenbasis(@ForAll("smallDims") int out,
            @ForAll("smallDims") int in, @ForAll boolean bias, @ForAll("seeds") long seed) {
        int nA = KfacKernels.factorDim(in, bias);
        int p = out * nA;
        Data basisData = data(seed, out, in, bias, 7);
        KfacWorkspace ws = K.workspace(Math.max(out, nA));
        double[] fa = new double[nA * nA], fs = new double[out * out];
        K.updateFactor(7, in, bias, widen(basisData.a()), 0.0, ws, fa);
        K.updateFactor(7, out, false, widen(basisData.g()), 0.0, ws, fs);
        double[] qA = new double[nA * nA], qS = new double[out * out];
        K.eigenBasis(nA, fa, ws, qA, new double[nA]);
        K.eigenBasis(out, fs, ws, qS, new double[out]);
        double[] a = widen(EdgeValues.uniform(seed + 5, in, -1, 1)), g = widen(EdgeValues.uniform(seed + 6, out, -1, 1));
        double[] sc = new double[p];
        Arrays.fill(sc, Double.NaN); // ε = 0 must not read it
        K.updateEkfacScaling(1, out, in, bias, a, g, qA, qS, 0.0, ws, sc);

        double[] v = new double[p];
        double v1 = 0;
        for (int j = 0; j < nA; j++) {
            for (int i = 0; i < out; i++) {
                v[j * out + i] = g[i] * (j < in ? a[j] : 1.0);
                v1 += Math.abs(v[j * out + i]);
            }
        }
        double[] fisher = new double[p * p], kron = new double[p * p];
        for (int x = 0; x < p; x++) {
            for (int y = 0; y < p; y++) {
                fisher[x * p + y] = v[x] * v[y];
                kron[x * p + y] = qA[(x / out) * nA + (y / out)] * qS[(x % out) * out + (y % out)];
            }
        }
        double[] fk = new double[p * p], kfk = new double[p * p];
        DenseReference.multiply(p, p, p, fisher, false, kron, false, fk);
        DenseReference.multiply(p, p, p, kron, true, fk, false, kfk);
        for (int l = 0; l < nA; l++) {
            for (int k = 0; k < out; k++) {
                int y = l * out + k;
                assertEquals(kfk[y * p + y], sc[k * nA + l], 4 * p * U * v1 * v1 + 1e-300, "s[" + k + "," + l + "]");
            }
        }
    }

    @Provide
    Arbitrary<Integer> smallDims() {
        return Shapes.sizes(0, 7);
    }

    /**
     * The EKFAC running average over samples: one call with B samples and ε = 0 equals the mean of
     * B single-sample scalings, and ε mixes as ε s + (1-ε) batch. Each entry is a sum of B
     * non-negative terms: relative error ≤ (B + 2)(nA + nS) u.
     */
    @Property(tries = 100)
    void ekfacScalingIsTheRunningAverageOfSamples(@ForAll("smallDims") int out, @ForAll("smallDims") int in,
            @ForAll boolean bias, @ForAll("batches") int batch, @ForAll("seeds") long seed) {
        Data d = data(seed, out, in, bias, batch);
        int nA = d.nA();
        KfacWorkspace ws = K.workspace(Math.max(out, nA));
        double[] qA = new double[nA * nA], qS = new double[out * out];
        double[] fa = new double[nA * nA], fs = new double[out * out];
        K.updateFactor(batch, in, bias, widen(d.a()), 0.0, ws, fa);
        K.updateFactor(batch, out, false, widen(d.g()), 0.0, ws, fs);
        K.eigenBasis(nA, fa, ws, qA, new double[nA]);
        K.eigenBasis(out, fs, ws, qS, new double[out]);
        double[] old = widen(EdgeValues.uniform(seed + 9, out * nA, 0, 1));
        double[] all = old.clone();
        K.updateEkfacScaling(batch, out, in, bias, widen(d.a()), widen(d.g()), qA, qS, 0.25, ws, all);
        double[] mean = new double[out * nA], one = new double[out * nA];
        double[] ad = widen(d.a()), gd = widen(d.g());
        for (int b = 0; b < batch; b++) {
            K.updateEkfacScaling(1, out, in, bias, Arrays.copyOfRange(ad, b * in, b * in + in),
                    Arrays.copyOfRange(gd, b * out, b * out + out), qA, qS, 0.0, ws, one);
            for (int k = 0; k < out * nA; k++) mean[k] += one[k] / batch;
        }
        for (int k = 0; k < out * nA; k++) {
            double expect = batch == 0 ? old[k] : 0.25 * old[k] + 0.75 * mean[k];
            assertEquals(expect, all[k], (batch + 2) * (nA + out + 2) * U * Math.abs(expect) + 1e-300);
        }
    }

    /**
     * The reference's fp32 overloads are defined as the double computation on the widened fp32
     * inputs, rounded once at the end (class javadoc of ReferenceKfac): so each must equal the
     * double overload's result rounded to fp32, bit for bit. This checks the fp32 wrappers pass
     * every argument where it belongs (a swapped Q_A/Q_S or a missed bias column would differ).
     */
    @Property(tries = 100)
    void fp32OverloadsAreTheDoubleComputationRoundedOnce(@ForAll("smallDims") int out, @ForAll("smallDims") int in,
            @ForAll boolean bias, @ForAll("batches") int batch, @ForAll("lambdas") double lambda,
            @ForAll("seeds") long seed) {
        Data d = data(seed, out, in, bias, batch);
        int nA = d.nA();
        KfacWorkspace ws = K.workspace(Math.max(out, nA));
        float[] af = new float[nA * nA], sf = new float[out * out];
        K.updateFactor(batch, in, bias, d.a(), 0.0, ws, af);
        K.updateFactor(batch, out, false, d.g(), 0.0, ws, sf);
        float[] qA = new float[nA * nA], lA = new float[nA], qS = new float[out * out], lS = new float[out];
        K.eigenBasis(nA, af, ws, qA, lA);
        K.eigenBasis(out, sf, ws, qS, lS);

        float[] scF = EdgeValues.uniform(seed + 3, out * nA, 0, 1);
        double[] scD = widen(scF);
        K.updateEkfacScaling(batch, out, in, bias, d.a(), d.g(), qA, qS, 0.5, ws, scF);
        K.updateEkfacScaling(batch, out, in, bias, widen(d.a()), widen(d.g()), widen(qA), widen(qS), 0.5, ws, scD);
        assertArrayEquals(round(scD), scF, "updateEkfacScaling");

        float[] eF = new float[out * nA];
        double[] eD = new double[out * nA];
        K.preconditionEigen(out, in, bias, qA, lA, qS, lS, d.grad(), lambda, ws, eF);
        K.preconditionEigen(out, in, bias, widen(qA), widen(lA), widen(qS), widen(lS), widen(d.grad()), lambda, ws, eD);
        assertArrayEquals(round(eD), eF, "preconditionEigen");

        K.preconditionEkfac(out, in, bias, qA, qS, scF, d.grad(), lambda, ws, eF);
        K.preconditionEkfac(out, in, bias, widen(qA), widen(qS), widen(scF), widen(d.grad()), lambda, ws, eD);
        assertArrayEquals(round(eD), eF, "preconditionEkfac");

        K.precondition(out, in, bias, af, sf, d.grad(), lambda, ws, eF);
        K.precondition(out, in, bias, widen(af), widen(sf), widen(d.grad()), lambda, ws, eD);
        assertArrayEquals(round(eD), eF, "precondition");
    }

    private static float[] round(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
