package dev.pgkernels.simd;

import dev.pgkernels.cpu.KfacRotationsF;
import dev.pgkernels.kfac.FactorNotPositiveDefiniteException;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fp32 computations of {@link SimdKfac} (SPEC §6) on row-major operands, built on the blocked
 * Vector API GEMM {@link SimdGemmF} (no second GEMM) plus two small vector kernels (the triangular
 * blocks of the solves) and scalar loops of lower order. Arguments are checked by
 * {@link dev.pgkernels.kfac.AbstractKfac}; zero sizes are handled here (the GEMM wants
 * {@code m, n >= 1}). Computes in this class's precision (as jblas's {@code ?gemm}/{@code ?potrf}),
 * except the traces of π and the eigen/EKFAC denominators, which are double, and the
 * eigendecomposition, which is double. (SimdKfacD is generated from this file by {@code kernels/gen-variants.sh}.)
 */
final class SimdKfacF {
    private SimdKfacF() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /**
     * Row panel of the lower-triangle SYRK by GEMM ({@link #syrkLower}): the GEMM's row block
     * ({@link SimdThresholds#GEMM_MC} = 120, a multiple of MR), so each panel is one block of packed rows.
     */
    static final int SYRK_PANEL = SimdThresholds.GEMM_MC;

    /** Columns per step of the blocked right-looking Cholesky ({@link #cholesky}). */
    static final int CHOL_BLOCK = 64;

    /** Rows per triangular block of the blocked solves ({@link #solveLower}, {@link #solveLowerT}). */
    static final int SOLVE_BLOCK = 64;

    /** {@code C = α op(A) op(B) + β C} on the simd GEMM, nothing for an empty C. */
    private static void gemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
            float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, float[] scratch) {
        if (m > 0 && n > 0) {
            SimdGemmF.gemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, scratch, 0);
        }
    }

    /**
     * The lower triangle (and the upper part of the diagonal blocks) of {@code C = α XᵀX + β C},
     * {@code X} {@code k×n} at {@code x[xOff]} with leading dimension {@code ldx}, {@code C} {@code n×n}:
     * row panel {@code [i0, i1)} of height {@link #SYRK_PANEL} is the GEMM
     * {@code C[i0:i1, 0:i1] = α X[:, i0:i1]ᵀ X[:, 0:i1] + β C[...]}, so about
     * {@code 1/2 + 1/(2·panels)} of the full product is computed. Row panels rather than column panels:
     * the GEMM then packs the wide operand {@code X[:, 0:i1]} with vector copies (a non-transposed B)
     * and only the panel's 120 columns as the transposed A (scalar copies) — 1.7× faster at
     * {@code n = 1024, k = 4096} than column panels, which pack all of {@code X[:, j0:n]} as A.
     * Elements above the diagonal blocks are neither read nor written; those above the diagonal
     * inside a block are written.
     */
    static void syrkLower(int n, int k, float alpha, float[] x, int xOff, int ldx, float beta, float[] c, int cOff,
            int ldc, float[] scratch) {
        for (int i0 = 0; i0 < n; i0 += SYRK_PANEL) {
            int i1 = Math.min(n, i0 + SYRK_PANEL);
            gemm(true, false, i1 - i0, i1, k, alpha, x, xOff + i0, ldx, x, xOff, ldx, beta, c, cOff + i0 * ldc, ldc,
                    scratch);
        }
    }

    // ------------------------------------------------------------------ factor statistics

    /**
     * {@code F ← ε F + (1-ε) x̃ᵀx̃ / B}: the {@code dim×dim} block by {@link #syrkLower} with
     * {@code α = (1-ε)/B}, {@code β = ε} (the GEMM does not read C when {@code β = 0}, so {@code ε = 0}
     * ignores the old contents), then the lower triangle mirrored (exactly symmetric). The bias row and
     * column ({@code mean_b x_b}) are vector column sums in the working precision, the corner
     * {@code ε F + (1-ε)·1}: no column of ones is formed.
     */
    static void updateFactor(int batch, int dim, boolean bias, float[] x, double epsilon, SimdKfac.Workspace w,
            float[] factor) {
        int n = bias ? dim + 1 : dim;
        if (dim > 0) {
            float alpha = (float) ((1.0 - epsilon) / batch), beta = (float) epsilon;
            syrkLower(dim, batch, alpha, x, 0, dim, beta, factor, 0, n, w.floats(SimdKfac.Workspace.GEMM));
            mirrorLower(dim, factor, n);
        }
        if (bias) {
            float[] sums = w.floats(SimdKfac.Workspace.VECTOR);
            columnSums(batch, dim, x, sums);
            for (int j = 0; j < dim; j++) {
                float m = (float) average(epsilon, factor[dim * n + j], sums[j] / (double) batch);
                factor[dim * n + j] = m;
                factor[j * n + dim] = m;
            }
            factor[dim * n + dim] = (float) average(epsilon, factor[dim * n + dim], 1.0);
        }
    }

    /** {@code sums[j] = Σ_b x[b·dim + j]}, one vector of columns at a time, samples in order. */
    private static void columnSums(int batch, int dim, float[] x, float[] sums) {
        for (int j = 0; j < dim; j += L) {
            VectorMask<Float> m = S.indexInRange(j, dim);
            FloatVector acc = FloatVector.zero(S);
            for (int b = 0; b < batch; b++) {
                acc = acc.add(FloatVector.fromArray(S, x, b * dim + j, m));
            }
            acc.intoArray(sums, j, m);
        }
    }

    /**
     * Upper triangle of the {@code n×n} block at {@code f} (leading dimension ld) ← its lower triangle:
     * the off-diagonal tiles as in {@link #transpose}, the diagonal tiles element by element.
     */
    private static void mirrorLower(int n, float[] f, int ld) {
        for (int i0 = 0; i0 < n; i0 += TILE) {
            int i1 = Math.min(n, i0 + TILE);
            for (int j0 = 0; j0 < i0; j0 += TILE) {
                int j1 = j0 + TILE; // j1 <= i0: a whole tile below the diagonal
                int i = i0;
                for (; i + 4 <= i1; i += 4) {
                    int s0 = i * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
                    for (int j = j0; j < j1; j++) {
                        int d = j * ld + i;
                        f[d] = f[s0 + j];
                        f[d + 1] = f[s1 + j];
                        f[d + 2] = f[s2 + j];
                        f[d + 3] = f[s3 + j];
                    }
                }
                for (; i < i1; i++) {
                    for (int j = j0; j < j1; j++) {
                        f[j * ld + i] = f[i * ld + j];
                    }
                }
            }
            for (int i = i0; i < i1; i++) {
                for (int j = i0; j < i; j++) {
                    f[j * ld + i] = f[i * ld + j];
                }
            }
        }
    }

    /** {@code ε·old + (1-ε)·batch}, reading {@code old} only when {@code ε > 0}. */
    private static double average(double epsilon, double old, double batchValue) {
        return epsilon == 0.0 ? batchValue : epsilon * old + (1.0 - epsilon) * batchValue;
    }

    // ------------------------------------------------------------------ π

    /** {@code tr(F)} summed in double, in index order (as the reference). */
    static double trace(int n, float[] f) {
        double t = 0.0;
        for (int i = 0; i < n; i++) {
            t += f[i * n + i];
        }
        return t;
    }

    /** SPEC §6 π, as the reference computes it (same sums in the same order). */
    static double pi(int nA, float[] a, int nS, float[] s) {
        double ta = trace(nA, a), ts = trace(nS, s);
        if (nA == 0 || nS == 0 || ta <= 0.0 || ts <= 0.0) {
            return 1.0;
        }
        return Math.sqrt((ta / nA) / (ts / nS));
    }

    // ------------------------------------------------------------------ Cholesky preconditioning

    /**
     * {@code ΔW = S_d⁻¹ ∇W A_d⁻¹}: both damped factors are copied into the workspace and factored
     * ({@code A_d} first, so that, as in the reference, a failing {@code A_d} is reported before
     * {@code S_d}), then {@code Y = L_S⁻ᵀ L_S⁻¹ ∇W} ({@code out×nA}, two blocked solves with {@code nA}
     * right-hand sides), {@code Yᵀ} ({@code nA×out}) solved likewise with {@code L_A}, and transposed
     * into {@code delta}, which is written only after both factorisations succeeded.
     */
    static double precondition(int out, int nA, float[] a, float[] s, float[] grad, double lambda,
            SimdKfac.Workspace w, float[] delta) {
        double pi = pi(nA, a, out, s);
        double sqrtLambda = Math.sqrt(lambda);
        float[] la = w.floats(0), ls = w.floats(1), y = w.floats(2), yt = w.floats(3);
        float[] panel = w.floats(SimdKfac.Workspace.PANEL), scratch = w.floats(SimdKfac.Workspace.GEMM);
        System.arraycopy(a, 0, la, 0, nA * nA);
        for (int i = 0; i < nA; i++) {
            la[i * nA + i] = (float) (la[i * nA + i] + pi * sqrtLambda); // A_d = A + π√λ I
        }
        cholesky("A", nA, la, panel, scratch);
        System.arraycopy(s, 0, ls, 0, out * out);
        for (int i = 0; i < out; i++) {
            ls[i * out + i] = (float) (ls[i * out + i] + sqrtLambda / pi); // S_d = S + (√λ/π) I
        }
        cholesky("S", out, ls, panel, scratch);
        if (out == 0 || nA == 0) {
            return pi;
        }
        System.arraycopy(grad, 0, y, 0, out * nA);
        solveLower(out, nA, ls, y, scratch);
        solveLowerT(out, nA, ls, y, scratch);
        transpose(out, nA, y, yt);
        solveLower(nA, out, la, yt, scratch);
        solveLowerT(nA, out, la, yt, scratch);
        transpose(nA, out, yt, delta);
        return pi;
    }

    /** Tile of {@link #transpose} and {@link #mirrorLower}: 16 (32 and 64 measured 2-3× slower at n = 1024, cache-set conflicts of the power-of-two strides). */
    private static final int TILE = 16;

    /**
     * Row-major {@code dst (c×r) = srcᵀ} for a row-major {@code r×c} {@code src}, in 16×16 tiles, four
     * source rows at a time so that each destination row gets four contiguous stores (0.7 ms at
     * 1024×1024 against 7.5 ms for the plain 32×32-tile loop).
     */
    static void transpose(int r, int c, float[] src, float[] dst) {
        for (int i0 = 0; i0 < r; i0 += TILE) {
            int i1 = Math.min(r, i0 + TILE);
            for (int j0 = 0; j0 < c; j0 += TILE) {
                int j1 = Math.min(c, j0 + TILE);
                int i = i0;
                for (; i + 4 <= i1; i += 4) {
                    int s0 = i * c, s1 = s0 + c, s2 = s1 + c, s3 = s2 + c;
                    for (int j = j0; j < j1; j++) {
                        int d = j * r + i;
                        dst[d] = src[s0 + j];
                        dst[d + 1] = src[s1 + j];
                        dst[d + 2] = src[s2 + j];
                        dst[d + 3] = src[s3 + j];
                    }
                }
                for (; i < i1; i++) {
                    for (int j = j0; j < j1; j++) {
                        dst[j * r + i] = src[i * c + j];
                    }
                }
            }
        }
    }

    /**
     * In-place blocked right-looking Cholesky {@code F = L Lᵀ} of the {@code n×n} {@code f} (leading
     * dimension n), reading and leaving {@code L} in the lower triangle (the upper triangle is not read;
     * parts of it are overwritten). Per block of {@link #CHOL_BLOCK} columns {@code [k0, k1)}:
     * <ol>
     *   <li>the diagonal block, unblocked (left-looking inside the block): pivot
     *       {@code d_j = f_jj - Σ_{k0≤k<j} l_jk²}, where {@code f_jj} already holds the earlier blocks'
     *       updates, so {@code d_j} is the reference's pivot (summed in another order);</li>
     *   <li>the panel {@code L21 = F21 L11⁻ᵀ}: {@code F21ᵀ} is copied into {@code panel}
     *       ({@code kb×r}), solved in place with {@link #trsmLower} (vectorised along the {@code r}
     *       rows below) and copied back transposed;</li>
     *   <li>the trailing update {@code F22 ← F22 - L21 L21ᵀ}, lower triangle, by {@link #syrkLower} on
     *       the panel.</li>
     * </ol>
     * A NaN below the diagonal at (i, j) reaches only row and column i, so the first failing pivot
     * is the reference's.
     *
     * @throws FactorNotPositiveDefiniteException (layer -1, factor {@code name}) at the first pivot
     *         that is not {@code > 0} (or NaN), with its 0-based index and value
     */
    static void cholesky(String name, int n, float[] f, float[] panel, float[] scratch) {
        for (int k0 = 0; k0 < n; k0 += CHOL_BLOCK) {
            int k1 = Math.min(n, k0 + CHOL_BLOCK), kb = k1 - k0, r = n - k1;
            for (int j = k0; j < k1; j++) {
                float d = f[j * n + j];
                for (int k = k0; k < j; k++) {
                    d -= f[j * n + k] * f[j * n + k];
                }
                if (!(d > 0)) {
                    throw new FactorNotPositiveDefiniteException(-1, null, name, n, j, d);
                }
                float ljj = (float) Math.sqrt(d);
                f[j * n + j] = ljj;
                for (int i = j + 1; i < k1; i++) {
                    float sum = f[i * n + j];
                    for (int k = k0; k < j; k++) {
                        sum -= f[i * n + k] * f[j * n + k];
                    }
                    f[i * n + j] = sum / ljj;
                }
            }
            if (r == 0) {
                break;
            }
            for (int i = 0; i < r; i++) {
                for (int k = 0; k < kb; k++) {
                    panel[k * r + i] = f[(k1 + i) * n + k0 + k];
                }
            }
            trsmLower(kb, f, k0 * n + k0, n, panel, 0, r, r);
            for (int i = 0; i < r; i++) {
                for (int k = 0; k < kb; k++) {
                    f[(k1 + i) * n + k0 + k] = panel[k * r + i];
                }
            }
            syrkLower(r, kb, -1, panel, 0, r, 1, f, k1 * n + k1, n, scratch);
        }
    }

    /**
     * {@code X ← L⁻¹ X} for the lower-triangular {@code n×n} {@code l} (leading dimension n) and the
     * {@code n×m} {@code x} (leading dimension m), blocked by {@link #SOLVE_BLOCK} rows: each block of
     * rows is solved against its diagonal triangle ({@link #trsmLower}), then subtracted from the rows
     * below by one GEMM ({@code X[i1:n] -= L[i1:n, i0:i1] X[i0:i1]}).
     */
    static void solveLower(int n, int m, float[] l, float[] x, float[] scratch) {
        for (int i0 = 0; i0 < n; i0 += SOLVE_BLOCK) {
            int i1 = Math.min(n, i0 + SOLVE_BLOCK);
            trsmLower(i1 - i0, l, i0 * n + i0, n, x, i0 * m, m, m);
            gemm(false, false, n - i1, m, i1 - i0, -1, l, i1 * n + i0, n, x, i0 * m, m, 1, x, i1 * m, m, scratch);
        }
    }

    /**
     * {@code X ← L⁻ᵀ X}, as {@link #solveLower} from the last block up: each block solved against
     * {@code L[i0:i1, i0:i1]ᵀ} ({@link #trsmLowerT}), then {@code X[0:i0] -= L[i0:i1, 0:i0]ᵀ X[i0:i1]}.
     */
    static void solveLowerT(int n, int m, float[] l, float[] x, float[] scratch) {
        for (int i0 = (n - 1) / SOLVE_BLOCK * SOLVE_BLOCK; i0 >= 0; i0 -= SOLVE_BLOCK) {
            int i1 = Math.min(n, i0 + SOLVE_BLOCK);
            trsmLowerT(i1 - i0, l, i0 * n + i0, n, x, i0 * m, m, m);
            gemm(true, false, i0, m, i1 - i0, -1, l, i0 * n, n, x, i0 * m, m, 1, x, 0, m, scratch);
        }
    }

    /**
     * Forward substitution on a small block: {@code X ← T⁻¹ X}, {@code T} the {@code kb×kb} lower
     * triangle at {@code l[lOff]} (leading dimension ldl), {@code X} {@code kb×m} at {@code x[xOff]}
     * (leading dimension ldx): {@code x_i = (x_i - Σ_{k<i} t_ik x_k) / t_ii}, k ascending, each term
     * one FMA. Vectorised along the m columns, four vectors at a time and two rows at a time (rows i
     * and i+1 share the loads of each solved row k < i; row i+1 then subtracts {@code t_{i+1,i} x_i},
     * its last term), the block's rows of those columns staying in L1 and the partial sums in
     * registers; the remaining columns one masked vector and one row at a time. Every column gets
     * the same operations in the same order, wherever it sits.
     */
    static void trsmLower(int kb, float[] l, int lOff, int ldl, float[] x, int xOff, int ldx, int m) {
        int c = 0;
        for (; c + 4 * L <= m; c += 4 * L) {
            int i = 0;
            for (; i + 2 <= kb; i += 2) {
                int xi = xOff + i * ldx + c, xj = xi + ldx, li = lOff + i * ldl, lj = li + ldl;
                FloatVector v0 = FloatVector.fromArray(S, x, xi), v1 = FloatVector.fromArray(S, x, xi + L);
                FloatVector v2 = FloatVector.fromArray(S, x, xi + 2 * L), v3 = FloatVector.fromArray(S, x, xi + 3 * L);
                FloatVector w0 = FloatVector.fromArray(S, x, xj), w1 = FloatVector.fromArray(S, x, xj + L);
                FloatVector w2 = FloatVector.fromArray(S, x, xj + 2 * L), w3 = FloatVector.fromArray(S, x, xj + 3 * L);
                for (int k = 0; k < i; k++) {
                    FloatVector t = FloatVector.broadcast(S, -l[li + k]), u = FloatVector.broadcast(S, -l[lj + k]);
                    int xk = xOff + k * ldx + c;
                    FloatVector y0 = FloatVector.fromArray(S, x, xk), y1 = FloatVector.fromArray(S, x, xk + L);
                    FloatVector y2 = FloatVector.fromArray(S, x, xk + 2 * L), y3 = FloatVector.fromArray(S, x, xk + 3 * L);
                    v0 = y0.fma(t, v0);
                    v1 = y1.fma(t, v1);
                    v2 = y2.fma(t, v2);
                    v3 = y3.fma(t, v3);
                    w0 = y0.fma(u, w0);
                    w1 = y1.fma(u, w1);
                    w2 = y2.fma(u, w2);
                    w3 = y3.fma(u, w3);
                }
                float d = l[li + i];
                v0 = v0.div(d);
                v1 = v1.div(d);
                v2 = v2.div(d);
                v3 = v3.div(d);
                v0.intoArray(x, xi);
                v1.intoArray(x, xi + L);
                v2.intoArray(x, xi + 2 * L);
                v3.intoArray(x, xi + 3 * L);
                FloatVector u = FloatVector.broadcast(S, -l[lj + i]);
                float e = l[lj + i + 1];
                v0.fma(u, w0).div(e).intoArray(x, xj);
                v1.fma(u, w1).div(e).intoArray(x, xj + L);
                v2.fma(u, w2).div(e).intoArray(x, xj + 2 * L);
                v3.fma(u, w3).div(e).intoArray(x, xj + 3 * L);
            }
            if (i < kb) {
                trsmLowerRow(i, l, lOff + i * ldl, x, xOff, ldx, c, S.maskAll(true));
                trsmLowerRow(i, l, lOff + i * ldl, x, xOff, ldx, c + L, S.maskAll(true));
                trsmLowerRow(i, l, lOff + i * ldl, x, xOff, ldx, c + 2 * L, S.maskAll(true));
                trsmLowerRow(i, l, lOff + i * ldl, x, xOff, ldx, c + 3 * L, S.maskAll(true));
            }
        }
        for (; c < m; c += L) {
            VectorMask<Float> mask = S.indexInRange(c, m);
            for (int i = 0; i < kb; i++) {
                trsmLowerRow(i, l, lOff + i * ldl, x, xOff, ldx, c, mask);
            }
        }
    }

    /** Row i of {@link #trsmLower} for one (masked) vector of columns at {@code c}: k ascending, then the division. */
    private static void trsmLowerRow(int i, float[] l, int li, float[] x, int xOff, int ldx, int c,
            VectorMask<Float> mask) {
        int xi = xOff + i * ldx + c;
        FloatVector v = FloatVector.fromArray(S, x, xi, mask);
        for (int k = 0; k < i; k++) {
            v = FloatVector.fromArray(S, x, xOff + k * ldx + c, mask).fma(FloatVector.broadcast(S, -l[li + k]), v);
        }
        v.div(l[li + i]).intoArray(x, xi, mask);
    }

    /**
     * Back substitution on a small block with the transposed triangle: {@code X ← T⁻ᵀ X},
     * {@code x_i = (x_i - Σ_{k>i} t_ki x_k) / t_ii}, i descending, k DESCENDING (so that, as in
     * {@link #trsmLower}, two rows i and i-1 share the loads of each solved row k > i and row i-1
     * ends with its term {@code k = i}); vectorised as {@link #trsmLower}.
     */
    static void trsmLowerT(int kb, float[] l, int lOff, int ldl, float[] x, int xOff, int ldx, int m) {
        int c = 0;
        for (; c + 4 * L <= m; c += 4 * L) {
            int i = kb - 1;
            for (; i >= 1; i -= 2) {
                int xi = xOff + i * ldx + c, xj = xi - ldx;
                FloatVector v0 = FloatVector.fromArray(S, x, xi), v1 = FloatVector.fromArray(S, x, xi + L);
                FloatVector v2 = FloatVector.fromArray(S, x, xi + 2 * L), v3 = FloatVector.fromArray(S, x, xi + 3 * L);
                FloatVector w0 = FloatVector.fromArray(S, x, xj), w1 = FloatVector.fromArray(S, x, xj + L);
                FloatVector w2 = FloatVector.fromArray(S, x, xj + 2 * L), w3 = FloatVector.fromArray(S, x, xj + 3 * L);
                for (int k = kb - 1; k > i; k--) {
                    int lk = lOff + k * ldl;
                    FloatVector t = FloatVector.broadcast(S, -l[lk + i]), u = FloatVector.broadcast(S, -l[lk + i - 1]);
                    int xk = xOff + k * ldx + c;
                    FloatVector y0 = FloatVector.fromArray(S, x, xk), y1 = FloatVector.fromArray(S, x, xk + L);
                    FloatVector y2 = FloatVector.fromArray(S, x, xk + 2 * L), y3 = FloatVector.fromArray(S, x, xk + 3 * L);
                    v0 = y0.fma(t, v0);
                    v1 = y1.fma(t, v1);
                    v2 = y2.fma(t, v2);
                    v3 = y3.fma(t, v3);
                    w0 = y0.fma(u, w0);
                    w1 = y1.fma(u, w1);
                    w2 = y2.fma(u, w2);
                    w3 = y3.fma(u, w3);
                }
                int li = lOff + i * ldl;
                float d = l[li + i];
                v0 = v0.div(d);
                v1 = v1.div(d);
                v2 = v2.div(d);
                v3 = v3.div(d);
                v0.intoArray(x, xi);
                v1.intoArray(x, xi + L);
                v2.intoArray(x, xi + 2 * L);
                v3.intoArray(x, xi + 3 * L);
                FloatVector u = FloatVector.broadcast(S, -l[li + i - 1]);
                float e = l[li - ldl + i - 1];
                v0.fma(u, w0).div(e).intoArray(x, xj);
                v1.fma(u, w1).div(e).intoArray(x, xj + L);
                v2.fma(u, w2).div(e).intoArray(x, xj + 2 * L);
                v3.fma(u, w3).div(e).intoArray(x, xj + 3 * L);
            }
            if (i == 0) {
                trsmLowerTRow(kb, 0, l, lOff, ldl, x, xOff, ldx, c, S.maskAll(true));
                trsmLowerTRow(kb, 0, l, lOff, ldl, x, xOff, ldx, c + L, S.maskAll(true));
                trsmLowerTRow(kb, 0, l, lOff, ldl, x, xOff, ldx, c + 2 * L, S.maskAll(true));
                trsmLowerTRow(kb, 0, l, lOff, ldl, x, xOff, ldx, c + 3 * L, S.maskAll(true));
            }
        }
        for (; c < m; c += L) {
            VectorMask<Float> mask = S.indexInRange(c, m);
            for (int i = kb - 1; i >= 0; i--) {
                trsmLowerTRow(kb, i, l, lOff, ldl, x, xOff, ldx, c, mask);
            }
        }
    }

    /** Row i of {@link #trsmLowerT} for one (masked) vector of columns at {@code c}: k descending, then the division. */
    private static void trsmLowerTRow(int kb, int i, float[] l, int lOff, int ldl, float[] x, int xOff, int ldx, int c,
            VectorMask<Float> mask) {
        int xi = xOff + i * ldx + c;
        FloatVector v = FloatVector.fromArray(S, x, xi, mask);
        for (int k = kb - 1; k > i; k--) {
            v = FloatVector.fromArray(S, x, xOff + k * ldx + c, mask).fma(FloatVector.broadcast(S, -l[lOff + k * ldl + i]), v);
        }
        v.div(l[lOff + i * ldl + i]).intoArray(x, xi, mask);
    }

    // ------------------------------------------------------------------ eigenbases

    /**
     * {@code F = Q diag(λ) Qᵀ} by {@link SimdEigen#decompose} in double: the factor is widened into
     * the workspace (both triangles), decomposed, and the eigenvectors and eigenvalues rounded once
     * into {@code q} and {@code eigenvalues}.
     */
    static void eigenBasis(int n, float[] factor, SimdKfac.Workspace w, float[] q, float[] eigenvalues) {
        if (n == 0) {
            return;
        }
        double[] m = w.doubles(0), vectors = w.doubles(1), values = w.doubles(SimdKfac.Workspace.VECTOR);
        for (int i = 0; i < n * n; i++) {
            m[i] = factor[i];
        }
        SimdEigen.decompose(n, m, values, vectors, w.eigenScratch());
        for (int i = 0; i < n * n; i++) {
            q[i] = (float) vectors[i];
        }
        for (int i = 0; i < n; i++) {
            eigenvalues[i] = (float) values[i];
        }
    }

    // ------------------------------------------------------------------ eigen and EKFAC preconditioning
    // written once for both CPU backends in {@link KfacRotationsF}, on this backend's GEMM

    /** {@link KfacRotationsF#preconditionEigen} with slots 0 and 1 as scratch. */
    static void preconditionEigen(int out, int nA, float[] qA, float[] lambdaA, float[] qS, float[] lambdaS,
            float[] grad, double lambda, SimdKfac.Workspace w, float[] delta) {
        KfacRotationsF.preconditionEigen(SimdGemmF::gemm, out, nA, qA, lambdaA, qS, lambdaS, grad, lambda, w.floats(0),
                w.floats(1), w.floats(SimdKfac.Workspace.GEMM), delta);
    }

    /** {@link KfacRotationsF#preconditionEkfac} with slots 0 and 1 as scratch. */
    static void preconditionEkfac(int out, int nA, float[] qA, float[] qS, float[] scaling, float[] grad,
            double lambda, SimdKfac.Workspace w, float[] delta) {
        KfacRotationsF.preconditionEkfac(SimdGemmF::gemm, out, nA, qA, qS, scaling, grad, lambda, w.floats(0), w.floats(1),
                w.floats(SimdKfac.Workspace.GEMM), delta);
    }

    /** {@link KfacRotationsF#updateEkfacScaling} in chunks of {@link SimdKfac.Workspace#chunkRows()} samples. */
    static void updateEkfacScaling(int batch, int out, int in, boolean bias, float[] a, float[] g, float[] qA,
            float[] qS, double epsilon, SimdKfac.Workspace w, float[] scaling) {
        KfacRotationsF.updateEkfacScaling(SimdGemmF::gemm, batch, out, in, bias, a, g, qA, qS, epsilon, w.chunkRows(),
                w.floats(SimdKfac.Workspace.CHUNK_U), w.floats(SimdKfac.Workspace.CHUNK_V), w.floats(SimdKfac.Workspace.GEMM), scaling);
    }
}
