package dev.pgkernels.jblas;
// GENERATED from simd/SimdFvpF.java by kernels/gen-variants.sh: edit that file and rerun the script.

import dev.pgkernels.fisher.EmpiricalShape;
import dev.pgkernels.fisher.FisherShape;
import dev.pgkernels.fisher.GaussianShape;
import dev.pgkernels.fisher.LinearSoftmaxShape;
import dev.pgkernels.fisher.MlpSoftmaxShape;

/**
 * double Fisher-vector products of the {@code simd} backend (SPEC §4) built on the blocked GEMM
 * ({@link JblasBlasD}): the products over the batch are GEMMs over the rows used (the sample stride k
 * becomes the leading dimension {@code k·D} of X, so no rows are copied), and the row-wise parts
 * (bias, softmax, {@code M_i}, tanh, bias gradients) are vector loops ({@link JblasRowsD}).
 * (SimdFvpD, and jblas's JblasFvpD/D, are generated from this file: double to double, and
 * JblasBlasD/JblasBlasD/JblasRowsD to the jblas classes; edit this file and regenerate.)
 *
 * <p><b>Row chunks.</b> The linear and MLP products run the whole forward and backward pass on
 * {@link #chunkRows} rows at a time (a multiple of 48, sized so that the chunk's X rows and its
 * activations, about {@link #CHUNK_BYTES}, stay in L2 between the passes), adding each chunk's part of
 * the weight and bias gradients to the output ({@code β = 1}). So every row-wise pass and the backward
 * GEMMs read L2-resident data, and X is read from memory once per product, not once per pass.
 *
 * <p>Value and tangent share their GEMM: the weights W and the direction's block V are stacked
 * into {@code [W; V]} in the workspace, so one product gives {@code [X Wᵀ | X Vᵀ]} side by side in a
 * row of width {@code 2·out}. Workspace ({@code floats}) layout, per product ({@code R} = chunk rows):
 * <ul>
 *   <li>linear: {@code [W;V]} (2A·D), {@code Y} (R·2A: q|u, then -|w), GEMM or row scratch;</li>
 *   <li>MLP: {@code [W1;V1]ᵀ} (D·2H1), {@code [W2;V2]ᵀ} (H1·2H2), {@code [W3;V3]} (2A·H2), {@code Y1} (R·2H1:
 *       h1|dh1, later h1|g1), {@code Y2} (R·2H2: h2|dh2, later h2|g2), {@code Y3} (R·2A: q|u, then -|w),
 *       GEMM or row scratch;</li>
 *   <li>Gaussian: {@code T} (B·A, {@code V x_i}), GEMM scratch; empirical: {@code G v} (B), GEMM scratch.</li>
 * </ul>
 * Every output is {@code (1/n)·(sum over rows) + λ v}: the damping term is written first and the
 * backward GEMMs and bias sums add to it ({@code β = 1}, {@code α = 1/n}), chunk after chunk. double
 * throughout; sums reassociated by SIMD, blocking and chunking (bounds in the tests).
 */
final class JblasFvpD {
    private JblasFvpD() {}

    /**
     * Bytes of X rows and activations a row chunk aims at: half of this machine's 1 MB L2, the rest for
     * the GEMM's packed panels. Best-of-400 at B = 4096 (noisy machine): 64 KB to 1 MB chunks and
     * none gave MLP 3.78, 3.81, 3.13, 3.00, 2.90, 3.24 ms and linear 1.19, 1.06, 1.02, 0.97, 0.99, 1.04 ms.
     */
    static final int CHUNK_BYTES = 512 * 1024;

    /** Row-chunk granularity: a multiple of the GEMM's MR = 6 and of every vector length up to 16. */
    private static final int CHUNK_STEP = 48;

    /**
     * Rows per chunk for rows of {@code rowBytes} bytes (X row plus activations): about
     * {@link #CHUNK_BYTES}, a multiple of 48, at least 48, at most {@code n}.
     */
    static int chunkRows(int n, long rowBytes) {
        long r = CHUNK_BYTES / Math.max(rowBytes, 1) / CHUNK_STEP * CHUNK_STEP;
        return (int) Math.min(n, Math.max(CHUNK_STEP, r));
    }

    private static int linearChunk(int n, int d, int a) {
        return chunkRows(n, 4L * (d + 2L * a));
    }

    private static int mlpChunk(int n, int d, int h1, int h2, int a) {
        return chunkRows(n, 4L * (d + 2L * h1 + 2L * h2 + 2L * a));
    }

    /** Workspace floats a product of {@code shape} needs. */
    static int workspaceSize(FisherShape shape) {
        int b = shape.batch();
        long s = switch (shape) {
            case LinearSoftmaxShape ls -> {
                int d = ls.features(), a = ls.actions(), r = linearChunk(b, d, a);
                yield 2L * a * d + 2L * r * a
                        + max(JblasBlasD.scratch(r, 2 * a, d), JblasBlasD.scratch(a, d, r), JblasRowsD.rowsScratch(a));
            }
            case MlpSoftmaxShape ms -> {
                int d = ms.features(), h1 = ms.hidden1(), h2 = ms.hidden2(), a = ms.actions();
                int r = mlpChunk(b, d, h1, h2, a);
                long g = max(JblasBlasD.scratch(r, 2 * h1, d), JblasBlasD.scratch(r, 2 * h2, h1),
                        JblasBlasD.scratch(r, 2 * a, h2), JblasBlasD.scratch(a, h2, r), JblasBlasD.scratch(r, h2, a),
                        JblasBlasD.scratch(h2, h1, r), JblasBlasD.scratch(r, h1, h2), JblasBlasD.scratch(h1, d, r),
                        JblasRowsD.rowsScratch(a));
                yield 2L * h1 * d + 2L * h2 * h1 + 2L * a * h2 + 2L * r * (h1 + h2 + a) + g;
            }
            case GaussianShape gs -> {
                int d = gs.features(), a = gs.actions();
                yield (long) b * a + Math.max(JblasBlasD.scratch(b, a, d), JblasBlasD.scratch(a, d, b));
            }
            case EmpiricalShape es -> b;
        };
        return FisherShape.sum("simd Fisher workspace floats", s);
    }

    private static int max(int... v) {
        int m = 0;
        for (int x : v) m = Math.max(m, x);
        return m;
    }

    // ------------------------------------------------------------------ row helpers

    /** dst[0..n) = α src[0..n) (vector, masked tail). */
    private static void scaled(int n, double alpha, double[] src, int so, double[] dst, int d) {
        JblasBlasD.scaleInto(n, alpha, src, so, dst, d);
    }

    // ------------------------------------------------------------------ products

    static void linear(LinearSoftmaxShape shape, double[] theta, double[] x, double[] v, double lambda, int stride,
            double[] out, double[] w) {
        int bN = shape.batch(), d = shape.features(), a = shape.actions(), p = shape.paramCount();
        int n = FisherShape.rowsUsed(bN, stride);
        scaled(p, lambda, v, 0, out, 0); // the damping term; the chunks below add (1/n) Σ_i J_iᵀ M_i J_i v to it
        if (n == 0 || a == 0) {
            return;
        }
        int ad = a * d, ldx = stride * d, r = linearChunk(n, d, a);
        int wv = 0, y = wv + 2 * ad, g = y + 2 * r * a;
        System.arraycopy(theta, 0, w, wv, ad);
        System.arraycopy(v, 0, w, wv + ad, ad);
        double inv = 1.0 / n;
        for (int c0 = 0; c0 < n; c0 += r) {
            int rows = Math.min(r, n - c0), xo = c0 * ldx;
            // [q | u] = X_chunk [W; V]ᵀ   (rows × 2A), then w = M (u + c) in u's place
            JblasBlasD.gemm(false, true, rows, 2 * a, d, 1.0, x, xo, Math.max(ldx, 1), w, wv, Math.max(d, 1), 0.0, w, y,
                    2 * a, w, g);
            JblasRowsD.softmaxMRows(rows, a, w, y, 2 * a, theta, ad, v, w, g);
            // out_W += (1/n) wᵀ X_chunk ; out_b += (1/n) Σ w
            if (d > 0) {
                JblasBlasD.gemm(true, false, a, d, rows, inv, w, y + a, 2 * a, x, xo, ldx, 1.0, out, 0, d, w, g);
            }
            JblasRowsD.colSums(rows, a, w, y + a, 2 * a, inv, out, ad);
        }
    }

    static void mlp(MlpSoftmaxShape shape, double[] theta, double[] x, double[] v, double lambda, int stride, double[] out,
            double[] w) {
        int bN = shape.batch(), d = shape.features(), h1 = shape.hidden1(), h2 = shape.hidden2(), a = shape.actions();
        int p = shape.paramCount();
        int n = FisherShape.rowsUsed(bN, stride);
        scaled(p, lambda, v, 0, out, 0); // the damping term; the chunks below add (1/n) Σ_i J_iᵀ M_i J_i v to it
        if (n == 0 || a == 0) {
            return; // no rows, or no logits: F = 0
        }
        int oW1 = shape.offW1(), oB1 = shape.offB1(), oW2 = shape.offW2(), oB2 = shape.offB2();
        int oW3 = shape.offW3(), oB3 = shape.offB3();
        int r = mlpChunk(n, d, h1, h2, a);
        int s1 = 0, s2 = s1 + 2 * h1 * d, s3 = s2 + 2 * h2 * h1;
        int y1 = s3 + 2 * a * h2, y2 = y1 + 2 * r * h1, y3 = y2 + 2 * r * h2, g = y3 + 2 * r * a;
        int ldx = Math.max(stride * d, 1);
        double inv = 1.0 / n;
        stackedT(h1, d, theta, v, oW1, w, s1);
        stackedT(h2, h1, theta, v, oW2, w, s2);
        System.arraycopy(theta, oW3, w, s3, a * h2);
        System.arraycopy(v, oW3, w, s3 + a * h2, a * h2);
        for (int c0 = 0; c0 < n; c0 += r) {
            mlpChunk(theta, x, v, inv, out, w, c0 * stride * d, Math.min(r, n - c0), d, h1, h2, a, ldx, oB1, oW2,
                    oB2, oW3, oB3, oW1, s1, s2, s3, y1, y2, y3, g);
        }
    }

    /**
     * {@code dst (c × 2r) = [A; B]ᵀ} for the {@code r × c} blocks {@code A = theta[o..]}, {@code B = v[o..]}:
     * the hidden layers' stacked weights, transposed once per product so that every chunk's forward GEMM
     * reads a non-transposed B (packed by vector copies) instead of transposing it again, element by element.
     */
    private static void stackedT(int r, int c, double[] theta, double[] v, int o, double[] dst, int d) {
        for (int j = 0; j < r; j++) {
            for (int p = 0, src = o + j * c, t = d + j; p < c; p++, src++, t += 2 * r) {
                dst[t] = theta[src];
                dst[t + r] = v[src];
            }
        }
    }

    /** One chunk of {@code rows} rows of the MLP product (X from {@code xo}); adds its part to out. */
    private static void mlpChunk(double[] theta, double[] x, double[] v, double inv, double[] out, double[] w, int xo,
            int rows, int d, int h1, int h2, int a, int ldx, int oB1, int oW2, int oB2, int oW3, int oB3, int oW1,
            int s1, int s2, int s3, int y1, int y2, int y3, int g) {
        // layer 1: [z1 | dz1] = X [W1; V1]ᵀ (the transposed stack is in the workspace), then h1 = tanh(z1 + b1), dh1 = (1 - h1²)(dz1 + c1)
        if (h1 > 0) {
            JblasBlasD.gemm(false, false, rows, 2 * h1, d, 1.0, x, xo, ldx, w, s1, 2 * h1, 0.0, w, y1, 2 * h1, w, g);
            JblasRowsD.tanhRows(rows, h1, w, y1, 2 * h1, theta, oB1, v);
        }
        // layer 2: [z2 | h1 V2ᵀ] = h1 [W2; V2]ᵀ, then dz2 += dh1 W2ᵀ
        if (h2 > 0) {
            JblasBlasD.gemm(false, false, rows, 2 * h2, h1, 1.0, w, y1, Math.max(2 * h1, 1), w, s2, 2 * h2, 0.0, w, y2,
                    2 * h2, w, g);
            JblasBlasD.gemm(false, false, rows, h2, h1, 1.0, w, y1 + h1, Math.max(2 * h1, 1), w, s2, 2 * h2, 1.0, w,
                    y2 + h2, 2 * h2, w, g);
            JblasRowsD.tanhRows(rows, h2, w, y2, 2 * h2, theta, oB2, v);
        }
        // output: [q | h2 V3ᵀ] = h2 [W3; V3]ᵀ, dq += dh2 W3ᵀ; then pi, w = M dq
        JblasBlasD.gemm(false, true, rows, 2 * a, h2, 1.0, w, y2, Math.max(2 * h2, 1), w, s3, Math.max(h2, 1), 0.0, w,
                y3, 2 * a, w, g);
        JblasBlasD.gemm(false, true, rows, a, h2, 1.0, w, y2 + h2, Math.max(2 * h2, 1), w, s3, Math.max(h2, 1), 1.0, w,
                y3 + a, 2 * a, w, g);
        JblasRowsD.softmaxMRows(rows, a, w, y3, 2 * a, theta, oB3, v, w, g);
        // backward. W3: (1/n) wᵀ h2 ; b3: (1/n) Σ w
        if (h2 > 0) {
            JblasBlasD.gemm(true, false, a, h2, rows, inv, w, y3 + a, 2 * a, w, y2, 2 * h2, 1.0, out, oW3, h2, w, g);
        }
        JblasRowsD.colSums(rows, a, w, y3 + a, 2 * a, inv, out, oB3);
        if (h2 == 0) {
            return;
        }
        // g2 = (w W3) ⊙ (1 - h2²) into the dh2 slot; b2 += (1/n) Σ g2
        JblasBlasD.gemm(false, false, rows, h2, a, 1.0, w, y3 + a, 2 * a, theta, oW3, h2, 0.0, w, y2 + h2, 2 * h2, w, g);
        JblasRowsD.tanhBackSums(rows, h2, w, y2, 2 * h2, inv, out, oB2);
        if (h1 == 0) {
            return;
        }
        JblasBlasD.gemm(true, false, h2, h1, rows, inv, w, y2 + h2, 2 * h2, w, y1, 2 * h1, 1.0, out, oW2, h1, w, g);
        // g1 = (g2 W2) ⊙ (1 - h1²) into the dh1 slot; b1 += (1/n) Σ g1
        JblasBlasD.gemm(false, false, rows, h1, h2, 1.0, w, y2 + h2, 2 * h2, theta, oW2, h1, 0.0, w, y1 + h1, 2 * h1, w, g);
        JblasRowsD.tanhBackSums(rows, h1, w, y1, 2 * h1, inv, out, oB1);
        if (d > 0) {
            JblasBlasD.gemm(true, false, h1, d, rows, inv, w, y1 + h1, 2 * h1, x, xo, ldx, 1.0, out, oW1, d, w, g);
        }
    }

    static void gaussian(GaussianShape shape, double[] theta, double[] x, double[] v, double lambda, int stride,
            double[] out, double[] w) {
        int bN = shape.batch(), d = shape.features(), a = shape.actions(), ad = a * d;
        int n = FisherShape.rowsUsed(bN, stride);
        scaled(shape.paramCount(), lambda, v, 0, out, 0);
        if (n == 0 || a == 0) {
            return;
        }
        int t = 0, g = t + n * a, ldx = Math.max(stride * d, 1);
        double inv = 1.0 / n;
        if (d > 0) {
            // T = X_used Vᵀ (n × A); out_W[a] = σ_a⁻² (1/n) (Tᵀ X_used)[a] + λ V[a]
            JblasBlasD.gemm(false, true, n, a, d, 1.0, x, 0, ldx, v, 0, d, 0.0, w, t, a, w, g);
            for (int j = 0; j < a; j++) {
                double invVar = Math.exp(-2.0 * theta[ad + j]);
                // scale column j of T by σ⁻²/n so one GEMM adds the whole block
                for (int i = 0; i < n; i++) w[t + i * a + j] *= invVar;
            }
            JblasBlasD.gemm(true, false, a, d, n, inv, w, t, a, x, 0, ldx, 1.0, out, 0, d, w, g);
        }
        for (int j = 0; j < a; j++) {
            out[ad + j] = 2 * v[ad + j] + lambda * v[ad + j]; // Fisher of the log-std: 2 per row, averaged
        }
    }

    static void empirical(EmpiricalShape shape, double[] gm, double[] v, double lambda, int stride, double[] out,
            double[] w) {
        int bN = shape.batch(), p = shape.paramCount();
        int n = FisherShape.rowsUsed(bN, stride);
        scaled(p, lambda, v, 0, out, 0);
        if (n == 0 || p == 0) {
            return;
        }
        int ld = stride * p;
        // t = G_used v (n), out += (1/n) G_usedᵀ t
        JblasBlasD.gemv(false, n, p, 1.0, gm, 0, ld, v, 0, 0.0, w, 0);
        JblasBlasD.gemv(true, n, p, 1.0 / n, gm, 0, ld, w, 0, 1.0, out, 0);
    }
}
