package dev.pgkernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row-wise parts of the {@code simd} Fisher-vector products ({@link SimdFvpF}): bias, softmax and
 * {@code M_i}, tanh and its derivative, column sums — vector loops over a row's width with a masked
 * tail (preferred species). Reductions reassociate (SIMD). (SimdRowsD is generated from this file by
 * replacing float with double.)
 */
final class SimdRowsF {
    private SimdRowsF() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
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
    static void softmaxMRows(int n, int a, float[] y, int yo, int ld, float[] theta, int bOff, float[] v, float[] t,
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
    private static void gatherMax(int a, float[] y, int base, int ld, int rows, float[] theta, int bOff, float[] t,
            int tq, int tl) {
        FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        if (rows == L) {
            for (int j = 0; j < a; j++) {
                FloatVector q = FloatVector.fromArray(S, y, base + j, MAPS, ld * L).add(theta[bOff + j]);
                q.intoArray(t, tq + j * L);
                mx = mx.max(q);
            }
        } else {
            VectorMask<Float> m = S.indexInRange(0, rows);
            for (int j = 0; j < a; j++) {
                FloatVector q = FloatVector.fromArray(S, y, base + j, MAPS, ld * L, m).add(theta[bOff + j]);
                q.intoArray(t, tq + j * L);
                mx = mx.max(q);
            }
        }
        mx.intoArray(t, tl);
    }

    /**
     * Tile q = exp(q - max) lane-wise; 1/Σ into t[tl + L..). fp32 uses the inline {@link SimdExp#expNonPositive}
     * (within 2 ulp; {@code VectorOperators.EXP} is a native call that spills {@code mx} and {@code sum}
     * around it): linear FVP softmax stage 0.110 -> 0.105 ms. (gen-variants.sh gives SimdRowsD
     * {@code EXP} again: SimdExp is fp32 only.)
     */
    private static void expSumAcross(int a, float[] t, int tq, int tl) {
        FloatVector mx = FloatVector.fromArray(S, t, tl);
        FloatVector sum = FloatVector.zero(S);
        for (int j = 0; j < a; j++) {
            FloatVector e = SimdExp.expNonPositive(FloatVector.fromArray(S, t, tq + j * L).sub(mx));
            e.intoArray(t, tq + j * L);
            sum = sum.add(e);
        }
        FloatVector.broadcast(S, 1f).div(sum).intoArray(t, tl + L);
    }

    /** Tile q = pi = e / Σ; tile u = gathered u + c; <pi, u> into t[tl + 2L..). */
    private static void piDotAcross(int a, float[] y, int base, int ld, int rows, float[] v, int bOff, float[] t,
            int tq, int tu, int tl) {
        FloatVector inv = FloatVector.fromArray(S, t, tl + L);
        FloatVector pu = FloatVector.zero(S);
        VectorMask<Float> m = S.indexInRange(0, rows);
        for (int j = 0; j < a; j++) {
            FloatVector pi = FloatVector.fromArray(S, t, tq + j * L).mul(inv);
            pi.intoArray(t, tq + j * L);
            FloatVector u = (rows == L ? FloatVector.fromArray(S, y, base + j, MAPS, ld * L)
                    : FloatVector.fromArray(S, y, base + j, MAPS, ld * L, m)).add(v[bOff + j]);
            u.intoArray(t, tu + j * L);
            pu = pi.fma(u, pu);
        }
        pu.intoArray(t, tl + 2 * L);
    }

    /** w = pi ⊙ (u - <pi, u>) scattered into the rows' u place (only the {@code rows} existing lanes). */
    private static void scatterW(int a, float[] y, int base, int ld, int rows, float[] t, int tq, int tu, int tl) {
        FloatVector pu = FloatVector.fromArray(S, t, tl + 2 * L);
        if (rows == L) {
            for (int j = 0; j < a; j++) {
                FloatVector w = FloatVector.fromArray(S, t, tq + j * L)
                        .mul(FloatVector.fromArray(S, t, tu + j * L).sub(pu));
                w.intoArray(y, base + j, MAPS, ld * L);
            }
        } else {
            VectorMask<Float> m = S.indexInRange(0, rows);
            for (int j = 0; j < a; j++) {
                FloatVector w = FloatVector.fromArray(S, t, tq + j * L)
                        .mul(FloatVector.fromArray(S, t, tu + j * L).sub(pu));
                w.intoArray(y, base + j, MAPS, ld * L, m);
            }
        }
    }

    /**
     * Row i of Y (width 2a at yo): q = Y[0..a) + b, u = Y[a..2a) + c; pi = softmax(q) (row max
     * subtracted) into Y[0..a), w = pi ⊙ (u - <pi, u>) into Y[a..2a). Reductions reassociate (SIMD).
     */
    static void softmaxM(int a, float[] y, int yo, float[] theta, int bOff, float[] v) {
        // Four small methods, scalars between them: no vector is carried from one chunk to the next
        // or crosses a call (loop-carried vectors got boxed inside the drivers' row loops), and C1 can
        // compile each part (the one-method version sometimes failed at tier 3 with "out of virtual
        // registers in LIR generator" and then ran boxed, about 19 MB and 30x slower per product).
        float max = addBiasMax(a, y, yo, theta, bOff);
        float sum = expSum(a, y, yo, max);
        float pu = piAndDot(a, y, yo, 1f / sum, v, bOff);
        applyM(a, y, yo, pu);
    }

    /** q += b in place; returns max q. */
    private static float addBiasMax(int a, float[] y, int yo, float[] theta, int bOff) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < a; j += L) {
            VectorMask<Float> m = S.indexInRange(j, a);
            FloatVector q = FloatVector.fromArray(S, y, yo + j, m).add(FloatVector.fromArray(S, theta, bOff + j, m));
            q.intoArray(y, yo + j, m);
            max = Math.max(max, q.reduceLanes(VectorOperators.MAX, m));
        }
        return max;
    }

    /** q = exp(q - max) in place; returns the sum. */
    private static float expSum(int a, float[] y, int yo, float max) {
        float sum = 0;
        for (int j = 0; j < a; j += L) {
            VectorMask<Float> m = S.indexInRange(j, a);
            FloatVector e = FloatVector.fromArray(S, y, yo + j, m).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(y, yo + j, m);
            sum += e.reduceLanes(VectorOperators.ADD, m);
        }
        return sum;
    }

    /** pi = e · inv in place, u += c in place; returns <pi, u>. */
    private static float piAndDot(int a, float[] y, int yo, float inv, float[] v, int bOff) {
        float pu = 0;
        for (int j = 0; j < a; j += L) {
            VectorMask<Float> m = S.indexInRange(j, a);
            FloatVector pi = FloatVector.fromArray(S, y, yo + j, m).mul(inv);
            pi.intoArray(y, yo + j, m);
            FloatVector u = FloatVector.fromArray(S, y, yo + a + j, m).add(FloatVector.fromArray(S, v, bOff + j, m));
            u.intoArray(y, yo + a + j, m);
            pu += pi.mul(u).reduceLanes(VectorOperators.ADD, m);
        }
        return pu;
    }

    /** w = pi ⊙ (u - <pi, u>) into u's place. */
    private static void applyM(int a, float[] y, int yo, float pu) {
        for (int j = 0; j < a; j += L) {
            VectorMask<Float> m = S.indexInRange(j, a);
            FloatVector pi = FloatVector.fromArray(S, y, yo + j, m);
            FloatVector u = FloatVector.fromArray(S, y, yo + a + j, m);
            pi.mul(u.sub(pu)).intoArray(y, yo + a + j, m);
        }
    }

    /**
     * Rows {@code 0..n} of Y (row i at {@code yo + i·ld}, width 2h): z = Y[i, 0..h) + b, dz = Y[i, h..2h) + c;
     * h = tanh z into Y[i, 0..h), dh = (1 - h²) dz into Y[i, h..2h). One vector of columns at a time down
     * all the rows, its bias vectors b and c loaded once; full vectors unmasked, the last partial one
     * masked (per-row calls with masks took 18.5 µs per 336 × 64 chunk, this 11.7).
     */
    static void tanhRows(int n, int h, float[] y, int yo, int ld, float[] theta, int bOff, float[] v) {
        int j = 0;
        for (int bound = S.loopBound(h); j < bound; j += L) {
            FloatVector b = FloatVector.fromArray(S, theta, bOff + j), c = FloatVector.fromArray(S, v, bOff + j);
            for (int i = 0, r = yo + j; i < n; i++, r += ld) {
                FloatVector t = FloatVector.fromArray(S, y, r).add(b).lanewise(VectorOperators.TANH);
                t.intoArray(y, r);
                t.mul(t).neg().add(1f).mul(FloatVector.fromArray(S, y, r + h).add(c)).intoArray(y, r + h);
            }
        }
        if (j < h) {
            VectorMask<Float> m = S.indexInRange(j, h);
            FloatVector b = FloatVector.fromArray(S, theta, bOff + j, m), c = FloatVector.fromArray(S, v, bOff + j, m);
            for (int i = 0, r = yo + j; i < n; i++, r += ld) {
                FloatVector t = FloatVector.fromArray(S, y, r, m).add(b).lanewise(VectorOperators.TANH);
                t.intoArray(y, r, m);
                t.mul(t).neg().add(1f).mul(FloatVector.fromArray(S, y, r + h, m).add(c)).intoArray(y, r + h, m);
            }
        }
    }

    /**
     * The backward pass through tanh fused with the bias gradient, over rows {@code 0..n} of Y (row i at
     * {@code yo + i·ld}): {@code g = Y[i, h..2h) *= 1 - Y[i, 0..h)²}, and {@code out[o..o+h) += inv · Σ_i g}.
     * One vector of columns at a time down all the rows, its sum in a register; each column is summed
     * over the rows in order (the same order for every column).
     */
    static void tanhBackSums(int n, int h, float[] y, int yo, int ld, float inv, float[] out, int o) {
        for (int j = 0; j < h; j += L) {
            VectorMask<Float> m = S.indexInRange(j, h);
            FloatVector acc = FloatVector.zero(S);
            for (int i = 0, r = yo + j; i < n; i++, r += ld) {
                FloatVector t = FloatVector.fromArray(S, y, r, m);
                FloatVector g = t.mul(t).neg().add(1f).mul(FloatVector.fromArray(S, y, r + h, m));
                g.intoArray(y, r + h, m);
                acc = acc.add(g);
            }
            acc.fma(FloatVector.broadcast(S, inv), FloatVector.fromArray(S, out, o + j, m)).intoArray(out, o + j, m);
        }
    }

    /**
     * {@code out[o..o+w) += inv · Σ_{i<n} src[so + i·ld .. + w)} (a bias gradient): one vector of columns
     * at a time down all the rows, its sum in a register; each column summed over the rows in order.
     */
    static void colSums(int n, int w, float[] src, int so, int ld, float inv, float[] out, int o) {
        for (int j = 0; j < w; j += L) {
            VectorMask<Float> m = S.indexInRange(j, w);
            FloatVector acc = FloatVector.zero(S);
            for (int i = 0, r = so + j; i < n; i++, r += ld) {
                acc = acc.add(FloatVector.fromArray(S, src, r, m));
            }
            acc.fma(FloatVector.broadcast(S, inv), FloatVector.fromArray(S, out, o + j, m)).intoArray(out, o + j, m);
        }
    }
}
