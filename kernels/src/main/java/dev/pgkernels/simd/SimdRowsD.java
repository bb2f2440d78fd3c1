package dev.pgkernels.simd;
// GENERATED from simd/SimdRowsF.java by kernels/gen-variants.sh: edit that file and rerun the script.

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row-wise parts of the {@code simd} Fisher-vector products ({@link SimdFvpF}): bias, softmax and
 * {@code M_i}, tanh and its derivative, column sums — vector loops over a row's width with a masked
 * tail (preferred species). Reductions reassociate (SIMD). (SimdRowsD is generated from this file by
 * replacing double with double.)
 */
final class SimdRowsD {
    private SimdRowsD() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /**
     * Widest Y row ({@code ld}) for which {@link #softmaxMRows} goes across rows (a Y row holds q|u,
     * so {@code A <= 32}); wider rows go row by row, where a row fills several vectors anyway.
     */
    static final int ACROSS_MAX_LD = 64;

    /** Gather/scatter maps: {@code MAPS[ld·L + r] = r·ld} for {@code ld <= ACROSS_MAX_LD}. */
    private static final int[] MAPS = new int[(ACROSS_MAX_LD + 1) * L];

    static {
        for (int ld = 0; ld <= ACROSS_MAX_LD; ld++) {
            for (int r = 0; r < L; r++) {
                MAPS[ld * L + r] = r * ld;
            }
        }
    }

    /** Scratch floats {@link #softmaxMRows} needs for width {@code a}: two {@code a × L} tiles and three lane vectors. */
    static int rowsScratch(int a) {
        return (2 * a + 3) * L;
    }

    /**
     * {@link #softmaxM} on rows {@code 0..n} of Y (row i at {@code yo + i·ld}, {@code ld >= 2a}), except
     * that only w is written back (Y[0..a) then holds unspecified values; the products use only w). For
     * {@code ld <= }{@link #ACROSS_MAX_LD} it goes ACROSS rows: {@code L} rows at a time, each lane one row,
     * column j of the group gathered into one vector (q and u into two transposed {@code a × L} tiles at
     * {@code t[to..)}), so max, exp, sums and {@code M_i} are lane-wise with no reduction and no masked
     * tail inside a row, and w is scattered back; the last, partial group masks its missing lanes. Each
     * lane sums its row in j order, the same in every group (an element's result does not depend on the
     * lane it sits in). Scratch: {@link #rowsScratch} floats at {@code to}.
     */
    static void softmaxMRows(int n, int a, double[] y, int yo, int ld, double[] theta, int bOff, double[] v, double[] t,
            int to) {
        if (ld > ACROSS_MAX_LD) {
            for (int i = 0; i < n; i++) {
                softmaxM(a, y, yo + i * ld, theta, bOff, v);
            }
            return;
        }
        // Four small methods per group, the lane values between them in t: no vector crosses a call.
        int tq = to, tu = tq + a * L, tl = tu + a * L;
        for (int r0 = 0; r0 < n; r0 += L) {
            int rows = Math.min(L, n - r0), base = yo + r0 * ld;
            gatherMax(a, y, base, ld, rows, theta, bOff, t, tq, tl);
            expSumAcross(a, t, tq, tl);
            piDotAcross(a, y, base + a, ld, rows, v, bOff, t, tq, tu, tl);
            scatterW(a, y, base + a, ld, rows, t, tq, tu, tl);
        }
    }

    /** Tile q = gathered q + b (lanes past {@code rows} read 0); lane maxima into t[tl..). */
    private static void gatherMax(int a, double[] y, int base, int ld, int rows, double[] theta, int bOff, double[] t,
            int tq, int tl) {
        DoubleVector mx = DoubleVector.broadcast(S, Double.NEGATIVE_INFINITY);
        if (rows == L) {
            for (int j = 0; j < a; j++) {
                DoubleVector q = DoubleVector.fromArray(S, y, base + j, MAPS, ld * L).add(theta[bOff + j]);
                q.intoArray(t, tq + j * L);
                mx = mx.max(q);
            }
        } else {
            VectorMask<Double> m = S.indexInRange(0, rows);
            for (int j = 0; j < a; j++) {
                DoubleVector q = DoubleVector.fromArray(S, y, base + j, MAPS, ld * L, m).add(theta[bOff + j]);
                q.intoArray(t, tq + j * L);
                mx = mx.max(q);
            }
        }
        mx.intoArray(t, tl);
    }

    /**
     * Tile q = exp(q - max) lane-wise; 1/Σ into t[tl + L..). double uses the inline {@link SimdExp#expNonPositive}
     * (within 2 ulp; {@code VectorOperators.EXP} is a native call that spills {@code mx} and {@code sum}
     * around it): linear FVP softmax stage 0.110 -> 0.105 ms. (gen-variants.sh gives SimdRowsD
     * {@code EXP} again: SimdExp is double only.)
     */
    private static void expSumAcross(int a, double[] t, int tq, int tl) {
        DoubleVector mx = DoubleVector.fromArray(S, t, tl);
        DoubleVector sum = DoubleVector.zero(S);
        for (int j = 0; j < a; j++) {
            DoubleVector e = DoubleVector.fromArray(S, t, tq + j * L).sub(mx).lanewise(VectorOperators.EXP);
            e.intoArray(t, tq + j * L);
            sum = sum.add(e);
        }
        DoubleVector.broadcast(S, 1.0).div(sum).intoArray(t, tl + L);
    }

    /** Tile q = pi = e / Σ; tile u = gathered u + c; <pi, u> into t[tl + 2L..). */
    private static void piDotAcross(int a, double[] y, int base, int ld, int rows, double[] v, int bOff, double[] t,
            int tq, int tu, int tl) {
        DoubleVector inv = DoubleVector.fromArray(S, t, tl + L);
        DoubleVector pu = DoubleVector.zero(S);
        VectorMask<Double> m = S.indexInRange(0, rows);
        for (int j = 0; j < a; j++) {
            DoubleVector pi = DoubleVector.fromArray(S, t, tq + j * L).mul(inv);
            pi.intoArray(t, tq + j * L);
            DoubleVector u = (rows == L ? DoubleVector.fromArray(S, y, base + j, MAPS, ld * L)
                    : DoubleVector.fromArray(S, y, base + j, MAPS, ld * L, m)).add(v[bOff + j]);
            u.intoArray(t, tu + j * L);
            pu = pi.fma(u, pu);
        }
        pu.intoArray(t, tl + 2 * L);
    }

    /** w = pi ⊙ (u - <pi, u>) scattered into the rows' u place (only the {@code rows} existing lanes). */
    private static void scatterW(int a, double[] y, int base, int ld, int rows, double[] t, int tq, int tu, int tl) {
        DoubleVector pu = DoubleVector.fromArray(S, t, tl + 2 * L);
        if (rows == L) {
            for (int j = 0; j < a; j++) {
                DoubleVector w = DoubleVector.fromArray(S, t, tq + j * L)
                        .mul(DoubleVector.fromArray(S, t, tu + j * L).sub(pu));
                w.intoArray(y, base + j, MAPS, ld * L);
            }
        } else {
            VectorMask<Double> m = S.indexInRange(0, rows);
            for (int j = 0; j < a; j++) {
                DoubleVector w = DoubleVector.fromArray(S, t, tq + j * L)
                        .mul(DoubleVector.fromArray(S, t, tu + j * L).sub(pu));
                w.intoArray(y, base + j, MAPS, ld * L, m);
            }
        }
    }

    /**
     * Row i of Y (width 2a at yo): q = Y[0..a) + b, u = Y[a..2a) + c; pi = softmax(q) (row max
     * subtracted) into Y[0..a), w = pi ⊙ (u - <pi, u>) into Y[a..2a). Reductions reassociate (SIMD).
     */
    static void softmaxM(int a, double[] y, int yo, double[] theta, int bOff, double[] v) {
        // Four small methods, scalars between them: no vector is carried from one chunk to the next
        // or crosses a call (loop-carried vectors got boxed inside the drivers' row loops), and C1 can
        // compile each part (the one-method version sometimes failed at tier 3 with "out of virtual
        // registers in LIR generator" and then ran boxed, about 19 MB and 30x slower per product).
        double max = addBiasMax(a, y, yo, theta, bOff);
        double sum = expSum(a, y, yo, max);
        double pu = piAndDot(a, y, yo, 1.0 / sum, v, bOff);
        applyM(a, y, yo, pu);
    }

    /** q += b in place; returns max q. */
    private static double addBiasMax(int a, double[] y, int yo, double[] theta, int bOff) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < a; j += L) {
            VectorMask<Double> m = S.indexInRange(j, a);
            DoubleVector q = DoubleVector.fromArray(S, y, yo + j, m).add(DoubleVector.fromArray(S, theta, bOff + j, m));
            q.intoArray(y, yo + j, m);
            max = Math.max(max, q.reduceLanes(VectorOperators.MAX, m));
        }
        return max;
    }

    /** q = exp(q - max) in place; returns the sum. */
    private static double expSum(int a, double[] y, int yo, double max) {
        double sum = 0;
        for (int j = 0; j < a; j += L) {
            VectorMask<Double> m = S.indexInRange(j, a);
            DoubleVector e = DoubleVector.fromArray(S, y, yo + j, m).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(y, yo + j, m);
            sum += e.reduceLanes(VectorOperators.ADD, m);
        }
        return sum;
    }

    /** pi = e · inv in place, u += c in place; returns <pi, u>. */
    private static double piAndDot(int a, double[] y, int yo, double inv, double[] v, int bOff) {
        double pu = 0;
        for (int j = 0; j < a; j += L) {
            VectorMask<Double> m = S.indexInRange(j, a);
            DoubleVector pi = DoubleVector.fromArray(S, y, yo + j, m).mul(inv);
            pi.intoArray(y, yo + j, m);
            DoubleVector u = DoubleVector.fromArray(S, y, yo + a + j, m).add(DoubleVector.fromArray(S, v, bOff + j, m));
            u.intoArray(y, yo + a + j, m);
            pu += pi.mul(u).reduceLanes(VectorOperators.ADD, m);
        }
        return pu;
    }

    /** w = pi ⊙ (u - <pi, u>) into u's place. */
    private static void applyM(int a, double[] y, int yo, double pu) {
        for (int j = 0; j < a; j += L) {
            VectorMask<Double> m = S.indexInRange(j, a);
            DoubleVector pi = DoubleVector.fromArray(S, y, yo + j, m);
            DoubleVector u = DoubleVector.fromArray(S, y, yo + a + j, m);
            pi.mul(u.sub(pu)).intoArray(y, yo + a + j, m);
        }
    }

    /**
     * Rows {@code 0..n} of Y (row i at {@code yo + i·ld}, width 2h): z = Y[i, 0..h) + b, dz = Y[i, h..2h) + c;
     * h = tanh z into Y[i, 0..h), dh = (1 - h²) dz into Y[i, h..2h). One vector of columns at a time down
     * all the rows, its bias vectors b and c loaded once; full vectors unmasked, the last partial one
     * masked (per-row calls with masks took 18.5 µs per 336 × 64 chunk, this 11.7).
     */
    static void tanhRows(int n, int h, double[] y, int yo, int ld, double[] theta, int bOff, double[] v) {
        int j = 0;
        for (int bound = S.loopBound(h); j < bound; j += L) {
            DoubleVector b = DoubleVector.fromArray(S, theta, bOff + j), c = DoubleVector.fromArray(S, v, bOff + j);
            for (int i = 0, r = yo + j; i < n; i++, r += ld) {
                DoubleVector t = DoubleVector.fromArray(S, y, r).add(b).lanewise(VectorOperators.TANH);
                t.intoArray(y, r);
                t.mul(t).neg().add(1.0).mul(DoubleVector.fromArray(S, y, r + h).add(c)).intoArray(y, r + h);
            }
        }
        if (j < h) {
            VectorMask<Double> m = S.indexInRange(j, h);
            DoubleVector b = DoubleVector.fromArray(S, theta, bOff + j, m), c = DoubleVector.fromArray(S, v, bOff + j, m);
            for (int i = 0, r = yo + j; i < n; i++, r += ld) {
                DoubleVector t = DoubleVector.fromArray(S, y, r, m).add(b).lanewise(VectorOperators.TANH);
                t.intoArray(y, r, m);
                t.mul(t).neg().add(1.0).mul(DoubleVector.fromArray(S, y, r + h, m).add(c)).intoArray(y, r + h, m);
            }
        }
    }

    /**
     * The backward pass through tanh fused with the bias gradient, over rows {@code 0..n} of Y (row i at
     * {@code yo + i·ld}): {@code g = Y[i, h..2h) *= 1 - Y[i, 0..h)²}, and {@code out[o..o+h) += inv · Σ_i g}.
     * One vector of columns at a time down all the rows, its sum in a register; each column is summed
     * over the rows in order (the same order for every column).
     */
    static void tanhBackSums(int n, int h, double[] y, int yo, int ld, double inv, double[] out, int o) {
        for (int j = 0; j < h; j += L) {
            VectorMask<Double> m = S.indexInRange(j, h);
            DoubleVector acc = DoubleVector.zero(S);
            for (int i = 0, r = yo + j; i < n; i++, r += ld) {
                DoubleVector t = DoubleVector.fromArray(S, y, r, m);
                DoubleVector g = t.mul(t).neg().add(1.0).mul(DoubleVector.fromArray(S, y, r + h, m));
                g.intoArray(y, r + h, m);
                acc = acc.add(g);
            }
            acc.fma(DoubleVector.broadcast(S, inv), DoubleVector.fromArray(S, out, o + j, m)).intoArray(out, o + j, m);
        }
    }

    /**
     * {@code out[o..o+w) += inv · Σ_{i<n} src[so + i·ld .. + w)} (a bias gradient): one vector of columns
     * at a time down all the rows, its sum in a register; each column summed over the rows in order.
     */
    static void colSums(int n, int w, double[] src, int so, int ld, double inv, double[] out, int o) {
        for (int j = 0; j < w; j += L) {
            VectorMask<Double> m = S.indexInRange(j, w);
            DoubleVector acc = DoubleVector.zero(S);
            for (int i = 0, r = so + j; i < n; i++, r += ld) {
                acc = acc.add(DoubleVector.fromArray(S, src, r, m));
            }
            acc.fma(DoubleVector.broadcast(S, inv), DoubleVector.fromArray(S, out, o + j, m)).intoArray(out, o + j, m);
        }
    }
}
