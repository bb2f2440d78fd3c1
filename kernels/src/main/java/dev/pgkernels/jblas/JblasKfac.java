package dev.pgkernels.jblas;

import dev.pgkernels.kfac.AbstractKfac;
import dev.pgkernels.kfac.FactorNotPositiveDefiniteException;
import dev.pgkernels.kfac.KfacKernels;
import dev.pgkernels.kfac.KfacWorkspace;

/**
 * The {@code jblas} K-FAC kernels (SPEC §6, {@link KfacKernels}) on jblas's native BLAS and LAPACK
 * ({@link org.jblas.NativeBlas}), fp32 ({@link JblasKfacF}) and double ({@link JblasKfacD}, generated):
 * <ul>
 *   <li>factor statistics: {@code ?gemm} on column panels of the lower triangle (jblas binds no
 *       {@code ?syrk}; at 1024 this does 56% of the full product's flops) with the running average
 *       folded into α and β, then mirrored; the bias row and column from column sums (no column of
 *       ones is formed);</li>
 *   <li>Cholesky preconditioning: {@code ?posv} twice, which is LAPACK's {@code ?potrf} followed by
 *       {@code ?potrs} (jblas binds neither {@code ?potrs} nor {@code ?trsm}, so factor and solve
 *       are one call per factor); a pivot that is not {@code > 0} (LAPACK's {@code info > 0}, or a
 *       NaN on the factor's diagonal, which the bundled OpenBLAS does not test) raises
 *       {@link FactorNotPositiveDefiniteException} with the reference's 0-based pivot index, and the
 *       output is written only after both solves succeeded;</li>
 *   <li>eigenbases: {@code ?syevd} (divide and conquer), eigenvectors transposed into columns;</li>
 *   <li>eigen and EKFAC preconditioning, EKFAC scaling: {@code ?gemm} products.</li>
 * </ul>
 * fp32 calls compute in fp32 in the native code (sums accumulate in fp32, unlike the reference),
 * except the traces of π, the bias column sums and the eigen/EKFAC denominators, which are
 * computed in double. Arguments are checked by {@link AbstractKfac}. jblas's JNI copies each Java
 * array it is given into native memory and back (HotSpot copies on {@code Get…ArrayElements}), which
 * costs a pass over every array per call. Stateless and thread-safe; scratch is in the
 * {@link Workspace}.
 */
public final class JblasKfac extends AbstractKfac {

    /** Used by {@link JblasBackend}; does not itself check the natives (the backend does). */
    public JblasKfac() {}

    /**
     * Scratch of the jblas K-FAC kernels ({@code maxDim} at most 32 766, so that the
     * {@code ?syevd} work array fits an int-indexed array), per precision: four {@code maxDim×maxDim} matrices, a
     * vector, two EKFAC chunk buffers of {@link #chunkRows()}{@code ×maxDim}, the {@code ?syevd}
     * work arrays, and a double vector for the bias column sums. Each array is allocated at its full
     * size on its first use in a precision (a workspace used only in fp32 never holds double
     * arrays), then reused: no call allocates after that.
     */
    static final class Workspace extends KfacWorkspace {
        static final int VECTOR = 4;
        static final int CHUNK_U = 5;
        static final int CHUNK_V = 6;
        static final int EIGEN = 7;
        private static final int SLOTS = 8;
        /** Minimum samples per EKFAC chunk: GEMMs of at least this depth keep BLAS efficient for small layers. */
        private static final int MIN_CHUNK = 256;

        private final float[][] f = new float[SLOTS][];
        private final double[][] d = new double[SLOTS][];
        private int[] iwork;
        private double[] sums;

        Workspace(int maxDim) {
            super(maxDim);
        }

        /** Samples per EKFAC chunk: {@code max(maxDim, 256)}. */
        int chunkRows() {
            return Math.max(maxDim(), MIN_CHUNK);
        }

        /** LAPACK's minimum {@code lwork} of {@code ?syevd} with {@code jobz = 'V'}: {@code 1 + 6n + 2n²} ({@code 1} for {@code n <= 1}). */
        static int eigenWork(int n) {
            return n <= 1 ? 1 : 1 + 6 * n + 2 * n * n;
        }

        /** LAPACK's minimum {@code liwork} of {@code ?syevd} with {@code jobz = 'V'}: {@code 3 + 5n} ({@code 1} for {@code n <= 1}). */
        static int eigenIwork(int n) {
            return n <= 1 ? 1 : 3 + 5 * n;
        }

        private int length(int slot) {
            int m = Math.max(1, maxDim());
            return switch (slot) {
                case VECTOR -> m;
                case CHUNK_U, CHUNK_V -> Math.multiplyExact(chunkRows(), m);
                case EIGEN -> Math.addExact(Math.multiplyExact(2 * m + 6, m), 1);
                default -> m * m;
            };
        }

        float[] floats(int slot) {
            float[] a = f[slot];
            if (a == null) {
                a = f[slot] = new float[length(slot)];
            }
            return a;
        }

        double[] doubles(int slot) {
            double[] a = d[slot];
            if (a == null) {
                a = d[slot] = new double[length(slot)];
            }
            return a;
        }

        int[] iwork() {
            if (iwork == null) {
                iwork = new int[eigenIwork(Math.max(2, maxDim()))];
            }
            return iwork;
        }

        double[] sums() {
            if (sums == null) {
                sums = new double[Math.max(1, maxDim())];
            }
            return sums;
        }
    }

    /** Row-major {@code dst (c×r) = srcᵀ} for a row-major {@code r×c} {@code src}, in 32×32 tiles. */
    static void transpose(int r, int c, float[] src, float[] dst) {
        for (int i0 = 0; i0 < r; i0 += 32) {
            int i1 = Math.min(r, i0 + 32);
            for (int j0 = 0; j0 < c; j0 += 32) {
                int j1 = Math.min(c, j0 + 32);
                for (int i = i0; i < i1; i++) {
                    for (int j = j0; j < j1; j++) {
                        dst[j * r + i] = src[i * c + j];
                    }
                }
            }
        }
    }

    /** As {@link #transpose(int, int, float[], float[])}, in double. */
    static void transpose(int r, int c, double[] src, double[] dst) {
        for (int i0 = 0; i0 < r; i0 += 32) {
            int i1 = Math.min(r, i0 + 32);
            for (int j0 = 0; j0 < c; j0 += 32) {
                int j1 = Math.min(c, j0 + 32);
                for (int i = i0; i < i1; i++) {
                    for (int j = j0; j < j1; j++) {
                        dst[j * r + i] = src[i * c + j];
                    }
                }
            }
        }
    }

    @Override
    protected boolean accepts(KfacWorkspace ws) {
        return ws instanceof Workspace;
    }

    @Override
    protected KfacWorkspace workspaceKernel(int maxDim) {
        // the ?syevd work array (2 maxDim² + 6 maxDim + 1) must fit an int array, which is stricter than maxDim²
        if ((2L * maxDim + 6) * maxDim + 1 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("argument 'maxDim': the jblas K-FAC workspace needs an ?syevd work array of"
                    + " 2*maxDim^2 + 6*maxDim + 1 elements, which overflows an array for maxDim = " + maxDim);
        }
        return new Workspace(maxDim);
    }

    @Override
    protected void updateFactorKernel(int batch, int dim, boolean bias, float[] x, double epsilon, KfacWorkspace ws,
            float[] factor) {
        JblasKfacF.updateFactor(batch, dim, bias, x, epsilon, (Workspace) ws, factor);
    }

    @Override
    protected void updateFactorKernel(int batch, int dim, boolean bias, double[] x, double epsilon, KfacWorkspace ws,
            double[] factor) {
        JblasKfacD.updateFactor(batch, dim, bias, x, epsilon, (Workspace) ws, factor);
    }

    @Override
    protected double piKernel(int nA, float[] a, int nS, float[] s) {
        return JblasKfacF.pi(nA, a, nS, s);
    }

    @Override
    protected double piKernel(int nA, double[] a, int nS, double[] s) {
        return JblasKfacD.pi(nA, a, nS, s);
    }

    @Override
    protected double preconditionKernel(int out, int nA, float[] a, float[] s, float[] grad, double lambda,
            KfacWorkspace ws, float[] delta) {
        return JblasKfacF.precondition(out, nA, a, s, grad, lambda, (Workspace) ws, delta);
    }

    @Override
    protected double preconditionKernel(int out, int nA, double[] a, double[] s, double[] grad, double lambda,
            KfacWorkspace ws, double[] delta) {
        return JblasKfacD.precondition(out, nA, a, s, grad, lambda, (Workspace) ws, delta);
    }

    @Override
    protected void eigenBasisKernel(int n, float[] factor, KfacWorkspace ws, float[] q, float[] eigenvalues) {
        JblasKfacF.eigenBasis(n, factor, (Workspace) ws, q, eigenvalues);
    }

    @Override
    protected void eigenBasisKernel(int n, double[] factor, KfacWorkspace ws, double[] q, double[] eigenvalues) {
        JblasKfacD.eigenBasis(n, factor, (Workspace) ws, q, eigenvalues);
    }

    @Override
    protected void preconditionEigenKernel(int out, int nA, float[] qA, float[] lambdaA, float[] qS, float[] lambdaS,
            float[] grad, double lambda, KfacWorkspace ws, float[] delta) {
        JblasKfacF.preconditionEigen(out, nA, qA, lambdaA, qS, lambdaS, grad, lambda, (Workspace) ws, delta);
    }

    @Override
    protected void preconditionEigenKernel(int out, int nA, double[] qA, double[] lambdaA, double[] qS,
            double[] lambdaS, double[] grad, double lambda, KfacWorkspace ws, double[] delta) {
        JblasKfacD.preconditionEigen(out, nA, qA, lambdaA, qS, lambdaS, grad, lambda, (Workspace) ws, delta);
    }

    @Override
    protected void updateEkfacScalingKernel(int batch, int out, int in, boolean bias, float[] a, float[] g,
            float[] qA, float[] qS, double epsilon, KfacWorkspace ws, float[] scaling) {
        JblasKfacF.updateEkfacScaling(batch, out, in, bias, a, g, qA, qS, epsilon, (Workspace) ws, scaling);
    }

    @Override
    protected void updateEkfacScalingKernel(int batch, int out, int in, boolean bias, double[] a, double[] g,
            double[] qA, double[] qS, double epsilon, KfacWorkspace ws, double[] scaling) {
        JblasKfacD.updateEkfacScaling(batch, out, in, bias, a, g, qA, qS, epsilon, (Workspace) ws, scaling);
    }

    @Override
    protected void preconditionEkfacKernel(int out, int nA, float[] qA, float[] qS, float[] scaling, float[] grad,
            double lambda, KfacWorkspace ws, float[] delta) {
        JblasKfacF.preconditionEkfac(out, nA, qA, qS, scaling, grad, lambda, (Workspace) ws, delta);
    }

    @Override
    protected void preconditionEkfacKernel(int out, int nA, double[] qA, double[] qS, double[] scaling,
            double[] grad, double lambda, KfacWorkspace ws, double[] delta) {
        JblasKfacD.preconditionEkfac(out, nA, qA, qS, scaling, grad, lambda, (Workspace) ws, delta);
    }
}
