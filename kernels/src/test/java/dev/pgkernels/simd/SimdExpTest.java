package dev.pgkernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import org.junit.jupiter.api.Test;

/**
 * The inline {@link SimdExp} routines against {@code Math.exp} / {@code Math.expm1} (the double
 * results, correctly rounded to within their own 1 ulp of double, i.e. far below fp32's ulp).
 * Error is measured in units of the fp32 ulp of the double result; the bound
 * {@link #MAX_ULPS} = 2 covers the polynomial's truncation (below 0.1 ulp), the reduction
 * {@code r = x - k ln2} (exact high part, low part rounded: below 0.1 ulp of {@code e^r}), the
 * Horner evaluation (about 7 FMA roundings of decreasing weight, below 1 ulp together) and the final
 * product with {@code 2^k} (exact for normal results, one rounding for subnormal ones, which
 * {@link #close} accepts as one subnormal spacing {@code 2^-149}).
 */
class SimdExpTest {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int MAX_ULPS = 2;

    private static float[] apply(UnaryOperator<FloatVector> op, float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += S.length()) {
            op.apply(FloatVector.fromArray(S, x, i, S.indexInRange(i, x.length))).intoArray(out, i, S.indexInRange(i, x.length));
        }
        return out;
    }

    private static boolean close(double exact, float got) {
        float r = (float) exact;
        if (Float.isNaN(r) || Float.isInfinite(r)) {
            return Float.compare(r, got) == 0 || (Float.isNaN(r) && Float.isNaN(got));
        }
        double err = Math.abs(got - exact);
        return err <= MAX_ULPS * Math.ulp(r) || err <= Math.ulp(Float.MIN_NORMAL); // subnormal range: one spacing
    }

    private static void sweep(String what, UnaryOperator<FloatVector> op, java.util.function.DoubleUnaryOperator ref,
            float from, float to, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = from + (to - from) * i / (n - 1);
        }
        float[] got = apply(op, x);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double e = ref.applyAsDouble(x[i]);
            if (!close(e, got[i])) {
                fail(what + "(" + x[i] + ") = " + got[i] + ", exact " + e);
            }
            if (Float.isFinite((float) e) && Math.abs(e) >= Float.MIN_NORMAL) {
                worst = Math.max(worst, Math.abs(got[i] - e) / Math.ulp((float) e));
            }
        }
        assertTrue(worst <= MAX_ULPS, what + " worst " + worst + " ulp");
    }

    @Test
    void expIsWithinTwoUlpsOverItsRange() {
        sweep("expCore", SimdExp::expCore, Math::exp, -87f, 87f, 400_003);
        sweep("exp", SimdExp::exp, Math::exp, -110f, 88.8f, 400_003);
        sweep("expNonPositive", SimdExp::expNonPositive, Math::exp, -110f, 0f, 200_003);
        sweep("expSubnormal", SimdExp::exp, Math::exp, -104f, -87f, 100_003);
        sweep("expNonPositiveSubnormal", SimdExp::expNonPositive, Math::exp, -104f, -87f, 100_003);
        sweep("expTop", SimdExp::exp, Math::exp, 88f, 88.75f, 100_003);
        sweep("expNear0", SimdExp::exp, Math::exp, -1e-3f, 1e-3f, 20_001);
    }

    @Test
    void expm1IsWithinTwoUlpsIncludingTinyArguments() {
        sweep("expm1Core", SimdExp::expm1Core, Math::expm1, -88f, 87f, 400_003);
        sweep("expm1", SimdExp::expm1, Math::expm1, -1f, 1f, 400_003);
        sweep("expm1Tiny", SimdExp::expm1, Math::expm1, -1e-6f, 1e-6f, 20_001);
        sweep("expm1Tinier", SimdExp::expm1, Math::expm1, -1e-30f, 1e-30f, 2_001);
    }

    /**
     * {@link SimdExp#expClipped}: within 2 ulp of {@code exp(min(x, ceiling))} from the floor up, for
     * ceilings from the clips V-trace meets ({@code ρ̄ = 1}, 2.5, tiny and huge clips, {@code +Inf});
     * {@code +0} below the floor; never subnormal; {@code +Inf} past fp32's range; and a clip at or
     * below {@code e^ceiling / 1.01} is returned exactly by {@code min(bar, ·)} for every argument
     * at or above the ceiling.
     */
    @Test
    void expClippedIsExpBelowItsCeilingAndClipsExactlyAbove() {
        for (float bar : new float[] {1f, 2.5f, 0.8f, 1e-3f, 1e-37f, 3e-38f, 1e30f, 1e38f, 3e38f}) {
            float ceil = SimdExp.ratioCeiling(bar);
            assertTrue(ceil >= SimdExp.CLIPPED_FLOOR && ceil <= SimdExp.CLIPPED_TOP, "ceiling " + ceil + " for " + bar);
            sweep("expClipped[" + bar + "]", v -> SimdExp.expClipped(v, ceil), x -> Math.exp(Math.min(x, ceil)),
                    SimdExp.CLIPPED_FLOOR, Math.min(88.7f, ceil + 5f), 200_003);
            float[] above = {ceil, Math.nextUp(ceil), ceil + 1f, 88.8f, 1e4f, Float.MAX_VALUE, Float.POSITIVE_INFINITY};
            float[] e = apply(v -> SimdExp.expClipped(v, ceil), above);
            for (int i = 0; i < above.length; i++) {
                float clipped = e[i] > bar ? bar : e[i];
                assertEquals(bar, clipped, "min(" + bar + ", expClipped(" + above[i] + "))");
            }
        }
        float c1 = SimdExp.ratioCeiling(1f);
        float[] below = {Math.nextDown(SimdExp.CLIPPED_FLOOR), -87f, -87.3f, -100f, -1e30f, -Float.MAX_VALUE,
                Float.NEGATIVE_INFINITY};
        for (float got : apply(v -> SimdExp.expClipped(v, c1), below)) {
            assertEquals(0f, got);
        }
        float[] lowest = apply(v -> SimdExp.expClipped(v, c1), new float[] {SimdExp.CLIPPED_FLOOR});
        assertTrue(lowest[0] >= Float.MIN_NORMAL, "the floor's result is normal: " + lowest[0]);
        assertTrue(Float.isNaN(apply(v -> SimdExp.expClipped(v, c1), new float[] {Float.NaN})[0]));
        // unclipped (+Inf) and the largest clips: the ceiling is 89, where the result overflows as exp's
        float top = SimdExp.ratioCeiling(Float.POSITIVE_INFINITY);
        assertEquals(SimdExp.CLIPPED_TOP, top);
        assertTrue(SimdExp.ratioCeiling(Float.MAX_VALUE) <= top);
        sweep("expClipped[top]", v -> SimdExp.expClipped(v, top), Math::exp, SimdExp.CLIPPED_FLOOR, 88.7f, 400_003);
        sweep("expClipped[overflow]", v -> SimdExp.expClipped(v, top), Math::exp, 88f, 88.75f, 100_003);
        float[] inf = apply(v -> SimdExp.expClipped(v, top), new float[] {88.8f, 89f, 1e4f, Float.POSITIVE_INFINITY});
        for (float got : inf) {
            assertEquals(Float.POSITIVE_INFINITY, got);
        }
    }

    @Property(tries = 2000)
    void expmatchesMathExp(@ForAll @FloatRange(min = -110f, max = 89f) float x) {
        float got = apply(SimdExp::exp, new float[] {x})[0];
        assertTrue(close(Math.exp(x), got), "exp(" + x + ") = " + got);
    }

    @Property(tries = 2000)
    void expm1MatchesMathExpm1(@ForAll @FloatRange(min = -88f, max = 87f) float y) {
        float got = apply(SimdExp::expm1, new float[] {y})[0];
        assertTrue(close(Math.expm1(y), got), "expm1(" + y + ") = " + got);
    }

    @Test
    void specialValuesHaveTheirClasses() {
        float[] x = {Float.NEGATIVE_INFINITY, -1e30f, -200f, -104f, Float.NaN, 0f, -0f, 89f, 1e30f, Float.POSITIVE_INFINITY};
        float[] e = apply(SimdExp::exp, x);
        float[] want = {0f, 0f, 0f, 0f, Float.NaN, 1f, 1f, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY,
                Float.POSITIVE_INFINITY};
        for (int i = 0; i < x.length; i++) {
            assertEquals(want[i], e[i], "exp(" + x[i] + ")");
        }
        float[] np = apply(SimdExp::expNonPositive, new float[] {Float.NEGATIVE_INFINITY, -104f, Float.NaN, 0f});
        assertEquals(0f, np[0]);
        assertEquals(0f, np[1]);
        assertTrue(Float.isNaN(np[2]));
        assertEquals(1f, np[3]);
        float[] m = apply(SimdExp::expm1, new float[] {Float.NEGATIVE_INFINITY, -1e30f, -100f, Float.NaN, 0f, -0f});
        assertEquals(-1f, m[0]);
        assertEquals(-1f, m[1]);
        assertEquals(-1f, m[2]);
        assertTrue(Float.isNaN(m[3]));
        assertEquals(0f, m[4]);
        assertEquals(0f, m[5]);
    }
}
