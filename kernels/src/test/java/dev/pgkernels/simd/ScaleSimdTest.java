package dev.pgkernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pgkernels.Backends;
import dev.pgkernels.reference.ReferenceScale;
import dev.pgkernels.scale.ScaleFunction;
import dev.pgkernels.scale.ScaleKernels;
import dev.pgkernels.simd.SimdScale.Strategy;
import dev.pgkernels.testsupport.BadInput;
import dev.pgkernels.testsupport.EdgeValues;
import dev.pgkernels.testsupport.Shapes;
import dev.pgkernels.testsupport.Tolerance;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@code simd} scale functions against {@code reference}, for both strategies.
 *
 * <p><b>Tolerance, derived.</b> MSE is a copy. In the {@code DOUBLE} strategy MLA and parametric
 * MLA are evaluated in double with the reference's operations in the reference's order, so they
 * must be <em>bit-identical</em> (checked exactly, no tolerance). In the fp32 strategy they are
 * continuous functions evaluated with a few fp32 roundings, each relative to one of the terms:
 * {@code t = 1 + αo x} within {@code u(1 + |αo x|)}, {@code t + αr y} within a further
 * {@code u(|t| + |αr y|)}, the product with {@code y} within {@code u}: at most
 * {@code 4u · |y| (1 + |αo x| + |αr y|) ≈ 2.4e-7 ·} that, inside {@code atol = 1e-6 · scale} with
 * {@code scale = |y| (1 + |αo x| + |αr y|)}; for MLA likewise with
 * {@code scale = |y| (1 + |x| + |y|/2) + (1 + x)^2} (the quadratic branch); a branch chosen
 * differently within rounding of {@code 1 + x + y = 0} changes the value by
 * {@code (1 + x + y)^2 / 2}, of second order. SQ, ML, SIL and PPO_CLIP in the fp32 path: the inline
 * {@code exp} and {@code expm1} are within 2 ulp ({@link SimdExpTest}, over {@code |x| <= 87} and
 * {@code |y| < 1e-6}), each product adds 0.5 ulp, and for {@code |x| <= 80}
 * {@code exp(x)} is a normal fp32 number; so the relative error is at most
 * {@code (2 + 2 + 0.5) · 2^-23 ≈ 5.4e-7}, well inside SPEC's {@code rtol = 1e-5}. A result in
 * fp32's subnormal range can also be off by one subnormal spacing {@code 2^-149 ≈ 1.4e-45}, which
 * {@code atol = 1e-6 · scale} covers with {@code scale = |ref| + 1e-38} ({@code atol >= 1e-44}).
 * Lanes with {@code |x| > 80} take the double path (error: the double {@code exp}'s last bit,
 * then one rounding). Special-value classes must match exactly. Points SPEC lets fp32 and double
 * decide differently are skipped: PPO's {@code exp(x) = 1 ± eps} within a relative {@code 1e-6},
 * and exact results within a relative {@code 1e-6} of fp32's overflow threshold.
 */
class ScaleSimdTest {
    private static final ScaleKernels REF = Backends.reference().scale().orElseThrow();
    private static final Tolerance TOL = Tolerance.spec();
    /** Half an ulp above Float.MAX_VALUE: the exact value at which rounding to fp32 gives +Inf. */
    private static final double OVERFLOW = Float.MAX_VALUE + 0.5 * Math.ulp(Float.MAX_VALUE);

    record Case(ScaleFunction f, int n, long seed, float lim, int xo, int yo, int oo, Strategy strategy) {}

    @Provide
    Arbitrary<ScaleFunction> functions() {
        Arbitrary<ScaleFunction> base = Arbitraries.oneOf(
                Arbitraries.of(ScaleFunction.mse(), ScaleFunction.sq(), ScaleFunction.ml(), ScaleFunction.sil(),
                        ScaleFunction.mla()),
                Combinators.combine(Arbitraries.of(0.0, 1.0, 0.5, -1.5), Arbitraries.of(0.0, 1.0, 0.25, -2.0))
                        .as(ScaleFunction::mla),
                Combinators.combine(Arbitraries.doubles().between(-3, 3), Arbitraries.doubles().between(-3, 3))
                        .as(ScaleFunction::mla),
                Combinators.combine(Arbitraries.of(1e7, -3e20, 0.5), Arbitraries.of(1e30, -2e6, 1.0))
                        .as(ScaleFunction::mla),   // large parameters: the fp32 path must hand them to double
                Arbitraries.of(0.1, 0.2, 1.0, 2.5).map(ScaleFunction::ppoClip));
        // clips that are fp32 numbers (the fp32 path clips with (float) c), including ones in the risk region
        Arbitrary<Float> clip = Arbitraries.of(20f, 0.5f, -1f, 85f, 100f, 3e38f);
        return Combinators.combine(base, clip, Arbitraries.integers().between(0, 2))
                .as((f, c, pick) -> pick == 0 ? f.withLogRatioClip(c) : f);
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(functions(), Shapes.sizes(300), Arbitraries.longs(),
                Arbitraries.of(1f, 5f, 30f, 100f, 1e4f, 1e20f, Float.MAX_VALUE), Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3),
                Arbitraries.of(Strategy.values())).as(Case::new);
    }

    @Property(tries = 400)
    void matchesReference(@ForAll("cases") Case c) {
        int n = c.n();
        float[] x = pad(EdgeValues.array(c.seed(), n, c.lim(), 0.2, true), c.xo());
        float[] y = pad(EdgeValues.array(~c.seed(), n, c.lim(), 0.2, true), c.yo());
        check(c.f(), c.strategy(), n, x, c.xo(), y, c.yo(), c.oo());
    }

    /** The boundary region of exp: x in [80, 100] and [-110, -80], y of every magnitude (products near both ends of fp32's range). */
    @Property(tries = 150)
    void overflowAndUnderflowBoundaryMatchesReference(@ForAll("functions") ScaleFunction f, @ForAll long seed,
            @ForAll Strategy strategy) {
        int n = 203;
        Random r = new Random(seed);
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextBoolean() ? 80 + 20 * r.nextDouble() : -80 - 30 * r.nextDouble());
            if (r.nextInt(8) == 0) x[i] = (float) (100 * r.nextDouble() - 50); // ordinary lanes in the same vectors
            double mag = Math.pow(10, -45 + 83 * r.nextDouble());
            y[i] = (float) (r.nextBoolean() ? mag : -mag);
            if (r.nextInt(10) == 0) y[i] = 0f;
            if (r.nextInt(10) == 0) y[i] = (float) (80 + 20 * r.nextDouble()); // ML's expm1(y) overflow region
        }
        check(f, strategy, n, x, 0, y, 0, 0);
    }

    /**
     * Parametric MLA where fp32 intermediates could overflow: |x|, |y| around the fp32 path's
     * limit (1e12) and |αo|, |αr| around theirs (1e6), so {@code αr y · y} reaches 1e30 and beyond;
     * lanes past a limit must send their vector to the double path (classes and values as the
     * reference), lanes within must not overflow in fp32. Ordinary lanes share the vectors.
     */
    @Property(tries = 150)
    void parametricMlaIntermediatesNearTheLimitsMatchReference(@ForAll long seed, @ForAll Strategy strategy) {
        Random r = new Random(seed);
        double[] alphas = {1e6, -1e6, 9.99e5, -9.99e5, 1.0001e6, 0.5, -3, 0};
        ScaleFunction f = ScaleFunction.mla(alphas[r.nextInt(alphas.length)], alphas[r.nextInt(alphas.length)]);
        if (r.nextBoolean()) {
            f = f.withLogRatioClip(r.nextBoolean() ? 1e11 : 5);
        }
        int n = 1 + r.nextInt(140);
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((r.nextBoolean() ? 1 : -1) * Math.pow(10, 6 + 7 * r.nextDouble()));
            y[i] = (float) ((r.nextBoolean() ? 1 : -1) * Math.pow(10, 6 + 7 * r.nextDouble()));
            if (r.nextInt(4) == 0) x[i] = (float) (4 * r.nextDouble() - 2);
            if (r.nextInt(4) == 0) y[i] = (float) (6 * r.nextDouble() - 3);
        }
        check(f, strategy, n, x, 0, y, 0, 0);
    }

    /** ML with |y| < 1e-6: expm1 must not cancel (exp(y) - 1 would lose every digit at y = 1e-8). */
    @Property(tries = 100)
    void mlIsAccurateForTinyErrors(@ForAll long seed, @ForAll Strategy strategy) {
        int n = 131;
        Random r = new Random(seed);
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (10 * r.nextDouble() - 5);
            y[i] = (float) ((2 * r.nextDouble() - 1) * Math.pow(10, -6 - 30 * r.nextDouble()));
        }
        check(ScaleFunction.ml(), strategy, n, x, 0, y, 0, 0);
    }

    private static float[] pad(float[] a, int off) {
        float[] p = new float[a.length + off + 2];
        System.arraycopy(a, 0, p, off, a.length);
        p[0] = off > 0 ? Float.NaN : p[0]; // a NaN before the slice must not be read
        return p;
    }

    private static void check(ScaleFunction f, Strategy strategy, int n, float[] x, int xo, float[] y, int yo, int oo) {
        float[] ref = new float[n + oo];
        REF.scale(f, n, x, xo, y, yo, ref, oo, false);
        float[] fast = BadInput.sentinel(n + oo + 3);
        new SimdScale(strategy).scale(f, n, x, xo, y, yo, fast, oo, false);
        boolean exact = switch (f.kind()) {
            case MSE -> true;
            case MLA, MLA_PARAMETRIC -> strategy == Strategy.DOUBLE;
            default -> false;
        };
        for (int i = 0; i < n; i++) {
            double xi = x[xo + i], yi = y[yo + i];
            float r = ref[oo + i], s = fast[oo + i];
            String at = f + " " + strategy + " element " + i + " of " + n + ": x=" + xi + " y=" + yi;
            if (exact) {
                if (!(Float.isNaN(r) && Float.isNaN(s)) && Float.floatToIntBits(r) != Float.floatToIntBits(s)) {
                    fail(at + ": reference=" + r + " simd=" + s + " (must be bit-identical)");
                }
                continue;
            }
            double v = ReferenceScale.evaluate(f, xi, yi);
            if (nearBranch(f, xi, yi, v)) {
                continue;
            }
            double xc = Math.min(xi, f.clipOrInfinity());
            double scale = switch (f.kind()) {
                case MLA -> Math.abs(yi) * (1 + Math.abs(xc) + Math.abs(yi) / 2) + (1 + Math.abs(xc)) * (1 + Math.abs(xc));
                case MLA_PARAMETRIC -> Math.abs(yi) * (1 + Math.abs(f.alphaO() * xc) + Math.abs(f.alphaR() * yi));
                default -> Math.abs(r);
            };
            if (!TOL.accepts(r, s, (Double.isFinite(scale) ? scale : 0) + 1e-38)) {
                fail(at + ": reference=" + r + " simd=" + s + " exact=" + v);
            }
        }
        for (int i = 0; i < oo; i++) {
            assertEquals(BadInput.SENTINEL, fast[i], "element " + i + " before the output offset was written");
        }
        for (int i = oo + n; i < fast.length; i++) {
            assertEquals(BadInput.SENTINEL, fast[i], "element " + i + " past the output slice was written");
        }
    }

    /** Within a relative 1e-6 of a boundary that fp32 and double may decide differently (SPEC "Tolerances"). */
    private static boolean nearBranch(ScaleFunction f, double x, double y, double exact) {
        double a = Math.abs(exact);
        if (a > OVERFLOW * (1 - 1e-6) && a < OVERFLOW * (1 + 1e-6)) {
            return true;
        }
        if (f.kind() == ScaleFunction.Kind.PPO_CLIP) {
            double ratio = Math.exp(Math.min(x, f.clipOrInfinity()));
            double hi = 1 + f.eps(), lo = 1 - f.eps();
            return Math.abs(ratio - hi) <= 1e-6 * hi || Math.abs(ratio - lo) <= 1e-6 * Math.abs(lo);
        }
        return false;
    }

    @Test
    void overflowIsJudgedOnTheRoundedResult() {
        for (Strategy st : Strategy.values()) {
            float[] x = {89f, 100f, 100f, 120f, -100f, 89f}, y = {0.001f, 1f, 0f, 1e-30f, 1e38f, -0.001f};
            float[] out = new float[6];
            new SimdScale(st).scale(ScaleFunction.sq(), 6, x, y, out);
            assertEquals((float) (Math.exp(89) * 0.001), out[0], Math.ulp(out[0]), st + ": SQ(89, 0.001) is finite");
            assertEquals(Float.POSITIVE_INFINITY, out[1], st + ": SQ(100, 1) overflows");
            assertEquals(0f, out[2], st + ": SQ(100, 0) = 0: exp(100) is finite in double");
            assertEquals((float) (Math.exp(120) * (double) 1e-30f), out[3], Math.ulp(out[3]) * 2, st.toString());
            assertEquals((float) (Math.exp(-100) * (double) 1e38f), out[4], Math.ulp(out[4]) * 2, st + ": exp(-100) is not an fp32 normal");
            assertTrue(out[5] < 0 && Float.isFinite(out[5]), st.toString());
        }
    }

    /**
     * PPO_CLIP's flat test ({@code d · y > 0} on the clipped ratio's bit-pattern difference) at the
     * points where a float product could lose the sign: subnormal and infinite {@code y}, ratios
     * one ulp outside and on the bounds, {@code lo <= 0} ({@code eps >= 1}), NaN and zeros. Every
     * lane lies in the fp32 path ({@code |x| <= 80}); the reference's zeros must be zeros (a
     * nonzero subnormal would pass the value tolerance only by its {@code atol}, so this checks it
     * exactly), its classes its classes, and finite values within 3 ulp.
     */
    @Test
    void ppoFlatTestKeepsTheSignAtTheExtremes() {
        float[] ys = {Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, -1e-40f, 0f, -0f, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.NaN, 1f, -1f, 3e38f, -3e38f};
        for (double eps : new double[] {0.2, 1.0, 2.5, 100}) {
            float hi = (float) (1 + eps), lo = (float) (1 - eps);
            java.util.List<Float> xs = new java.util.ArrayList<>(java.util.List.of(0f, -80f, 80f, 1e-30f, -1e-30f));
            for (float b : new float[] {hi, lo}) {
                if (b > 0) {
                    float lb = (float) Math.log(b);
                    for (int k = -3; k <= 3; k++) {
                        xs.add(lb + k * Math.ulp(lb));
                    }
                }
            }
            int n = xs.size() * ys.length;
            float[] x = new float[n], y = new float[n], ref = new float[n], fast = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = xs.get(i / ys.length);
                y[i] = ys[i % ys.length];
            }
            ScaleFunction f = ScaleFunction.ppoClip(eps);
            REF.scale(f, n, x, y, ref);
            new SimdScale().scale(f, n, x, y, fast);
            for (int i = 0; i < n; i++) {
                String at = f + ": x=" + x[i] + " y=" + y[i] + " reference=" + ref[i] + " simd=" + fast[i];
                double ratio = Math.exp(x[i]);
                if (Math.abs(ratio - hi) <= 1e-6 * hi || Math.abs(ratio - lo) <= 1e-6 * Math.abs(lo)) {
                    // the fp32 ratio may sit on the other side of a bound (SPEC "Tolerances"): only the class
                    assertEquals(Float.isNaN(ref[i]), Float.isNaN(fast[i]), at);
                    continue;
                }
                if (Float.isNaN(ref[i]) || Float.isInfinite(ref[i]) || ref[i] == 0f) {
                    assertTrue(Float.isNaN(ref[i]) ? Float.isNaN(fast[i]) : fast[i] == ref[i], at);
                } else {
                    assertEquals(ref[i], fast[i], 3 * Math.ulp(ref[i]), at);
                }
            }
        }
    }

    @Test
    void outMayAliasAnInputAtTheSameOffset() {
        int n = 37;
        float[] x = EdgeValues.uniform(1, n, -2, 2), y = EdgeValues.uniform(2, n, -3, 3);
        float[] ref = new float[n];
        REF.scale(ScaleFunction.sil(), n, x, y, ref);
        new SimdScale().scale(ScaleFunction.sil(), n, x, y, y);
        TOL.assertClose("aliased SIL", ref, y, n, 1.0);
    }

    @Test
    void badInputIsRejectedBeforeAnyOutputIsWritten() {
        SimdScale k = new SimdScale();
        float[] x = new float[4], y = new float[4], out = BadInput.sentinel(4);
        BadInput.assertRejected("'f'", () -> k.scale(null, 4, x, y, out), out);
        BadInput.assertRejected("'dO'", () -> k.scale(ScaleFunction.sq(), 5, x, new float[5], BadInput.sentinel(5)), out);
        BadInput.assertRejected("'out'", () -> k.scale(ScaleFunction.sq(), 4, x, y, new float[3]));
        float[] bad = {1f, Float.NaN, 0f, 0f};
        BadInput.assertRejected("dR", () -> k.scale(ScaleFunction.sq(), 4, x, 0, bad, 0, out, 0, true), out);
    }
}
