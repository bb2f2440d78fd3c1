package dev.pgkernels.simd;

import dev.pgkernels.kfac.AbstractKfac;
import dev.pgkernels.kfac.FactorNotPositiveDefiniteException;
import dev.pgkernels.kfac.KfacKernels;
import dev.pgkernels.kfac.KfacWorkspace;

/**
 * The {@code simd} K-FAC kernels (SPEC §6, {@link KfacKernels}) on the Vector API, fp32
 * ({@link SimdKfacF}) and double ({@link SimdKfacD}, generated), built on the backend's blocked GEMM
 * ({@link SimdGemmF}, {@link SimdGemmD}) and its symmetric eigensolver ({@link SimdEigen}):
 * <ul>
 *   <li>factor statistics: SYRK as GEMMs on 120-row panels of the lower triangle
 *       ({@code C[i0:i1, 0:i1]}), with the running average folded into α and β, then mirrored; the bias row and column from vector
 *       column sums (no column of ones is formed);</li>
 *   <li>Cholesky preconditioning: a blocked right-looking Cholesky of each damped factor (64-column
 *       blocks: a scalar diagonal block, a vectorised triangular panel solve, the trailing update by
 *       the panel SYRK), then blocked triangular solves with many right-hand sides (a vector kernel
 *       on each 64-row diagonal triangle, the rest by GEMM); a pivot that is not {@code > 0} (or NaN)
 *       raises {@link FactorNotPositiveDefiniteException} with the reference's 0-based pivot index,
 *       and the output is written only after both factorisations succeeded;</li>
 *   <li>eigenbases: {@link SimdEigen#decompose} in double (an fp32 factor is widened, the results
 *       rounded once);</li>
 *   <li>eigen and EKFAC preconditioning, EKFAC scaling (by chunks of samples: {@code u = g Q_S},
 *       {@code v = ã Q_A}, then {@code Σ u²(v²)ᵀ} as a GEMM of the squares): GEMM products.</li>
 * </ul>
 * fp32 calls compute in fp32 (sums accumulate in fp32, unlike the reference), except the traces of
 * π and the eigen/EKFAC denominators (double) and the eigendecomposition (double). Precision of the
 * Cholesky route: it is backward stable in the working precision (Higham Thm 10.3/10.4), so an fp32
 * call's relative error is about {@code κ(A_d)·n·2^-24 + κ(S_d)·n·2^-24}, the accuracy of LAPACK's
 * {@code spotrf}/{@code spotrs} (jblas's fp32 route); callers whose damped factors are worse
 * conditioned than about {@code 10^4} use the double overload. Arguments are checked by
 * {@link AbstractKfac}. Stateless and thread-safe; scratch is in the {@link Workspace}.
 */
public final class SimdKfac extends AbstractKfac {

    /** Used by {@link SimdBackend}. */
    public SimdKfac() {}

    /**
     * Scratch of the simd K-FAC kernels, per precision: four {@code maxDim×maxDim} matrices, a
     * vector, the Cholesky panel ({@link SimdKfacF#CHOL_BLOCK}{@code ×maxDim}), two EKFAC chunk
     * buffers of {@link #chunkRows()}{@code ×maxDim}, the GEMM's packing scratch; and the double
     * scratch of {@link SimdEigen}. Each array is allocated at its full size on its first use in a
     * precision (a workspace used only in fp32 never holds double matrices), then reused: no call
     * allocates after that.
     */
    static final class Workspace extends KfacWorkspace {
        static final int VECTOR = 4;
        static final int CHUNK_U = 5;
        static final int CHUNK_V = 6;
        static final int PANEL = 7;
        static final int GEMM = 8;
        private static final int SLOTS = 9;
        /** Minimum samples per EKFAC chunk: GEMMs of at least this depth keep the GEMM efficient for small layers. */
        private static final int MIN_CHUNK = 256;

        private final float[][] f = new float[SLOTS][];
        private final double[][] d = new double[SLOTS][];
        private double[] eigen;

        Workspace(int maxDim) {
            super(maxDim);
        }

        /** Samples per EKFAC chunk: {@code max(maxDim, 256)}. */
        int chunkRows() {
            return Math.max(maxDim(), MIN_CHUNK);
        }

        private int length(int slot, boolean fp32) {
            int m = Math.max(1, maxDim());
            int big = Math.max(m, chunkRows());
            return switch (slot) {
                case VECTOR -> m;
                case CHUNK_U, CHUNK_V -> Math.multiplyExact(chunkRows(), m);
                case PANEL -> Math.multiplyExact(SimdKfacF.CHOL_BLOCK, m);
                case GEMM -> fp32 ? SimdGemmF.scratch(big, big, big) : SimdGemmD.scratch(big, big, big);
                default -> m * m;
            };
        }

        float[] floats(int slot) {
            float[] a = f[slot];
            if (a == null) {
                a = f[slot] = new float[length(slot, true)];
            }
            return a;
        }

        double[] doubles(int slot) {
            double[] a = d[slot];
            if (a == null) {
                a = d[slot] = new double[length(slot, false)];
            }
            return a;
        }

        /** The scratch of {@link SimdEigen#decompose} for order {@code maxDim}. */
        double[] eigenScratch() {
            if (eigen == null) {
                eigen = new double[SimdEigen.scratchLength(maxDim())];
            }
            return eigen;
        }
    }

    @Override
    protected boolean accepts(KfacWorkspace ws) {
        return ws instanceof Workspace;
    }

    @Override
    protected KfacWorkspace workspaceKernel(int maxDim) {
        return new Workspace(maxDim);
    }

    @Override
    protected void updateFactorKernel(int batch, int dim, boolean bias, float[] x, double epsilon, KfacWorkspace ws,
            float[] factor) {
        SimdKfacF.updateFactor(batch, dim, bias, x, epsilon, (Workspace) ws, factor);
    }

    @Override
    protected void updateFactorKernel(int batch, int dim, boolean bias, double[] x, double epsilon, KfacWorkspace ws,
            double[] factor) {
        SimdKfacD.updateFactor(batch, dim, bias, x, epsilon, (Workspace) ws, factor);
    }

    @Override
    protected double piKernel(int nA, float[] a, int nS, float[] s) {
        return SimdKfacF.pi(nA, a, nS, s);
    }

    @Override
    protected double piKernel(int nA, double[] a, int nS, double[] s) {
        return SimdKfacD.pi(nA, a, nS, s);
    }

    @Override
    protected double preconditionKernel(int out, int nA, float[] a, float[] s, float[] grad, double lambda,
            KfacWorkspace ws, float[] delta) {
        return SimdKfacF.precondition(out, nA, a, s, grad, lambda, (Workspace) ws, delta);
    }

    @Override
    protected double preconditionKernel(int out, int nA, double[] a, double[] s, double[] grad, double lambda,
            KfacWorkspace ws, double[] delta) {
        return SimdKfacD.precondition(out, nA, a, s, grad, lambda, (Workspace) ws, delta);
    }

    @Override
    protected void eigenBasisKernel(int n, float[] factor, KfacWorkspace ws, float[] q, float[] eigenvalues) {
        SimdKfacF.eigenBasis(n, factor, (Workspace) ws, q, eigenvalues);
    }

    @Override
    protected void eigenBasisKernel(int n, double[] factor, KfacWorkspace ws, double[] q, double[] eigenvalues) {
        SimdKfacD.eigenBasis(n, factor, (Workspace) ws, q, eigenvalues);
    }

    @Override
    protected void preconditionEigenKernel(int out, int nA, float[] qA, float[] lambdaA, float[] qS, float[] lambdaS,
            float[] grad, double lambda, KfacWorkspace ws, float[] delta) {
        SimdKfacF.preconditionEigen(out, nA, qA, lambdaA, qS, lambdaS, grad, lambda, (Workspace) ws, delta);
    }

    @Override
    protected void preconditionEigenKernel(int out, int nA, double[] qA, double[] lambdaA, double[] qS,
            double[] lambdaS, double[] grad, double lambda, KfacWorkspace ws, double[] delta) {
        SimdKfacD.preconditionEigen(out, nA, qA, lambdaA, qS, lambdaS, grad, lambda, (Workspace) ws, delta);
    }

    @Override
    protected void updateEkfacScalingKernel(int batch, int out, int in, boolean bias, float[] a, float[] g,
            float[] qA, float[] qS, double epsilon, KfacWorkspace ws, float[] scaling) {
        SimdKfacF.updateEkfacScaling(batch, out, in, bias, a, g, qA, qS, epsilon, (Workspace) ws, scaling);
    }

    @Override
    protected void updateEkfacScalingKernel(int batch, int out, int in, boolean bias, double[] a, double[] g,
            double[] qA, double[] qS, double epsilon, KfacWorkspace ws, double[] scaling) {
        SimdKfacD.updateEkfacScaling(batch, out, in, bias, a, g, qA, qS, epsilon, (Workspace) ws, scaling);
    }

    @Override
    protected void preconditionEkfacKernel(int out, int nA, float[] qA, float[] qS, float[] scaling, float[] grad,
            double lambda, KfacWorkspace ws, float[] delta) {
        SimdKfacF.preconditionEkfac(out, nA, qA, qS, scaling, grad, lambda, (Workspace) ws, delta);
    }

    @Override
    protected void preconditionEkfacKernel(int out, int nA, double[] qA, double[] qS, double[] scaling,
            double[] grad, double lambda, KfacWorkspace ws, double[] delta) {
        SimdKfacD.preconditionEkfac(out, nA, qA, qS, scaling, grad, lambda, (Workspace) ws, delta);
    }
}
