package dev.pgkernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.Backends;
import dev.pgkernels.reference.ReferenceScale;
import dev.pgkernels.scale.ScaleFunction;
import dev.pgkernels.scale.ScaleKernels;
import dev.pgkernels.testsupport.BadInput;
import dev.pgkernels.testsupport.EdgeValues;
import dev.pgkernels.testsupport.Shapes;
import dev.pgkernels.testsupport.Tolerance;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.junit.jupiter.api.Test;

/**
 * {@code opencl} scale functions against {@code reference} (SPEC §1).
 *
 * <p><b>Tolerance, derived.</b> The kernel evaluates {@code exp(x) y} as
 * {@code ldexp(exp(r) m, n + e)} with {@code x = n ln2 + r} (Cody–Waite, exact up to one rounding of
 * {@code r}: {@code |Δr| <= 2^-26}) and {@code y = m 2^e} (frexp, exact). OpenCL's full-profile
 * {@code exp} and {@code expm1} are within 3 ulp (OpenCL C spec, "Relative error as ulps" table);
 * one ulp of an fp32 result is at most {@code 2^-23} relative. So SQ, SIL and PPO are within
 * {@code 3 + 0.5 + 0.5 < 4} ulp {@code ≈ 4.8e-7} relative, ML within {@code 3 + 3 + 0.5 + 0.5 = 7}
 * ulp {@code ≈ 8.4e-7}, the log-ratio clip adds {@code |c| 2^-24} (the clip is passed as fp32;
 * {@code |c| <= 100} here: {@code 6e-6}): all inside SPEC's {@code rtol = 1e-5}. Results in the
 * subnormal range are rounded twice (product, then ldexp): an absolute error of at most
 * {@code 2^-148}, which {@code atol = 1e-6 · scale} covers with {@code scale >= 2^-126}
 * ({@code 1e-6 · 2^-126 ≈ 8 · 2^-149}). MLA's terms are summed in fp32 (the reference in double):
 * each rounding is relative to the magnitude of the terms, so its scale is
 * {@code |y| (1 + |x| + |y|) + (1 + |x|)^2} (and {@code |y| (1 + |αo x| + |αr y|)} for the
 * parametric form); both MLA branches meet continuously, so no point is skipped there. PPO's clip
 * is a jump: points whose double {@code exp(x)} lies within {@code 1e-5} relative of {@code 1 ± eps}
 * are skipped (SPEC "Tolerances": near a branch fp32 and double may choose differently).
 */
@AddLifecycleHook(OpenClTests.SkipWithoutOpenCl.class)
class ScaleOpenClTest {
    private static final Tolerance TOL = Tolerance.spec();

    private static ScaleKernels cl() {
        return OpenClTests.backend().scale().orElseThrow();
    }

    @Provide
    Arbitrary<ScaleFunction> functions() {
        Arbitrary<ScaleFunction> base = Arbitraries.oneOf(
                Arbitraries.of(ScaleFunction.mse(), ScaleFunction.sq(), ScaleFunction.ml(), ScaleFunction.sil(),
                        ScaleFunction.mla()),
                Combinators.combine(Arbitraries.of(0.0, 1.0, 0.5, -0.3, 2.0), Arbitraries.of(0.0, 1.0, 0.25, -0.5))
                        .as(ScaleFunction::mla),
                Arbitraries.of(0.1, 0.2, 0.5, 1.5, Double.POSITIVE_INFINITY).map(ScaleFunction::ppoClip));
        return Combinators.combine(base, Arbitraries.of(Double.NaN, Double.NaN, -1.0, 0.0, 5.0, 20.0, 100.0))
                .as((f, c) -> Double.isNaN(c) ? f : f.withLogRatioClip(c));
    }

    record Data(int n, long seed, float limX, float limY, double edges) {}

    @Provide
    Arbitrary<Data> data() {
        return Combinators.combine(Shapes.sizes(1100), Arbitraries.longs(), Arbitraries.of(1f, 5f, 100f, 250f),
                Arbitraries.of(1f, 10f, 1e3f, 1e30f), Arbitraries.of(0.0, 0.1, 0.3)).as(Data::new);
    }

    /** The magnitude of the terms of f(x, y), for the atol part (see the class comment). */
    static double scale(ScaleFunction f, double x, double y) {
        x = Math.min(x, f.clipOrInfinity());
        double s = switch (f.kind()) {
            case MLA -> Math.abs(y) * (1 + Math.abs(x) + Math.abs(y)) + (1 + Math.abs(x)) * (1 + Math.abs(x));
            case MLA_PARAMETRIC -> Math.abs(y) * (1 + Math.abs(f.alphaO() * x) + Math.abs(f.alphaR() * y));
            default -> 0;
        };
        return Double.isNaN(s) ? Double.POSITIVE_INFINITY : s + Float.MIN_NORMAL; // 0 * Inf: an infinite term
    }

    /** Whether (x, y) lies within a few ulps of a jump of f (PPO's clip). */
    static boolean nearBranch(ScaleFunction f, float x, float y) {
        if (f.kind() != ScaleFunction.Kind.PPO_CLIP) {
            return false;
        }
        double r = Math.exp(Math.min(x, f.clipOrInfinity()));
        double hi = 1 + f.eps(), lo = 1 - f.eps();
        return Math.abs(r - hi) <= 1e-5 * Math.abs(hi) || Math.abs(r - lo) <= 1e-5 * Math.max(Math.abs(lo), 1e-30);
    }

    @Property(tries = 150)
    void matchesReference(@ForAll("functions") ScaleFunction f, @ForAll("data") Data d) {
        int n = d.n();
        float[] x = EdgeValues.array(d.seed(), n, d.limX(), d.edges(), true);
        float[] y = EdgeValues.array(~d.seed(), n, d.limY(), d.edges(), true);
        check(f, n, x, y);
    }

    @Property(tries = 40)
    void mlIsAccurateForTinyErrors(@ForAll("functions") ScaleFunction f, @ForAll("tinyY") float[] y) {
        float[] x = EdgeValues.uniform(y.length, y.length, -3, 3);
        check(ScaleFunction.ml(), y.length, x, y);
        check(f, y.length, x, y);
    }

    @Provide
    Arbitrary<float[]> tinyY() {
        return EdgeValues.tiny().array(float[].class).ofMinSize(1).ofMaxSize(130);
    }

    private static void check(ScaleFunction f, int n, float[] x, float[] y) {
        float[] ref = new float[n];
        Backends.reference().scale().orElseThrow().scale(f, n, x, y, ref);
        float[] out = BadInput.sentinel(n + 5);
        cl().scale(f, n, x, y, out);
        double[] sc = new double[n];
        float[] refC = ref.clone();
        for (int i = 0; i < n; i++) {
            sc[i] = scale(f, x[i], y[i]);
            if (nearBranch(f, x[i], y[i])) {
                refC[i] = out[i]; // skipped: within a few ulps of PPO's jump
            }
        }
        String at = "";
        for (int i = 0; i < n; i++) {
            if (!TOL.accepts(refC[i], out[i], sc[i])) {
                at = " (first failure at x=" + x[i] + ", y=" + y[i] + ")";
                break;
            }
        }
        TOL.assertClose(f + " n=" + n + at, refC, out, n, sc);
        for (int i = n; i < n + 5; i++) {
            assertEquals(Float.floatToRawIntBits(BadInput.SENTINEL), Float.floatToRawIntBits(out[i]),
                    "element " + i + " past n = " + n + " was written");
        }
    }

    @Test
    void specEdgeCases() {
        ScaleKernels k = cl();
        float[] out = new float[1];
        // overflow is judged on the result, as the double reference does
        k.scale(ScaleFunction.sq(), 1, new float[] {89f}, new float[] {0.001f}, out);
        assertTrue(Float.isFinite(out[0]) && Math.abs(out[0] - (float) (Math.exp(89) * 0.001f)) <= 1e-5 * out[0], "SQ(89, 1e-3) = " + out[0]);
        k.scale(ScaleFunction.sq(), 1, new float[] {100f}, new float[] {1f}, out);
        assertEquals(Float.POSITIVE_INFINITY, out[0]);
        k.scale(ScaleFunction.sq(), 1, new float[] {100f}, new float[] {0f}, out);
        assertEquals(0f, out[0], "exp(100) is finite in double, so exp(100) * 0 = 0");
        k.scale(ScaleFunction.sq(), 1, new float[] {800f}, new float[] {0f}, out);
        assertTrue(Float.isNaN(out[0]), "exp(800) overflows double: Inf * 0 = NaN");
        k.scale(ScaleFunction.sq(), 1, new float[] {-120f}, new float[] {1e30f}, out);
        assertEquals((float) (Math.exp(-120) * 1e30f), out[0], 1e-5 * out[0], "exp(-120) underflows fp32 but the product does not");
        for (float x : new float[] {-0.9f, -0.5f, -0.3f, 0.3f, 5f, 84.26f}) {
            for (float y : new float[] {3e38f, -Float.MAX_VALUE, Float.MIN_VALUE, 3 * Float.MIN_VALUE, 0.7f * Float.MIN_NORMAL}) {
                k.scale(ScaleFunction.sq(), 1, new float[] {x}, new float[] {y}, out);
                float ref = (float) (Math.exp(x) * y);
                assertTrue(Float.isInfinite(ref) ? ref == out[0] : Math.abs(out[0] - ref) <= 1e-5 * Math.abs(ref) + 8 * Float.MIN_VALUE,
                        "SQ(" + x + ", " + y + ") = " + out[0] + ", reference " + ref);
            }
        }
        k.scale(ScaleFunction.ml(), 1, new float[] {-60f}, new float[] {100f}, out);
        assertEquals((float) (Math.exp(-60) * Math.expm1(100)), out[0], 1e-5 * out[0], "expm1(100) overflows fp32");
        k.scale(ScaleFunction.ml(), 1, new float[] {0f}, new float[] {1e-7f}, out);
        assertEquals((float) Math.expm1(1e-7f), out[0], 1e-5 * out[0], "expm1, not exp - 1");
        k.scale(ScaleFunction.sq().withLogRatioClip(20), 1, new float[] {1000f}, new float[] {1f}, out);
        assertEquals((float) Math.exp(20), out[0], 1e-5 * out[0]);
        k.scale(ScaleFunction.sil(), 1, new float[] {0f}, new float[] {Float.NaN}, out);
        assertTrue(Float.isNaN(out[0]), "max(NaN, 0) is NaN, as Java's Math.max");
        k.scale(ScaleFunction.sq().withLogRatioClip(5), 1, new float[] {Float.NaN}, new float[] {1f}, out);
        assertTrue(Float.isNaN(out[0]), "min(NaN, c) is NaN, as Java's Math.min");
        k.scale(ScaleFunction.mse(), 1, new float[] {Float.NaN}, new float[] {2f}, out);
        assertEquals(2f, out[0], "MSE does not read dO");
    }

    @Test
    void offsetsAreHonoured() {
        float[] x = {9, 9, 0.5f, -1f, 2f}, y = {9, 1f, 2f, -3f, 9};
        float[] out = BadInput.sentinel(6), ref = BadInput.sentinel(6);
        cl().scale(ScaleFunction.sq(), 3, x, 2, y, 1, out, 3, false);
        Backends.reference().scale().orElseThrow().scale(ScaleFunction.sq(), 3, x, 2, y, 1, ref, 3, false);
        TOL.assertClose("offsets", ref, out, 6, 1.0);
    }

    @Test
    void badInputIsRejectedBeforeAnyDeviceWork() {
        ScaleKernels k = cl();
        float[] x = new float[4], out = BadInput.sentinel(4);
        BadInput.assertRejected("dR", () -> k.scale(ScaleFunction.sq(), 4, x, new float[3], out), out);
        BadInput.assertRejected("n", () -> k.scale(ScaleFunction.sq(), -1, x, x, out), out);
        BadInput.assertRejected("dO", () -> k.scale(ScaleFunction.sq(), 2, new float[] {1, Float.NaN}, 0, x, 0, out, 0, true), out);
    }
}
