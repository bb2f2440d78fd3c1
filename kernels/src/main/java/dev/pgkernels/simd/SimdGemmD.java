package dev.pgkernels.simd;
// GENERATED from simd/SimdGemmF.java by kernels/gen-variants.sh: edit that file and rerun the script.

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The double GEMM of the {@code simd} backend, {@code C = α op(A) op(B) + β C} on row-major operands
 * with offsets and leading dimensions (the contract is {@link dev.pgkernels.linalg.DenseLinalg#gemm}).
 * (SimdGemmD is generated from this file by replacing double with double; keep the two in step.)
 *
 * <p><b>Structure</b> (Goto's algorithm in BLIS's loop order):
 * <pre>
 * for jc in steps of NC over the columns of C
 *   for pc in steps of KC over k:            pack op(B)[pc.., jc..] into NR-column panels (kc × NR, zero-padded)
 *     for ic in steps of MC over the rows:   pack op(A)[ic.., pc..] into MR-row panels (kc × MR, zero-padded)
 *       for jr in steps of NR:               one B micro-panel (L1)
 *         for ir in steps of MR:             micro-kernel: an MR × NR register tile, kc rank-1 updates
 * </pre>
 * {@code MR = }{@link SimdThresholds#GEMM_MR} rows, {@code NR} = two preferred vectors; the
 * micro-kernel keeps {@code 2·MR} accumulators in registers and per step loads two B vectors and
 * broadcasts MR elements of A, all FMAs. Skinny shapes skip the packing of an operand that is not
 * reused ({@link SimdThresholds#GEMM_PACK_A_MIN_N}, {@link SimdThresholds#GEMM_PACK_B_MIN_M}): the
 * micro-kernel reads A through a (row stride, column stride) pair and B through a row stride, so it
 * runs on packed panels and on the operands in place alike. Edge tiles: a partial row or column
 * panel is always packed, zero-padded, so the micro-kernel never reads past an operand; its result
 * goes through a small tile buffer and is stored into C with lane masks ({@code indexInRange}) and
 * only for the rows that exist. A last column panel of at most one vector runs a one-vector
 * micro-kernel ({@code kernel1}), so {@code n = 36} costs 1.5 panels, not 2.
 *
 * <p><b>Scratch, no allocation:</b> all packed panels and the tile buffer live in one caller-given
 * {@code double[]} of at least {@link #scratch(int, int, int)} elements (a
 * {@link dev.pgkernels.linalg.LinalgWorkspace} or a Fisher workspace), so the only allocation of a
 * call is none. Vector values never cross a method call (the accumulators are written to the tile
 * buffer inside the micro-kernel) and are not carried in fields, so C2 keeps them in registers.
 *
 * <p>The depth block is {@code KC}, or {@link #SKINNY_KC} for skinny products ({@link #depthBlock}).
 *
 * <p><b>Rounding.</b> Each element is an double FMA chain over p in ascending order inside each depth
 * block; the blocks are added to C in order. So {@code |err| <= γ_k Σ_p |a_ip b_pj|} plus the
 * roundings of {@code α·acc + β·c} (one per block).
 */
final class SimdGemmD {
    private SimdGemmD() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final int MR = SimdThresholds.GEMM_MR;
    static final int NR = 2 * L;
    static final int KC = SimdThresholds.GEMM_KC;

    /**
     * Depth block of a skinny product ({@link #depthBlock}): {@code 4·KC}. There a packed block is at
     * most MC rows or two panels (it stays in L2 at any depth) and the other operand is read in place
     * or is a few panels, so a deeper block only saves the C tile's reloads and the micro-kernel's
     * restarts. Linear FVP (B 4096, D 256, A 18), best-of-1000, alternated runs: 0.837,
     * 0.844 ms at KC against 0.799, 0.819 ms at 4·KC (forward 256-deep product in one block, the
     * backward's 432-row chunk in one block: 0.29 -> 0.26 ms); MLP 2.57, 2.62 against 2.56, 2.59 ms.
     */
    static final int SKINNY_KC = 4 * KC;
    static final int MC = SimdThresholds.GEMM_MC;
    static final int NC = SimdThresholds.GEMM_NC;

    /**
     * The butterfly of {@link #dots4x4} (16 lanes only): {@code SWAP[h]} exchanges adjacent blocks of
     * {@code h} lanes, {@code HIGH[h]} selects the lanes whose bit {@code h} is set; h = 1, 2, 4, 8.
     */
    private static final VectorShuffle<Double> SWAP1, SWAP2, SWAP4, SWAP8;
    private static final VectorMask<Double> HIGH1, HIGH2, HIGH4, HIGH8;

    /**
     * {@link #dots4x4}'s store (16 lanes only): {@code ROW[r]} moves lanes {@code 4r..4r+3} to 0..3;
     * FIRST4 masks lanes 0..3.
     */
    private static final VectorShuffle<Double> ROW1, ROW2, ROW3;
    private static final VectorMask<Double> FIRST4;

    static {
        if (L == 16) {
            SWAP1 = VectorShuffle.fromOp(S, i -> i ^ 1);
            SWAP2 = VectorShuffle.fromOp(S, i -> i ^ 2);
            SWAP4 = VectorShuffle.fromOp(S, i -> i ^ 4);
            SWAP8 = VectorShuffle.fromOp(S, i -> i ^ 8);
            HIGH1 = VectorMask.fromLong(S, 0xAAAAL);
            HIGH2 = VectorMask.fromLong(S, 0xCCCCL);
            HIGH4 = VectorMask.fromLong(S, 0xF0F0L);
            HIGH8 = VectorMask.fromLong(S, 0xFF00L);
            ROW1 = VectorShuffle.fromOp(S, i -> (i + 4) & 15);
            ROW2 = VectorShuffle.fromOp(S, i -> (i + 8) & 15);
            ROW3 = VectorShuffle.fromOp(S, i -> (i + 12) & 15);
            FIRST4 = VectorMask.fromLong(S, 0xFL);
        } else {
            SWAP1 = SWAP2 = SWAP4 = SWAP8 = null;
            HIGH1 = HIGH2 = HIGH4 = HIGH8 = null;
            ROW1 = ROW2 = ROW3 = null;
            FIRST4 = null;
        }
        if (MR != 6) {
            throw new AssertionError("the micro-kernel is written out for MR = 6");
        }
    }

    private static int roundUp(int x, int q) {
        return (x + q - 1) / q * q;
    }

    /**
     * The depth block of an {@code m × n} product: {@link #SKINNY_KC} if C has at most
     * {@link SimdThresholds#GEMM_PACK_B_MIN_M} columns, or that many rows and a B that is read in place
     * (not transposed), so that no packed block grows with the depth beyond two panels; else {@code KC}.
     */
    static int depthBlock(int m, int n, boolean tb) {
        int skinny = SimdThresholds.GEMM_PACK_B_MIN_M;
        return n <= skinny || (m <= skinny && !tb) ? SKINNY_KC : KC;
    }

    /**
     * Scratch elements a call of this shape needs (packed A block, packed B block, two edge panels, the
     * tile). Monotone in every dimension (callers size one workspace by the largest shape): the
     * KC-deep layout, or, when {@code k > KC}, the largest layout a skinny call of depth up to
     * {@link #SKINNY_KC} can take ({@code A} block of at most MC rows, B block of at most 48 columns
     * rounded up to NR, or none, the edges, the tile), whichever is larger.
     */
    static int scratch(int m, int n, int k) {
        int kc = Math.min(Math.max(k, 1), KC);
        long s = (long) kc * roundUp(Math.min(m, MC), MR) + (long) kc * roundUp(Math.min(n, NC), NR)
                + (long) kc * MR + (long) kc * NR + MR * NR;
        s = Math.max(s, 16L * L); // dots4x4's sums
        if (k > KC) {
            int skinnyB = roundUp(SimdThresholds.GEMM_PACK_B_MIN_M, NR); // a packed B of at most 48 columns
            long skinny = (long) Math.min(k, SKINNY_KC) * (MC + skinnyB + MR + NR) + MR * NR;
            s = Math.max(s, skinny);
        }
        return Math.toIntExact(s);
    }

    /**
     * {@code C = α op(A) op(B) + β C} (checked arguments, {@code m, n >= 1}); {@code w} has at least
     * {@link #scratch} elements from {@code wOff}.
     */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
            double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc, double[] w, int wOff) {
        if (k == 0 || alpha == 0) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        int dots = !ta && tb ? dotColumns(n) : 0;
        if (n > dots) {
            panels(ta, tb, m, n - dots, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, w, wOff);
        }
        if (dots > 0) {
            // the last few columns of C: dot products along k (rows of A and of B are both contiguous there),
            // after the panels, so that they read A where the panels left it (in L2 for a chunk of FVP rows):
            // linear FVP best-of-3000 0.843-0.855 ms with the dots first, 0.791-0.799 ms with them last.
            // (The scratch is free again: its first 16·L elements take the 4 × 4 dot tiles' sums.)
            dotsTail(m, n - dots, dots, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, w, wOff);
        }
    }

    /** The register-panel part of {@link #gemm} (the Goto loops above) on C's first {@code n} columns. */
    private static void panels(boolean ta, boolean tb, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
            double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc, double[] w, int wOff) {
        boolean packA = n > SimdThresholds.GEMM_PACK_A_MIN_N && k > KC / 2;
        boolean packB = tb || m > SimdThresholds.GEMM_PACK_B_MIN_M;
        int kcb = depthBlock(m, n, tb), kcMax = Math.min(k, kcb);
        int bufA = wOff;
        int bufB = bufA + kcMax * roundUp(Math.min(m, MC), MR);
        int edgeA = bufB + (packB ? kcMax * roundUp(Math.min(n, NC), NR) : 0);
        int edgeB = edgeA + kcMax * MR;
        int tile = edgeB + kcMax * NR;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kcb) {
                int kc = Math.min(kcb, k - pc);
                boolean first = pc == 0;
                if (packB) {
                    for (int jr = 0; jr < nc; jr += NR) {
                        packB(tb, b, bOff, ldb, pc, kc, jc + jr, Math.min(NR, nc - jr), w, bufB + jr / NR * kc * NR);
                    }
                } else if (nc % NR != 0) {
                    int jr = nc - nc % NR;
                    packB(false, b, bOff, ldb, pc, kc, jc + jr, nc - jr, w, edgeB);
                }
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    if (packA) {
                        for (int ir = 0; ir < mc; ir += MR) {
                            packA(ta, a, aOff, lda, ic + ir, Math.min(MR, mc - ir), pc, kc, w, bufA + ir / MR * kc * MR);
                        }
                    } else if (mc % MR != 0) {
                        int ir = mc - mc % MR;
                        packA(ta, a, aOff, lda, ic + ir, mc - ir, pc, kc, w, edgeA);
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        double[] bArr;
                        int bBase, bRs;
                        if (packB) {
                            bArr = w;
                            bBase = bufB + jr / NR * kc * NR;
                            bRs = NR;
                        } else if (nr == NR) {
                            bArr = b;
                            bBase = bOff + pc * ldb + jc + jr;
                            bRs = ldb;
                        } else {
                            bArr = w;
                            bBase = edgeB;
                            bRs = NR;
                        }
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            double[] aArr;
                            int aBase, aRs, aCs;
                            if (packA) {
                                aArr = w;
                                aBase = bufA + ir / MR * kc * MR;
                                aRs = 1;
                                aCs = MR;
                            } else if (mr < MR) {
                                aArr = w;
                                aBase = edgeA;
                                aRs = 1;
                                aCs = MR;
                            } else if (ta) {
                                aArr = a;
                                aBase = aOff + pc * lda + ic + ir;
                                aRs = 1;
                                aCs = lda;
                            } else {
                                aArr = a;
                                aBase = aOff + (ic + ir) * lda + pc;
                                aRs = lda;
                                aCs = 1;
                            }
                            if (nr <= L) {
                                kernel1(kc, aArr, aBase, aRs, aCs, bArr, bBase, bRs, w, tile);
                            } else {
                                kernel(kc, aArr, aBase, aRs, aCs, bArr, bBase, bRs, w, tile);
                            }
                            store(w, tile, c, cOff + (ic + ir) * ldc + jc + jr, ldc, mr, nr, alpha, beta, first);
                        }
                    }
                }
            }
        }
    }

    /**
     * How many trailing columns of an {@code A·Bᵀ} product go to {@link #dotsTail}: the at most
     * {@code L/2} columns past the last full register panel of {@code NR}, which would otherwise fill a
     * mostly empty panel (4096×36·36×256: 0.63 -> 0.46 ms, k = 64: 0.17 -> 0.145 ms). Not the columns
     * past a one-vector panel: 18 = 16 + 2 at k = 64 took 0.131 ms that way against 0.103 ms as one
     * padded two-vector panel (the dots' lane reductions cost more than the padding at small k).
     */
    static int dotColumns(int n) {
        int rem = n % NR;
        return rem <= L / 2 ? rem : 0;
    }

    /**
     * {@code C[:, j0..j0+nd) = α A B[j0..j0+nd, :]ᵀ + β C} for a row-major A ({@code m × k}) and a
     * transposed B (its rows j are contiguous along k), {@code nd <= L/2}: each element is a dot product
     * along k, two rows of A by four columns per pass (eight vector accumulators, masked tail over k),
     * each reduced across lanes at the end. Every element of these columns is summed in the same order
     * (lane-wise partial sums, then the lanes), a different order from the micro-kernel's chain, with the
     * same bound {@code γ_k Σ|a b|}; then {@code α·s + β c} as {@link #store} does (C not read when β = 0).
     * With 16-lane vectors a full group of four columns goes four rows at a time through {@link #dots4x4}
     * (the FVP's 4096×256 · 256×4 tail: 0.098 -> 0.078 ms best-of-2000); the rest of the rows, and other
     * lane counts, through {@link #dots2x4}. {@code t[tOff .. +16·L)} is scratch for the 4 × 4 tiles.
     */
    private static void dotsTail(int m, int j0, int nd, int k, double alpha, double[] a, int aOff, int lda, double[] b,
            int bOff, int ldb, double beta, double[] c, int cOff, int ldc, double[] t, int tOff) {
        for (int jg = 0; jg < nd; jg += 4) {
            int g = Math.min(4, nd - jg), jb = j0 + jg;
            // columns past the group's last are its last again (computed, not stored), so the pass has no branches
            int b0 = bOff + jb * ldb, b1 = bOff + (jb + Math.min(1, g - 1)) * ldb;
            int b2 = bOff + (jb + Math.min(2, g - 1)) * ldb, b3 = bOff + (jb + Math.min(3, g - 1)) * ldb;
            int i = 0;
            if (L == 16 && g == 4) {
                for (; i + 4 <= m; i += 4) {
                    dots4x4(k, a, aOff + i * lda, lda, b, b0, b1, b2, b3, alpha, beta, c, cOff + i * ldc + jb, ldc, t,
                            tOff);
                }
            }
            for (; i < m; i += 2) {
                int i1 = Math.min(i + 1, m - 1); // an odd last row is computed twice, stored once
                dots2x4(k, a, aOff + i * lda, aOff + i1 * lda, b, b0, b1, b2, b3, alpha, beta, c,
                        cOff + i * ldc + jb, cOff + i1 * ldc + jb, g, i1 > i);
            }
        }
    }

    /**
     * Four rows of A (from {@code r0}, {@code lda} apart) times B rows b0..b3, dots along k, for 16-lane
     * vectors: sixteen accumulators (8 loads per 16 FMAs), then one butterfly that adds all of them
     * across their lanes at once into one vector whose lane {@code 4r + j} is the dot of row r and
     * column j. A step at block size h adds, for two vectors, the
     * lanes l and l^h of each ({@code blend} of one with the other's block-swapped copy, twice, and an
     * add): 15 such steps (30 lane permutes) replace 16 separate lane reductions (64). Every dot is
     * summed the same way: lane-wise partials over k, then lanes {@code (l, l+8)}, then {@code (+4)},
     * {@code (+2)}, {@code (+1)}, each pair lower lane first, so an element's value does not depend on
     * its row or column. The accumulators enter the tree in bit-reversed lane order (the tree's output
     * lane l holds its input {@code bitrev4(l)}). The tile's rows go to C from the register (a lane
     * rotation and a masked store each), {@code α·s + β c} as {@link #dotOut} rounds it. Three methods
     * passing the sixteen accumulators through {@code t[tOff .. +16·L)}: written as one, C1 gave up on
     * it ("out of virtual registers") and it ran interpreted, boxed, until C2 compiled it (a 50 ms
     * first JMH warmup iteration, and on the loaded machine whole runs at 10-50 ms per product).
     */
    private static void dots4x4(int k, double[] a, int r0, int lda, double[] b, int b0, int b1, int b2, int b3,
            double alpha, double beta, double[] c, int c0, int ldc, double[] t, int tOff) {
        int kb = S.loopBound(k);
        dots4x4Sums(kb, a, r0, lda, b, b0, b1, b2, b3, t, tOff);
        if (kb < k) {
            dots4x4Tail(kb, k, a, r0, lda, b, b0, b1, b2, b3, t, tOff);
        }
        dots4x4Out(t, tOff, alpha, beta, c, c0, ldc);
    }

    /**
     * {@link #dots4x4}'s lane-wise partial sums over {@code p < kb} ({@code kb} a multiple of L): the
     * accumulator of row r, column j at {@code t[tOff + (4r + j)·L ..)}.
     */
    private static void dots4x4Sums(int kb, double[] a, int r0, int lda, double[] b, int b0, int b1, int b2, int b3,
            double[] t, int tOff) {
        int r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
        DoubleVector s00 = DoubleVector.zero(S), s01 = DoubleVector.zero(S), s02 = DoubleVector.zero(S),
                s03 = DoubleVector.zero(S);
        DoubleVector s10 = DoubleVector.zero(S), s11 = DoubleVector.zero(S), s12 = DoubleVector.zero(S),
                s13 = DoubleVector.zero(S);
        DoubleVector s20 = DoubleVector.zero(S), s21 = DoubleVector.zero(S), s22 = DoubleVector.zero(S),
                s23 = DoubleVector.zero(S);
        DoubleVector s30 = DoubleVector.zero(S), s31 = DoubleVector.zero(S), s32 = DoubleVector.zero(S),
                s33 = DoubleVector.zero(S);
        for (int p = 0; p < kb; p += L) {
            DoubleVector x0 = DoubleVector.fromArray(S, a, r0 + p), x1 = DoubleVector.fromArray(S, a, r1 + p);
            DoubleVector x2 = DoubleVector.fromArray(S, a, r2 + p), x3 = DoubleVector.fromArray(S, a, r3 + p);
            DoubleVector y = DoubleVector.fromArray(S, b, b0 + p);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            s20 = x2.fma(y, s20);
            s30 = x3.fma(y, s30);
            y = DoubleVector.fromArray(S, b, b1 + p);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            s21 = x2.fma(y, s21);
            s31 = x3.fma(y, s31);
            y = DoubleVector.fromArray(S, b, b2 + p);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            s22 = x2.fma(y, s22);
            s32 = x3.fma(y, s32);
            y = DoubleVector.fromArray(S, b, b3 + p);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
            s23 = x2.fma(y, s23);
            s33 = x3.fma(y, s33);
        }
        s00.intoArray(t, tOff);
        s01.intoArray(t, tOff + 1 * L);
        s02.intoArray(t, tOff + 2 * L);
        s03.intoArray(t, tOff + 3 * L);
        s10.intoArray(t, tOff + 4 * L);
        s11.intoArray(t, tOff + 5 * L);
        s12.intoArray(t, tOff + 6 * L);
        s13.intoArray(t, tOff + 7 * L);
        s20.intoArray(t, tOff + 8 * L);
        s21.intoArray(t, tOff + 9 * L);
        s22.intoArray(t, tOff + 10 * L);
        s23.intoArray(t, tOff + 11 * L);
        s30.intoArray(t, tOff + 12 * L);
        s31.intoArray(t, tOff + 13 * L);
        s32.intoArray(t, tOff + 14 * L);
        s33.intoArray(t, tOff + 15 * L);
    }

    /** Adds the masked last step {@code kb <= p < k} to {@link #dots4x4Sums}'s accumulators in t. */
    private static void dots4x4Tail(int p, int k, double[] a, int r0, int lda, double[] b, int b0, int b1, int b2,
            int b3, double[] t, int tOff) {
        int r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
        VectorMask<Double> mk = S.indexInRange(p, k);
        DoubleVector s00 = DoubleVector.fromArray(S, t, tOff), s01 = DoubleVector.fromArray(S, t, tOff + 1 * L),
                s02 = DoubleVector.fromArray(S, t, tOff + 2 * L), s03 = DoubleVector.fromArray(S, t, tOff + 3 * L);
        DoubleVector s10 = DoubleVector.fromArray(S, t, tOff + 4 * L), s11 = DoubleVector.fromArray(S, t, tOff + 5 * L),
                s12 = DoubleVector.fromArray(S, t, tOff + 6 * L), s13 = DoubleVector.fromArray(S, t, tOff + 7 * L);
        DoubleVector s20 = DoubleVector.fromArray(S, t, tOff + 8 * L), s21 = DoubleVector.fromArray(S, t, tOff + 9 * L),
                s22 = DoubleVector.fromArray(S, t, tOff + 10 * L), s23 = DoubleVector.fromArray(S, t, tOff + 11 * L);
        DoubleVector s30 = DoubleVector.fromArray(S, t, tOff + 12 * L), s31 = DoubleVector.fromArray(S, t, tOff + 13 * L),
                s32 = DoubleVector.fromArray(S, t, tOff + 14 * L), s33 = DoubleVector.fromArray(S, t, tOff + 15 * L);
            DoubleVector x0 = DoubleVector.fromArray(S, a, r0 + p, mk), x1 = DoubleVector.fromArray(S, a, r1 + p, mk);
            DoubleVector x2 = DoubleVector.fromArray(S, a, r2 + p, mk), x3 = DoubleVector.fromArray(S, a, r3 + p, mk);
            DoubleVector y = DoubleVector.fromArray(S, b, b0 + p, mk);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            s20 = x2.fma(y, s20);
            s30 = x3.fma(y, s30);
            y = DoubleVector.fromArray(S, b, b1 + p, mk);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            s21 = x2.fma(y, s21);
            s31 = x3.fma(y, s31);
            y = DoubleVector.fromArray(S, b, b2 + p, mk);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            s22 = x2.fma(y, s22);
            s32 = x3.fma(y, s32);
            y = DoubleVector.fromArray(S, b, b3 + p, mk);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
            s23 = x2.fma(y, s23);
            s33 = x3.fma(y, s33);
        s00.intoArray(t, tOff);
        s01.intoArray(t, tOff + 1 * L);
        s02.intoArray(t, tOff + 2 * L);
        s03.intoArray(t, tOff + 3 * L);
        s10.intoArray(t, tOff + 4 * L);
        s11.intoArray(t, tOff + 5 * L);
        s12.intoArray(t, tOff + 6 * L);
        s13.intoArray(t, tOff + 7 * L);
        s20.intoArray(t, tOff + 8 * L);
        s21.intoArray(t, tOff + 9 * L);
        s22.intoArray(t, tOff + 10 * L);
        s23.intoArray(t, tOff + 11 * L);
        s30.intoArray(t, tOff + 12 * L);
        s31.intoArray(t, tOff + 13 * L);
        s32.intoArray(t, tOff + 14 * L);
        s33.intoArray(t, tOff + 15 * L);
    }

    /** The butterfly over {@link #dots4x4Sums}'s accumulators in t and the store of the 4 × 4 tile into C. */
    private static void dots4x4Out(double[] t, int tOff, double alpha, double beta, double[] c, int c0, int ldc) {
        DoubleVector s00 = DoubleVector.fromArray(S, t, tOff), s01 = DoubleVector.fromArray(S, t, tOff + 1 * L),
                s02 = DoubleVector.fromArray(S, t, tOff + 2 * L), s03 = DoubleVector.fromArray(S, t, tOff + 3 * L);
        DoubleVector s10 = DoubleVector.fromArray(S, t, tOff + 4 * L), s11 = DoubleVector.fromArray(S, t, tOff + 5 * L),
                s12 = DoubleVector.fromArray(S, t, tOff + 6 * L), s13 = DoubleVector.fromArray(S, t, tOff + 7 * L);
        DoubleVector s20 = DoubleVector.fromArray(S, t, tOff + 8 * L), s21 = DoubleVector.fromArray(S, t, tOff + 9 * L),
                s22 = DoubleVector.fromArray(S, t, tOff + 10 * L), s23 = DoubleVector.fromArray(S, t, tOff + 11 * L);
        DoubleVector s30 = DoubleVector.fromArray(S, t, tOff + 12 * L), s31 = DoubleVector.fromArray(S, t, tOff + 13 * L),
                s32 = DoubleVector.fromArray(S, t, tOff + 14 * L), s33 = DoubleVector.fromArray(S, t, tOff + 15 * L);
        // tree input k holds output lane bitrev4(k) = 4r + j: inputs 0..15 are
        // s00 s20 s10 s30 s02 s22 s12 s32 s01 s21 s11 s31 s03 s23 s13 s33; level h = 8 on pairs (2i, 2i+1)
        DoubleVector u0 = s00.blend(s20.rearrange(SWAP8), HIGH8).add(s00.rearrange(SWAP8).blend(s20, HIGH8));
        DoubleVector u1 = s10.blend(s30.rearrange(SWAP8), HIGH8).add(s10.rearrange(SWAP8).blend(s30, HIGH8));
        DoubleVector u2 = s02.blend(s22.rearrange(SWAP8), HIGH8).add(s02.rearrange(SWAP8).blend(s22, HIGH8));
        DoubleVector u3 = s12.blend(s32.rearrange(SWAP8), HIGH8).add(s12.rearrange(SWAP8).blend(s32, HIGH8));
        DoubleVector u4 = s01.blend(s21.rearrange(SWAP8), HIGH8).add(s01.rearrange(SWAP8).blend(s21, HIGH8));
        DoubleVector u5 = s11.blend(s31.rearrange(SWAP8), HIGH8).add(s11.rearrange(SWAP8).blend(s31, HIGH8));
        DoubleVector u6 = s03.blend(s23.rearrange(SWAP8), HIGH8).add(s03.rearrange(SWAP8).blend(s23, HIGH8));
        DoubleVector u7 = s13.blend(s33.rearrange(SWAP8), HIGH8).add(s13.rearrange(SWAP8).blend(s33, HIGH8));
        DoubleVector w0 = u0.blend(u1.rearrange(SWAP4), HIGH4).add(u0.rearrange(SWAP4).blend(u1, HIGH4));
        DoubleVector w1 = u2.blend(u3.rearrange(SWAP4), HIGH4).add(u2.rearrange(SWAP4).blend(u3, HIGH4));
        DoubleVector w2 = u4.blend(u5.rearrange(SWAP4), HIGH4).add(u4.rearrange(SWAP4).blend(u5, HIGH4));
        DoubleVector w3 = u6.blend(u7.rearrange(SWAP4), HIGH4).add(u6.rearrange(SWAP4).blend(u7, HIGH4));
        DoubleVector z0 = w0.blend(w1.rearrange(SWAP2), HIGH2).add(w0.rearrange(SWAP2).blend(w1, HIGH2));
        DoubleVector z1 = w2.blend(w3.rearrange(SWAP2), HIGH2).add(w2.rearrange(SWAP2).blend(w3, HIGH2));
        DoubleVector sum = z0.blend(z1.rearrange(SWAP1), HIGH1).add(z0.rearrange(SWAP1).blend(z1, HIGH1));
        // row r of the tile is lanes 4r..4r+3: moved to lanes 0..3 and stored (masked) as dotOut rounds;
        // written out here, not in a helper taking vectors (one left out of line would box them)
        DoubleVector va = DoubleVector.broadcast(S, alpha);
        DoubleVector s1 = sum.rearrange(ROW1), s2 = sum.rearrange(ROW2), s3 = sum.rearrange(ROW3);
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        if (beta == 0) {
            sum.mul(va).intoArray(c, c0, FIRST4);
            s1.mul(va).intoArray(c, c1, FIRST4);
            s2.mul(va).intoArray(c, c2, FIRST4);
            s3.mul(va).intoArray(c, c3, FIRST4);
        } else {
            DoubleVector vb = DoubleVector.broadcast(S, beta);
            DoubleVector o0 = DoubleVector.fromArray(S, c, c0, FIRST4), o1 = DoubleVector.fromArray(S, c, c1, FIRST4);
            DoubleVector o2 = DoubleVector.fromArray(S, c, c2, FIRST4), o3 = DoubleVector.fromArray(S, c, c3, FIRST4);
            if (beta != 1) {
                o0 = o0.mul(vb);
                o1 = o1.mul(vb);
                o2 = o2.mul(vb);
                o3 = o3.mul(vb);
            }
            sum.fma(va, o0).intoArray(c, c0, FIRST4);
            s1.fma(va, o1).intoArray(c, c1, FIRST4);
            s2.fma(va, o2).intoArray(c, c2, FIRST4);
            s3.fma(va, o3).intoArray(c, c3, FIRST4);
        }
    }

    /**
     * Rows r0, r1 of A times B rows b0..b3 (dots along k), stored into the first {@code g} columns at c0
     * and, when {@code two}, at c1 (else r1 is r0 again and its results are dropped).
     */
    private static void dots2x4(int k, double[] a, int r0, int r1, double[] b, int b0, int b1, int b2, int b3,
            double alpha, double beta, double[] c, int c0, int c1, int g, boolean two) {
        DoubleVector s00 = DoubleVector.zero(S), s01 = DoubleVector.zero(S), s02 = DoubleVector.zero(S),
                s03 = DoubleVector.zero(S);
        DoubleVector s10 = DoubleVector.zero(S), s11 = DoubleVector.zero(S), s12 = DoubleVector.zero(S),
                s13 = DoubleVector.zero(S);
        int p = 0;
        for (int bound = S.loopBound(k); p < bound; p += L) {
            DoubleVector x0 = DoubleVector.fromArray(S, a, r0 + p), x1 = DoubleVector.fromArray(S, a, r1 + p);
            DoubleVector y = DoubleVector.fromArray(S, b, b0 + p);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            y = DoubleVector.fromArray(S, b, b1 + p);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            y = DoubleVector.fromArray(S, b, b2 + p);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            y = DoubleVector.fromArray(S, b, b3 + p);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
        }
        if (p < k) {
            VectorMask<Double> mk = S.indexInRange(p, k);
            DoubleVector x0 = DoubleVector.fromArray(S, a, r0 + p, mk), x1 = DoubleVector.fromArray(S, a, r1 + p, mk);
            DoubleVector y = DoubleVector.fromArray(S, b, b0 + p, mk);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            y = DoubleVector.fromArray(S, b, b1 + p, mk);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            y = DoubleVector.fromArray(S, b, b2 + p, mk);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            y = DoubleVector.fromArray(S, b, b3 + p, mk);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
        }
        dotOut(s00.reduceLanes(VectorOperators.ADD), alpha, beta, c, c0);
        if (g > 1) dotOut(s01.reduceLanes(VectorOperators.ADD), alpha, beta, c, c0 + 1);
        if (g > 2) dotOut(s02.reduceLanes(VectorOperators.ADD), alpha, beta, c, c0 + 2);
        if (g > 3) dotOut(s03.reduceLanes(VectorOperators.ADD), alpha, beta, c, c0 + 3);
        if (two) {
            dotOut(s10.reduceLanes(VectorOperators.ADD), alpha, beta, c, c1);
            if (g > 1) dotOut(s11.reduceLanes(VectorOperators.ADD), alpha, beta, c, c1 + 1);
            if (g > 2) dotOut(s12.reduceLanes(VectorOperators.ADD), alpha, beta, c, c1 + 2);
            if (g > 3) dotOut(s13.reduceLanes(VectorOperators.ADD), alpha, beta, c, c1 + 3);
        }
    }

    /** c[i] = α s + β c[i] (c not read when β = 0), rounded as {@link #store} rounds. */
    private static void dotOut(double s, double alpha, double beta, double[] c, int i) {
        double old = beta == 0 ? 0f : beta == 1 ? c[i] : beta * c[i];
        c[i] = Math.fma(s, alpha, old);
    }

    /** C = β C (β = 0: zeros, C not read). */
    private static void scale(int m, int n, double beta, double[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0) {
                Arrays.fill(c, row, row + n, 0);
            } else if (beta != 1) {
                for (int j = 0; j < n; j++) {
                    c[row + j] *= beta;
                }
            }
        }
    }

    /** Packs op(B)[pc..pc+kc, j0..j0+w) into a kc × NR panel at dst, columns past w zero. */
    private static void packB(boolean tb, double[] b, int bOff, int ldb, int pc, int kc, int j0, int w, double[] dst,
            int d) {
        if (!tb) {
            VectorMask<Double> m0 = S.indexInRange(0, w), m1 = S.indexInRange(L, w);
            for (int p = 0; p < kc; p++) {
                int src = bOff + (pc + p) * ldb + j0;
                if (w == NR) {
                    DoubleVector.fromArray(S, b, src).intoArray(dst, d + p * NR);
                    DoubleVector.fromArray(S, b, src + L).intoArray(dst, d + p * NR + L);
                } else {
                    DoubleVector.fromArray(S, b, src, m0).intoArray(dst, d + p * NR);
                    DoubleVector.fromArray(S, b, src + L, m1).intoArray(dst, d + p * NR + L);
                }
            }
        } else {
            if (w < NR) {
                for (int p = 0; p < kc; p++) {
                    Arrays.fill(dst, d + p * NR + w, d + p * NR + NR, 0);
                }
            }
            for (int j = 0; j < w; j++) {
                int src = bOff + (j0 + j) * ldb + pc;
                for (int p = 0; p < kc; p++) {
                    dst[d + p * NR + j] = b[src + p];
                }
            }
        }
    }

    /** Packs op(A)[i0..i0+h, pc..pc+kc) into a kc × MR panel at dst (row r of the panel at dst[p*MR + r]), rows past h zero. */
    private static void packA(boolean ta, double[] a, int aOff, int lda, int i0, int h, int pc, int kc, double[] dst,
            int d) {
        if (ta) {
            for (int p = 0; p < kc; p++) {
                int src = aOff + (pc + p) * lda + i0, o = d + p * MR;
                for (int r = 0; r < h; r++) {
                    dst[o + r] = a[src + r];
                }
                for (int r = h; r < MR; r++) {
                    dst[o + r] = 0;
                }
            }
        } else {
            for (int r = 0; r < h; r++) {
                int src = aOff + (i0 + r) * lda + pc;
                for (int p = 0; p < kc; p++) {
                    dst[d + p * MR + r] = a[src + p];
                }
            }
            if (h < MR) {
                for (int p = 0; p < kc; p++) {
                    for (int r = h; r < MR; r++) {
                        dst[d + p * MR + r] = 0;
                    }
                }
            }
        }
    }

    /**
     * The micro-kernel: {@code T = Σ_{p<kc} A[:, p] B[p, :]} for an MR × NR tile, A element (r, p) at
     * {@code a[aBase + r*aRs + p*aCs]}, B row p at {@code b[bBase + p*bRs .. + NR)}; the tile is
     * written row-major ({@code NR} per row) into {@code t[tOff ..)}.
     */
    private static void kernel(int kc, double[] a, int aBase, int aRs, int aCs, double[] b, int bBase, int bRs,
            double[] t, int tOff) {
        DoubleVector c00 = DoubleVector.zero(S), c01 = DoubleVector.zero(S);
        DoubleVector c10 = DoubleVector.zero(S), c11 = DoubleVector.zero(S);
        DoubleVector c20 = DoubleVector.zero(S), c21 = DoubleVector.zero(S);
        DoubleVector c30 = DoubleVector.zero(S), c31 = DoubleVector.zero(S);
        DoubleVector c40 = DoubleVector.zero(S), c41 = DoubleVector.zero(S);
        DoubleVector c50 = DoubleVector.zero(S), c51 = DoubleVector.zero(S);
        int r1 = aRs, r2 = 2 * aRs, r3 = 3 * aRs, r4 = 4 * aRs, r5 = 5 * aRs;
        int ai = aBase, bi = bBase;
        for (int p = 0; p < kc; p++) {
            DoubleVector b0 = DoubleVector.fromArray(S, b, bi);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bi + L);
            DoubleVector x = DoubleVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = DoubleVector.broadcast(S, a[ai + r1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = DoubleVector.broadcast(S, a[ai + r2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = DoubleVector.broadcast(S, a[ai + r3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = DoubleVector.broadcast(S, a[ai + r4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = DoubleVector.broadcast(S, a[ai + r5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            ai += aCs;
            bi += bRs;
        }
        c00.intoArray(t, tOff);
        c01.intoArray(t, tOff + L);
        c10.intoArray(t, tOff + NR);
        c11.intoArray(t, tOff + NR + L);
        c20.intoArray(t, tOff + 2 * NR);
        c21.intoArray(t, tOff + 2 * NR + L);
        c30.intoArray(t, tOff + 3 * NR);
        c31.intoArray(t, tOff + 3 * NR + L);
        c40.intoArray(t, tOff + 4 * NR);
        c41.intoArray(t, tOff + 4 * NR + L);
        c50.intoArray(t, tOff + 5 * NR);
        c51.intoArray(t, tOff + 5 * NR + L);
    }

    /**
     * The edge micro-kernel for a last column panel of at most one vector ({@code nr <= L}, e.g. the
     * 4 columns past 32 of the FVP's {@code 2A = 36}): as {@link #kernel} with one vector of columns,
     * so the padding costs half a panel instead of a whole one. Writes the first {@code L} columns of
     * each tile row (the store masks off the rest).
     */
    private static void kernel1(int kc, double[] a, int aBase, int aRs, int aCs, double[] b, int bBase, int bRs,
            double[] t, int tOff) {
        DoubleVector c0 = DoubleVector.zero(S), c1 = DoubleVector.zero(S), c2 = DoubleVector.zero(S);
        DoubleVector c3 = DoubleVector.zero(S), c4 = DoubleVector.zero(S), c5 = DoubleVector.zero(S);
        int r1 = aRs, r2 = 2 * aRs, r3 = 3 * aRs, r4 = 4 * aRs, r5 = 5 * aRs;
        int ai = aBase, bi = bBase;
        for (int p = 0; p < kc; p++) {
            DoubleVector b0 = DoubleVector.fromArray(S, b, bi);
            c0 = DoubleVector.broadcast(S, a[ai]).fma(b0, c0);
            c1 = DoubleVector.broadcast(S, a[ai + r1]).fma(b0, c1);
            c2 = DoubleVector.broadcast(S, a[ai + r2]).fma(b0, c2);
            c3 = DoubleVector.broadcast(S, a[ai + r3]).fma(b0, c3);
            c4 = DoubleVector.broadcast(S, a[ai + r4]).fma(b0, c4);
            c5 = DoubleVector.broadcast(S, a[ai + r5]).fma(b0, c5);
            ai += aCs;
            bi += bRs;
        }
        c0.intoArray(t, tOff);
        c1.intoArray(t, tOff + NR);
        c2.intoArray(t, tOff + 2 * NR);
        c3.intoArray(t, tOff + 3 * NR);
        c4.intoArray(t, tOff + 4 * NR);
        c5.intoArray(t, tOff + 5 * NR);
    }

    /**
     * C tile = α T + (first ? β C : C) for its {@code mr} existing rows and {@code nr} existing
     * columns (lane masks); with {@code first} and β = 0, C is not read.
     */
    private static void store(double[] t, int tOff, double[] c, int cBase, int ldc, int mr, int nr, double alpha,
            double beta, boolean first) {
        VectorMask<Double> m0 = S.indexInRange(0, nr), m1 = S.indexInRange(L, nr);
        DoubleVector va = DoubleVector.broadcast(S, alpha);
        for (int r = 0; r < mr; r++) {
            int co = cBase + r * ldc, to = tOff + r * NR;
            DoubleVector t0 = DoubleVector.fromArray(S, t, to), t1 = DoubleVector.fromArray(S, t, to + L);
            DoubleVector old0, old1;
            if (first && beta == 0) {
                old0 = DoubleVector.zero(S);
                old1 = old0;
            } else {
                old0 = DoubleVector.fromArray(S, c, co, m0);
                old1 = DoubleVector.fromArray(S, c, co + L, m1);
                if (first && beta != 1) {
                    old0 = old0.mul(beta);
                    old1 = old1.mul(beta);
                }
            }
            t0.fma(va, old0).intoArray(c, co, m0);
            t1.fma(va, old1).intoArray(c, co + L, m1);
        }
    }
}
