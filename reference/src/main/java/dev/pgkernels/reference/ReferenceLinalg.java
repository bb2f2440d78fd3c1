package dev.pgkernels.reference;

import dev.pgkernels.linalg.AbstractDenseLinalg;
import dev.pgkernels.linalg.DenseLinalg;
import dev.pgkernels.linalg.LinalgWorkspace;

/**
 * Reference dense linear algebra ({@link DenseLinalg}): plain scalar loops; every element is one
 * sum in double, in ascending order of the inner index, then {@code α·sum + β·c} in double, rounded
 * once to the output type. {@code β = 0} does not read the output and {@code α = 0} reads no input
 * (as the interface says). The float and double overloads share one computation: an element is read
 * through {@code at(floatArray, doubleArray, i)} (exactly one of the pair is non-null). The
 * workspace argument is ignored. Stateless and thread-safe.
 */
public final class ReferenceLinalg extends AbstractDenseLinalg implements DenseLinalg {

    /** Public for the reference backend and for tests. */
    public ReferenceLinalg() {}

    private static double at(float[] f, double[] d, int i) {
        return f != null ? f[i] : d[i];
    }

    private static void put(float[] f, double[] d, int i, double v) {
        if (f != null) {
            f[i] = (float) v;
        } else {
            d[i] = v;
        }
    }

    /** {@code out = α·sum + β·old}, without reading old when β = 0. */
    private static double combine(double alpha, double sum, double beta, float[] cf, double[] cd, int i) {
        double r = alpha == 0 ? 0.0 : alpha * sum;
        return beta == 0 ? r : r + beta * at(cf, cd, i);
    }

    // ---------------------------------------------------------------- GEMM

    @Override
    protected void gemmKernel(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
            int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, LinalgWorkspace ws) {
        gemm(transA, transB, m, n, k, alpha, a, null, aOff, lda, b, null, bOff, ldb, beta, c, null, cOff, ldc);
    }

    @Override
    protected void gemmKernel(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int aOff,
            int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc, LinalgWorkspace ws) {
        gemm(transA, transB, m, n, k, alpha, null, a, aOff, lda, null, b, bOff, ldb, beta, null, c, cOff, ldc);
    }

    /** c_ij = α Σ_p op(A)_ip op(B)_pj + β c_ij. */
    private static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, float[] af,
            double[] ad, int aOff, int lda, float[] bf, double[] bd, int bOff, int ldb, double beta, float[] cf,
            double[] cd, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                if (alpha != 0) {
                    for (int p = 0; p < k; p++) {
                        double aip = at(af, ad, aOff + (transA ? p * lda + i : i * lda + p));
                        double bpj = at(bf, bd, bOff + (transB ? j * ldb + p : p * ldb + j));
                        sum += aip * bpj;
                    }
                }
                int ci = cOff + i * ldc + j;
                put(cf, cd, ci, combine(alpha, sum, beta, cf, cd, ci));
            }
        }
    }

    // ---------------------------------------------------------------- GEMV

    @Override
    protected void gemvKernel(boolean transA, int m, int n, float alpha, float[] a, int aOff, int lda, float[] x,
            int xOff, float beta, float[] y, int yOff) {
        gemv(transA, m, n, alpha, a, null, aOff, lda, x, null, xOff, beta, y, null, yOff);
    }

    @Override
    protected void gemvKernel(boolean transA, int m, int n, double alpha, double[] a, int aOff, int lda, double[] x,
            int xOff, double beta, double[] y, int yOff) {
        gemv(transA, m, n, alpha, null, a, aOff, lda, null, x, xOff, beta, null, y, yOff);
    }

    /** y_i = α Σ_j op(A)_ij x_j + β y_i. */
    private static void gemv(boolean transA, int m, int n, double alpha, float[] af, double[] ad, int aOff, int lda,
            float[] xf, double[] xd, int xOff, double beta, float[] yf, double[] yd, int yOff) {
        int rows = transA ? n : m, inner = transA ? m : n;
        for (int i = 0; i < rows; i++) {
            double sum = 0;
            if (alpha != 0) {
                for (int j = 0; j < inner; j++) {
                    double aij = at(af, ad, aOff + (transA ? j * lda + i : i * lda + j));
                    sum += aij * at(xf, xd, xOff + j);
                }
            }
            put(yf, yd, yOff + i, combine(alpha, sum, beta, yf, yd, yOff + i));
        }
    }

    // ---------------------------------------------------------------- SYRK

    @Override
    protected void syrkKernel(int n, int k, float alpha, float[] a, int aOff, int lda, float beta, float[] c, int cOff,
            int ldc, LinalgWorkspace ws) {
        gemm(true, false, n, n, k, alpha, a, null, aOff, lda, a, null, aOff, lda, beta, c, null, cOff, ldc);
    }

    @Override
    protected void syrkKernel(int n, int k, double alpha, double[] a, int aOff, int lda, double beta, double[] c,
            int cOff, int ldc, LinalgWorkspace ws) {
        gemm(true, false, n, n, k, alpha, null, a, aOff, lda, null, a, aOff, lda, beta, null, c, cOff, ldc);
    }

    // ---------------------------------------------------------------- AXPY, DOT

    @Override
    protected void axpyKernel(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) (y[yOff + i] + (double) alpha * x[xOff + i]);
        }
    }

    @Override
    protected void axpyKernel(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    protected double dotKernel(int n, float[] x, int xOff, float[] y, int yOff) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    @Override
    protected double dotKernel(int n, double[] x, int xOff, double[] y, int yOff) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }
}
