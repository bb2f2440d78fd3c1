package dev.pgkernels.linalg;

import dev.pgkernels.Checks;

/**
 * Plain dense linear algebra in {@code double}, written as scalar loops to be read as the
 * definition: a Cholesky factorisation, triangular solves with many right-hand sides, a
 * symmetric eigendecomposition by cyclic Jacobi, and a small matrix product. It is the reference
 * the later fast linear-algebra core of this package is tested against, and what the K-FAC
 * reference ({@code dev.pgkernels.reference.ReferenceKfac}) computes with.
 *
 * <p>Layout: every matrix is flat and row-major, element {@code (i, j)} of an {@code r×c}
 * matrix at {@code [i*c + j]}; sizes are explicit and arrays must be at least as long as the
 * sizes require (elements past that are neither read nor written). Arguments are checked with
 * {@link Checks} ({@link IllegalArgumentException} before anything is written). Output arrays must
 * not alias input arrays unless a method says "in place". Stateless and thread-safe.
 */
public final class DenseReference {
    private DenseReference() {}

    /** Unit roundoff of {@code double}, {@code 2^-53}. */
    public static final double UNIT_ROUNDOFF = 0x1p-53;

    /**
     * Upper limit on Jacobi sweeps. Cyclic Jacobi converges quadratically once the off-diagonal
     * part is small; 6-10 sweeps are typical for {@code n <= 1000} (Golub and Van Loan, Matrix
     * Computations, 4th ed., §8.5.3); the limit only guards against a non-converging input.
     */
    public static final int MAX_JACOBI_SWEEPS = 100;

    /**
     * Cholesky factorisation {@code A = L Lᵀ} of a symmetric positive definite {@code n×n} matrix,
     * by columns (Cholesky–Crout):
     * <pre>
     * d_j  = a_jj - Σ_{k&lt;j} l_jk²          (the pivot; must be > 0)
     * l_jj = sqrt(d_j)
     * l_ij = (a_ij - Σ_{k&lt;j} l_ik l_jk) / l_jj     for i > j
     * </pre>
     *
     * @param n order, {@code >= 0}
     * @param a {@code n×n}, symmetric; only the lower triangle ({@code i >= j}) is read. Not modified.
     * @param l {@code n×n} output: {@code L} in the lower triangle, zeros above the diagonal.
     *          Modified; on failure its contents are unspecified.
     * @throws NotPositiveDefiniteException at the first pivot {@code d_j} that is not {@code > 0}
     *         (zero, negative or NaN), naming {@code j} and {@code d_j}
     * @throws IllegalArgumentException on a negative size, a null or short array
     */
    public static void cholesky(int n, double[] a, double[] l) {
        Checks.size("n", n);
        int nn = Checks.product("n*n", n, n);
        Checks.length("a", a, nn, "n*n = " + n + "*" + n);
        Checks.length("l", l, nn, "n*n = " + n + "*" + n);
        for (int j = 0; j < n; j++) {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) {
                d -= l[j * n + k] * l[j * n + k];
            }
            if (!(d > 0.0)) {
                throw new NotPositiveDefiniteException(n, j, d);
            }
            double ljj = Math.sqrt(d);
            l[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++) {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) {
                    s -= l[i * n + k] * l[j * n + k];
                }
                l[i * n + j] = s / ljj;
            }
            for (int i = 0; i < j; i++) {
                l[i * n + j] = 0.0; // above the diagonal of column j
            }
        }
    }

    /**
     * Forward substitution with {@code m} right-hand sides, in place: solves {@code L X = B} for the
     * {@code n×m} matrix {@code X}, {@code L} lower triangular {@code n×n}:
     * {@code x_ic = (b_ic - Σ_{k<i} l_ik x_kc) / l_ii}.
     *
     * @param l {@code n×n}; only the lower triangle including the diagonal is read. Not modified.
     * @param b {@code n×m}: {@code B} on entry, {@code X} on return. Modified.
     */
    public static void solveLower(int n, int m, double[] l, double[] b) {
        checkSolve(n, m, l, b);
        // Row i of X from the rows above it: subtract l_ik · (row k of X), k ascending, then divide.
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < i; k++) {
                double lik = l[i * n + k];
                for (int c = 0; c < m; c++) {
                    b[i * m + c] -= lik * b[k * m + c];
                }
            }
            double lii = l[i * n + i];
            for (int c = 0; c < m; c++) {
                b[i * m + c] = b[i * m + c] / lii;
            }
        }
    }

    /**
     * Back substitution with {@code m} right-hand sides against the transpose of a lower triangular
     * matrix, in place: solves {@code Lᵀ X = B}:
     * {@code x_ic = (b_ic - Σ_{k>i} l_ki x_kc) / l_ii}, for {@code i = n-1 … 0}.
     *
     * @param l {@code n×n}; only the lower triangle including the diagonal is read. Not modified.
     * @param b {@code n×m}: {@code B} on entry, {@code X} on return. Modified.
     */
    public static void solveLowerTransposed(int n, int m, double[] l, double[] b) {
        checkSolve(n, m, l, b);
        // Row i of X from the rows below it: subtract l_ki · (row k of X), k ascending, then divide.
        for (int i = n - 1; i >= 0; i--) {
            for (int k = i + 1; k < n; k++) {
                double lki = l[k * n + i];
                for (int c = 0; c < m; c++) {
                    b[i * m + c] -= lki * b[k * m + c];
                }
            }
            double lii = l[i * n + i];
            for (int c = 0; c < m; c++) {
                b[i * m + c] = b[i * m + c] / lii;
            }
        }
    }

    /**
     * Solves {@code (L Lᵀ) X = B} in place with a Cholesky factor from {@link #cholesky}:
     * {@link #solveLower} then {@link #solveLowerTransposed}.
     *
     * @param l {@code n×n} Cholesky factor. Not modified.
     * @param b {@code n×m}: {@code B} on entry, {@code X = A⁻¹ B} on return. Modified.
     */
    public static void choleskySolve(int n, int m, double[] l, double[] b) {
        solveLower(n, m, l, b);
        solveLowerTransposed(n, m, l, b);
    }

    private static void checkSolve(int n, int m, double[] l, double[] b) {
        Checks.size("n", n);
        Checks.size("m", m);
        Checks.length("l", l, Checks.product("n*n", n, n), "n*n = " + n + "*" + n);
        Checks.length("b", b, Checks.product("n*m", n, m), "n*m = " + n + "*" + m);
    }

    /**
     * Symmetric eigendecomposition {@code A = Q diag(w) Qᵀ} by the cyclic Jacobi method (Golub and
     * Van Loan, Matrix Computations, 4th ed., Algorithm 8.5.3), eigenvalues sorted ascending.
     *
     * <p>A working copy {@code W} of {@code A} is rotated, row-by-row cyclic order
     * {@code (p, q), p < q}: for each off-diagonal {@code w_pq != 0}, the rotation
     * {@code J = [[c, s], [-s, c]]} in the {@code (p, q)} plane with
     * {@code τ = (w_qq - w_pp) / (2 w_pq)}, {@code t = sign(τ) / (|τ| + sqrt(1 + τ²))}
     * ({@code t = 1} when {@code τ = 0}), {@code c = 1/sqrt(1 + t²)}, {@code s = t c} zeroes it:
     * {@code W ← Jᵀ W J}, {@code Q ← Q J}. Sweeps repeat until the off-diagonal Frobenius norm
     * {@code off(W) <= u·‖A‖_F} ({@code u = 2^-53}), or a sweep rotates nothing, or
     * {@link #MAX_JACOBI_SWEEPS} sweeps ran.
     *
     * <p>Non-finite input (any NaN or ±Inf in the lower triangle) is not iterated: {@code w} and
     * {@code q} are filled with NaN and 0 is returned.
     *
     * @param n    order, {@code >= 0}
     * @param a    {@code n×n}, symmetric; only the lower triangle ({@code i >= j}) is read. Not modified.
     * @param w    length {@code >= n}: the eigenvalues, ascending. Modified.
     * @param q    {@code n×n}: the eigenvectors as COLUMNS ({@code q[i*n + k]} is component {@code i}
     *             of eigenvector {@code k}), orthonormal. Modified.
     * @param work {@code n×n} scratch. Modified.
     * @return the number of sweeps done
     */
    public static int symmetricEigen(int n, double[] a, double[] w, double[] q, double[] work) {
        Checks.size("n", n);
        int nn = Checks.product("n*n", n, n);
        String because = "n*n = " + n + "*" + n;
        Checks.length("a", a, nn, because);
        Checks.length("w", w, n, "n");
        Checks.length("q", q, nn, because);
        Checks.length("work", work, nn, because);
        // W = A (symmetrised from the lower triangle), Q = I, ‖A‖_F².
        double norm2 = 0.0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = a[i * n + j];
                work[i * n + j] = v;
                work[j * n + i] = v;
                norm2 += (i == j ? 1.0 : 2.0) * v * v;
            }
            for (int j = 0; j < n; j++) {
                q[i * n + j] = i == j ? 1.0 : 0.0;
            }
        }
        if (!Double.isFinite(norm2)) {
            boolean finite = true;
            for (int i = 0; i < n && finite; i++) {
                for (int j = 0; j <= i; j++) {
                    finite &= Double.isFinite(a[i * n + j]);
                }
            }
            if (!finite) {
                for (int i = 0; i < n; i++) {
                    w[i] = Double.NaN;
                }
                for (int i = 0; i < nn; i++) {
                    q[i] = Double.NaN;
                }
                return 0;
            }
            // Finite entries whose squares overflow: the tolerance below becomes +Inf, so no
            // rotation would run; use the largest finite tolerance instead.
            norm2 = Double.MAX_VALUE;
        }
        double tol2 = UNIT_ROUNDOFF * UNIT_ROUNDOFF * norm2;
        int sweeps = 0;
        while (sweeps < MAX_JACOBI_SWEEPS) {
            double off2 = 0.0;
            for (int p = 0; p < n; p++) {
                for (int qq = p + 1; qq < n; qq++) {
                    off2 += 2.0 * work[p * n + qq] * work[p * n + qq];
                }
            }
            if (off2 <= tol2) {
                break;
            }
            sweeps++;
            int rotations = 0;
            for (int p = 0; p < n - 1; p++) {
                for (int r = p + 1; r < n; r++) {
                    double apq = work[p * n + r];
                    if (apq == 0.0) {
                        continue;
                    }
                    rotations++;
                    double tau = (work[r * n + r] - work[p * n + p]) / (2.0 * apq);
                    double t;
                    if (tau == 0.0) {
                        t = 1.0;
                    } else if (Math.abs(tau) > 1e150) {
                        t = 0.5 / tau; // 1 + τ² would overflow; t → 1/(2τ)
                    } else {
                        t = Math.signum(tau) / (Math.abs(tau) + Math.sqrt(1.0 + tau * tau));
                    }
                    double c = 1.0 / Math.sqrt(1.0 + t * t);
                    double s = t * c;
                    // W ← W J (columns p and r)
                    for (int k = 0; k < n; k++) {
                        double wkp = work[k * n + p];
                        double wkr = work[k * n + r];
                        work[k * n + p] = c * wkp - s * wkr;
                        work[k * n + r] = s * wkp + c * wkr;
                    }
                    // W ← Jᵀ W (rows p and r)
                    for (int k = 0; k < n; k++) {
                        double wpk = work[p * n + k];
                        double wrk = work[r * n + k];
                        work[p * n + k] = c * wpk - s * wrk;
                        work[r * n + k] = s * wpk + c * wrk;
                    }
                    // The rotation annihilates (p, r) in exact arithmetic; store the exact zero.
                    work[p * n + r] = 0.0;
                    work[r * n + p] = 0.0;
                    // Q ← Q J
                    for (int k = 0; k < n; k++) {
                        double qkp = q[k * n + p];
                        double qkr = q[k * n + r];
                        q[k * n + p] = c * qkp - s * qkr;
                        q[k * n + r] = s * qkp + c * qkr;
                    }
                }
            }
            if (rotations == 0) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            w[i] = work[i * n + i];
        }
        // Selection sort, ascending, carrying Q's columns along.
        for (int i = 0; i < n; i++) {
            int min = i;
            for (int j = i + 1; j < n; j++) {
                if (w[j] < w[min]) {
                    min = j;
                }
            }
            if (min != i) {
                double t = w[i];
                w[i] = w[min];
                w[min] = t;
                for (int k = 0; k < n; k++) {
                    double x = q[k * n + i];
                    q[k * n + i] = q[k * n + min];
                    q[k * n + min] = x;
                }
            }
        }
        return sweeps;
    }

    /**
     * Matrix product {@code C = op(X) op(Y)}, {@code op(X)} of shape {@code r×k}, {@code op(Y)} of
     * shape {@code k×c}, where {@code op(M) = Mᵀ} if the flag is set. {@code X} is stored
     * {@code r×k} (or {@code k×r} when transposed), {@code Y} {@code k×c} (or {@code c×k}).
     * Sums accumulate in {@code double}, in order of {@code k}.
     *
     * @param x Not modified.
     * @param y Not modified.
     * @param z {@code r×c} output, must not alias {@code x} or {@code y}. Modified.
     */
    public static void multiply(int r, int k, int c, double[] x, boolean transX, double[] y, boolean transY, double[] z) {
        Checks.size("r", r);
        Checks.size("k", k);
        Checks.size("c", c);
        Checks.length("x", x, Checks.product("r*k", r, k), "r*k = " + r + "*" + k);
        Checks.length("y", y, Checks.product("k*c", k, c), "k*c = " + k + "*" + c);
        Checks.length("z", z, Checks.product("r*c", r, c), "r*c = " + r + "*" + c);
        for (int i = 0; i < r; i++) {
            if (transY) {
                // z_ij = Σ_l op(X)_il Y_jl: a dot product along rows of Y.
                for (int j = 0; j < c; j++) {
                    double sum = 0.0;
                    for (int l = 0; l < k; l++) {
                        double xil = transX ? x[l * r + i] : x[i * k + l];
                        sum += xil * y[j * k + l];
                    }
                    z[i * c + j] = sum;
                }
            } else {
                // Row i of Z as Σ_l op(X)_il · (row l of Y), l ascending.
                for (int j = 0; j < c; j++) {
                    z[i * c + j] = 0.0;
                }
                for (int l = 0; l < k; l++) {
                    double xil = transX ? x[l * r + i] : x[i * k + l];
                    for (int j = 0; j < c; j++) {
                        z[i * c + j] += xil * y[l * c + j];
                    }
                }
            }
        }
    }
}
