package dev.pgkernels.simd;

import dev.pgkernels.linalg.AbstractDenseLinalg;
import dev.pgkernels.linalg.DenseLinalg;
import dev.pgkernels.linalg.LinalgWorkspace;

/**
 * The {@code simd} dense linear-algebra core ({@link DenseLinalg}) on the Vector API, fp32 and double:
 * a packed, cache-blocked, register-blocked GEMM ({@link SimdGemmF}, {@link SimdGemmD}; SYRK is that
 * GEMM with {@code op(A) = Aᵀ} and B = A, so both triangles are written and exactly symmetric: element
 * (i, j) and (j, i) are the same products summed in the same order), and vector GEMV, AXPY, DOT
 * ({@link SimdBlasF}, {@link SimdBlasD}). fp32 sums are accumulated in fp32 (see the classes for the
 * order and the bound).
 *
 * <p>Scratch: GEMM and SYRK take their packed panels from the {@link LinalgWorkspace} when one is
 * given (so repeated calls allocate nothing once it has grown), else allocate them for that call
 * (at most {@code (MC + NC + MR + NR)·KC + MR·NR} elements, far less for small shapes). Stateless and
 * thread-safe.
 */
public final class SimdLinalg extends AbstractDenseLinalg implements DenseLinalg {

    /** Public for the backend and for tests. */
    public SimdLinalg() {}

    /** Floats of scratch a fp32 GEMM of this shape needs (for callers that keep their own workspace). */
    public static int gemmScratch(int m, int n, int k) {
        return SimdGemmF.scratch(m, n, k);
    }

    @Override
    protected void gemmKernel(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
            int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, LinalgWorkspace ws) {
        int need = SimdGemmF.scratch(m, n, k);
        float[] w = ws == null ? new float[need] : ws.floats(need);
        SimdGemmF.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, w, 0);
    }

    @Override
    protected void gemmKernel(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a,
            int aOff, int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc,
            LinalgWorkspace ws) {
        int need = SimdGemmD.scratch(m, n, k);
        double[] w = ws == null ? new double[need] : ws.doubles(need);
        SimdGemmD.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, w, 0);
    }

    @Override
    protected void gemvKernel(boolean transA, int m, int n, float alpha, float[] a, int aOff, int lda, float[] x,
            int xOff, float beta, float[] y, int yOff) {
        SimdBlasF.gemv(transA, m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    }

    @Override
    protected void gemvKernel(boolean transA, int m, int n, double alpha, double[] a, int aOff, int lda, double[] x,
            int xOff, double beta, double[] y, int yOff) {
        SimdBlasD.gemv(transA, m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    }

    @Override
    protected void syrkKernel(int n, int k, float alpha, float[] a, int aOff, int lda, float beta, float[] c, int cOff,
            int ldc, LinalgWorkspace ws) {
        gemmKernel(true, false, n, n, k, alpha, a, aOff, lda, a, aOff, lda, beta, c, cOff, ldc, ws);
    }

    @Override
    protected void syrkKernel(int n, int k, double alpha, double[] a, int aOff, int lda, double beta, double[] c,
            int cOff, int ldc, LinalgWorkspace ws) {
        gemmKernel(true, false, n, n, k, alpha, a, aOff, lda, a, aOff, lda, beta, c, cOff, ldc, ws);
    }

    @Override
    protected void axpyKernel(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        SimdBlasF.axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    protected void axpyKernel(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        SimdBlasD.axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    protected double dotKernel(int n, float[] x, int xOff, float[] y, int yOff) {
        return SimdBlasF.dot(n, x, xOff, y, yOff);
    }

    @Override
    protected double dotKernel(int n, double[] x, int xOff, double[] y, int yOff) {
        return SimdBlasD.dot(n, x, xOff, y, yOff);
    }
}
