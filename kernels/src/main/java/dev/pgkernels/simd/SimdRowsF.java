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
     * Row of Y (width 2h at yo): z = Y[0..h) + b, dz = Y[h..2h) + c; h = tanh z into Y[0..h),
     * dh = (1 - h²) dz into Y[h..2h).
     */
    static void tanhRow(int h, float[] y, int yo, float[] theta, int bOff, float[] v) {
        for (int j = 0; j < h; j += L) {
            VectorMask<Float> m = S.indexInRange(j, h);
            FloatVector t = FloatVector.fromArray(S, y, yo + j, m).add(FloatVector.fromArray(S, theta, bOff + j, m))
                    .lanewise(VectorOperators.TANH);
            t.intoArray(y, yo + j, m);
            FloatVector dz = FloatVector.fromArray(S, y, yo + h + j, m).add(FloatVector.fromArray(S, v, bOff + j, m));
            t.mul(t).neg().add(1f).mul(dz).intoArray(y, yo + h + j, m);
        }
    }

    /** Y[i, h..2h) *= 1 - Y[i, 0..h)² (the backward pass through tanh). */
    static void tanhBack(int h, float[] y, int yo) {
        for (int j = 0; j < h; j += L) {
            VectorMask<Float> m = S.indexInRange(j, h);
            FloatVector t = FloatVector.fromArray(S, y, yo + j, m);
            t.mul(t).neg().add(1f).mul(FloatVector.fromArray(S, y, yo + h + j, m)).intoArray(y, yo + h + j, m);
        }
    }

    /** out[o..o+w) = inv · Σ_{i<n} src[so + i·ld .. + w) + λ v[vo..vo+w), summed in acc[ao..ao+w). */
    static void colSums(int n, int w, float[] src, int so, int ld, float inv, float lambda, float[] v, int vo,
            float[] out, int o, float[] acc, int ao) {
        java.util.Arrays.fill(acc, ao, ao + w, 0);
        for (int i = 0; i < n; i++) {
            SimdBlasF.axpy(w, 1f, src, so + i * ld, acc, ao);
        }
        for (int j = 0; j < w; j += L) {
            VectorMask<Float> m = S.indexInRange(j, w);
            FloatVector.fromArray(S, acc, ao + j, m).mul(inv)
                    .add(FloatVector.fromArray(S, v, vo + j, m).mul(lambda)).intoArray(out, o + j, m);
        }
    }

}
