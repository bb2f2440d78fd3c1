package dev.pgkernels.jblas;

import dev.pgkernels.linalg.AbstractDenseLinalg;
import dev.pgkernels.linalg.DenseLinalg;
import dev.pgkernels.linalg.LinalgWorkspace;
import org.jblas.NativeBlas;

/**
 * The {@code jblas} dense linear-algebra core ({@link DenseLinalg}) through {@link NativeBlas}
 * (the BLAS that jblas bundles, called through JNI).
 *
 * <p><b>Row-major through a column-major BLAS.</b> A row-major {@code r×c} matrix with leading
 * dimension {@code ld} is, in the same memory, the column-major {@code c×r} matrix of its transpose
 * with the same leading dimension. So the row-major {@code C = α op(A) op(B) + β C} is the
 * column-major {@code Cᵀ = α op(B)ᵀ op(A)ᵀ + β Cᵀ}: {@code ?gemm(transB, transA, n, m, k, α, B, ldb,
 * A, lda, β, C, ldc)} — the operands swap places, the transpose flags stay with their operands. GEMV
 * likewise flips its flag ({@code y = A x} row-major is {@code y = Mᵀ x} for the column-major
 * {@code M = Aᵀ}, {@code n×m}). jblas has no {@code ?syrk}, so SYRK is {@code ?gemm('N', 'T')} with A
 * as both operands (both triangles written, exactly symmetric as BLAS computes each element the same
 * way from the same products). The workspace is not used.
 *
 * <p>BLAS does not read C when {@code β = 0} and reads neither A nor B when {@code α = 0}, which is
 * this interface's rule too. fp32 sums are accumulated in fp32 by the native code ({@code sdot}
 * returns a float). Stateless and thread-safe (the native BLAS is reentrant).
 */
public final class JblasLinalg extends AbstractDenseLinalg implements DenseLinalg {

    /** Public for the backend and for tests; does not itself check the natives ({@link JblasBackend} does). */
    public JblasLinalg() {}

    private static char t(boolean trans) {
        return trans ? 'T' : 'N';
    }

    @Override
    protected void gemmKernel(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
            int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, LinalgWorkspace ws) {
        NativeBlas.sgemm(t(transB), t(transA), n, m, k, alpha, b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
    }

    @Override
    protected void gemmKernel(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a,
            int aOff, int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc,
            LinalgWorkspace ws) {
        NativeBlas.dgemm(t(transB), t(transA), n, m, k, alpha, b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
    }

    @Override
    protected void gemvKernel(boolean transA, int m, int n, float alpha, float[] a, int aOff, int lda, float[] x,
            int xOff, float beta, float[] y, int yOff) {
        if ((transA ? m : n) == 0) { // BLAS returns at once for an empty inner dimension; the contract says y = β y
            for (int i = 0; i < (transA ? n : m); i++) {
                y[yOff + i] = beta == 0 ? 0f : beta * y[yOff + i];
            }
            return;
        }
        NativeBlas.sgemv(t(!transA), n, m, alpha, a, aOff, lda, x, xOff, 1, beta, y, yOff, 1);
    }

    @Override
    protected void gemvKernel(boolean transA, int m, int n, double alpha, double[] a, int aOff, int lda, double[] x,
            int xOff, double beta, double[] y, int yOff) {
        if ((transA ? m : n) == 0) {
            for (int i = 0; i < (transA ? n : m); i++) {
                y[yOff + i] = beta == 0 ? 0.0 : beta * y[yOff + i];
            }
            return;
        }
        NativeBlas.dgemv(t(!transA), n, m, alpha, a, aOff, lda, x, xOff, 1, beta, y, yOff, 1);
    }

    @Override
    protected void syrkKernel(int n, int k, float alpha, float[] a, int aOff, int lda, float beta, float[] c, int cOff,
            int ldc, LinalgWorkspace ws) {
        // row-major C = Aᵀ A  <=>  column-major C = M Mᵀ with M = Aᵀ (n×k in A's memory)
        NativeBlas.sgemm('N', 'T', n, n, k, alpha, a, aOff, lda, a, aOff, lda, beta, c, cOff, ldc);
    }

    @Override
    protected void syrkKernel(int n, int k, double alpha, double[] a, int aOff, int lda, double beta, double[] c,
            int cOff, int ldc, LinalgWorkspace ws) {
        NativeBlas.dgemm('N', 'T', n, n, k, alpha, a, aOff, lda, a, aOff, lda, beta, c, cOff, ldc);
    }

    @Override
    protected void axpyKernel(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        NativeBlas.saxpy(n, alpha, x, xOff, 1, y, yOff, 1);
    }

    @Override
    protected void axpyKernel(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        NativeBlas.daxpy(n, alpha, x, xOff, 1, y, yOff, 1);
    }

    @Override
    protected double dotKernel(int n, float[] x, int xOff, float[] y, int yOff) {
        return NativeBlas.sdot(n, x, xOff, 1, y, yOff, 1);
    }

    @Override
    protected double dotKernel(int n, double[] x, int xOff, double[] y, int yOff) {
        return NativeBlas.ddot(n, x, xOff, 1, y, yOff, 1);
    }
}
