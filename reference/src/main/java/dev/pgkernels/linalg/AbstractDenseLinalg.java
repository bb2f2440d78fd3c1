package dev.pgkernels.linalg;

import dev.pgkernels.Checks;

/**
 * The one place where {@link DenseLinalg} arguments are checked (netlib's {@code AbstractBLAS}
 * pattern): every public method is final, checks sizes, offsets, leading dimensions, array lengths
 * and overlap, and only then calls the backend's protected {@code ...Kernel} method. Also handles the
 * cases every backend shares, so kernels never see them: an empty output returns at once.
 */
public abstract class AbstractDenseLinalg implements DenseLinalg {

    /** For subclasses. */
    protected AbstractDenseLinalg() {}

    /** Checks a stored {@code rows×cols} matrix and returns its index range end (exclusive). */
    private static long matrix(String name, Object arr, int off, int ld, int rows, int cols) {
        Checks.notNull(name, arr);
        int len = arr instanceof float[] f ? f.length : ((double[]) arr).length;
        if (off < 0) {
            throw new IllegalArgumentException("argument '" + name + "': offset must be >= 0, got " + off);
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("argument 'ld" + name + "': leading dimension must be >= max(1, "
                    + cols + ") (row-major " + rows + "x" + cols + "), got " + ld);
        }
        long end = rows == 0 || cols == 0 ? off : off + (long) (rows - 1) * ld + cols;
        if (end > len) {
            throw new IllegalArgumentException("argument '" + name + "': expected length >= " + end + " (offset "
                    + off + " + (" + rows + "-1)*" + ld + " + " + cols + " for a row-major " + rows + "x" + cols
                    + " matrix), got " + len);
        }
        if (off > len) {
            throw new IllegalArgumentException("argument '" + name + "': offset " + off + " past the end (" + len + ")");
        }
        return end;
    }

    private static long vector(String name, Object arr, int off, int n) {
        return matrix(name, arr, off, Math.max(1, n), 1, n);
    }

    private static void noOverlap(String outName, Object out, int outOff, long outEnd, String inName, Object in,
            int inOff, long inEnd) {
        if (out == in && outOff < inEnd && inOff < outEnd && outEnd > outOff && inEnd > inOff) {
            throw new IllegalArgumentException("argument '" + outName + "' overlaps input '" + inName
                    + "' in the same array ([" + outOff + ", " + outEnd + ") and [" + inOff + ", " + inEnd + "))");
        }
    }

    private static void gemmChecks(boolean transA, boolean transB, int m, int n, int k, Object a, int aOff, int lda,
            Object b, int bOff, int ldb, Object c, int cOff, int ldc) {
        Checks.size("m", m);
        Checks.size("n", n);
        Checks.size("k", k);
        long aEnd = transA ? matrix("a", a, aOff, lda, k, m) : matrix("a", a, aOff, lda, m, k);
        long bEnd = transB ? matrix("b", b, bOff, ldb, n, k) : matrix("b", b, bOff, ldb, k, n);
        long cEnd = matrix("c", c, cOff, ldc, m, n);
        noOverlap("c", c, cOff, cEnd, "a", a, aOff, aEnd);
        noOverlap("c", c, cOff, cEnd, "b", b, bOff, bEnd);
    }

    @Override
    public final void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
            int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, LinalgWorkspace ws) {
        gemmChecks(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        gemmKernel(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
    }

    @Override
    public final void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int aOff,
            int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc, LinalgWorkspace ws) {
        gemmChecks(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        gemmKernel(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
    }

    /** The checked GEMM, {@code m, n >= 1}, {@code k >= 0}. */
    protected abstract void gemmKernel(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
            int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc,
            LinalgWorkspace ws);

    /** The checked double GEMM, {@code m, n >= 1}, {@code k >= 0}. */
    protected abstract void gemmKernel(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a,
            int aOff, int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc,
            LinalgWorkspace ws);

    private static void gemvChecks(boolean transA, int m, int n, Object a, int aOff, int lda, Object x, int xOff,
            Object y, int yOff) {
        Checks.size("m", m);
        Checks.size("n", n);
        long aEnd = matrix("a", a, aOff, lda, m, n);
        int xn = transA ? m : n, yn = transA ? n : m;
        long xEnd = vector("x", x, xOff, xn);
        long yEnd = vector("y", y, yOff, yn);
        noOverlap("y", y, yOff, yEnd, "a", a, aOff, aEnd);
        noOverlap("y", y, yOff, yEnd, "x", x, xOff, xEnd);
    }

    @Override
    public final void gemv(boolean transA, int m, int n, float alpha, float[] a, int aOff, int lda, float[] x,
            int xOff, float beta, float[] y, int yOff) {
        gemvChecks(transA, m, n, a, aOff, lda, x, xOff, y, yOff);
        if ((transA ? n : m) == 0) {
            return;
        }
        gemvKernel(transA, m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    }

    @Override
    public final void gemv(boolean transA, int m, int n, double alpha, double[] a, int aOff, int lda, double[] x,
            int xOff, double beta, double[] y, int yOff) {
        gemvChecks(transA, m, n, a, aOff, lda, x, xOff, y, yOff);
        if ((transA ? n : m) == 0) {
            return;
        }
        gemvKernel(transA, m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    }

    /** The checked GEMV; the output length is {@code >= 1}. */
    protected abstract void gemvKernel(boolean transA, int m, int n, float alpha, float[] a, int aOff, int lda,
            float[] x, int xOff, float beta, float[] y, int yOff);

    /** The checked double GEMV; the output length is {@code >= 1}. */
    protected abstract void gemvKernel(boolean transA, int m, int n, double alpha, double[] a, int aOff, int lda,
            double[] x, int xOff, double beta, double[] y, int yOff);

    private static void syrkChecks(int n, int k, Object a, int aOff, int lda, Object c, int cOff, int ldc) {
        Checks.size("n", n);
        Checks.size("k", k);
        long aEnd = matrix("a", a, aOff, lda, k, n);
        long cEnd = matrix("c", c, cOff, ldc, n, n);
        noOverlap("c", c, cOff, cEnd, "a", a, aOff, aEnd);
    }

    @Override
    public final void syrk(int n, int k, float alpha, float[] a, int aOff, int lda, float beta, float[] c, int cOff,
            int ldc, LinalgWorkspace ws) {
        syrkChecks(n, k, a, aOff, lda, c, cOff, ldc);
        if (n == 0) {
            return;
        }
        syrkKernel(n, k, alpha, a, aOff, lda, beta, c, cOff, ldc, ws);
    }

    @Override
    public final void syrk(int n, int k, double alpha, double[] a, int aOff, int lda, double beta, double[] c,
            int cOff, int ldc, LinalgWorkspace ws) {
        syrkChecks(n, k, a, aOff, lda, c, cOff, ldc);
        if (n == 0) {
            return;
        }
        syrkKernel(n, k, alpha, a, aOff, lda, beta, c, cOff, ldc, ws);
    }

    /** The checked SYRK, {@code n >= 1}. */
    protected abstract void syrkKernel(int n, int k, float alpha, float[] a, int aOff, int lda, float beta, float[] c,
            int cOff, int ldc, LinalgWorkspace ws);

    /** The checked double SYRK, {@code n >= 1}. */
    protected abstract void syrkKernel(int n, int k, double alpha, double[] a, int aOff, int lda, double beta,
            double[] c, int cOff, int ldc, LinalgWorkspace ws);

    @Override
    public final void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        Checks.size("n", n);
        long xEnd = vector("x", x, xOff, n), yEnd = vector("y", y, yOff, n);
        noOverlap("y", y, yOff, yEnd, "x", x, xOff, xEnd);
        if (n > 0 && alpha != 0) { // α = 0 reads no input (BLAS's rule): y stays as it is
            axpyKernel(n, alpha, x, xOff, y, yOff);
        }
    }

    @Override
    public final void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        Checks.size("n", n);
        long xEnd = vector("x", x, xOff, n), yEnd = vector("y", y, yOff, n);
        noOverlap("y", y, yOff, yEnd, "x", x, xOff, xEnd);
        if (n > 0 && alpha != 0) { // α = 0 reads no input (BLAS's rule): y stays as it is
            axpyKernel(n, alpha, x, xOff, y, yOff);
        }
    }

    /** The checked AXPY, {@code n >= 1}, {@code α != 0}. */
    protected abstract void axpyKernel(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    /** The checked double AXPY, {@code n >= 1}, {@code α != 0}. */
    protected abstract void axpyKernel(int n, double alpha, double[] x, int xOff, double[] y, int yOff);

    @Override
    public final double dot(int n, float[] x, int xOff, float[] y, int yOff) {
        Checks.size("n", n);
        vector("x", x, xOff, n);
        vector("y", y, yOff, n);
        return n == 0 ? 0.0 : dotKernel(n, x, xOff, y, yOff);
    }

    @Override
    public final double dot(int n, double[] x, int xOff, double[] y, int yOff) {
        Checks.size("n", n);
        vector("x", x, xOff, n);
        vector("y", y, yOff, n);
        return n == 0 ? 0.0 : dotKernel(n, x, xOff, y, yOff);
    }

    /** The checked DOT, {@code n >= 1}. */
    protected abstract double dotKernel(int n, float[] x, int xOff, float[] y, int yOff);

    /** The checked double DOT, {@code n >= 1}. */
    protected abstract double dotKernel(int n, double[] x, int xOff, double[] y, int yOff);
}
