package dev.pgkernels.jblas;
// GENERATED from simd/SimdFvpF.java by kernels/gen-variants.sh: edit that file and rerun the script.

import dev.pgkernels.fisher.EmpiricalShape;
import dev.pgkernels.fisher.FisherShape;
import dev.pgkernels.fisher.GaussianShape;
import dev.pgkernels.fisher.LinearSoftmaxShape;
import dev.pgkernels.fisher.MlpSoftmaxShape;

/**
 * double Fisher-vector products of the {@code simd} backend (SPEC §4) built on the blocked GEMM
 * ({@link JblasBlasD}): every product over the batch is one GEMM over all the rows used (the sample
 * stride k becomes the leading dimension {@code k·D} of X, so no rows are copied), and the row-wise
 * parts (bias, softmax, {@code M_i}, tanh) are vector loops over a row's width with a masked tail.
 * The row loops are {@link JblasRowsD}. (SimdFvpD, and jblas's JblasFvpD/D, are generated from this file:
 * double to double, and JblasBlasD/JblasBlasD/JblasRowsD to the jblas classes; edit this file and regenerate.)
 *
 * <p>Value and tangent share their GEMM: the weights W and the direction's block V are stacked
 * into {@code [W; V]} in the workspace, so one product gives {@code [X Wᵀ | X Vᵀ]} side by side in a
 * row of width {@code 2·out}. Workspace ({@code floats}) layout, per product:
 * <ul>
 *   <li>linear: {@code [W;V]} (2A·D), {@code Y} (B·2A: q|u, then -|w), the bias sums (A), GEMM or row scratch;</li>
 *   <li>MLP: {@code [W1;V1]} (2H1·D), {@code [W2;V2]} (2H2·H1), {@code [W3;V3]} (2A·H2), {@code Y1} (B·2H1:
 *       h1|dh1, later h1|g1), {@code Y2} (B·2H2: h2|dh2, later h2|g2), {@code Y3} (B·2A: q|u, then -|w),
 *       column sums (max(H1, H2, A)), GEMM or row scratch;</li>
 *   <li>Gaussian: {@code T} (B·A, {@code V x_i}), GEMM scratch; empirical: {@code G v} (B), GEMM scratch.</li>
 * </ul>
 * Every output is {@code (1/n)·(sum over rows) + λ v}: the damping term is written first and the
 * backward GEMM adds to it ({@code β = 1}, {@code α = 1/n}). double throughout; sums reassociated by
 * SIMD and blocking (bounds in the tests).
 */
final class JblasFvpD {
    private JblasFvpD() {}

    /** Workspace floats a product of {@code shape} needs. */
    static int workspaceSize(FisherShape shape) {
        int b = shape.batch();
        long s = switch (shape) {
            case LinearSoftmaxShape ls -> {
                int d = ls.features(), a = ls.actions();
                yield 2L * a * d + 2L * b * a + a
                        + max(JblasBlasD.scratch(b, 2 * a, d), JblasBlasD.scratch(a, d, b), JblasRowsD.rowsScratch(a));
            }
            case MlpSoftmaxShape ms -> {
                int d = ms.features(), h1 = ms.hidden1(), h2 = ms.hidden2(), a = ms.actions();
                long g = max(JblasBlasD.scratch(b, 2 * h1, d), JblasBlasD.scratch(b, 2 * h2, h1),
                        JblasBlasD.scratch(b, 2 * a, h2), JblasBlasD.scratch(a, h2, b), JblasBlasD.scratch(b, h2, a),
                        JblasBlasD.scratch(h2, h1, b), JblasBlasD.scratch(b, h1, h2), JblasBlasD.scratch(h1, d, b),
                        JblasRowsD.rowsScratch(a));
                yield 2L * h1 * d + 2L * h2 * h1 + 2L * a * h2 + 2L * b * (h1 + h2 + a) + max(h1, h2, a) + g;
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
        if (n == 0 || a == 0) {
            scaled(p, lambda, v, 0, out, 0);
            return;
        }
        int ad = a * d, ldx = stride * d;
        int wv = 0, y = wv + 2 * ad, acc = y + 2 * n * a, g = acc + a;
        System.arraycopy(theta, 0, w, wv, ad);
        System.arraycopy(v, 0, w, wv + ad, ad);
        double inv = 1.0 / n;
        // [q | u] = X_used [W; V]ᵀ   (n × 2A)
        JblasBlasD.gemm(false, true, n, 2 * a, d, 1.0, x, 0, Math.max(ldx, 1), w, wv, Math.max(d, 1), 0.0, w, y, 2 * a, w, g);
        JblasRowsD.softmaxMRows(n, a, w, y, 2 * a, theta, ad, v, w, g);
        // out_W = (1/n) wᵀ X_used + λ V
        scaled(ad, lambda, v, 0, out, 0);
        if (d > 0) {
            JblasBlasD.gemm(true, false, a, d, n, inv, w, y + a, 2 * a, x, 0, ldx, 1.0, out, 0, d, w, g);
        }
        JblasRowsD.colSums(n, a, w, y + a, 2 * a, inv, lambda, v, ad, out, ad, w, acc);
    }

    static void mlp(MlpSoftmaxShape shape, double[] theta, double[] x, double[] v, double lambda, int stride, double[] out,
            double[] w) {
        int bN = shape.batch(), d = shape.features(), h1 = shape.hidden1(), h2 = shape.hidden2(), a = shape.actions();
        int p = shape.paramCount();
        int n = FisherShape.rowsUsed(bN, stride);
        scaled(p, lambda, v, 0, out, 0); // the damping term; the products below add (1/n) Jᵀ M J v to it
        if (n == 0) {
            return;
        }
        int oW1 = shape.offW1(), oB1 = shape.offB1(), oW2 = shape.offW2(), oB2 = shape.offB2();
        int oW3 = shape.offW3(), oB3 = shape.offB3();
        int s1 = 0, s2 = s1 + 2 * h1 * d, s3 = s2 + 2 * h2 * h1;
        int y1 = s3 + 2 * a * h2, y2 = y1 + 2 * n * h1, y3 = y2 + 2 * n * h2;
        int acc = y3 + 2 * n * a, g = acc + Math.max(h1, Math.max(h2, a));
        int ldx = Math.max(stride * d, 1);
        double inv = 1.0 / n;
        System.arraycopy(theta, oW1, w, s1, h1 * d);
        System.arraycopy(v, oW1, w, s1 + h1 * d, h1 * d);
        System.arraycopy(theta, oW2, w, s2, h2 * h1);
        System.arraycopy(v, oW2, w, s2 + h2 * h1, h2 * h1);
        System.arraycopy(theta, oW3, w, s3, a * h2);
        System.arraycopy(v, oW3, w, s3 + a * h2, a * h2);
        // layer 1: [z1 | dz1] = X [W1; V1]ᵀ, then h1 = tanh(z1 + b1), dh1 = (1 - h1²)(dz1 + c1)
        if (h1 > 0) {
            JblasBlasD.gemm(false, true, n, 2 * h1, d, 1.0, x, 0, ldx, w, s1, Math.max(d, 1), 0.0, w, y1, 2 * h1, w, g);
            for (int i = 0; i < n; i++) JblasRowsD.tanhRow(h1, w, y1 + i * 2 * h1, theta, oB1, v);
        }
        // layer 2: [z2 | h1 V2ᵀ] = h1 [W2; V2]ᵀ, then dz2 += dh1 W2ᵀ
        if (h2 > 0) {
            JblasBlasD.gemm(false, true, n, 2 * h2, h1, 1.0, w, y1, Math.max(2 * h1, 1), w, s2, Math.max(h1, 1), 0.0, w, y2,
                    2 * h2, w, g);
            JblasBlasD.gemm(false, true, n, h2, h1, 1.0, w, y1 + h1, Math.max(2 * h1, 1), w, s2, Math.max(h1, 1), 1.0, w,
                    y2 + h2, 2 * h2, w, g);
            for (int i = 0; i < n; i++) JblasRowsD.tanhRow(h2, w, y2 + i * 2 * h2, theta, oB2, v);
        }
        if (a == 0) {
            return;
        }
        // output: [q | h2 V3ᵀ] = h2 [W3; V3]ᵀ, dq += dh2 W3ᵀ; then pi, w = M dq
        JblasBlasD.gemm(false, true, n, 2 * a, h2, 1.0, w, y2, Math.max(2 * h2, 1), w, s3, Math.max(h2, 1), 0.0, w, y3,
                2 * a, w, g);
        JblasBlasD.gemm(false, true, n, a, h2, 1.0, w, y2 + h2, Math.max(2 * h2, 1), w, s3, Math.max(h2, 1), 1.0, w,
                y3 + a, 2 * a, w, g);
        JblasRowsD.softmaxMRows(n, a, w, y3, 2 * a, theta, oB3, v, w, g);
        // backward. W3: (1/n) wᵀ h2 ; b3: (1/n) Σ w
        if (h2 > 0) {
            JblasBlasD.gemm(true, false, a, h2, n, inv, w, y3 + a, 2 * a, w, y2, 2 * h2, 1.0, out, oW3, h2, w, g);
        }
        JblasRowsD.colSums(n, a, w, y3 + a, 2 * a, inv, lambda, v, oB3, out, oB3, w, acc);
        if (h2 == 0) {
            return;
        }
        // g2 = (w W3) ⊙ (1 - h2²) into the dh2 slot
        JblasBlasD.gemm(false, false, n, h2, a, 1.0, w, y3 + a, 2 * a, theta, oW3, h2, 0.0, w, y2 + h2, 2 * h2, w, g);
        for (int i = 0; i < n; i++) JblasRowsD.tanhBack(h2, w, y2 + i * 2 * h2);
        if (h1 > 0) {
            JblasBlasD.gemm(true, false, h2, h1, n, inv, w, y2 + h2, 2 * h2, w, y1, 2 * h1, 1.0, out, oW2, h1, w, g);
        }
        JblasRowsD.colSums(n, h2, w, y2 + h2, 2 * h2, inv, lambda, v, oB2, out, oB2, w, acc);
        if (h1 == 0) {
            return;
        }
        // g1 = (g2 W2) ⊙ (1 - h1²) into the dh1 slot
        JblasBlasD.gemm(false, false, n, h1, h2, 1.0, w, y2 + h2, 2 * h2, theta, oW2, h1, 0.0, w, y1 + h1, 2 * h1, w, g);
        for (int i = 0; i < n; i++) JblasRowsD.tanhBack(h1, w, y1 + i * 2 * h1);
        if (d > 0) {
            JblasBlasD.gemm(true, false, h1, d, n, inv, w, y1 + h1, 2 * h1, x, 0, ldx, 1.0, out, oW1, d, w, g);
        }
        JblasRowsD.colSums(n, h1, w, y1 + h1, 2 * h1, inv, lambda, v, oB1, out, oB1, w, acc);
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
