package dev.pgkernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Inline fp32 {@code exp} and {@code expm1} for the {@code simd} scale and softmax kernels, written
 * with plain Vector API arithmetic so that C2 compiles them into the caller's loop.
 *
 * <p><b>Why not {@code VectorOperators.EXP}.</b> On x86 the JDK evaluates {@code EXP}/{@code EXPM1}
 * by a call into a native vector math library. The call itself is cheap, but every vector live
 * across it (accumulators, loaded operands, constants) is spilled and reloaded around it, and a
 * loop with two such calls (ML's {@code exp} and {@code expm1}) pays that twice. These routines are
 * about 15 vector instructions each, stay in registers, and let C2 schedule them with the rest of
 * the loop.
 *
 * <p><b>Method.</b> {@code exp(x) = 2^k · e^r} with {@code k = rint(x · log2 e)} (rounded by adding
 * {@code 1.5 · 2^23}, whose low mantissa bits then hold {@code k}), {@code r = x - k ln2} in two
 * FMA steps (Cody and Waite's split of {@code ln 2} into a short high part and a low part), so
 * {@code |r| <= ln2/2 ≈ 0.347}; {@code e^r} by its Taylor polynomial of degree 7 in Horner form
 * (truncation {@code r^8/8! <= 5.2e-9}, below 0.1 ulp); {@code 2^k} built in the exponent field.
 * Measured against {@code Math.exp} over {@code [-110, 88.8]}, subnormal results included: within 2 ulp (see {@code SimdExpTest}).
 * {@code expm1(y) = 2^k · expm1(r) + (2^k - 1)} with {@code expm1(r) = r · P(r)}, the Taylor
 * polynomial of degree 8 (truncation {@code r^9/9! ≤ 2e-10 |r|}): for {@code k = 0} this is the
 * polynomial alone, so a tiny {@code y} is accurate to a few ulps of {@code y} (no
 * {@code exp(y) - 1} cancellation); for {@code k != 0}, {@code |y| > 0.34} and the sum cancels at
 * most two bits.
 *
 * <p><b>Why the range reduction and polynomial are written out in each entry point.</b> Each public
 * method is one flat body that C2 inlines whole into the caller's loop; factoring the shared lines
 * into a private helper that takes and returns a vector would add a call level that C2 may refuse
 * past {@code NodeCountInliningCutoff} in a large caller, and a vector passed to an out-of-line call
 * is boxed (the 12–50 MB per call this class was written to remove).
 *
 * <p><b>Domains.</b> {@link #exp} gives every input its class and rounds subnormal results once:
 * {@code +0} below {@code -103.3} and for {@code -Inf}, {@code +Inf} above {@code 88.73} and for
 * {@code +Inf}, NaN for NaN. {@link #expNonPositive} does the same for {@code x <= 0} with one
 * operation less. {@link #expm1} is for {@code y <= 87}, {@code -Inf} ({@code -1}) and NaN.
 * {@link #expClipped} is for ratios that are only used clipped ({@code min(ρ̄, e^x)} in V-trace):
 * it clamps above at a ceiling the clip makes harmless (at most 89, where it overflows to
 * {@code +Inf}) and flushes results below {@code e^-86.5} to {@code +0}, which saves {@link #exp}'s
 * split scale.
 * Lanes below {@code -105} (masked {@code -Inf} logits, mostly) are computed from {@code 0} and
 * set to {@code +0} by a blend at the end instead of being clamped to {@code -105}: the clamped
 * lanes made the last product underflow, and on this machine (AMD, no FTZ in Java) an underflowing
 * vector product takes a microcode assist — with 1% of logits masked, the row-sum pass of a
 * 64 × 32768 softmax took 775 µs instead of 520 µs (harness best-of-30). The values are unchanged
 * ({@code e^-105 < 2^-150} rounds to {@code +0}).
 * The clamps are a compare and a blend each (NaN compares false and stays NaN), not
 * {@code FloatVector.max}/{@code min}, whose {@code Math.max} rules for zeros and NaN cost a
 * longer instruction sequence. {@link #expCore} and {@link #expm1Core} do no clamping at all: correct for {@code |x| <= 87},
 * an unspecified value elsewhere (callers that use them discard such lanes).
 *
 * <p>Public so that {@code ExpBench} can time the same routine as a ceiling next to
 * {@code VectorOperators.EXP}; any species works (the constants are broadcast from the argument).
 */
public final class SimdExp {
    private SimdExp() {}

    private static final float LOG2E = 1.44269504088896341f;
    /** {@code ln 2} split so that {@code k · LN2_HI} is exact for {@code |k| < 2^9}: 0.693145751953125 (0x3f317200) has 15 significant bits. */
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.428606765330187e-06f;
    /** {@code 1.5 · 2^23}: adding it rounds to an integer held in the low mantissa bits. */
    private static final float MAGIC = 12582912f;
    private static final int BIAS = 127 << 23;

    // Taylor coefficients 1/n!
    private static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720,
            C7 = 1f / 5040, C8 = 1f / 40320;

    /** {@code exp(x)} for {@code |x| <= 87} (other lanes: unspecified). */
    public static FloatVector expCore(FloatVector x) {
        FloatVector t = x.fma(LOG2E, MAGIC);
        FloatVector k = t.sub(MAGIC);
        FloatVector r = k.fma(k.broadcast(-LN2_HI), x);
        r = k.fma(k.broadcast(-LN2_LO), r);
        FloatVector p = r.fma(C7, C6);
        p = p.fma(r, r.broadcast(C5));
        p = p.fma(r, r.broadcast(C4));
        p = p.fma(r, r.broadcast(C3));
        p = p.fma(r, r.broadcast(C2));
        p = p.fma(r, r.broadcast(1f));
        p = p.fma(r, r.broadcast(1f));                              // e^r, r = x - k ln2
        IntVector scale = t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(BIAS);
        return p.mul(scale.reinterpretAsFloats());
    }

    /**
     * Lanes of {@link #expClipped} below this give {@code +0}: {@code e^-86.5 ≈ 2.7e-38}, so that
     * {@code k >= -125} and every product the routine forms is normal (no microcode assist, see the
     * class comment); a result it drops is below {@code e^-86.5}.
     */
    public static final float CLIPPED_FLOOR = -86.5f;

    /** The largest ceiling of {@link #expClipped}: {@code e^89} overflows to {@code +Inf}. */
    public static final float CLIPPED_TOP = 89f;

    // Taylor coefficients times 2: the polynomial of expClipped gives 2 e^r (exact doubling), so that
    // its scale is 2^(k-1), normal for k in [-125, 128]
    private static final float D2 = 1f, D3 = 2f / 6, D4 = 2f / 24, D5 = 2f / 120, D6 = 2f / 720, D7 = 2f / 5040;

    /**
     * The argument ceiling of {@link #expClipped} for a kernel that only uses {@code min(bar, e^x)}
     * with {@code bar <= maxBar}: {@code ln(maxBar) + 0.01} (so {@code e^ceiling >= 1.01 maxBar}, far
     * above the routine's 2-ulp error, and every such clip still returns {@code bar} exactly), kept in
     * {@code [CLIPPED_FLOOR, CLIPPED_TOP]}: for {@code maxBar} above about {@code 4e38} (or
     * {@code +Inf}) it is 89, where the result is {@code +Inf} as in any fp32 exp.
     *
     * @param maxBar the largest clip, {@code > 0}
     */
    public static float ratioCeiling(float maxBar) {
        return (float) Math.min(CLIPPED_TOP, Math.max(CLIPPED_FLOOR, Math.log(maxBar) + 0.01));
    }

    /**
     * {@code exp(min(x, ceiling))} for a clipped ratio {@code min(bar, e^x)} ({@link #ratioCeiling}):
     * lanes above {@code ceiling} (and {@code +Inf}) are computed at {@code ceiling}, lanes below
     * {@link #CLIPPED_FLOOR} (and {@code -Inf}) give {@code +0} (computed from 0, then blended, as in
     * {@link #exp}), NaN gives NaN, results above {@code Float.MAX_VALUE} are {@code +Inf}. The others
     * are within 2 ulp of {@code e^x} as {@link #exp}, with no subnormal result: the polynomial gives
     * {@code 2 e^r} (its coefficients doubled, exactly) and the scale is {@code 2^(k-1)}, one normal
     * factor for every {@code k} in {@code [-125, 128]}, so neither {@link #exp}'s split scale nor its
     * second clamp is needed: about 7 vector operations fewer, 10% of a V-trace step across
     * environments. One routine for every clip, so a kernel's loop has no branch between two exps
     * (a vector phi that C2 boxes once both sides have run).
     *
     * @param ceiling in {@code [CLIPPED_FLOOR, CLIPPED_TOP]}
     */
    public static FloatVector expClipped(FloatVector x, float ceiling) {
        VectorMask<Float> zero = x.compare(VectorOperators.LT, CLIPPED_FLOOR);
        FloatVector xc = x.blend(ceiling, x.compare(VectorOperators.GT, ceiling)).blend(0f, zero);
        FloatVector t = xc.fma(LOG2E, MAGIC);
        FloatVector k = t.sub(MAGIC);
        FloatVector r = k.fma(k.broadcast(-LN2_HI), xc);
        r = k.fma(k.broadcast(-LN2_LO), r);
        FloatVector p = r.fma(D7, D6);
        p = p.fma(r, r.broadcast(D5));
        p = p.fma(r, r.broadcast(D4));
        p = p.fma(r, r.broadcast(D3));
        p = p.fma(r, r.broadcast(D2));
        p = p.fma(r, r.broadcast(2f));
        p = p.fma(r, r.broadcast(2f));                              // 2 e^r, r = x - k ln2
        IntVector scale = t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(BIAS - (1 << 23)); // 2^(k-1)
        return p.mul(scale.reinterpretAsFloats()).blend(0f, zero);
    }

    /** {@code 2^-64}: the second factor of the split scale of {@link #expNonPositive}. */
    private static final float TWO_M64 = 0x1p-64f;
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);

    /**
     * {@code exp(x)} for every input: {@code x < -103.3} (and {@code -Inf}) gives {@code +0},
     * {@code x > 88.73} and {@code +Inf} give {@code +Inf}, NaN gives NaN, and subnormal results
     * are rounded once. {@code x} is clamped to {@code [-105, 89]} (below {@code -105}: computed from
     * 0, then set to {@code +0}), where {@code k} lies in
     * {@code [-152, 128]}; {@code 2^k} is applied as two normal factors {@code 2^(k>>1) · 2^(k - (k>>1))}.
     */
    public static FloatVector exp(FloatVector x) {
        VectorMask<Float> zero = x.compare(VectorOperators.LT, -105f);
        FloatVector lo = x.blend(0f, zero);
        FloatVector xc = lo.blend(89f, lo.compare(VectorOperators.GT, 89f));
        FloatVector t = xc.fma(LOG2E, MAGIC);
        FloatVector k = t.sub(MAGIC);
        FloatVector r = k.fma(k.broadcast(-LN2_HI), xc);
        r = k.fma(k.broadcast(-LN2_LO), r);
        FloatVector p = r.fma(C7, C6);
        p = p.fma(r, r.broadcast(C5));
        p = p.fma(r, r.broadcast(C4));
        p = p.fma(r, r.broadcast(C3));
        p = p.fma(r, r.broadcast(C2));
        p = p.fma(r, r.broadcast(1f));
        p = p.fma(r, r.broadcast(1f));                              // e^r, r = x - k ln2
        IntVector ki = t.reinterpretAsInts().sub(MAGIC_BITS);
        IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = ki.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2).blend(0f, zero);
    }

    /**
     * {@code exp(x)} for {@code x <= 0}, {@code -Inf} ({@code +0}) and NaN (NaN); subnormal results
     * are rounded once ({@code p · 2^(k+64)} is normal, then one product with {@code 2^-64}), and
     * {@code x < -103.3} gives {@code +0}, as the correctly rounded value does. One product more than
     * {@link #expCore}.
     */
    public static FloatVector expNonPositive(FloatVector x) {
        VectorMask<Float> zero = x.compare(VectorOperators.LT, -105f);
        FloatVector xc = x.blend(0f, zero);
        FloatVector t = xc.fma(LOG2E, MAGIC);
        FloatVector k = t.sub(MAGIC);
        FloatVector s = t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(BIAS + (64 << 23)).reinterpretAsFloats();
        FloatVector r = k.fma(k.broadcast(-LN2_HI), xc);
        r = k.fma(k.broadcast(-LN2_LO), r);
        FloatVector p = r.fma(C7, C6);
        p = p.fma(r, r.broadcast(C5));
        p = p.fma(r, r.broadcast(C4));
        p = p.fma(r, r.broadcast(C3));
        p = p.fma(r, r.broadcast(C2));
        p = p.fma(r, r.broadcast(1f));
        p = p.fma(r, r.broadcast(1f));                              // e^r, r = x - k ln2
        return p.mul(s).mul(TWO_M64).blend(0f, zero);
    }

    /*
     * The reduction and polynomial are written out in each routine rather than shared through a
     * helper: callers inline these routines into loops near C2's NodeCountInliningCutoff, and a
     * second level of helper would be one more inlining decision that can fail (and box).
     */

    /** {@code expm1(y)} for {@code -88 <= y <= 87} (other lanes: unspecified). */
    public static FloatVector expm1Core(FloatVector y) {
        FloatVector t = y.fma(LOG2E, MAGIC);
        FloatVector k = t.sub(MAGIC);
        FloatVector r = k.fma(k.broadcast(-LN2_HI), y);
        r = k.fma(k.broadcast(-LN2_LO), r);
        FloatVector p = r.fma(C8, C7);
        p = p.fma(r, r.broadcast(C6));
        p = p.fma(r, r.broadcast(C5));
        p = p.fma(r, r.broadcast(C4));
        p = p.fma(r, r.broadcast(C3));
        p = p.fma(r, r.broadcast(C2));
        p = p.fma(r, r.broadcast(1f));
        FloatVector q = p.mul(r);                                   // expm1(r)
        FloatVector s = t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(BIAS)
                .reinterpretAsFloats();                             // 2^k
        return q.fma(s, s.sub(1f));                                 // 2^k expm1(r) + (2^k - 1)
    }

    /** {@code expm1(y)} for {@code y <= 87}, {@code -Inf} ({@code -1}) and NaN. */
    public static FloatVector expm1(FloatVector y) {
        return expm1Core(y.blend(-88f, y.compare(VectorOperators.LT, -88f)));
    }
}
