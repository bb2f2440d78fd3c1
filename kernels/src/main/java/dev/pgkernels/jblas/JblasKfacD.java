package dev.pgkernels.jblas;
// GENERATED from jblas/JblasKfacF.java by kernels/gen-variants.sh: edit that file and rerun the script.

import dev.pgkernels.cpu.KfacRotationsD;
import dev.pgkernels.kfac.FactorNotPositiveDefiniteException;
import org.jblas.NativeBlas;

/**
 * The double computations of {@link JblasKfac} (SPEC §6) on row-major operands, through jblas's
 * {@link NativeBlas} (BLAS {@code dgemm}, LAPACK {@code dposv}/{@code dpotrf} and {@code dsyevd}).
 * Row-major to column-major: a row-major {@code r×c} matrix is, in the same memory, the column-major
 * {@code c×r} matrix of its transpose (see {@link JblasLinalg}); a symmetric factor is its own
 * transpose, and {@code uplo = 'U'} in column-major reads the row-major LOWER triangle, the one the
 * reference reads. Arguments are checked by {@link dev.pgkernels.kfac.AbstractKfac}; zero sizes are
 * handled here (LAPACK rejects a zero leading dimension). (JblasKfacD is generated from this file by
 * {@code kernels/gen-variants.sh}.)
 */
final class JblasKfacD {
    private JblasKfacD() {}

    /** Column-major upper triangle = row-major lower triangle (the triangle the reference reads). */
    private static final char UPLO = 'U';

    // ------------------------------------------------------------------ factor statistics

    /** Column panel of the SYRK-by-GEMM in {@link #updateFactor}: wide enough to keep each GEMM efficient. */
    static final int SYRK_PANEL = 128;

    /**
     * {@code F ← ε F + (1-ε) x̃ᵀx̃ / B}. The {@code dim×dim} block is computed by {@code dgemm} with
     * {@code α = (1-ε)/B}, {@code β = ε} (BLAS does not read C when {@code β = 0}, so {@code ε = 0}
     * ignores the old contents). jblas binds no {@code dsyrk}, so the lower triangle is covered by
     * column panels of width {@link #SYRK_PANEL}: panel {@code [j0, j1)} is the GEMM
     * {@code F[j0:dim, j0:j1] = α x[:, j0:dim]ᵀ x[:, j0:j1] + β F[...]}, which costs
     * {@code 1/2 + 1/(2·panels)} of the full product (the diagonal blocks are computed whole); the
     * lower triangle is then mirrored so the result is exactly symmetric. The bias row and column
     * ({@code mean_b x_b}) come from column sums accumulated in double, the corner is
     * {@code ε F + (1-ε)·1}: no column of ones is formed.
     */
    static void updateFactor(int batch, int dim, boolean bias, double[] x, double epsilon, JblasKfac.Workspace w,
            double[] factor) {
        int n = bias ? dim + 1 : dim;
        if (dim > 0) {
            double alpha = (double) ((1.0 - epsilon) / batch), beta = (double) epsilon;
            for (int j0 = 0; j0 < dim; j0 += SYRK_PANEL) {
                int j1 = Math.min(dim, j0 + SYRK_PANEL);
                JblasBlasD.gemm(true, false, dim - j0, j1 - j0, batch, alpha, x, j0, dim, x, j0, dim, beta, factor,
                        j0 * n + j0, n, null, 0);
            }
            for (int i = 1; i < dim; i++) {
                for (int j = 0; j < i; j++) {
                    factor[j * n + i] = factor[i * n + j];
                }
            }
        }
        if (bias) {
            double[] sums = w.sums();
            java.util.Arrays.fill(sums, 0, dim, 0.0);
            for (int b = 0; b < batch; b++) {
                int row = b * dim;
                for (int j = 0; j < dim; j++) {
                    sums[j] += x[row + j];
                }
            }
            for (int j = 0; j < dim; j++) {
                double m = (double) average(epsilon, factor[dim * n + j], sums[j] / batch);
                factor[dim * n + j] = m;
                factor[j * n + dim] = m;
            }
            factor[dim * n + dim] = (double) average(epsilon, factor[dim * n + dim], 1.0);
        }
    }

    /** {@code ε·old + (1-ε)·batch}, reading {@code old} only when {@code ε > 0}. */
    private static double average(double epsilon, double old, double batchValue) {
        return epsilon == 0.0 ? batchValue : epsilon * old + (1.0 - epsilon) * batchValue;
    }

    // ------------------------------------------------------------------ π

    /** {@code tr(F)} summed in double, in index order. */
    static double trace(int n, double[] f) {
        double t = 0.0;
        for (int i = 0; i < n; i++) {
            t += f[i * n + i];
        }
        return t;
    }

    /** SPEC §6 π, as the reference computes it (same sums in the same order). */
    static double pi(int nA, double[] a, int nS, double[] s) {
        double ta = trace(nA, a), ts = trace(nS, s);
        if (nA == 0 || nS == 0 || ta <= 0.0 || ts <= 0.0) {
            return 1.0;
        }
        return Math.sqrt((ta / nA) / (ts / nS));
    }

    // ------------------------------------------------------------------ Cholesky preconditioning

    /**
     * {@code ΔW = S_d⁻¹ ∇W A_d⁻¹}. jblas binds {@code dpotrf} and {@code dposv} but not {@code dpotrs}
     * or {@code dtrsm}, so each factor-and-solve is one {@code dposv} (which is LAPACK's
     * {@code dpotrf} followed by {@code dpotrs}). The two solves commute; {@code A_d} is done first so
     * that, as in the reference, a failing {@code A_d} is reported before {@code S_d}:
     * <ol>
     *   <li>the row-major {@code ∇W} ({@code out×nA}) is the column-major {@code ∇Wᵀ}: {@code dposv}
     *       with {@code A_d} gives {@code A_d⁻¹∇Wᵀ}, i.e. the row-major {@code Y = ∇W A_d⁻¹};</li>
     *   <li>{@code Y} transposed is the column-major {@code out×nA} {@code Y}: {@code dposv} with
     *       {@code S_d} gives the column-major {@code ΔW}, transposed into {@code delta}.</li>
     * </ol>
     * Everything happens in workspace slots 0-3; {@code delta} is written only after both succeed.
     */
    static double precondition(int out, int nA, double[] a, double[] s, double[] grad, double lambda,
            JblasKfac.Workspace w, double[] delta) {
        double pi = pi(nA, a, out, s);
        double sqrtLambda = Math.sqrt(lambda);
        double[] ad = w.doubles(0), sd = w.doubles(1), y = w.doubles(2), yt = w.doubles(3);
        System.arraycopy(a, 0, ad, 0, nA * nA);
        for (int i = 0; i < nA; i++) {
            ad[i * nA + i] = (double) (ad[i * nA + i] + pi * sqrtLambda); // A_d = A + π√λ I
        }
        System.arraycopy(s, 0, sd, 0, out * out);
        for (int i = 0; i < out; i++) {
            sd[i * out + i] = (double) (sd[i * out + i] + sqrtLambda / pi); // S_d = S + (√λ/π) I
        }
        System.arraycopy(grad, 0, y, 0, out * nA);
        factorSolve("A", nA, ad, out, y);
        JblasKfac.transpose(out, nA, y, yt);
        factorSolve("S", out, sd, nA, yt);
        JblasKfac.transpose(nA, out, yt, delta);
        return pi;
    }

    /**
     * Factors the symmetric {@code n×n} {@code f} (in place) and, if {@code nrhs > 0}, solves
     * {@code f X = B} for the column-major {@code n×nrhs} {@code b} (in place). LAPACK's
     * {@code info > 0} is the 1-based failing pivot (its value left on the diagonal); the bundled
     * OpenBLAS {@code dpotrf} tests only {@code ajj <= 0}, not NaN, so a NaN pivot shows as a NaN on
     * the factor's diagonal (every pivot after a NaN one is NaN too): the first NaN there is the
     * failing pivot, as {@code !(d > 0)} in the reference.
     *
     * @throws FactorNotPositiveDefiniteException (layer -1) naming {@code name}, the 0-based pivot and its value
     */
    private static void factorSolve(String name, int n, double[] f, int nrhs, double[] b) {
        if (n == 0) {
            return;
        }
        int info = nrhs == 0 ? NativeBlas.dpotrf(UPLO, n, f, 0, n) : NativeBlas.dposv(UPLO, n, nrhs, f, 0, n, b, 0, n);
        if (info < 0) {
            throw new IllegalStateException("LAPACK dposv rejected argument " + (-info) + " (a bug in JblasKfac)");
        }
        int end = info > 0 ? info - 1 : n;
        for (int j = 0; j < end; j++) {
            if (Double.isNaN(f[j * n + j])) {
                throw new FactorNotPositiveDefiniteException(-1, null, name, n, j, Double.NaN);
            }
        }
        if (info > 0) {
            throw new FactorNotPositiveDefiniteException(-1, null, name, n, end, f[end * n + end]);
        }
    }

    // ------------------------------------------------------------------ eigenbases

    /**
     * {@code F = Q diag(λ) Qᵀ} by {@code dsyevd} ({@code jobz = 'V'}, divide and conquer), eigenvalues
     * ascending. LAPACK returns the eigenvectors as the columns of a column-major matrix, i.e. the
     * rows of the row-major one: transposed into {@code q}. Non-finite input (in the lower triangle,
     * the one read) is not passed to LAPACK: {@code q} and the eigenvalues become NaN, as in the
     * reference.
     *
     * @throws ArithmeticException if {@code dsyevd} reports that it did not converge ({@code info > 0})
     */
    static void eigenBasis(int n, double[] factor, JblasKfac.Workspace w, double[] q, double[] eigenvalues) {
        if (n == 0) {
            return;
        }
        boolean finite = true;
        for (int i = 0; i < n && finite; i++) {
            for (int j = 0; j <= i; j++) {
                finite &= Double.isFinite(factor[i * n + j]);
            }
        }
        if (!finite) {
            java.util.Arrays.fill(q, 0, n * n, Double.NaN);
            java.util.Arrays.fill(eigenvalues, 0, n, Double.NaN);
            return;
        }
        double[] z = w.doubles(0), values = w.doubles(JblasKfac.Workspace.VECTOR), work = w.doubles(JblasKfac.Workspace.EIGEN);
        int[] iwork = w.iwork();
        System.arraycopy(factor, 0, z, 0, n * n);
        int info = NativeBlas.dsyevd('V', UPLO, n, z, 0, n, values, 0, work, 0, JblasKfac.Workspace.eigenWork(n),
                iwork, 0, JblasKfac.Workspace.eigenIwork(n));
        if (info != 0) {
            throw new ArithmeticException("LAPACK dsyevd failed on a " + n + "x" + n + " factor: info = " + info);
        }
        JblasKfac.transpose(n, n, z, q);
        System.arraycopy(values, 0, eigenvalues, 0, n);
    }

    // ------------------------------------------------------------------ eigen and EKFAC preconditioning
    // written once for both CPU backends in {@link KfacRotationsD}, on this backend's GEMM

    /** {@link KfacRotationsD#preconditionEigen} with slots 0 and 1 as scratch. */
    static void preconditionEigen(int out, int nA, double[] qA, double[] lambdaA, double[] qS, double[] lambdaS,
            double[] grad, double lambda, JblasKfac.Workspace w, double[] delta) {
        KfacRotationsD.preconditionEigen(JblasBlasD::gemm, out, nA, qA, lambdaA, qS, lambdaS, grad, lambda, w.doubles(0),
                w.doubles(1), null, delta);
    }

    /** {@link KfacRotationsD#preconditionEkfac} with slots 0 and 1 as scratch. */
    static void preconditionEkfac(int out, int nA, double[] qA, double[] qS, double[] scaling, double[] grad,
            double lambda, JblasKfac.Workspace w, double[] delta) {
        KfacRotationsD.preconditionEkfac(JblasBlasD::gemm, out, nA, qA, qS, scaling, grad, lambda, w.doubles(0), w.doubles(1),
                null, delta);
    }

    /** {@link KfacRotationsD#updateEkfacScaling} in chunks of {@link JblasKfac.Workspace#chunkRows()} samples. */
    static void updateEkfacScaling(int batch, int out, int in, boolean bias, double[] a, double[] g, double[] qA,
            double[] qS, double epsilon, JblasKfac.Workspace w, double[] scaling) {
        KfacRotationsD.updateEkfacScaling(JblasBlasD::gemm, batch, out, in, bias, a, g, qA, qS, epsilon, w.chunkRows(),
                w.doubles(JblasKfac.Workspace.CHUNK_U), w.doubles(JblasKfac.Workspace.CHUNK_V), null, scaling);
    }
}
