package dev.pgkernels.fisher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.reference.ReferenceFisher;
import dev.pgkernels.testsupport.EdgeValues;
import dev.pgkernels.testsupport.Shapes;
import dev.pgkernels.testsupport.Tolerance;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Hand-derived golden Fisher-vector products, SPEC §4's edge cases, and properties: symmetry,
 * positive semi-definiteness, damping, and agreement with an explicit {@code (1/n) Σ J_iᵀ M_i J_i}
 * built here from per-sample Jacobians obtained by central finite differences of a forward pass
 * written in this test (a genuinely different computation from the kernel's forward/backward passes).
 */
class FisherReferenceTest {

    private final FisherKernels k = new ReferenceFisher();

    private static double[] d(double... v) {
        return v;
    }

    private static float[] f(double... v) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (float) v[i];
        }
        return r;
    }

    private static double[] toDouble(float[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    // ------------------------------------------------------------------ goldens

    /**
     * Linear softmax, D = 1, A = 2, B = 1, with bias. θ order (w0, w1, b0, b1), x = 2,
     * W = (0, 0), b = (0, ln 3) → q = (0, ln 3), pi = (1/4, 3/4).
     * M = diag(pi) - pi piᵀ = p(1-p) [[1, -1], [-1, 1]] with p(1-p) = 3/16.
     * J = [[x, 0, 1, 0], [0, x, 0, 1]], and with x̃ = (x, 1) the Fisher is F = M ⊗ x̃x̃ᵀ in θ's
     * (W row-major, then b) order:
     * <pre>
     *   F = 3/16 * [[ 4, -4,  2, -2],
     *               [-4,  4, -2,  2],
     *               [ 2, -2,  1, -1],
     *               [-2,  2, -1,  1]]
     * </pre>
     * v = (1, 2, -1, 0.5): row w0: 3/16 (4 - 8 - 2 - 1) = 3/16 · -7 = -1.3125; row w1 = +1.3125;
     * row b0: 3/16 (2 - 4 - 1 - 0.5) = 3/16 · -3.5 = -0.65625; row b1 = +0.65625.
     * (Via SPEC's formula: u = Jv = (2 - 1, 4 + 0.5) = (1, 4.5), w = M u = 3/16 (-3.5, 3.5).)
     * With λ = 0.1: + (0.1, 0.2, -0.1, 0.05) = (-1.2125, 1.5125, -0.75625, 0.70625).
     */
    @Test
    void linearSoftmaxTwoByTwoByHand() {
        LinearSoftmaxShape s = new LinearSoftmaxShape(1, 1, 2);
        FisherWorkspace ws = k.workspace(s);
        double[] theta = d(0, 0, 0, Math.log(3));
        double[] out = new double[4];
        k.linearSoftmaxFvp(s, theta, d(2), d(1, 2, -1, 0.5), 0.0, 1, out, ws);
        assertArrayEquals(d(-1.3125, 1.3125, -0.65625, 0.65625), out, 1e-12);
        k.linearSoftmaxFvp(s, theta, d(2), d(1, 2, -1, 0.5), 0.1, 1, out, ws);
        assertArrayEquals(d(-1.2125, 1.5125, -0.75625, 0.70625), out, 1e-12);
        // fp32: inputs (ln 3 rounded to fp32 moves pi by ~1e-8) and the output rounding: 1e-6 is ample.
        float[] outF = new float[4];
        k.linearSoftmaxFvp(s, f(theta), f(2), f(1, 2, -1, 0.5), 0.1, 1, outF, ws);
        assertArrayEquals(f(-1.2125, 1.5125, -0.75625, 0.70625), outF, 1e-6f);
    }

    /**
     * Two rows with stride: B = 3, D = 1, A = 2, θ = 0 (pi = (1/2, 1/2), M = 1/4 [[1,-1],[-1,1]]),
     * X = (1, 100, 3). v = (1, 0, 0, 0) (w0 only): per row u = (x, 0), w = M u = (x/4, -x/4),
     * Jᵀw = (x·x/4, -x·x/4, x/4, -x/4).
     * stride 2 uses rows 0 and 2 (x = 1, 3), n = 2: ((1 + 9)/4, -(1 + 9)/4, (1 + 3)/4, -(1 + 3)/4) / 2
     * = (1.25, -1.25, 0.5, -0.5). Row 1 (x = 100) would dominate if it were used.
     * stride 3 (and any k >= 3) uses row 0 only, n = 1: (0.25, -0.25, 0.25, -0.25).
     */
    @Test
    void strideUsesRowsZeroKTwoKAndDividesByRowsUsed() {
        LinearSoftmaxShape s = new LinearSoftmaxShape(3, 1, 2);
        FisherWorkspace ws = k.workspace(s);
        double[] out = new double[4];
        k.linearSoftmaxFvp(s, new double[4], d(1, 100, 3), d(1, 0, 0, 0), 0, 2, out, ws);
        assertArrayEquals(d(1.25, -1.25, 0.5, -0.5), out, 1e-12);
        k.linearSoftmaxFvp(s, new double[4], d(1, 100, 3), d(1, 0, 0, 0), 0, 3, out, ws);
        assertArrayEquals(d(0.25, -0.25, 0.25, -0.25), out, 1e-12);
        k.linearSoftmaxFvp(s, new double[4], d(1, 100, 3), d(1, 0, 0, 0), 0, 7, out, ws);
        assertArrayEquals(d(0.25, -0.25, 0.25, -0.25), out, 1e-12);
        assertEquals(2, FisherShape.rowsUsed(3, 2));
        assertEquals(1, FisherShape.rowsUsed(3, 3));
        assertEquals(0, FisherShape.rowsUsed(0, 5));
        assertEquals(3, FisherShape.rowsUsed(11, 5)); // rows 0, 5, 10
    }

    /**
     * Diagonal Gaussian, D = 2, A = 2, B = 2: X = [[1, 0], [1, 2]], XᵀX = [[2, 2], [2, 4]],
     * XᵀX/B = [[1, 1], [1, 2]]. s = (ln 2, 0) → σ = (2, 1), σ⁻² = (1/4, 1).
     * v = (V = [[1, -1], [2, 1]], v_s = (3, -2)).
     * V (XᵀX/B): row 0: (1 - 1, 1 - 2) = (0, -1), × 1/4 = (0, -0.25); row 1: (2 + 1, 2 + 2) = (3, 4), × 1.
     * Fv_s = 2 v_s = (6, -4). λ = 0: (0, -0.25, 3, 4, 6, -4);
     * λ = 0.5 adds 0.5 v = (0.5, -0.5, 1, 0.5, 1.5, -1): (0.5, -0.75, 4, 4.5, 7.5, -5).
     * W does not enter the Fisher (any values).
     */
    @Test
    void gaussianByHand() {
        GaussianShape s = new GaussianShape(2, 2, 2);
        FisherWorkspace ws = k.workspace(s);
        double[] theta = d(7, -3, 0.5, 11, Math.log(2), 0);
        double[] x = d(1, 0, 1, 2);
        double[] v = d(1, -1, 2, 1, 3, -2);
        double[] out = new double[6];
        k.gaussianFvp(s, theta, x, v, 0, 1, out, ws);
        assertArrayEquals(d(0, -0.25, 3, 4, 6, -4), out, 1e-12);
        k.gaussianFvp(s, theta, x, v, 0.5, 1, out, ws);
        assertArrayEquals(d(0.5, -0.75, 4, 4.5, 7.5, -5), out, 1e-12);
        float[] outF = new float[6];
        k.gaussianFvp(s, f(theta), f(x), f(v), 0.5, 1, outF, ws);
        assertArrayEquals(f(0.5, -0.75, 4, 4.5, 7.5, -5), outF, 1e-6f);
    }

    /**
     * Empirical Fisher, B = 3, P = 2, G = [[1, 2], [3, 4], [5, 6]], v = (1, 0): G v = (1, 3, 5).
     * k = 1: Gᵀ(Gv) = (1·1 + 3·3 + 5·5, 2·1 + 4·3 + 6·5) = (35, 44), / 3 = (35/3, 44/3).
     * k = 2 (rows 0, 2): (1 + 25, 2 + 30) / 2 = (13, 16). k = 3: row 0: (1, 2).
     * λ = 0.5 with k = 1: (35/3 + 0.5, 44/3).
     */
    @Test
    void empiricalByHand() {
        EmpiricalShape s = new EmpiricalShape(3, 2);
        FisherWorkspace ws = k.workspace(s);
        double[] g = d(1, 2, 3, 4, 5, 6);
        double[] out = new double[2];
        k.empiricalFvp(s, g, d(1, 0), 0, 1, out, ws);
        assertArrayEquals(d(35.0 / 3, 44.0 / 3), out, 1e-12);
        k.empiricalFvp(s, g, d(1, 0), 0, 2, out, ws);
        assertArrayEquals(d(13, 16), out, 1e-12);
        k.empiricalFvp(s, g, d(1, 0), 0, 3, out, ws);
        assertArrayEquals(d(1, 2), out, 1e-12);
        k.empiricalFvp(s, g, d(1, 0), 0.5, 1, out, ws);
        assertArrayEquals(d(35.0 / 3 + 0.5, 44.0 / 3), out, 1e-12);
        float[] outF = new float[2];
        k.empiricalFvp(s, f(g), f(1, 0), 0.5, 1, outF, ws);
        assertArrayEquals(f(35.0 / 3 + 0.5, 44.0 / 3), outF, 1e-5f);
    }

    /**
     * B = 0: F = 0 so the product is λ v exactly, for every policy and both precisions; elements of
     * {@code out} past P are untouched. v = (1, -2, 3, ...), λ = 0.25 → (0.25, -0.5, 0.75, ...).
     */
    @Test
    void emptyBatchGivesLambdaV() {
        FisherShape[] shapes = {new LinearSoftmaxShape(0, 3, 2), new MlpSoftmaxShape(0, 3, 2, 3, 2),
            new GaussianShape(0, 3, 2), new EmpiricalShape(0, 5)};
        for (FisherShape s : shapes) {
            int p = s.paramCount();
            double[] v = new double[p];
            double[] expected = new double[p + 1];
            for (int j = 0; j < p; j++) {
                v[j] = (j % 2 == 0 ? 1 : -1) * (j + 1);
                expected[j] = 0.25 * v[j];
            }
            expected[p] = 99; // past P: not written
            double[] theta = new double[p];
            double[] out = new double[p + 1];
            out[p] = 99;
            float[] outF = new float[p + 1];
            outF[p] = 99;
            FisherWorkspace ws = k.workspace(s);
            for (int stride : new int[] {1, 5}) {
                switch (s) {
                    case LinearSoftmaxShape ls -> {
                        k.linearSoftmaxFvp(ls, theta, new double[0], v, 0.25, stride, out, ws);
                        k.linearSoftmaxFvp(ls, f(theta), new float[0], f(v), 0.25, stride, outF, ws);
                    }
                    case MlpSoftmaxShape ms -> {
                        k.mlpSoftmaxFvp(ms, theta, new double[0], v, 0.25, stride, out, ws);
                        k.mlpSoftmaxFvp(ms, f(theta), new float[0], f(v), 0.25, stride, outF, ws);
                    }
                    case GaussianShape gs -> {
                        k.gaussianFvp(gs, theta, new double[0], v, 0.25, stride, out, ws);
                        k.gaussianFvp(gs, f(theta), new float[0], f(v), 0.25, stride, outF, ws);
                    }
                    case EmpiricalShape es -> {
                        k.empiricalFvp(es, new double[0], v, 0.25, stride, out, ws);
                        k.empiricalFvp(es, new float[0], f(v), 0.25, stride, outF, ws);
                    }
                }
                assertArrayEquals(expected, out, 0.0, s.toString());
                assertArrayEquals(f(expected), outF, 0f, s.toString());
            }
        }
    }

    /**
     * Logits of magnitude 1e4 (the row max is subtracted): b = (1e4, 0), W = 0 → pi = (1, exp(-1e4) = 0),
     * M = diag(pi) - pi piᵀ = [[1 - 1, 0], [0, 0]] = 0, so F v = 0 and the product is exactly λ v, with no
     * NaN from exp overflow. A NaN in v propagates to the output (documented, not checked).
     */
    @Test
    void hugeLogitsAndNaNPropagation() {
        LinearSoftmaxShape s = new LinearSoftmaxShape(2, 1, 2);
        FisherWorkspace ws = k.workspace(s);
        float[] out = new float[4];
        k.linearSoftmaxFvp(s, f(0, 0, 1e4, 0), f(1, -3), f(1, 2, 3, 4), 0.5, 1, out, ws);
        assertArrayEquals(f(0.5, 1, 1.5, 2), out, 0f);
        k.linearSoftmaxFvp(s, f(0, 0, 1e4, 0), f(1, -3), f(1, Float.NaN, 3, 4), 0.5, 1, out, ws);
        assertTrue(Float.isNaN(out[1]));
    }

    /** A workspace serves a smaller batch with the same widths (and nothing else). */
    @Test
    void workspaceFitsSmallerBatch() {
        FisherWorkspace ws = k.workspace(new MlpSoftmaxShape(10, 3, 4, 5, 2));
        assertTrue(ws.fits(new MlpSoftmaxShape(3, 3, 4, 5, 2)));
        assertTrue(!ws.fits(new MlpSoftmaxShape(11, 3, 4, 5, 2)));
        assertTrue(!ws.fits(new MlpSoftmaxShape(3, 3, 5, 4, 2)));
        assertTrue(!ws.fits(new LinearSoftmaxShape(3, 3, 2)));
    }

    /** The MLP's θ offsets follow the documented order W1, b1, W2, b2, W3, b3. */
    @Test
    void mlpLayoutOffsets() {
        // D = 3, H1 = 4, H2 = 5, A = 2: W1 12 at 0, b1 4 at 12, W2 20 at 16, b2 5 at 36, W3 10 at 41, b3 2 at 51; P = 53
        MlpSoftmaxShape s = new MlpSoftmaxShape(1, 3, 4, 5, 2);
        assertEquals(0, s.offW1());
        assertEquals(12, s.offB1());
        assertEquals(16, s.offW2());
        assertEquals(36, s.offB2());
        assertEquals(41, s.offW3());
        assertEquals(51, s.offB3());
        assertEquals(53, s.paramCount());
    }

    // ------------------------------------------------------------------ explicit Fisher built in the test

    /** Logits of one row (or the Gaussian mean) at θ, written independently of the kernel. */
    private interface RowFunction {
        double[] at(double[] theta, int row);
    }

    private static double[] softmax(double[] q) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : q) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[q.length];
        for (int j = 0; j < q.length; j++) {
            p[j] = Math.exp(q[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < q.length; j++) {
            p[j] /= sum;
        }
        return p;
    }

    /** Central-difference Jacobian d f(θ, row) / dθ, {@code A×P}, step h. */
    private static double[][] jacobian(RowFunction fn, double[] theta, int row, int outputs) {
        int p = theta.length;
        double[][] j = new double[outputs][p];
        double h = 1e-5;
        for (int c = 0; c < p; c++) {
            double[] tp = theta.clone(), tm = theta.clone();
            tp[c] += h;
            tm[c] -= h;
            double[] fp = fn.at(tp, row), fm = fn.at(tm, row);
            for (int r = 0; r < outputs; r++) {
                j[r][c] = (fp[r] - fm[r]) / (2 * h);
            }
        }
        return j;
    }

    /**
     * F = (1/n) Σ_{i = 0, k, 2k, ...} J_iᵀ M_i J_i as a dense P×P matrix, with M_i from
     * {@code metric(theta, row)} ({@code diag(pi) - pi piᵀ} for categorical policies).
     */
    private static double[][][] explicitFisher(RowFunction fn, java.util.function.BiFunction<double[], Integer, double[][]> metric,
            double[] theta, int batch, int outputs, int stride) {
        int p = theta.length;
        double[][] f = new double[p][p];
        double[][] fAbs = new double[p][p]; // (1/n) Σ |J|ᵀ|M||J|: the magnitude of the terms summed
        int n = 0;
        for (int i = 0; i < batch; i += stride) {
            n++;
            double[][] j = jacobian(fn, theta, i, outputs);
            double[][] m = metric.apply(theta, i);
            for (int r = 0; r < p; r++) {
                for (int c = 0; c < p; c++) {
                    double s = 0, sAbs = 0;
                    for (int a = 0; a < outputs; a++) {
                        for (int b = 0; b < outputs; b++) {
                            s += j[a][r] * m[a][b] * j[b][c];
                            sAbs += Math.abs(j[a][r] * m[a][b] * j[b][c]);
                        }
                    }
                    f[r][c] += s;
                    fAbs[r][c] += sAbs;
                }
            }
        }
        for (int r = 0; r < p; r++) {
            for (int c = 0; c < p; c++) {
                f[r][c] = n == 0 ? 0 : f[r][c] / n;
                fAbs[r][c] = n == 0 ? 0 : fAbs[r][c] / n;
            }
        }
        return new double[][][] {f, fAbs};
    }

    private static double[][] categoricalMetric(double[] q) {
        double[] pi = softmax(q);
        double[][] m = new double[pi.length][pi.length];
        for (int a = 0; a < pi.length; a++) {
            for (int b = 0; b < pi.length; b++) {
                m[a][b] = (a == b ? pi[a] : 0) - pi[a] * pi[b];
            }
        }
        return m;
    }

    /** (F + λI) v from the dense F, and per element the scale Σ_j |F_ij v_j| + λ|v_i|. */
    private static double[][] times(double[][] f, double[] v, double lambda) {
        return times(f, f, v, lambda);
    }

    /**
     * (F + λI) v, with per element the scale Σ_j |fAbs_ij v_j| + λ|v_i|, where {@code fAbs} holds
     * the magnitudes of the terms that were summed into F (for F = Σ JᵀMJ: Σ |J|ᵀ|M||J|). The
     * finite-difference error of F_ij is relative to those terms, not to F_ij, which cancellation
     * in JᵀMJ (M's rows sum to 0) can make orders of magnitude smaller: seen, an MLP with a
     * one-unit second layer, F v ≈ 1e-6 from terms ≈ 1e-3, and a 6e-13 difference.
     */
    private static double[][] times(double[][] f, double[][] fAbs, double[] v, double lambda) {
        int p = v.length;
        double[] r = new double[p], scale = new double[p];
        for (int i = 0; i < p; i++) {
            double s = lambda * v[i], sc = Math.abs(lambda * v[i]);
            for (int j = 0; j < p; j++) {
                s += f[i][j] * v[j];
                sc += Math.abs(fAbs[i][j] * v[j]);
            }
            r[i] = s;
            scale[i] = sc + 1e-12;
        }
        return new double[][] {r, scale};
    }

    /**
     * Tolerance against the finite-difference matrix: central differences with h = 1e-5 on O(1)
     * smooth functions err by ~h²|f'''|/6 ≈ 1e-10 plus rounding ~1e-16|f|/h ≈ 1e-11 relative to
     * the Jacobian's entries, hence relative to the terms |J||M||J| summed into F (the scale, see
     * {@code times}), so 1e-7 of the term scale is a safe bound for the double kernel.
     */
    private static final Tolerance FD = Tolerance.of(1e-7, 1e-7);

    @Provide
    Arbitrary<Integer> batches() {
        return Shapes.sizes(0, 9);
    }

    @Property(tries = 60)
    void linearSoftmaxMatchesExplicitJacobianFisher(@ForAll long seed, @ForAll("batches") int b,
            @ForAll @IntRange(min = 0, max = 4) int dIn, @ForAll @IntRange(min = 1, max = 4) int a,
            @ForAll @IntRange(min = 1, max = 4) int stride, @ForAll @IntRange(min = 0, max = 2) int lambdaPick) {
        LinearSoftmaxShape s = new LinearSoftmaxShape(b, dIn, a);
        int p = s.paramCount();
        float[] thetaF = EdgeValues.uniform(seed, p, -1.5f, 1.5f);
        float[] xF = EdgeValues.uniform(seed + 1, b * dIn, -2f, 2f);
        float[] vF = EdgeValues.uniform(seed + 2, p, -1f, 1f);
        double lambda = new double[] {0, 1e-3, 0.7}[lambdaPick];
        double[] theta = toDouble(thetaF), x = toDouble(xF), v = toDouble(vF);
        RowFunction logits = (th, i) -> {
            double[] q = new double[a];
            for (int j = 0; j < a; j++) {
                q[j] = th[a * dIn + j];
                for (int c = 0; c < dIn; c++) {
                    q[j] += th[j * dIn + c] * x[i * dIn + c];
                }
            }
            return q;
        };
        double[][][] fm = explicitFisher(logits, (th, i) -> categoricalMetric(logits.at(th, i)), theta, b, a, stride);
        double[][] expected = times(fm[0], fm[1], v, lambda);
        FisherWorkspace ws = k.workspace(s);
        double[] out = new double[p];
        k.linearSoftmaxFvp(s, theta, x, v, lambda, stride, out, ws);
        FD.assertClose("linear softmax (double) vs explicit", expected[0], out, p, expected[1]);
        float[] outF = new float[p];
        k.linearSoftmaxFvp(s, thetaF, xF, vF, lambda, stride, outF, ws);
        Tolerance.spec().assertClose("linear softmax (fp32) vs explicit", expected[0], outF, p, expected[1]);
    }

    @Property(tries = 60)
    void mlpSoftmaxMatchesExplicitJacobianFisher(@ForAll long seed, @ForAll("batches") int b,
            @ForAll @IntRange(min = 0, max = 4) int dIn, @ForAll @IntRange(min = 0, max = 5) int h1,
            @ForAll @IntRange(min = 0, max = 5) int h2, @ForAll @IntRange(min = 1, max = 4) int a,
            @ForAll @IntRange(min = 1, max = 3) int stride, @ForAll @IntRange(min = 0, max = 1) int lambdaPick) {
        MlpSoftmaxShape s = new MlpSoftmaxShape(b, dIn, h1, h2, a);
        mlpCase(s, seed, stride, new double[] {0, 0.1}[lambdaPick]);
    }

    /** Found in CI: a one-unit second layer, where F v cancels to 1e-6 from terms of 1e-3. */
    @org.junit.jupiter.api.Test
    void mlpWithAOneUnitLayerRegression() {
        for (long seed = 0; seed < 40; seed++) {
            mlpCase(new MlpSoftmaxShape(1, 4, 5, 1, 2), seed, 1, 0);
        }
    }

    /** TRPO-like odd widths with a fixed batch, so the hidden layers always carry information. */
    @Property(tries = 15)
    void mlpSoftmaxOddWidthsMatchExplicit(@ForAll long seed, @ForAll @IntRange(min = 1, max = 2) int stride) {
        mlpCase(new MlpSoftmaxShape(5, 3, 7, 5, 3), seed, stride, 0.01);
    }

    private void mlpCase(MlpSoftmaxShape s, long seed, int stride, double lambda) {
        int p = s.paramCount(), b = s.batch(), dIn = s.features(), h1 = s.hidden1(), h2 = s.hidden2(), a = s.actions();
        float[] thetaF = EdgeValues.uniform(seed, p, -1f, 1f);
        float[] xF = EdgeValues.uniform(seed + 1, b * dIn, -2f, 2f);
        float[] vF = EdgeValues.uniform(seed + 2, p, -1f, 1f);
        double[] theta = toDouble(thetaF), x = toDouble(xF), v = toDouble(vF);
        RowFunction logits = (th, i) -> {
            int o = 0;
            double[] z1 = new double[h1];
            for (int r = 0; r < h1; r++) {
                double z = th[h1 * dIn + r];
                for (int c = 0; c < dIn; c++) {
                    z += th[o + r * dIn + c] * x[i * dIn + c];
                }
                z1[r] = Math.tanh(z);
            }
            o = h1 * dIn + h1;
            double[] z2 = new double[h2];
            for (int r = 0; r < h2; r++) {
                double z = th[o + h2 * h1 + r];
                for (int c = 0; c < h1; c++) {
                    z += th[o + r * h1 + c] * z1[c];
                }
                z2[r] = Math.tanh(z);
            }
            o += h2 * h1 + h2;
            double[] q = new double[a];
            for (int j = 0; j < a; j++) {
                q[j] = th[o + a * h2 + j];
                for (int c = 0; c < h2; c++) {
                    q[j] += th[o + j * h2 + c] * z2[c];
                }
            }
            return q;
        };
        double[][][] fm = explicitFisher(logits, (th, i) -> categoricalMetric(logits.at(th, i)), theta, b, a, stride);
        double[][] expected = times(fm[0], fm[1], v, lambda);
        FisherWorkspace ws = k.workspace(s);
        double[] out = new double[p];
        k.mlpSoftmaxFvp(s, theta, x, v, lambda, stride, out, ws);
        FD.assertClose("MLP softmax (double) vs explicit " + s, expected[0], out, p, expected[1]);
        float[] outF = new float[p];
        k.mlpSoftmaxFvp(s, thetaF, xF, vF, lambda, stride, outF, ws);
        Tolerance.spec().assertClose("MLP softmax (fp32) vs explicit " + s, expected[0], outF, p, expected[1]);
    }

    /**
     * Gaussian: mean μ_i = W x_i has Fisher metric diag(σ⁻²) over the mean's Jacobian (by finite
     * differences here), and each log-std s_a contributes 2 on the diagonal per row (so 2 on
     * average when n >= 1, 0 when B = 0).
     */
    @Property(tries = 60)
    void gaussianMatchesExplicitFisher(@ForAll long seed, @ForAll("batches") int b,
            @ForAll @IntRange(min = 0, max = 4) int dIn, @ForAll @IntRange(min = 0, max = 4) int a,
            @ForAll @IntRange(min = 1, max = 4) int stride) {
        GaussianShape s = new GaussianShape(b, dIn, a);
        int p = s.paramCount();
        float[] thetaF = EdgeValues.uniform(seed, p, -1f, 1f);
        float[] xF = EdgeValues.uniform(seed + 1, b * dIn, -2f, 2f);
        float[] vF = EdgeValues.uniform(seed + 2, p, -1f, 1f);
        double[] theta = toDouble(thetaF), x = toDouble(xF), v = toDouble(vF);
        RowFunction mean = (th, i) -> {
            double[] mu = new double[a];
            for (int j = 0; j < a; j++) {
                for (int c = 0; c < dIn; c++) {
                    mu[j] += th[j * dIn + c] * x[i * dIn + c];
                }
            }
            return mu;
        };
        double[][][] fm = explicitFisher(mean, (th, i) -> {
            double[][] m = new double[a][a];
            for (int j = 0; j < a; j++) {
                m[j][j] = Math.exp(-2 * th[a * dIn + j]);
            }
            return m;
        }, theta, b, a, stride);
        if (b > 0) {
            for (int j = 0; j < a; j++) {
                fm[0][a * dIn + j][a * dIn + j] += 2;
                fm[1][a * dIn + j][a * dIn + j] += 2;
            }
        }
        double[][] expected = times(fm[0], fm[1], v, 0.3);
        FisherWorkspace ws = k.workspace(s);
        double[] out = new double[p];
        k.gaussianFvp(s, theta, x, v, 0.3, stride, out, ws);
        FD.assertClose("gaussian (double) vs explicit", expected[0], out, p, expected[1]);
        float[] outF = new float[p];
        k.gaussianFvp(s, thetaF, xF, vF, 0.3, stride, outF, ws);
        Tolerance.spec().assertClose("gaussian (fp32) vs explicit", expected[0], outF, p, expected[1]);
    }

    /** Empirical: the dense GᵀG/n over the rows used, times v. */
    @Property(tries = 80)
    void empiricalMatchesDenseGram(@ForAll long seed, @ForAll("batches") int b,
            @ForAll @IntRange(min = 0, max = 12) int p, @ForAll @IntRange(min = 1, max = 4) int stride) {
        EmpiricalShape s = new EmpiricalShape(b, p);
        float[] gF = EdgeValues.uniform(seed, b * p, -3f, 3f);
        float[] vF = EdgeValues.uniform(seed + 1, p, -1f, 1f);
        double[] g = toDouble(gF), v = toDouble(vF);
        double[][] fm = new double[p][p];
        int n = FisherShape.rowsUsed(b, stride);
        for (int i = 0; i < b; i += stride) {
            for (int r = 0; r < p; r++) {
                for (int c = 0; c < p; c++) {
                    fm[r][c] += g[i * p + r] * g[i * p + c] / n;
                }
            }
        }
        double[][] expected = times(fm, v, 0.05);
        FisherWorkspace ws = k.workspace(s);
        double[] out = new double[p];
        k.empiricalFvp(s, g, v, 0.05, stride, out, ws);
        Tolerance.of(1e-12, 1e-12).assertClose("empirical (double) vs dense", expected[0], out, p, expected[1]);
        float[] outF = new float[p];
        k.empiricalFvp(s, gF, vF, 0.05, stride, outF, ws);
        Tolerance.spec().assertClose("empirical (fp32) vs dense", expected[0], outF, p, expected[1]);
    }

    // ------------------------------------------------------------------ invariants

    /** One product in double for a random policy of the given kind; used by the invariant properties. */
    private double[] product(int kind, long seed, int b, double[] v, double lambda, int stride) {
        Random r = new Random(seed);
        FisherShape s = switch (kind) {
            case 0 -> new LinearSoftmaxShape(b, 1 + r.nextInt(4), 1 + r.nextInt(4));
            case 1 -> new MlpSoftmaxShape(b, 1 + r.nextInt(3), 1 + r.nextInt(4), 1 + r.nextInt(4), 1 + r.nextInt(4));
            case 2 -> new GaussianShape(b, 1 + r.nextInt(4), 1 + r.nextInt(3));
            default -> new EmpiricalShape(b, 1 + r.nextInt(8));
        };
        int p = s.paramCount();
        if (v == null) {
            return new double[p]; // only the size is asked for
        }
        double[] theta = toDouble(EdgeValues.uniform(seed + 7, p, -1f, 1f));
        double[] x = toDouble(EdgeValues.uniform(seed + 8, b * 5 * p, -2f, 2f)); // long enough for any kind
        double[] out = new double[p];
        FisherWorkspace ws = k.workspace(s);
        switch (s) {
            case LinearSoftmaxShape ls -> k.linearSoftmaxFvp(ls, theta, x, v, lambda, stride, out, ws);
            case MlpSoftmaxShape ms -> k.mlpSoftmaxFvp(ms, theta, x, v, lambda, stride, out, ws);
            case GaussianShape gs -> k.gaussianFvp(gs, theta, x, v, lambda, stride, out, ws);
            case EmpiricalShape es -> k.empiricalFvp(es, x, v, lambda, stride, out, ws);
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double norm1(double[] a) {
        double s = 0;
        for (double v : a) {
            s += Math.abs(v);
        }
        return s;
    }

    /** uᵀ(F v) = vᵀ(F u): F is symmetric (λ = 0 and λ > 0). */
    @Property(tries = 100)
    void symmetric(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int kind,
            @ForAll @IntRange(min = 0, max = 9) int b, @ForAll @IntRange(min = 1, max = 3) int stride) {
        int p = product(kind, seed, b, null, 0, stride).length;
        double[] u = toDouble(EdgeValues.uniform(seed + 100, p, -1f, 1f));
        double[] v = toDouble(EdgeValues.uniform(seed + 101, p, -1f, 1f));
        double[] fu = product(kind, seed, b, u, 0.2, stride);
        double[] fv = product(kind, seed, b, v, 0.2, stride);
        double scale = norm1(fu) * norm1(v) + norm1(fv) * norm1(u) + 1e-300;
        Tolerance.of(1e-12, 1e-13).assertClose("uᵀFv vs vᵀFu", dot(u, fv), dot(v, fu), scale);
    }

    /** vᵀ F v >= 0 (λ = 0), up to rounding of the terms; with damping λ, vᵀ(F+λI)v >= λ|v|² likewise. */
    @Property(tries = 100)
    void positiveSemiDefinite(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int kind,
            @ForAll @IntRange(min = 0, max = 9) int b, @ForAll @IntRange(min = 1, max = 3) int stride) {
        int p = product(kind, seed, b, null, 0, stride).length;
        double[] v = toDouble(EdgeValues.uniform(seed + 100, p, -1f, 1f));
        double[] fv = product(kind, seed, b, v, 0, stride);
        double slack = 1e-13 * (norm1(fv) * norm1(v) + 1);
        assertTrue(dot(v, fv) >= -slack, "vᵀFv = " + dot(v, fv));
        double[] fvd = product(kind, seed, b, v, 0.5, stride);
        assertTrue(dot(v, fvd) >= 0.5 * dot(v, v) - slack, "vᵀ(F+λI)v = " + dot(v, fvd));
    }

    /** (F + λI)v - F v = λ v: damping adds exactly λ v (up to one rounding per element). */
    @Property(tries = 100)
    void dampingAddsLambdaV(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int kind,
            @ForAll @IntRange(min = 0, max = 9) int b, @ForAll @IntRange(min = 1, max = 3) int stride) {
        int p = product(kind, seed, b, null, 0, stride).length;
        double[] v = toDouble(EdgeValues.uniform(seed + 100, p, -1f, 1f));
        double[] f0 = product(kind, seed, b, v, 0, stride);
        double[] f1 = product(kind, seed, b, v, 0.37, stride);
        for (int j = 0; j < p; j++) {
            assertEquals(0.37 * v[j], f1[j] - f0[j], 4 * Math.ulp(Math.abs(f0[j]) + Math.abs(0.37 * v[j]) + 1e-300),
                    "element " + j);
        }
    }

    /** The fp32 overload leaves elements past P untouched and ignores input elements past their lengths. */
    @Test
    void arraysLongerThanRequiredAreFine() {
        LinearSoftmaxShape s = new LinearSoftmaxShape(1, 1, 2);
        float[] out = {0, 0, 0, 0, 42f};
        k.linearSoftmaxFvp(s, f(0, 0, 0, Math.log(3), Float.NaN), f(2, Float.NaN), f(1, 2, -1, 0.5, Float.NaN), 0.1,
                1, out, k.workspace(s));
        assertArrayEquals(f(-1.2125, 1.5125, -0.75625, 0.70625, 42), out, 1e-6f);
    }
}
