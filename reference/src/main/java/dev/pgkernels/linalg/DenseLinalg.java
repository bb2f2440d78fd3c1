package dev.pgkernels.linalg;

/**
 * The small dense linear-algebra core shared by the Fisher-vector products, CG and K-FAC: GEMM with
 * transpose variants, GEMV, SYRK ({@code AᵀA}), AXPY and DOT, in fp32 and double.
 *
 * <p><b>Layout.</b> Every matrix is row-major inside a flat array, with an offset and a leading
 * dimension: element {@code (i, j)} of a matrix stored with offset {@code off} and leading dimension
 * {@code ld} is {@code arr[off + i*ld + j]}. A stored {@code r×c} matrix needs {@code ld >= max(1, c)}
 * and, when {@code r, c > 0}, {@code arr.length >= off + (r-1)*ld + c}; elements outside it (the gap
 * between rows included) are neither read nor written. {@code op(X)} is {@code X} or {@code Xᵀ}:
 * with {@code transX}, the stored matrix is the transpose of the operand (an operand of {@code r×c}
 * is then stored {@code c×r}). Vectors have unit stride and an offset.
 *
 * <p><b>Common rules.</b>
 * <ul>
 *   <li>Sizes {@code >= 0}; a size 0 does nothing to what it empties (with {@code k = 0} GEMM is
 *       {@code C = β C}).</li>
 *   <li>{@code β = 0}: the output is not read, so NaN or Inf already in it does not propagate (as in
 *       BLAS). {@code α = 0}: the inputs are not read and the result is {@code β C} (as in BLAS).
 *       Otherwise NaN and Inf in the data propagate as IEEE arithmetic says (not checked).</li>
 *   <li>An output must not overlap an input region in the same array (checked: same array and
 *       intersecting index ranges throw).</li>
 *   <li>The reference computes every sum in double and rounds once; fast fp32 backends accumulate in
 *       fp32 in an order of their choosing (SIMD and blocking reassociate the sums), so an element
 *       that is a dot of length {@code k} differs from the exact value by at most
 *       {@code γ_k Σ|a_p b_p|} (plus the roundings of {@code α}, {@code β C}), {@code γ_k = k u / (1 - k u)},
 *       {@code u = 2⁻²⁴} (Higham, Accuracy and Stability of Numerical Algorithms, §3.1).</li>
 *   <li>Every violation throws {@link IllegalArgumentException} naming the argument before anything
 *       is written.</li>
 *   <li>{@code ws}, where a method takes one, may be null (the backend then allocates its scratch for
 *       that call) or a {@link LinalgWorkspace} the caller reuses so that repeated calls allocate
 *       nothing after the first; it serves one call at a time.</li>
 * </ul>
 * Implementations are stateless and thread-safe.
 */
public interface DenseLinalg {

    /**
     * GEMM: {@code C = α op(A) op(B) + β C}, {@code op(A)} {@code m×k}, {@code op(B)} {@code k×n},
     * {@code C} {@code m×n}.
     *
     * @param transA whether A is stored transposed ({@code k×m}, {@code lda >= max(1, m)}) instead of
     *               {@code m×k} ({@code lda >= max(1, k)})
     * @param transB whether B is stored transposed ({@code n×k}, {@code ldb >= max(1, k)}) instead of
     *               {@code k×n} ({@code ldb >= max(1, n)})
     * @param m      rows of C
     * @param n      columns of C
     * @param k      the inner dimension
     * @param a      A. Not modified.
     * @param b      B. Not modified.
     * @param c      C, {@code m×n} with {@code ldc >= max(1, n)}. Modified (only its {@code m×n} elements).
     * @param ws     scratch, or null
     * @throws IllegalArgumentException on a null, a negative size, a short array, a bad leading
     *         dimension or offset, or C overlapping A or B
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
            float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, LinalgWorkspace ws);

    /** Double {@link #gemm(boolean, boolean, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int, LinalgWorkspace)}. */
    void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
            double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc, LinalgWorkspace ws);

    /**
     * GEMV: {@code y = α op(A) x + β y}, A stored {@code m×n} ({@code lda >= max(1, n)});
     * {@code op(A) = A} maps {@code x[n] -> y[m]}, {@code op(A) = Aᵀ} maps {@code x[m] -> y[n]}.
     *
     * @param a A. Not modified.
     * @param x {@code x[xOff ..)}, length n (or m with transA). Not modified.
     * @param y {@code y[yOff ..)}, length m (or n with transA). Modified.
     * @throws IllegalArgumentException as {@code gemm}
     */
    void gemv(boolean transA, int m, int n, float alpha, float[] a, int aOff, int lda, float[] x, int xOff,
            float beta, float[] y, int yOff);

    /** Double {@link #gemv(boolean, int, int, float, float[], int, int, float[], int, float, float[], int)}. */
    void gemv(boolean transA, int m, int n, double alpha, double[] a, int aOff, int lda, double[] x, int xOff,
            double beta, double[] y, int yOff);

    /**
     * SYRK: {@code C = α AᵀA + β C} with A stored {@code k×n} ({@code lda >= max(1, n)}) and C
     * {@code n×n}. Both triangles of C are written (the full symmetric result; the upper and lower
     * triangles are computed identically, so C is exactly symmetric when β C is). With β ≠ 0 all of C is read.
     *
     * @param a A, {@code k×n}. Not modified.
     * @param c C, {@code n×n}, {@code ldc >= max(1, n)}. Modified.
     * @param ws scratch, or null
     * @throws IllegalArgumentException as {@code gemm}
     */
    void syrk(int n, int k, float alpha, float[] a, int aOff, int lda, float beta, float[] c, int cOff, int ldc,
            LinalgWorkspace ws);

    /** Double {@link #syrk(int, int, float, float[], int, int, float, float[], int, int, LinalgWorkspace)}. */
    void syrk(int n, int k, double alpha, double[] a, int aOff, int lda, double beta, double[] c, int cOff, int ldc,
            LinalgWorkspace ws);

    /**
     * AXPY: {@code y[yOff+i] += α x[xOff+i]} for {@code 0 <= i < n} (one rounding per element in fp32).
     *
     * @param x Not modified.
     * @param y Modified. May be the same array as x only if the ranges do not overlap.
     * @throws IllegalArgumentException as {@code gemm}
     */
    void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    /** Double {@link #axpy(int, float, float[], int, float[], int)}. */
    void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff);

    /**
     * DOT: {@code Σ_i x[xOff+i] y[yOff+i]} over {@code 0 <= i < n}, returned as double. The
     * reference sums in double; fast fp32 backends may sum in fp32 (bound in the class comment).
     * Neither array is modified; they may be the same array at any offsets.
     *
     * @throws IllegalArgumentException on a null, {@code n < 0} or a short array
     */
    double dot(int n, float[] x, int xOff, float[] y, int yOff);

    /** Double {@link #dot(int, float[], int, float[], int)}. */
    double dot(int n, double[] x, int xOff, double[] y, int yOff);
}
