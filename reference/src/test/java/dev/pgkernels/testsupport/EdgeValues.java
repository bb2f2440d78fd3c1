package dev.pgkernels.testsupport;

import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/**
 * jqwik arbitraries for fp32 values that include the edge cases of SPEC.md: signed zeros,
 * tiny values (|y| < 1e-6, where {@code expm1} must not cancel), subnormals, values around
 * {@code exp}'s overflow (88.72) and underflow (-103.97) in fp32, logits of magnitude 1e4,
 * {@code ±Inf} and NaN, mixed with ordinary values.
 */
public final class EdgeValues {
    private EdgeValues() {}

    /** Finite edge values. */
    public static final List<Float> FINITE_EDGES = List.of(
            0f, -0f, 1f, -1f, 0.5f, -0.5f, 2f, -2f,
            1e-7f, -1e-7f, 3e-9f, -3e-9f, 1e-30f, -1e-30f,
            Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL,
            88.7f, 88.8f, -87.3f, -103.9f, -104f, 20f, -20f, 50f, -50f,
            1e4f, -1e4f, 3.4e38f, -3.4e38f, Float.MAX_VALUE, -Float.MAX_VALUE);

    /** Non-finite values: NaN, +Inf, -Inf. */
    public static final List<Float> NON_FINITE = List.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);

    /** Ordinary values in [-lim, lim] mixed with the finite edges (no NaN or Inf). */
    public static Arbitrary<Float> finite(float lim) {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.floats().between(-lim, lim)),
                Tuple.of(2, Arbitraries.of(FINITE_EDGES).filter(v -> Math.abs(v) <= lim)));
    }

    /** Everything: ordinary values, finite edges, NaN and ±Inf. */
    public static Arbitrary<Float> any(float lim) {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.floats().between(-lim, lim)),
                Tuple.of(2, Arbitraries.of(FINITE_EDGES)),
                Tuple.of(1, Arbitraries.of(NON_FINITE)));
    }

    /** Tiny values, |v| < 1e-6, for {@code expm1} accuracy. */
    public static Arbitrary<Float> tiny() {
        return Arbitraries.floats().between(-1e-6f, 1e-6f).ofScale(12);
    }

    /**
     * Fills an array of {@code n} elements from a seeded generator: mostly uniform in
     * {@code [-lim, lim]}, with a fraction {@code edgeFraction} of {@link #FINITE_EDGES} (and, if
     * {@code nonFinite}, NaN/±Inf) — for large arrays where drawing each element through jqwik
     * would be slow. Deterministic for a seed, so jqwik can shrink the seed.
     */
    public static float[] array(long seed, int n, float lim, double edgeFraction, boolean nonFinite) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            if (u < edgeFraction) {
                if (nonFinite && r.nextInt(8) == 0) {
                    a[i] = NON_FINITE.get(r.nextInt(NON_FINITE.size()));
                } else {
                    float v = FINITE_EDGES.get(r.nextInt(FINITE_EDGES.size()));
                    a[i] = Math.abs(v) <= lim ? v : Math.copySign(lim, v);
                }
            } else {
                a[i] = (float) ((2 * r.nextDouble() - 1) * lim);
            }
        }
        return a;
    }

    /** Uniform in [lo, hi), seeded. */
    public static float[] uniform(long seed, int n, float lo, float hi) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    /** Flags with probability p, seeded. */
    public static boolean[] flags(long seed, int n, double p) {
        Random r = new Random(seed);
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextDouble() < p;
        }
        return a;
    }
}
