package dev.pgkernels.jblas;
// GENERATED from jblas/JblasRowsF.java by kernels/gen-variants.sh: edit that file and rerun the script.

/**
 * The row-wise parts of the {@code jblas} Fisher-vector products ({@link JblasFvpF}), scalar (jblas
 * has no vector exp or tanh, and the backend must not need the Vector API): bias, softmax and
 * {@code M_i}, tanh and its derivative, column sums; the same operations and order as the
 * {@code simd} row loops, in double with {@code Math.exp}/{@code Math.tanh} rounded once.
 * (JblasRowsD is generated from this file.)
 */
final class JblasRowsD {
    private JblasRowsD() {}

    /** Row of Y (width 2a): pi = softmax(q + b) into Y[0..a), w = pi ⊙ (u + c - <pi, u + c>) into Y[a..2a). */
    static void softmaxM(int a, double[] y, int yo, double[] theta, int bOff, double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < a; j++) {
            double q = y[yo + j] + theta[bOff + j];
            y[yo + j] = q;
            max = Math.max(max, q);
        }
        double sum = 0;
        for (int j = 0; j < a; j++) {
            double e = Math.exp(y[yo + j] - max);
            y[yo + j] = e;
            sum += e;
        }
        double inv = 1.0 / sum, pu = 0;
        for (int j = 0; j < a; j++) {
            double pi = y[yo + j] * inv;
            y[yo + j] = pi;
            double u = y[yo + a + j] + v[bOff + j];
            y[yo + a + j] = u;
            pu += pi * u;
        }
        for (int j = 0; j < a; j++) {
            y[yo + a + j] = y[yo + j] * (y[yo + a + j] - pu);
        }
    }

    /** No scratch: {@link #softmaxMRows} goes row by row. */
    static int rowsScratch(int a) {
        return 0;
    }

    /** {@link #softmaxM} on rows {@code 0..n} of Y (row i at {@code yo + i·ld}); the scratch arguments are unused. */
    static void softmaxMRows(int n, int a, double[] y, int yo, int ld, double[] theta, int bOff, double[] v, double[] t,
            int to) {
        for (int i = 0; i < n; i++) {
            softmaxM(a, y, yo + i * ld, theta, bOff, v);
        }
    }

    /** Row of Y (width 2h): h = tanh(z + b) into Y[0..h), dh = (1 - h²)(dz + c) into Y[h..2h). */
    static void tanhRow(int h, double[] y, int yo, double[] theta, int bOff, double[] v) {
        for (int j = 0; j < h; j++) {
            double t = Math.tanh(y[yo + j] + theta[bOff + j]);
            y[yo + j] = t;
            y[yo + h + j] = (1 - t * t) * (y[yo + h + j] + v[bOff + j]);
        }
    }

    /** {@link #tanhRow} on rows {@code 0..n} of Y (row i at {@code yo + i·ld}). */
    static void tanhRows(int n, int h, double[] y, int yo, int ld, double[] theta, int bOff, double[] v) {
        for (int i = 0; i < n; i++) {
            tanhRow(h, y, yo + i * ld, theta, bOff, v);
        }
    }

    /** Rows 0..n of Y (row i at yo + i·ld): g = Y[i, h..2h) *= 1 - Y[i, 0..h)², and out[o..o+h) += inv Σ_i g. */
    static void tanhBackSums(int n, int h, double[] y, int yo, int ld, double inv, double[] out, int o) {
        for (int j = 0; j < h; j++) {
            double acc = 0;
            for (int i = 0, r = yo + j; i < n; i++, r += ld) {
                double t = y[r];
                double g = (1 - t * t) * y[r + h];
                y[r + h] = g;
                acc += g;
            }
            out[o + j] += acc * inv;
        }
    }

    /** out[o..o+w) += inv Σ_{i<n} src[so + i ld ..]. */
    static void colSums(int n, int w, double[] src, int so, int ld, double inv, double[] out, int o) {
        for (int j = 0; j < w; j++) {
            double acc = 0;
            for (int i = 0, r = so + j; i < n; i++, r += ld) acc += src[r];
            out[o + j] += acc * inv;
        }
    }
}
