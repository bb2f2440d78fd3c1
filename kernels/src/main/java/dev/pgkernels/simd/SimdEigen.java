package dev.pgkernels.simd;

import dev.pgkernels.linalg.DenseReference;

/**
 * TEMPORARY PLACEHOLDER (branch kfacsimd): the symmetric eigensolver of the {@code simd} backend is
 * written by another helper in parallel; this file only fixes its API so that {@link SimdKfac} builds
 * and its tests pass, and is replaced by the real class at merge. It delegates to the reference's
 * double eigendecomposition ({@link DenseReference#symmetricEigen}, cyclic Jacobi, the routine behind
 * {@code ReferenceKfac.eigenBasis}).
 */
final class SimdEigen {
    private SimdEigen() {}

    /** doubles of scratch that decompose needs for order n. */
    static int scratchLength(int n) {
        return Math.max(1, n * n);
    }

    /**
     * Eigendecomposition of the symmetric n×n matrix a (row-major, leading dimension n, both triangles
     * set; a is destroyed): eigenvalues ascending into w[0..n), eigenvectors as the COLUMNS of q (n×n
     * row-major, orthonormal). Any NaN/Inf in a → NaN in every element of w and q.
     */
    static void decompose(int n, double[] a, double[] w, double[] q, double[] scratch) {
        DenseReference.symmetricEigen(n, a, w, q, scratch);
    }
}
