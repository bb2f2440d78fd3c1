package dev.pgkernels.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Symmetric eigendecomposition {@code A = Q diag(w) Qᵀ} in double, for the {@code simd} K-FAC eigen
 * variant (SPEC §6): eigenvalues ascending, eigenvectors as the columns of {@code Q}.
 *
 * <p><b>Method</b> (Golub and Van Loan, Matrix Computations, 4th ed., §8.3; LAPACK's
 * {@code dsytrd}/{@code dsteqr}/{@code dormtr} split):
 * <ol>
 *   <li><b>Scaling.</b> One pass over {@code a} finds {@code max|a_ij|} and any NaN/Inf; the matrix is
 *       multiplied by a power of two (exact) so that its largest entry lies in [1, 2): no square
 *       below can overflow or lose the data to underflow, also at 1e±150. The eigenvalues are scaled
 *       back at the end.</li>
 *   <li><b>Householder tridiagonalisation</b> {@code A = H T Hᵀ}, {@code H = H_0 H_1 … H_{n-3}},
 *       {@code H_k = I − τ_k v_k v_kᵀ}, on the UPPER triangle in row-major order (= LAPACK's
 *       {@code uplo = 'L'} in column-major): row {@code k} right of the diagonal is the column to
 *       annihilate, so every access is contiguous. Each step is a symmetric matrix-vector product
 *       {@code p = τ A₂₂ v} (one pass over the trailing upper triangle: a dot along each row and an
 *       axpy into {@code p}) and the rank-2 update {@code A₂₂ −= v wᵀ + w vᵀ},
 *       {@code w = p − (τ/2)(pᵀv) v}; both vectorised along the rows, and fused: step {@code k}'s
 *       update and step {@code k+1}'s product share one pass, two rows at a time (the loop is bound
 *       by loads, not FMAs). {@code v_k} is kept in row {@code k} of {@code a} (columns
 *       {@code k+1..n-1}, unit first entry stored explicitly).</li>
 *   <li><b>Implicit QL</b> with Wilkinson's shift (the eigenvalue of the leading 2×2 block closer
 *       to {@code d_l}) on the tridiagonal {@code (d, e)}, deflating when
 *       {@code |e_m| <= u (|d_m| + |d_{m+1}|)}. The rotations of a sweep depend only on
 *       {@code (d, e)}, so they are recorded and applied later, in batches of sweeps, to
 *       {@code Zᵀ} (the eigenvectors of {@code T} as ROWS, so a rotation mixes two contiguous rows):
 *       column strips of two vectors' width take every rotation of the batch while they sit in
 *       L2, and the row shared by consecutive rotations of a sweep stays in registers (one load
 *       and one store per rotation and strip); two consecutive sweeps run as a wavefront (one load
 *       and one store per two rotations), and rows of a strip that are still exactly zero (Zᵀ
 *       starts as I) are skipped.</li>
 *   <li><b>Sort</b> ascending (selection sort of {@code d} with the rows of {@code Zᵀ}).</li>
 *   <li><b>Back-transformation</b> {@code Qᵀ = Zᵀ Hᵀ = Zᵀ H_{n-3} … H_0}, in blocks of
 *       {@link #NB} reflectors in compact WY form ({@code H_k … H_{k+nb-1} = I − V T Vᵀ}, LAPACK's
 *       {@code dlarft}): {@code Zᵀ ← Zᵀ − ((Zᵀ V) Tᵀ) Vᵀ}, all three products by {@link SimdGemmD}.</li>
 *   <li>{@code q = (Qᵀ)ᵀ}, {@code w = 2^s d}.</li>
 * </ol>
 * Every step is backward stable, so the computed eigenpairs are exact for some {@code A + E} with
 * {@code ‖E‖₂ <= c n u ‖A‖₂}: {@code |Δλ| <= c n u ‖A‖₂} (Weyl), {@code ‖Q Λ Qᵀ − A‖} and
 * {@code ‖QᵀQ − I‖} are of order {@code n u} (times {@code ‖A‖} for the first).
 *
 * <p><b>Memory:</b> nothing is allocated; {@code Zᵀ}, the tridiagonal, the rotation buffer, the WY
 * blocks and the GEMM's packing buffers all live in {@code scratch} ({@link #scratchLength}). The
 * class is stateless and thread-safe (callers give distinct arrays).
 */
final class SimdEigen {
    private SimdEigen() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Reflectors per compact-WY block of the back-transformation. */
    static final int NB = 32;

    /** Unit roundoff of double, {@code 2^-53}. */
    private static final double EPS = 0x1p-53;
    /** Below this a deflation test treats {@code e_m} as zero whatever {@code d} is (the matrix is scaled to max 1). */
    private static final double TINY = 0x1p-1000;
    /** Total QL iterations allowed, {@code 30 n} as LAPACK's {@code dsteqr}. */
    private static final int MAX_ITER_PER_ROW = 30;

    /** Leading dimension of {@code Zᵀ}: a multiple of 8 doubles ≥ n, an odd number of 64-byte lines (no cache-set aliasing at n = 1024). */
    static int ld(int n) {
        int ld = (n + 7) / 8 * 8;
        if ((ld / 8) % 2 == 0) {
            ld += 8;
        }
        return ld;
    }

    /** Rotations buffered before they are applied, in units of n: each batch streams Zᵀ through L2 once. */
    static final int ROT_BATCH = 16;

    /** Rotation-buffer capacity (rotations) for order n. */
    private static int rotCap(int n) {
        return ROT_BATCH * n + 16;
    }

    /** Doubles of scratch that {@link #decompose} needs for order {@code n}. */
    static int scratchLength(int n) {
        if (n <= 1) {
            return 0;
        }
        int ld = ld(n);
        long len = (long) ld * n         // Zᵀ
                + 5L * n                 // d, e, tau, p, p2
                + 2L * rotCap(n) + 3L * n + 4 // rotation c, s; sweep headers (2n + 2); strip bounds (n + 2)
                + (long) NB * NB          // T
                + 2L * n * NB             // W = Zᵀ V, W Tᵀ
                + Math.max(SimdGemmD.scratch(n, NB, n), SimdGemmD.scratch(n, n, NB));
        return Math.toIntExact(len);
    }

    /**
     * Eigendecomposition of the symmetric {@code n×n} matrix {@code a} (row-major, leading dimension
     * {@code n}, both triangles set; the upper triangle's values are used, every entry is checked
     * for NaN/Inf). Eigenvalues ascending into {@code w[0..n)}, eigenvectors as the COLUMNS of
     * {@code q} ({@code q[i*n + k]} is component {@code i} of eigenvector {@code k}; orthonormal).
     * Any NaN or ±Inf anywhere in {@code a} gives NaN in every element of {@code w[0..n)} and
     * {@code q[0..n²)}; so does the (never observed) failure of the QL iteration to converge in
     * {@code 30 n} iterations. Nothing is allocated; stateless and thread-safe for distinct arrays.
     *
     * @param n       order, {@code >= 0}
     * @param a       {@code n×n}. Destroyed (holds the Householder vectors afterwards).
     * @param w       length {@code >= n}. Modified.
     * @param q       length {@code >= n²}. Modified.
     * @param scratch length {@code >= scratchLength(n)}. Modified.
     */
    static void decompose(int n, double[] a, double[] w, double[] q, double[] scratch) {
        if (n == 0) {
            return;
        }
        // 1. finiteness and scale, one pass over the whole matrix
        double max = 0.0;
        boolean finite = true;
        {
            DoubleVector vmax = DoubleVector.zero(S);
            int nn = n * n, i = 0;
            for (int bound = S.loopBound(nn); i < bound; i += L) {
                vmax = vmax.max(DoubleVector.fromArray(S, a, i).abs());
            }
            if (i < nn) {
                vmax = vmax.max(DoubleVector.fromArray(S, a, i, S.indexInRange(i, nn)).abs());
            }
            // lanewise MAX and the MAX reduction follow Math.max: a NaN anywhere gives NaN, an Inf gives Inf
            max = vmax.reduceLanes(VectorOperators.MAX);
            finite = Double.isFinite(max);
        }
        if (!finite) {
            java.util.Arrays.fill(w, 0, n, Double.NaN);
            java.util.Arrays.fill(q, 0, n * n, Double.NaN);
            return;
        }
        if (n == 1) {
            w[0] = a[0];
            q[0] = 1.0;
            return;
        }
        // max·2^shift in [1, 2); getExponent of a subnormal is -1023, so those go through 2^60 first
        int shift = max == 0.0 ? 0
                : max < Double.MIN_NORMAL ? 60 - Math.getExponent(max * 0x1p60) : -Math.getExponent(max);
        scaleByPowerOfTwo(n * n, shift, a);

        int ld = ld(n);
        int zt = 0;
        int d = zt + ld * n, e = d + n, tau = e + n, p = tau + n, p2 = p + n;
        int rc = p2 + n, rs = rc + rotCap(n), hdr = rs + rotCap(n);
        int mrOff = hdr + 2 * n + 2;
        int tOff = mrOff + n + 2;
        int wOff = tOff + NB * NB;
        int gOff = wOff + 2 * n * NB;
        double[] s = scratch;

        tridiagonalise(n, a, s, d, e, tau, p, p2);
        // Zᵀ = I (padding columns zero too)
        java.util.Arrays.fill(s, zt, zt + ld * n, 0.0);
        for (int i = 0; i < n; i++) {
            s[zt + i * ld + i] = 1.0;
        }
        // column strip c0 of Zᵀ = I is nonzero only in rows c0 .. c0 + width - 1
        for (int c0 = 0, si = 0; c0 < n; c0 += 2 * L, si++) {
            s[mrOff + si] = Math.min(n - 1, c0 + 2 * L - 1);
        }
        boolean converged = ql(n, s, d, e, zt, ld, rc, rs, hdr, mrOff, rotCap(n));
        if (!converged) {
            java.util.Arrays.fill(w, 0, n, Double.NaN);
            java.util.Arrays.fill(q, 0, n * n, Double.NaN);
            return;
        }
        sort(n, s, d, zt, ld);
        backTransform(n, a, s, tau, zt, ld, tOff, wOff, gOff);
        transpose(n, s, zt, ld, q);
        for (int i = 0; i < n; i++) {
            w[i] = Math.scalb(s[d + i], -shift);
        }
    }

    /** x ← 2^shift x (exact unless results are subnormal; two factors when 2^shift itself is out of range). */
    private static void scaleByPowerOfTwo(int len, int shift, double[] x) {
        if (shift == 0) {
            return;
        }
        if (Math.abs(shift) <= 1000) {
            scale(len, Math.scalb(1.0, shift), x);
        } else {
            scale(len, Math.scalb(1.0, shift / 2), x);
            scale(len, Math.scalb(1.0, shift - shift / 2), x);
        }
    }

    private static void scale(int len, double f, double[] x) {
        DoubleVector vf = DoubleVector.broadcast(S, f);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += L) {
            DoubleVector.fromArray(S, x, i).mul(vf).intoArray(x, i);
        }
        for (; i < len; i++) {
            x[i] *= f;
        }
    }

    // ------------------------------------------------------------------ tridiagonalisation

    /**
     * {@code A = H T Hᵀ} on the upper triangle: {@code d = diag T} into {@code s[d..]}, the
     * off-diagonal into {@code s[e..e+n-1)} ({@code e[n-1] = 0}), {@code τ_k} into {@code s[tau..]}
     * ({@code τ = 0} for {@code k >= n-2}); {@code v_k} into row {@code k} of {@code a}, columns
     * {@code k+1..n-1} ({@code a[k][k+1] = 1}), with zeros left of it (row {@code k}, columns
     * {@code 0..k}) so the rows of a block of reflectors form {@code Vᵀ} for the GEMMs.
     *
     * <p>The rank-2 update of step {@code k} and the symmetric product of step {@code k+1} share one
     * pass over the trailing rows: row {@code k+1} is updated first (it gives {@code v_{k+1}}), then
     * each later row is updated and at once multiplied into {@code p_{k+1}} — the trailing triangle
     * is read and written once per step instead of read, read and written. {@code w_k} and
     * {@code p_{k+1}} alternate between the buffers {@code p} and {@code p2} (absolute indices).
     */
    private static void tridiagonalise(int n, double[] a, double[] s, int d, int e, int tau, int p, int p2) {
        if (n > 2) {
            householder(n, 0, a, s, d, e, tau);
            java.util.Arrays.fill(s, p, p + n, 0.0);
            double t0 = s[tau];
            if (t0 != 0.0) {
                int row = 1; // v_0 = a[0][1..n)
                for (int i = 1; i < n; i++) {
                    int ai = i * n + i;
                    double vi = a[i];
                    double acc = symvRow(n - 1 - i, a, ai + 1, a, i + 1, vi, s, p + i + 1);
                    s[p + i] += acc + a[ai] * vi;
                }
            }
            finishW(n, 0, a, s, tau, p);
        }
        int wk = p, pn = p2;
        for (int k = 0; k < n - 2; k++) {
            int vk = k * n;          // v_k(j) = a[vk + j], j >= k+1
            boolean active = s[tau + k] != 0.0;
            boolean next = k + 1 < n - 2;
            if (active) {
                // row k+1 first: it holds the column that reflector k+1 annihilates
                int r1 = (k + 1) * n;
                syr2Row(n - k - 1, -a[vk + k + 1], s, wk + k + 1, -s[wk + k + 1], a, vk + k + 1, a, r1 + k + 1);
            }
            if (next) {
                householder(n, k + 1, a, s, d, e, tau);
                java.util.Arrays.fill(s, pn, pn + n, 0.0);
                int v1 = (k + 1) * n;    // v_{k+1}(j) = a[v1 + j], j >= k+2
                boolean symv = s[tau + k + 1] != 0.0;
                int i0 = k + 2;
                if (active && symv) {
                    // two rows per pass: w_k, v_k, v_{k+1} and p_{k+1} are loaded once for both
                    for (; i0 + 1 < n; i0 += 2) {
                        fusedRowPair(n, i0, a, vk, s, wk, v1, pn);
                    }
                }
                for (int i = i0; i < n; i++) {
                    int ai = i * n + i;
                    double vi = a[vk + i], wi = s[wk + i];
                    if (active) {
                        a[ai] -= 2.0 * vi * wi;
                    }
                    if (symv) {
                        double ui = a[v1 + i];
                        double acc;
                        if (active) {
                            acc = fusedRow(n - 1 - i, a, ai + 1, -vi, s, wk + i + 1, -wi, a, vk + i + 1, a, v1 + i + 1,
                                    ui, s, pn + i + 1);
                        } else {
                            acc = symvRow(n - 1 - i, a, ai + 1, a, v1 + i + 1, ui, s, pn + i + 1);
                        }
                        s[pn + i] += acc + a[ai] * ui;
                    } else if (active) {
                        syr2Row(n - 1 - i, -vi, s, wk + i + 1, -wi, a, vk + i + 1, a, ai + 1);
                    }
                }
                finishW(n, k + 1, a, s, tau, pn);
                int t = wk;
                wk = pn;
                pn = t;
            } else if (active) {
                for (int i = k + 2; i < n; i++) {
                    int ai = i * n + i;
                    syr2Row(n - i, -a[vk + i], s, wk + i, -s[wk + i], a, vk + i, a, ai);
                }
            }
            // zeros left of v_k in row k (columns 0..k): the lower triangle and the diagonal, no longer read
            java.util.Arrays.fill(a, k * n, k * n + k + 1, 0.0);
        }
        s[d + n - 2] = a[(n - 2) * n + n - 2];
        s[d + n - 1] = a[(n - 1) * n + n - 1];
        s[e + n - 2] = a[(n - 2) * n + n - 1];
        s[e + n - 1] = 0.0;
        s[tau + n - 2] = 0.0;
        s[tau + n - 1] = 0.0;
    }

    /**
     * Reflector {@code k} from row {@code k} (columns {@code k+1..n-1}, whose rank-2 updates are all
     * done): {@code d_k}, {@code e_k = β}, {@code τ_k}; {@code v_k} replaces the row's entries, unit
     * first entry stored.
     */
    private static void householder(int n, int k, double[] a, double[] s, int d, int e, int tau) {
        int m = n - k - 1;
        int row = k * n + k + 1;
        s[d + k] = a[k * n + k];
        double alpha = a[row];
        double xnorm2 = dot(m - 1, a, row + 1, a, row + 1);
        double t;
        if (xnorm2 == 0.0) {
            t = 0.0;
            s[e + k] = alpha;
        } else {
            double beta = -Math.copySign(Math.sqrt(alpha * alpha + xnorm2), alpha);
            t = (beta - alpha) / beta;
            scaleRange(m - 1, 1.0 / (alpha - beta), a, row + 1);
            s[e + k] = beta;
        }
        a[row] = 1.0;
        s[tau + k] = t;
    }

    /** {@code p ← τ_k p}, then {@code w = p − (τ_k/2)(pᵀv_k) v_k} in place (indices {@code k+1..n-1}). */
    private static void finishW(int n, int k, double[] a, double[] s, int tau, int p) {
        int m = n - k - 1, row = k * n + k + 1;
        double t = s[tau + k];
        if (t == 0.0) {
            java.util.Arrays.fill(s, p + k + 1, p + n, 0.0);
            return;
        }
        scaleRange(m, t, s, p + k + 1);
        double alph = -0.5 * t * dot(m, s, p + k + 1, a, row);
        axpy(m, alph, a, row, s, p + k + 1);
    }

    /**
     * Rows {@code i} and {@code i+1} of the fused pass (both updated by step {@code k}'s rank-2
     * update with {@code v_k = a[vk..]}, {@code w_k = s[wk..]}, then multiplied into
     * {@code p_{k+1} = s[pn..]} with {@code u = v_{k+1} = a[v1..]}): the 2×2 corner scalar, the
     * rest of both rows in one vector loop. Same operations per element as {@link #fusedRow}.
     */
    private static void fusedRowPair(int n, int i, double[] a, int vk, double[] s, int wk, int v1, int pn) {
        int r0o = i * n, r1o = (i + 1) * n;
        double v0 = a[vk + i], v1v = a[vk + i + 1], w0 = s[wk + i], w1 = s[wk + i + 1];
        double u0 = a[v1 + i], u1 = a[v1 + i + 1];
        double d0 = a[r0o + i] - 2.0 * v0 * w0;
        double off = a[r0o + i + 1] - (v0 * w1 + w0 * v1v);
        double d1 = a[r1o + i + 1] - 2.0 * v1v * w1;
        a[r0o + i] = d0;
        a[r0o + i + 1] = off;
        a[r1o + i + 1] = d1;
        int j0 = i + 2, len = n - j0;
        DoubleVector na0 = DoubleVector.broadcast(S, -v0), nb0 = DoubleVector.broadcast(S, -w0);
        DoubleVector na1 = DoubleVector.broadcast(S, -v1v), nb1 = DoubleVector.broadcast(S, -w1);
        DoubleVector vu0 = DoubleVector.broadcast(S, u0), vu1 = DoubleVector.broadcast(S, u1);
        DoubleVector acc0 = DoubleVector.zero(S), acc1 = DoubleVector.zero(S);
        int j = 0;
        for (int bound = S.loopBound(len); j < bound; j += L) {
            int c = j0 + j;
            DoubleVector wj = DoubleVector.fromArray(S, s, wk + c);
            DoubleVector vj = DoubleVector.fromArray(S, a, vk + c);
            DoubleVector r0 = DoubleVector.fromArray(S, a, r0o + c);
            DoubleVector r1 = DoubleVector.fromArray(S, a, r1o + c);
            r0 = vj.fma(nb0, wj.fma(na0, r0));
            r1 = vj.fma(nb1, wj.fma(na1, r1));
            r0.intoArray(a, r0o + c);
            r1.intoArray(a, r1o + c);
            DoubleVector uj = DoubleVector.fromArray(S, a, v1 + c);
            acc0 = r0.fma(uj, acc0);
            acc1 = r1.fma(uj, acc1);
            r1.fma(vu1, r0.fma(vu0, DoubleVector.fromArray(S, s, pn + c))).intoArray(s, pn + c);
        }
        if (j < len) {
            VectorMask<Double> mk = S.indexInRange(j, len);
            int c = j0 + j;
            DoubleVector wj = DoubleVector.fromArray(S, s, wk + c, mk);
            DoubleVector vj = DoubleVector.fromArray(S, a, vk + c, mk);
            DoubleVector r0 = DoubleVector.fromArray(S, a, r0o + c, mk);
            DoubleVector r1 = DoubleVector.fromArray(S, a, r1o + c, mk);
            r0 = vj.fma(nb0, wj.fma(na0, r0));
            r1 = vj.fma(nb1, wj.fma(na1, r1));
            r0.intoArray(a, r0o + c, mk);
            r1.intoArray(a, r1o + c, mk);
            DoubleVector uj = DoubleVector.fromArray(S, a, v1 + c, mk);
            acc0 = r0.fma(uj, acc0);
            acc1 = r1.fma(uj, acc1);
            r1.fma(vu1, r0.fma(vu0, DoubleVector.fromArray(S, s, pn + c, mk))).intoArray(s, pn + c, mk);
        }
        // SIMD reassociates the sums
        s[pn + i] += acc0.reduceLanes(VectorOperators.ADD) + d0 * u0 + off * u1;
        s[pn + i + 1] += acc1.reduceLanes(VectorOperators.ADD) + off * u0 + d1 * u1;
    }

    /**
     * One row of the fused pass: {@code r_j += α x_j + β y_j} (the rank-2 update), then with the
     * updated {@code r_j}: returns {@code Σ_j r_j u_j} and does {@code y2_j += ui r_j}, {@code j < len}.
     */
    private static double fusedRow(int len, double[] r, int ro, double alpha, double[] x, int xo, double beta,
            double[] y, int yo, double[] u, int uo, double ui, double[] y2, int y2o) {
        DoubleVector va = DoubleVector.broadcast(S, alpha), vb = DoubleVector.broadcast(S, beta);
        DoubleVector vu = DoubleVector.broadcast(S, ui);
        DoubleVector acc0 = DoubleVector.zero(S), acc1 = DoubleVector.zero(S);
        int j = 0;
        for (int bound = len - len % (2 * L); j < bound; j += 2 * L) {
            DoubleVector r0 = DoubleVector.fromArray(S, r, ro + j);
            DoubleVector r1 = DoubleVector.fromArray(S, r, ro + j + L);
            r0 = DoubleVector.fromArray(S, x, xo + j).fma(va, r0);
            r1 = DoubleVector.fromArray(S, x, xo + j + L).fma(va, r1);
            r0 = DoubleVector.fromArray(S, y, yo + j).fma(vb, r0);
            r1 = DoubleVector.fromArray(S, y, yo + j + L).fma(vb, r1);
            r0.intoArray(r, ro + j);
            r1.intoArray(r, ro + j + L);
            acc0 = r0.fma(DoubleVector.fromArray(S, u, uo + j), acc0);
            acc1 = r1.fma(DoubleVector.fromArray(S, u, uo + j + L), acc1);
            r0.fma(vu, DoubleVector.fromArray(S, y2, y2o + j)).intoArray(y2, y2o + j);
            r1.fma(vu, DoubleVector.fromArray(S, y2, y2o + j + L)).intoArray(y2, y2o + j + L);
        }
        for (; j < len; j += L) {
            VectorMask<Double> mk = S.indexInRange(j, len);
            DoubleVector r0 = DoubleVector.fromArray(S, r, ro + j, mk);
            r0 = DoubleVector.fromArray(S, x, xo + j, mk).fma(va, r0);
            r0 = DoubleVector.fromArray(S, y, yo + j, mk).fma(vb, r0);
            r0.intoArray(r, ro + j, mk);
            acc0 = r0.fma(DoubleVector.fromArray(S, u, uo + j, mk), acc0);
            r0.fma(vu, DoubleVector.fromArray(S, y2, y2o + j, mk)).intoArray(y2, y2o + j, mk);
        }
        // SIMD reassociates the sum
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** Returns Σ_j r_j x_j and does y_j += vi r_j, for j < len (r = a row of A₂₂ right of the diagonal). */
    private static double symvRow(int len, double[] r, int ro, double[] x, int xo, double vi, double[] y, int yo) {
        DoubleVector acc0 = DoubleVector.zero(S), acc1 = DoubleVector.zero(S);
        DoubleVector vv = DoubleVector.broadcast(S, vi);
        int j = 0;
        for (int bound = len - len % (2 * L); j < bound; j += 2 * L) {
            DoubleVector r0 = DoubleVector.fromArray(S, r, ro + j);
            DoubleVector r1 = DoubleVector.fromArray(S, r, ro + j + L);
            acc0 = r0.fma(DoubleVector.fromArray(S, x, xo + j), acc0);
            acc1 = r1.fma(DoubleVector.fromArray(S, x, xo + j + L), acc1);
            r0.fma(vv, DoubleVector.fromArray(S, y, yo + j)).intoArray(y, yo + j);
            r1.fma(vv, DoubleVector.fromArray(S, y, yo + j + L)).intoArray(y, yo + j + L);
        }
        for (; j < len; j += L) {
            VectorMask<Double> mk = S.indexInRange(j, len);
            DoubleVector r0 = DoubleVector.fromArray(S, r, ro + j, mk);
            acc0 = r0.fma(DoubleVector.fromArray(S, x, xo + j, mk), acc0);
            r0.fma(vv, DoubleVector.fromArray(S, y, yo + j, mk)).intoArray(y, yo + j, mk);
        }
        // SIMD reassociates the sum
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** r_j += α x_j + β y_j, j < len. */
    private static void syr2Row(int len, double alpha, double[] x, int xo, double beta, double[] y, int yo,
            double[] r, int ro) {
        DoubleVector va = DoubleVector.broadcast(S, alpha), vb = DoubleVector.broadcast(S, beta);
        int j = 0;
        for (int bound = S.loopBound(len); j < bound; j += L) {
            DoubleVector acc = DoubleVector.fromArray(S, r, ro + j);
            acc = DoubleVector.fromArray(S, x, xo + j).fma(va, acc);
            acc = DoubleVector.fromArray(S, y, yo + j).fma(vb, acc);
            acc.intoArray(r, ro + j);
        }
        if (j < len) {
            VectorMask<Double> mk = S.indexInRange(j, len);
            DoubleVector acc = DoubleVector.fromArray(S, r, ro + j, mk);
            acc = DoubleVector.fromArray(S, x, xo + j, mk).fma(va, acc);
            acc = DoubleVector.fromArray(S, y, yo + j, mk).fma(vb, acc);
            acc.intoArray(r, ro + j, mk);
        }
    }

    /** Σ x_j y_j, j < len (two accumulators; SIMD reassociates the sum). */
    private static double dot(int len, double[] x, int xo, double[] y, int yo) {
        DoubleVector acc0 = DoubleVector.zero(S), acc1 = DoubleVector.zero(S);
        int j = 0;
        for (int bound = len - len % (2 * L); j < bound; j += 2 * L) {
            acc0 = DoubleVector.fromArray(S, x, xo + j).fma(DoubleVector.fromArray(S, y, yo + j), acc0);
            acc1 = DoubleVector.fromArray(S, x, xo + j + L).fma(DoubleVector.fromArray(S, y, yo + j + L), acc1);
        }
        for (; j < len; j += L) {
            VectorMask<Double> mk = S.indexInRange(j, len);
            acc0 = DoubleVector.fromArray(S, x, xo + j, mk).fma(DoubleVector.fromArray(S, y, yo + j, mk), acc0);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** y_j += α x_j, j < len. */
    private static void axpy(int len, double alpha, double[] x, int xo, double[] y, int yo) {
        DoubleVector va = DoubleVector.broadcast(S, alpha);
        int j = 0;
        for (int bound = S.loopBound(len); j < bound; j += L) {
            DoubleVector.fromArray(S, x, xo + j).fma(va, DoubleVector.fromArray(S, y, yo + j)).intoArray(y, yo + j);
        }
        if (j < len) {
            VectorMask<Double> mk = S.indexInRange(j, len);
            DoubleVector.fromArray(S, x, xo + j, mk).fma(va, DoubleVector.fromArray(S, y, yo + j, mk))
                    .intoArray(y, yo + j, mk);
        }
    }

    /** x_j *= f, j < len. */
    private static void scaleRange(int len, double f, double[] x, int xo) {
        DoubleVector vf = DoubleVector.broadcast(S, f);
        int j = 0;
        for (int bound = S.loopBound(len); j < bound; j += L) {
            DoubleVector.fromArray(S, x, xo + j).mul(vf).intoArray(x, xo + j);
        }
        if (j < len) {
            VectorMask<Double> mk = S.indexInRange(j, len);
            DoubleVector.fromArray(S, x, xo + j, mk).mul(vf).intoArray(x, xo + j, mk);
        }
    }

    // ------------------------------------------------------------------ implicit QL

    /** sqrt(f² + g²) without spurious over/underflow (the fast path covers the scaled range). */
    private static double hypot(double f, double g) {
        double af = Math.abs(f), ag = Math.abs(g);
        double big = Math.max(af, ag);
        if (big > 0x1p-500 && big < 0x1p500) {
            return Math.sqrt(f * f + g * g);
        }
        return Math.hypot(f, g);
    }

    /**
     * Implicit QL with Wilkinson shifts on {@code (d, e)} ({@code e_i} couples {@code i} and
     * {@code i+1}); the rotations are recorded per sweep (header: top row, count) and applied to
     * {@code Zᵀ} in batches by {@link #applyBatch}.
     *
     * @return false if {@code 30 n} iterations did not suffice
     */
    private static boolean ql(int n, double[] s, int d, int e, int zt, int ld, int rc, int rs, int hdr, int mrOff,
            int cap) {
        int used = 0, sweeps = 0;
        int iterLeft = MAX_ITER_PER_ROW * n;
        for (int l = 0; l < n; l++) {
            while (true) {
                int m = l;
                for (; m < n - 1; m++) {
                    double dd = Math.abs(s[d + m]) + Math.abs(s[d + m + 1]);
                    if (Math.abs(s[e + m]) <= EPS * dd || Math.abs(s[e + m]) <= TINY) {
                        s[e + m] = 0.0;
                        break;
                    }
                }
                if (m == l) {
                    break;
                }
                if (iterLeft-- == 0) {
                    return false;
                }
                if (used + (m - l) > cap || sweeps == n) {
                    applyBatch(n, s, zt, ld, rc, rs, hdr, mrOff, sweeps);
                    used = 0;
                    sweeps = 0;
                }
                int start = used;
                double dl = s[d + l], el = s[e + l];
                double g = (s[d + l + 1] - dl) / (2.0 * el);
                double r = hypot(g, 1.0);
                g = s[d + m] - dl + el / (g + Math.copySign(r, g));
                double sn = 1.0, c = 1.0, pp = 0.0;
                boolean underflow = false;
                for (int i = m - 1; i >= l; i--) {
                    double f = sn * s[e + i], b = c * s[e + i];
                    r = hypot(f, g);
                    s[e + i + 1] = r;
                    if (r == 0.0) {
                        // recover from underflow: the rotations so far stand, this sweep stops
                        s[d + i + 1] -= pp;
                        s[e + m] = 0.0;
                        underflow = true;
                        break;
                    }
                    sn = f / r;
                    c = g / r;
                    g = s[d + i + 1] - pp;
                    r = (s[d + i] - g) * sn + 2.0 * c * b;
                    pp = sn * r;
                    s[d + i + 1] = g + pp;
                    g = c * r - b;
                    s[rc + used] = c;
                    s[rs + used] = sn;
                    used++;
                }
                if (used > start) {
                    s[hdr + 2 * sweeps] = m;
                    s[hdr + 2 * sweeps + 1] = used - start;
                    sweeps++;
                }
                if (underflow) {
                    continue;
                }
                s[d + l] -= pp;
                s[e + l] = g;
                s[e + m] = 0.0;
            }
        }
        applyBatch(n, s, zt, ld, rc, rs, hdr, mrOff, sweeps);
        return true;
    }

    /**
     * Applies the recorded sweeps in order to {@code Zᵀ}: rotation {@code (c, s)} at row {@code i}
     * does {@code z_{i+1} ← s z_i + c z_{i+1}}, {@code z_i ← c z_i − s z_{i+1}} (rows), for
     * {@code i = top-1} down to {@code lo = top-count}. Column strips of two vectors (one for an odd
     * last vector; the padding columns of {@code Zᵀ} up to a multiple of 8 are zero and rotate
     * harmlessly, so no mask is needed and each element's arithmetic does not depend on its column).
     * Two consecutive sweeps with the same top row and {@code lo_B >= lo_A} (the usual case: QL
     * sweeps run from the bottom of the unreduced block to {@code l}) are applied as a wavefront:
     * B's rotation at {@code i+1} follows A's at {@code i}, so each row is loaded and stored once
     * for both (Van Zee, van de Geijn and Quintana-Ortí, "Restructuring the tridiagonal and
     * bidiagonal QR algorithms for performance", ACM TOMS 40(3), 2014). The arithmetic per element
     * is the same as applying A then B.
     */
    private static void applyBatch(int n, double[] s, int zt, int ld, int rc, int rs, int hdr, int mrOff,
            int sweeps) {
        if (sweeps == 0) {
            return;
        }
        int cols = (n + L - 1) / L * L; // <= ld
        for (int c0 = 0, si = 0; c0 < cols; c0 += 2 * L, si++) {
            boolean two = c0 + 2 * L <= cols;
            int base = zt + c0;
            int r0 = 0;
            // rows above mr are exactly zero in this strip: rotations there map zeros to zeros and are
            // skipped (a sweep starting at top' = min(top, mr + 1) carries the zero row top'); each
            // sweep extends the nonzero rows by at most one
            int mr = (int) s[mrOff + si];
            for (int sw = 0; sw < sweeps; sw++) {
                int top = (int) s[hdr + 2 * sw], cnt = (int) s[hdr + 2 * sw + 1];
                int lo = top - cnt;
                if (sw + 1 < sweeps) {
                    int topB = (int) s[hdr + 2 * sw + 2], cntB = (int) s[hdr + 2 * sw + 3];
                    int loB = topB - cntB;
                    int t2 = Math.min(top, mr + 2);
                    if (topB == top && loB >= lo && loB < t2) {
                        int skip = top - t2;
                        if (two) {
                            pair2(s, base, ld, t2, lo, loB, rc + r0 + skip, rs + r0 + skip, cnt);
                        } else {
                            pair1(s, base, ld, t2, lo, loB, rc + r0 + skip, rs + r0 + skip, cnt);
                        }
                        mr = Math.max(mr, t2);
                        r0 += cnt + cntB;
                        sw++;
                        continue;
                    }
                }
                int t1 = Math.min(top, mr + 1);
                if (t1 > lo) {
                    int skip = top - t1;
                    if (two) {
                        single2(s, base, ld, t1, t1 - lo, rc + r0 + skip, rs + r0 + skip);
                    } else {
                        single1(s, base, ld, t1, t1 - lo, rc + r0 + skip, rs + r0 + skip);
                    }
                    mr = Math.max(mr, t1);
                }
                r0 += cnt;
            }
            s[mrOff + si] = mr;
        }
    }

    /** One sweep on a strip of two vectors at {@code base}: rotations {@code (c, s)} from {@code rc, rs}. */
    private static void single2(double[] s, int base, int ld, int top, int cnt, int rc, int rs) {
        DoubleVector h0 = DoubleVector.fromArray(S, s, base + top * ld);
        DoubleVector h1 = DoubleVector.fromArray(S, s, base + top * ld + L);
        for (int j = 0; j < cnt; j++) {
            int i = top - 1 - j;
            DoubleVector vc = DoubleVector.broadcast(S, s[rc + j]);
            DoubleVector vs = DoubleVector.broadcast(S, s[rs + j]);
            DoubleVector vns = vs.neg();
            DoubleVector l0 = DoubleVector.fromArray(S, s, base + i * ld);
            DoubleVector l1 = DoubleVector.fromArray(S, s, base + i * ld + L);
            l0.fma(vs, h0.mul(vc)).intoArray(s, base + (i + 1) * ld);
            l1.fma(vs, h1.mul(vc)).intoArray(s, base + (i + 1) * ld + L);
            h0 = h0.fma(vns, l0.mul(vc));
            h1 = h1.fma(vns, l1.mul(vc));
        }
        h0.intoArray(s, base + (top - cnt) * ld);
        h1.intoArray(s, base + (top - cnt) * ld + L);
    }

    /** {@link #single2} on one vector. */
    private static void single1(double[] s, int base, int ld, int top, int cnt, int rc, int rs) {
        DoubleVector h0 = DoubleVector.fromArray(S, s, base + top * ld);
        for (int j = 0; j < cnt; j++) {
            int i = top - 1 - j;
            DoubleVector vc = DoubleVector.broadcast(S, s[rc + j]);
            DoubleVector vs = DoubleVector.broadcast(S, s[rs + j]);
            DoubleVector l0 = DoubleVector.fromArray(S, s, base + i * ld);
            l0.fma(vs, h0.mul(vc)).intoArray(s, base + (i + 1) * ld);
            h0 = h0.fma(vs.neg(), l0.mul(vc));
        }
        h0.intoArray(s, base + (top - cnt) * ld);
    }

    /**
     * Sweeps A (rows {@code loA..top}) then B (rows {@code loB..top}, {@code loB >= loA}) on a strip
     * of two vectors, as a wavefront: A's rotation at {@code i} yields A's final row {@code i+1},
     * which B's rotation at {@code i+1} takes at once. A's rotations are at {@code rc, rs}
     * ({@code cntA} of them), B's follow.
     */
    private static void pair2(double[] s, int base, int ld, int top, int loA, int loB, int rc, int rs, int cntA) {
        DoubleVector a0 = DoubleVector.fromArray(S, s, base + top * ld);
        DoubleVector a1 = DoubleVector.fromArray(S, s, base + top * ld + L);
        DoubleVector b0 = a0, b1 = a1;
        int rcB = rc + cntA, rsB = rs + cntA;
        for (int i = top - 1; i >= loA; i--) {
            DoubleVector vc = DoubleVector.broadcast(S, s[rc + top - 1 - i]);
            DoubleVector vs = DoubleVector.broadcast(S, s[rs + top - 1 - i]);
            DoubleVector x0 = DoubleVector.fromArray(S, s, base + i * ld);
            DoubleVector x1 = DoubleVector.fromArray(S, s, base + i * ld + L);
            DoubleVector y0 = x0.fma(vs, a0.mul(vc)); // A's final row i+1
            DoubleVector y1 = x1.fma(vs, a1.mul(vc));
            a0 = a0.fma(vs.neg(), x0.mul(vc));
            a1 = a1.fma(vs.neg(), x1.mul(vc));
            int j = i + 1;
            if (j == top) {
                b0 = y0; // B starts carrying row top
                b1 = y1;
            } else if (j >= loB) {
                DoubleVector wc = DoubleVector.broadcast(S, s[rcB + top - 1 - j]);
                DoubleVector ws = DoubleVector.broadcast(S, s[rsB + top - 1 - j]);
                y0.fma(ws, b0.mul(wc)).intoArray(s, base + (j + 1) * ld);
                y1.fma(ws, b1.mul(wc)).intoArray(s, base + (j + 1) * ld + L);
                b0 = b0.fma(ws.neg(), y0.mul(wc));
                b1 = b1.fma(ws.neg(), y1.mul(wc));
                if (j == loB) {
                    b0.intoArray(s, base + j * ld);
                    b1.intoArray(s, base + j * ld + L);
                }
            } else {
                y0.intoArray(s, base + j * ld); // B is done above: row j is final
                y1.intoArray(s, base + j * ld + L);
            }
        }
        if (loB == loA) {
            DoubleVector wc = DoubleVector.broadcast(S, s[rcB + top - 1 - loA]);
            DoubleVector ws = DoubleVector.broadcast(S, s[rsB + top - 1 - loA]);
            a0.fma(ws, b0.mul(wc)).intoArray(s, base + (loA + 1) * ld);
            a1.fma(ws, b1.mul(wc)).intoArray(s, base + (loA + 1) * ld + L);
            b0.fma(ws.neg(), a0.mul(wc)).intoArray(s, base + loA * ld);
            b1.fma(ws.neg(), a1.mul(wc)).intoArray(s, base + loA * ld + L);
        } else {
            a0.intoArray(s, base + loA * ld);
            a1.intoArray(s, base + loA * ld + L);
        }
    }

    /** {@link #pair2} on one vector. */
    private static void pair1(double[] s, int base, int ld, int top, int loA, int loB, int rc, int rs, int cntA) {
        DoubleVector a0 = DoubleVector.fromArray(S, s, base + top * ld);
        DoubleVector b0 = a0;
        int rcB = rc + cntA, rsB = rs + cntA;
        for (int i = top - 1; i >= loA; i--) {
            DoubleVector vc = DoubleVector.broadcast(S, s[rc + top - 1 - i]);
            DoubleVector vs = DoubleVector.broadcast(S, s[rs + top - 1 - i]);
            DoubleVector x0 = DoubleVector.fromArray(S, s, base + i * ld);
            DoubleVector y0 = x0.fma(vs, a0.mul(vc));
            a0 = a0.fma(vs.neg(), x0.mul(vc));
            int j = i + 1;
            if (j == top) {
                b0 = y0;
            } else if (j >= loB) {
                DoubleVector wc = DoubleVector.broadcast(S, s[rcB + top - 1 - j]);
                DoubleVector ws = DoubleVector.broadcast(S, s[rsB + top - 1 - j]);
                y0.fma(ws, b0.mul(wc)).intoArray(s, base + (j + 1) * ld);
                b0 = b0.fma(ws.neg(), y0.mul(wc));
                if (j == loB) {
                    b0.intoArray(s, base + j * ld);
                }
            } else {
                y0.intoArray(s, base + j * ld);
            }
        }
        if (loB == loA) {
            DoubleVector wc = DoubleVector.broadcast(S, s[rcB + top - 1 - loA]);
            DoubleVector ws = DoubleVector.broadcast(S, s[rsB + top - 1 - loA]);
            a0.fma(ws, b0.mul(wc)).intoArray(s, base + (loA + 1) * ld);
            b0.fma(ws.neg(), a0.mul(wc)).intoArray(s, base + loA * ld);
        } else {
            a0.intoArray(s, base + loA * ld);
        }
    }

    /** Ascending order: selection sort of d, swapping the rows of Zᵀ alongside. */
    private static void sort(int n, double[] s, int d, int zt, int ld) {
        for (int i = 0; i < n - 1; i++) {
            int k = i;
            double min = s[d + i];
            for (int j = i + 1; j < n; j++) {
                if (s[d + j] < min) {
                    min = s[d + j];
                    k = j;
                }
            }
            if (k != i) {
                s[d + k] = s[d + i];
                s[d + i] = min;
                int ri = zt + i * ld, rk = zt + k * ld;
                for (int j = 0; j < n; j++) {
                    double t = s[ri + j];
                    s[ri + j] = s[rk + j];
                    s[rk + j] = t;
                }
            }
        }
    }

    // ------------------------------------------------------------------ back-transformation

    /**
     * {@code Zᵀ ← Zᵀ H_{n-3} … H_0}, blocks of {@link #NB} reflectors from the last: for the block
     * {@code [kb, ke)}, {@code H_kb … H_{ke-1} = I − V T Vᵀ} with {@code T} upper triangular, so the
     * reversed product is {@code I − V Tᵀ Vᵀ} and {@code Zᵀ[:, kb+1..] −= ((Zᵀ V) Tᵀ) Vᵀ}. {@code Vᵀ} is
     * rows {@code kb..ke-1} of {@code a}, columns {@code kb+1..n-1} (unit entries and zeros to their
     * left stored by {@link #tridiagonalise}).
     */
    private static void backTransform(int n, double[] a, double[] s, int tau, int zt, int ld, int tOff, int wOff,
            int gOff) {
        int nr = n - 2; // reflectors 0..n-3
        if (nr <= 0) {
            return;
        }
        int lastStart = (nr - 1) / NB * NB;
        for (int kb = lastStart; kb >= 0; kb -= NB) {
            int nb = Math.min(NB, nr - kb);
            int mlen = n - kb - 1;
            int vt = kb * n + kb + 1; // Vᵀ (nb × mlen, ld n)
            // T (nb × nb, row-major, upper): T_ii = τ_i; T[0:i, i] = −τ_i T[0:i, 0:i] (V[:, 0:i]ᵀ v_i)
            for (int i = 0; i < nb; i++) {
                double ti = s[tau + kb + i];
                // column i of T above the diagonal, first as the dots
                for (int j = 0; j < i; j++) {
                    // v_j and v_i: row j starts its nonzeros at column j (relative), row i at i
                    s[tOff + j * NB + i] = ti == 0.0 ? 0.0
                            : -ti * dot(mlen - i, a, vt + j * n + i, a, vt + i * n + i);
                }
                // T[0:i, i] = T[0:i, 0:i] · t (upper triangular, in place going down the rows)
                for (int j = 0; j < i; j++) {
                    double acc = 0.0;
                    for (int l = j; l < i; l++) {
                        acc += s[tOff + j * NB + l] * s[tOff + l * NB + i];
                    }
                    s[tOff + j * NB + i] = acc;
                }
                s[tOff + i * NB + i] = ti;
                for (int j = i + 1; j < nb; j++) {
                    s[tOff + j * NB + i] = 0.0;
                }
            }
            // W = Zᵀ[:, kb+1..] V   (n × nb)
            SimdGemmD.gemm(false, true, n, nb, mlen, 1.0, s, zt + kb + 1, ld, a, vt, n, 0.0, s, wOff, nb, s, gOff);
            // W2 = W Tᵀ (T upper triangular with zeros below, so a plain GEMM)
            int w2 = wOff + n * NB;
            SimdGemmD.gemm(false, true, n, nb, nb, 1.0, s, wOff, nb, s, tOff, NB, 0.0, s, w2, nb, s, gOff);
            // Zᵀ[:, kb+1..] −= W Vᵀ
            SimdGemmD.gemm(false, false, n, mlen, nb, -1.0, s, w2, nb, a, vt, n, 1.0, s, zt + kb + 1, ld, s, gOff);
        }
    }

    /** q[i][k] = Qᵀ[k][i], in 8×8 tiles. */
    private static void transpose(int n, double[] s, int zt, int ld, double[] q) {
        final int b = 8;
        for (int k0 = 0; k0 < n; k0 += b) {
            int k1 = Math.min(n, k0 + b);
            for (int i0 = 0; i0 < n; i0 += b) {
                int i1 = Math.min(n, i0 + b);
                for (int k = k0; k < k1; k++) {
                    for (int i = i0; i < i1; i++) {
                        q[i * n + k] = s[zt + k * ld + i];
                    }
                }
            }
        }
    }
}
