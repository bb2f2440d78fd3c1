package dev.pgkernels.jblas;
// GENERATED from jblas/JblasBlasF.java by kernels/gen-variants.sh: edit that file and rerun the script.

import java.util.Arrays;
import org.jblas.NativeBlas;

/**
 * double BLAS calls of the {@code jblas} Fisher-vector products and CG, on row-major operands (the
 * row-major to column-major mapping of {@link JblasLinalg}: operands swapped, flags kept). The
 * signatures mirror the {@code simd} kernels' so that {@link JblasFvpF} is generated from
 * {@code SimdFvpF}; the scratch arguments are ignored (BLAS needs none from us). Empty sizes are
 * handled here (BLAS would reject a zero leading dimension), with the interface's rules.
 * (JblasBlasD is generated from this file.)
 */
final class JblasBlasD {
    private JblasBlasD() {}

    /** No scratch: BLAS packs internally. */
    static int scratch(int m, int n, int k) {
        return 0;
    }

    /** Row-major {@code C = α op(A) op(B) + β C}. */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, double alpha, double[] a, int ao, int lda, double[] b,
            int bo, int ldb, double beta, double[] c, int co, int ldc, double[] w, int wo) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            for (int i = 0; i < m; i++) {
                int r = co + i * ldc;
                if (beta == 0) {
                    Arrays.fill(c, r, r + n, 0);
                } else {
                    for (int j = 0; j < n; j++) c[r + j] *= beta;
                }
            }
            return;
        }
        NativeBlas.dgemm(tb ? 'T' : 'N', ta ? 'T' : 'N', n, m, k, alpha, b, bo, ldb, a, ao, lda, beta, c, co, ldc);
    }

    /** Row-major {@code y = α op(A) x + β y}, A stored m×n. */
    static void gemv(boolean ta, int m, int n, double alpha, double[] a, int ao, int lda, double[] x, int xo, double beta,
            double[] y, int yo) {
        int out = ta ? n : m, in = ta ? m : n;
        if (out == 0) {
            return;
        }
        if (in == 0) {
            for (int i = 0; i < out; i++) y[yo + i] = beta == 0 ? 0 : beta * y[yo + i];
            return;
        }
        NativeBlas.dgemv(ta ? 'N' : 'T', n, m, alpha, a, ao, lda, x, xo, 1, beta, y, yo, 1);
    }

    /** y += α x. */
    static void axpy(int n, double alpha, double[] x, int xo, double[] y, int yo) {
        if (n > 0) NativeBlas.daxpy(n, alpha, x, xo, 1, y, yo, 1);
    }

    /** y = α x (x and y may be the same array at the same offset). */
    static void scaleInto(int n, double alpha, double[] x, int xo, double[] y, int yo) {
        if (n == 0) return;
        if (x != y || xo != yo) System.arraycopy(x, xo, y, yo, n);
        NativeBlas.dscal(n, alpha, y, yo, 1);
    }

    /** Σ x y. */
    static double dot(int n, double[] x, int xo, double[] y, int yo) {
        return n == 0 ? 0 : NativeBlas.ddot(n, x, xo, 1, y, yo, 1);
    }

    /** y = x + β y. */
    static void xpby(int n, double[] x, int xo, double beta, double[] y, int yo) {
        if (n == 0) return;
        NativeBlas.dscal(n, beta, y, yo, 1);
        NativeBlas.daxpy(n, 1, x, xo, 1, y, yo, 1);
    }
}
