package dev.pgkernels.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.reference.ReferenceScale;
import dev.pgkernels.testsupport.EdgeValues;
import dev.pgkernels.testsupport.Shapes;
import dev.pgkernels.testsupport.Tolerance;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Golden cases derived by hand, SPEC §1 edge cases, and properties of the reference scale kernel. */
class ScaleReferenceTest {

    private final ScaleKernels k = new ReferenceScale();

    private static final double LN2 = Math.log(2), LN3 = Math.log(3);

    /** One sample through the array kernel. */
    private float f1(ScaleFunction f, double x, double y) {
        float[] out = {Float.NaN};
        k.scale(f, 1, new float[] {(float) x}, new float[] {(float) y}, out);
        return out[0];
    }

    /** Within 2 fp32 ulps of the hand value (the inputs themselves are rounded to fp32). */
    private static void close(double expected, float actual) {
        assertEquals(expected, actual, 2 * Math.ulp((float) expected), "expected " + expected + " got " + actual);
    }

    // ---------- goldens, each derived by hand ----------

    @Test
    void mseIsY() {
        // f(x, y) = y: f(5, -3) = -3; x is not read.
        close(-3, f1(ScaleFunction.mse(), 5, -3));
        close(0.25, f1(ScaleFunction.mse(), -40, 0.25));
    }

    @Test
    void sqGolden() {
        // exp(ln 2) * 3 = 2 * 3 = 6
        close(6, f1(ScaleFunction.sq(), LN2, 3));
        // exp(0) * -1.5 = -1.5
        close(-1.5, f1(ScaleFunction.sq(), 0, -1.5));
        // exp(-ln 2) * 4 = 0.5 * 4 = 2
        close(2, f1(ScaleFunction.sq(), -LN2, 4));
    }

    @Test
    void mlGolden() {
        // exp(ln 2) * expm1(ln 3) = 2 * (3 - 1) = 4
        close(4, f1(ScaleFunction.ml(), LN2, LN3));
        // exp(0) * expm1(-ln 2) = 1 * (1/2 - 1) = -0.5
        close(-0.5, f1(ScaleFunction.ml(), 0, -LN2));
    }

    @Test
    void silGolden() {
        // exp(ln 2) * max(1.5, 0) = 2 * 1.5 = 3
        close(3, f1(ScaleFunction.sil(), LN2, 1.5));
        // exp(ln 2) * max(-2, 0) = 2 * 0 = 0
        assertEquals(0f, f1(ScaleFunction.sil(), LN2, -2));
    }

    @Test
    void mlaQuadraticBranch() {
        // x = 0, y = -2: 1+x+y = -1 <= 0 < 1 = 1+x -> -(1+0)^2/2 = -0.5
        close(-0.5, f1(ScaleFunction.mla(), 0, -2));
        // x = 1, y = -5: 1+x+y = -3 <= 0 < 2 -> -(2)^2/2 = -2
        close(-2, f1(ScaleFunction.mla(), 1, -5));
        // tie 1+x+y = 0 exactly (x = 0, y = -1): the quadratic branch (<= 0) -> -0.5;
        // the other branch would give -1 * max(1 - 0.5, 0) = -0.5 too (f is continuous there)
        close(-0.5, f1(ScaleFunction.mla(), 0, -1));
    }

    @Test
    void mlaLinearBranch() {
        // x = 0, y = 2: 1+x+y = 3 > 0 -> 2 * max(1 + 0 + 1, 0) = 4
        close(4, f1(ScaleFunction.mla(), 0, 2));
        // x = 1, y = -1: 1+x+y = 1 > 0 -> -1 * max(2 - 0.5, 0) = -1.5
        close(-1.5, f1(ScaleFunction.mla(), 1, -1));
        // x = -1 (1+x = 0, so "0 < 1+x" fails), y = -1: -1 * max(1 - 1 - 0.5, 0) = -1 * 0 = 0
        assertEquals(0.0, f1(ScaleFunction.mla(), -1, -1), 0.0);
        // x = -3, y = 1: 1+x = -2 -> 1 * max(-2 + 0.5, 0) = 0
        assertEquals(0.0, f1(ScaleFunction.mla(), -3, 1), 0.0);
    }

    @Test
    void mlaParametricGolden() {
        // (1, 0), x = 0.5, y = 2: 2 * max(1 + 0.5 + 0, max(1.5, 0)/2) = 2 * max(1.5, 0.75) = 3
        close(3, f1(ScaleFunction.mla(1, 0), 0.5, 2));
        // (1, 1), x = 0, y = -3: -3 * max(1 + 0 - 3, max(1, 0)/2) = -3 * max(-2, 0.5) = -1.5
        close(-1.5, f1(ScaleFunction.mla(1, 1), 0, -3));
        // (2, 0.5), x = -1, y = 4: 1 + 2*(-1) + 0.5*4 = 1; max(1 - 2, 0)/2 = 0 -> 4 * max(1, 0) = 4
        close(4, f1(ScaleFunction.mla(2, 0.5), -1, 4));
        // (0, 0) is MSE: y * max(1, 1/2) = y
        close(-7.25, f1(ScaleFunction.mla(0, 0), 3, -7.25));
    }

    @Test
    void ppoClipEachSide() {
        ScaleFunction ppo = ScaleFunction.ppoClip(0.2);
        // ratio 1.5 > 1.2 with y = 2 > 0: flat -> 0
        assertEquals(0.0, f1(ppo, Math.log(1.5), 2), 0.0);
        // ratio 1.5 with y = -2 < 0: not clipped (only ratio < 0.8 clips when y < 0) -> 1.5 * -2 = -3
        close(-3, f1(ppo, Math.log(1.5), -2));
        // ratio 0.5 < 0.8 with y = -2 < 0: flat -> 0
        assertEquals(0.0, f1(ppo, Math.log(0.5), -2), 0.0);
        // ratio 0.5 with y = 2 > 0: not clipped -> 0.5 * 2 = 1
        close(1, f1(ppo, Math.log(0.5), 2));
        // inside the range: ratio 1.1 -> 1.1 * 3 = 3.3 and 1.1 * -3 = -3.3
        close(3.3, f1(ppo, Math.log(1.1), 3));
        close(-3.3, f1(ppo, Math.log(1.1), -3));
        // y = 0: 1.5 * 0 = 0
        assertEquals(0.0, f1(ppo, Math.log(1.5), 0), 0.0);
        // default eps is 0.2
        assertEquals(ppo, ScaleFunction.ppoClip());
    }

    @Test
    void logRatioClip() {
        // c = ln 2: x = min(5, ln 2) = ln 2 -> SQ = 2 * 3 = 6
        close(6, f1(ScaleFunction.sq().withLogRatioClip(LN2), 5, 3));
        // x below the clip is unchanged: exp(0) * 3 = 3
        close(3, f1(ScaleFunction.sq().withLogRatioClip(LN2), 0, 3));
        // the clip prevents overflow: x = min(100, 10) -> exp(10) * 1 = 22026.465794806718
        close(22026.465794806718, f1(ScaleFunction.sq().withLogRatioClip(10), 100, 1));
        // MLA with clip c = 0: x = min(1, 0) = 0, y = 2 -> 2 * max(1 + 0 + 1, 0) = 4
        close(4, f1(ScaleFunction.mla().withLogRatioClip(0), 1, 2));
        assertTrue(ScaleFunction.sq().withLogRatioClip(LN2).logRatioClip().isPresent());
        assertTrue(ScaleFunction.sq().withLogRatioClip(LN2).withoutLogRatioClip().logRatioClip().isEmpty());
        assertEquals(ScaleFunction.sq(), ScaleFunction.sq().withLogRatioClip(1).withoutLogRatioClip());
    }

    // ---------- SPEC edge cases ----------

    @Test
    void overflowIsPlusInfinityNeverChanged() {
        // exp(100) = 2.7e43 > Float.MAX_VALUE = 3.4e38
        assertEquals(Float.POSITIVE_INFINITY, f1(ScaleFunction.sq(), 100, 1));
        assertEquals(Float.NEGATIVE_INFINITY, f1(ScaleFunction.sq(), 100, -1));
        assertEquals(Float.POSITIVE_INFINITY, f1(ScaleFunction.sil(), 100, 1));
        // expm1(100) overflows fp32 as well
        assertEquals(Float.POSITIVE_INFINITY, f1(ScaleFunction.ml(), 0, 100));
        // exp(+Inf) * 2 = +Inf
        assertEquals(Float.POSITIVE_INFINITY, f1(ScaleFunction.sq(), Double.POSITIVE_INFINITY, 2));
        // ratio +Inf with y < 0 is not clipped by PPO: +Inf * -1 = -Inf
        assertEquals(Float.NEGATIVE_INFINITY, f1(ScaleFunction.ppoClip(0.2), Double.POSITIVE_INFINITY, -1));
        // and IEEE's 0 * Inf = NaN is returned as such
        assertTrue(Float.isNaN(f1(ScaleFunction.sq(), Double.POSITIVE_INFINITY, 0)));
    }

    @Test
    void nanPropagates() {
        ScaleFunction[] all = {ScaleFunction.mse(), ScaleFunction.sq(), ScaleFunction.ml(), ScaleFunction.sil(),
                ScaleFunction.mla(), ScaleFunction.mla(0, 0), ScaleFunction.mla(1, 1), ScaleFunction.ppoClip(0.2),
                ScaleFunction.sq().withLogRatioClip(3)};
        for (ScaleFunction f : all) {
            assertTrue(Float.isNaN(f1(f, 0.3, Double.NaN)), f + " with y = NaN");
            if (f.kind() != ScaleFunction.Kind.MSE) {
                assertTrue(Float.isNaN(f1(f, Double.NaN, 0.7)), f + " with x = NaN");
                assertTrue(Float.isNaN(f1(f, Double.NaN, -0.7)), f + " with x = NaN");
            }
        }
        // MSE does not read x (documented): f(NaN, 2) = 2
        assertEquals(2f, f1(ScaleFunction.mse(), Double.NaN, 2));
    }

    /** Tiny y (|y| < 1e-6): expm1(y) = y + y^2/2 + y^3/6 + ..., and y^3/6 is below 1e-12 relative. */
    @Property(tries = 200)
    void mlUsesExpm1ForTinyY(@ForAll("tiny") float y) {
        Assume.that(y != 0);
        double series = y + (double) y * y / 2;
        float out = f1(ScaleFunction.ml(), 0, y);
        assertEquals(series, out, Math.ulp((float) series), "ML(0, " + y + ")");
        // exp(y) - 1 in fp32 would be off by up to ~6e-8 absolute, i.e. > 5% for |y| near 1e-6
    }

    @Provide
    Arbitrary<Float> tiny() {
        // EdgeValues.tiny() cannot be used as is: jqwik's default decimal scale (2) rejects the range.
        return Arbitraries.oneOf(Arbitraries.floats().between(-1e-6f, 1e-6f).ofScale(15),
                Arbitraries.of(1e-30f, -1e-30f, Float.MIN_VALUE, 3e-9f, -3e-9f, 9.99e-7f, -9.99e-7f));
    }

    @Test
    void mlSubnormalY() {
        // expm1(Float.MIN_VALUE) = Float.MIN_VALUE exactly; exp(y)-1 would give 0
        assertEquals(Float.MIN_VALUE, f1(ScaleFunction.ml(), 0, Float.MIN_VALUE));
    }

    @Test
    void emptyDoesNothing() {
        float[] out = {7f};
        k.scale(ScaleFunction.sq(), 0, new float[0], new float[0], out);
        assertEquals(7f, out[0]);
    }

    @Test
    void offsetsReadAndWriteOnlyTheSlice() {
        float[] dO = {9, 9, 0, (float) LN2, 9};
        float[] dR = {9, 1, 3, 9};
        float[] out = {-1, -1, -1, -1, -1};
        // out[2..4) = SQ(dO[2..4), dR[1..3)) = (exp(0)*1, exp(ln2)*3) = (1, 6)
        k.scale(ScaleFunction.sq(), 2, dO, 2, dR, 1, out, 2, false);
        assertEquals(-1f, out[0]);
        assertEquals(-1f, out[1]);
        close(1, out[2]);
        close(6, out[3]);
        assertEquals(-1f, out[4]);
    }

    @Test
    void inPlaceAtTheSameOffset() {
        // out aliases dR: exp(ln2) * 3 = 6, exp(0) * -1 = -1
        float[] dO = {(float) LN2, 0};
        float[] dR = {3, -1};
        k.scale(ScaleFunction.sq(), 2, dO, dR, dR);
        close(6, dR[0]);
        close(-1, dR[1]);
    }

    // ---------- properties ----------

    @Provide
    Arbitrary<Integer> sizes() {
        return Shapes.sizes(300);
    }

    /** The relations between kinds that the table implies, elementwise over arrays with edge values. */
    @Property(tries = 150)
    void relationsBetweenKinds(@ForAll("sizes") int n, @ForAll long seed) {
        float[] x = EdgeValues.array(seed, n, 3f, 0.1, false);
        float[] y = EdgeValues.array(seed + 1, n, 5f, 0.1, false);
        float[] mse = new float[n], sq = new float[n], sil = new float[n], mla00 = new float[n], ppo = new float[n];
        k.scale(ScaleFunction.mse(), n, x, y, mse);
        k.scale(ScaleFunction.sq(), n, x, y, sq);
        k.scale(ScaleFunction.sil(), n, x, y, sil);
        k.scale(ScaleFunction.mla(0, 0), n, x, y, mla00);
        k.scale(ScaleFunction.ppoClip(0.25), n, x, y, ppo);
        for (int i = 0; i < n; i++) {
            // MSE is y; MLA(0,0) is y * max(1, 1/2) = y, bit for bit
            assertEquals(y[i], mse[i], 0.0);
            assertEquals(y[i], mla00[i], 0.0);
            // SIL agrees with SQ where y > 0 and is 0 where y <= 0 (x is finite here)
            if (y[i] > 0) assertEquals(sq[i], sil[i], 0.0);
            else assertEquals(0.0, sil[i], 0.0);
            // PPO agrees with SQ where the ratio lies strictly inside [1 - eps, 1 + eps] (away from the branch)
            double r = Math.exp(x[i]);
            if (r > 0.75 + 1e-6 && r < 1.25 - 1e-6) assertEquals(sq[i], ppo[i], 0.0);
        }
    }

    /**
     * PPO_CLIP against an independent formulation: the derivative with respect to log r of
     * {@code L(r) = min(r y, clamp(r, 1-eps, 1+eps) y)}. Where the unclipped term is the min it is
     * {@code r y}; where the clipped term is (strictly) smaller, it is {@code r y} inside the clip
     * range and 0 outside. Points within 1e-6 of a branch are skipped (SPEC Tolerances).
     */
    @Property(tries = 300)
    void ppoIsTheClippedObjectivesGradient(@ForAll("ratios") float x, @ForAll("errors") float y,
            @ForAll("epsilons") double eps) {
        double r = Math.exp(x);
        Assume.that(Math.abs(r - (1 + eps)) > 1e-6 && Math.abs(r - (1 - eps)) > 1e-6);
        double clamped = Math.min(Math.max(r, 1 - eps), 1 + eps);
        double expected;
        if (r * y <= clamped * y) {
            expected = r * y;
        } else {
            expected = (r > 1 - eps && r < 1 + eps) ? r * y : 0;
        }
        // the kernel stores fp32, so the expected value is rounded to fp32 too (this matters for subnormal results)
        expected = (float) expected;
        Tolerance.spec().assertClose("PPO(" + eps + ") at (" + x + ", " + y + ")",
                expected, f1(ScaleFunction.ppoClip(eps), x, y), Math.abs(expected));
    }

    @Provide
    Arbitrary<Float> ratios() {
        return Arbitraries.floats().between(-2f, 2f);
    }

    @Provide
    Arbitrary<Float> errors() {
        return EdgeValues.finite(10f);
    }

    @Provide
    Arbitrary<Double> epsilons() {
        return Arbitraries.of(0.05, 0.1, 0.2, 0.3, 1.5);
    }

    /** The offset flavour with zero offsets and requireFinite gives the same bits as the plain one. */
    @Property(tries = 60)
    void flavoursAgree(@ForAll("sizes") int n, @ForAll long seed) {
        float[] x = EdgeValues.array(seed, n, 4f, 0.2, false);
        float[] y = EdgeValues.array(seed ^ 0x5DEECE66DL, n, 4f, 0.2, false);
        for (ScaleFunction f : new ScaleFunction[] {ScaleFunction.ml(), ScaleFunction.mla(), ScaleFunction.ppoClip(0.2)}) {
            float[] a = new float[n], b = new float[n + 3];
            Arrays.fill(b, 42f);
            k.scale(f, n, x, y, a);
            k.scale(f, n, x, 0, y, 0, b, 3, true);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToIntBits(a[i]), Float.floatToIntBits(b[i + 3]), f + " at " + i);
            }
            for (int i = 0; i < 3; i++) assertEquals(42f, b[i]);
        }
    }
}
