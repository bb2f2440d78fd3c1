package dev.pgkernels.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The SPEC.md tolerance rule, shared by every module's tests:
 * {@code |fast - ref| <= atol + rtol * |ref|}, with the defaults {@code rtol = 1e-5} and
 * {@code atol = 1e-6 * scale}, where {@code scale} is the magnitude of the terms that were summed
 * to make the element (e.g. {@code Σ|terms|} for a reduction, {@code max|A_t|} for a scan).
 *
 * <p>Special values must match the reference's class exactly: NaN where the reference has NaN
 * and only there; {@code +Inf} and {@code -Inf} likewise. The sign of a zero is not compared.
 *
 * <p>A failure message prints the label, the index, both values, the difference and the bound,
 * and how many other elements also failed.
 *
 * <pre>{@code
 * Tolerance.spec().assertClose("gae advantages", ref, fast, n, scale);   // per-element scale
 * Tolerance.of(1e-4, 1e-5).assertClose("logits", ref, fast, n, 1.0);     // looser: justify it
 * }</pre>
 */
public final class Tolerance {
    /** SPEC default relative tolerance. */
    public static final double SPEC_RTOL = 1e-5;
    /** SPEC default absolute tolerance per unit of scale. */
    public static final double SPEC_ATOL_PER_SCALE = 1e-6;

    private final double rtol;
    private final double atolPerScale;

    private Tolerance(double rtol, double atolPerScale) {
        if (!(rtol >= 0) || !(atolPerScale >= 0)) {
            throw new IllegalArgumentException("tolerances must be >= 0: rtol=" + rtol + " atol=" + atolPerScale);
        }
        this.rtol = rtol;
        this.atolPerScale = atolPerScale;
    }

    /** {@code rtol = 1e-5}, {@code atol = 1e-6 * scale}. */
    public static Tolerance spec() {
        return new Tolerance(SPEC_RTOL, SPEC_ATOL_PER_SCALE);
    }

    /** A custom rule; a looser one than {@link #spec()} needs a derived bound in a comment. */
    public static Tolerance of(double rtol, double atolPerScale) {
        return new Tolerance(rtol, atolPerScale);
    }

    public double rtol() {
        return rtol;
    }

    public double atolPerScale() {
        return atolPerScale;
    }

    /** The allowed difference at a reference value {@code ref} whose terms had magnitude {@code scale}. */
    public double bound(double ref, double scale) {
        return atolPerScale * Math.abs(scale) + rtol * Math.abs(ref);
    }

    /** Whether one element passes (special-value classes included; zero signs ignored). */
    public boolean accepts(double ref, double fast, double scale) {
        if (Double.isNaN(ref) || Double.isNaN(fast)) {
            return Double.isNaN(ref) && Double.isNaN(fast);
        }
        if (Double.isInfinite(ref) || Double.isInfinite(fast)) {
            return ref == fast;
        }
        return Math.abs(fast - ref) <= bound(ref, scale);
    }

    /** Compares {@code n} elements with one scale for all of them. */
    public void assertClose(String label, float[] ref, float[] fast, int n, double scale) {
        check(label, n, i -> ref[i], i -> fast[i], i -> scale);
    }

    /** Compares {@code n} elements, element {@code i} with scale {@code scale[i]}. */
    public void assertClose(String label, float[] ref, float[] fast, int n, double[] scale) {
        check(label, n, i -> ref[i], i -> fast[i], i -> scale[i]);
    }

    public void assertClose(String label, double[] ref, double[] fast, int n, double scale) {
        check(label, n, i -> ref[i], i -> fast[i], i -> scale);
    }

    public void assertClose(String label, double[] ref, double[] fast, int n, double[] scale) {
        check(label, n, i -> ref[i], i -> fast[i], i -> scale[i]);
    }

    /** Compares fp32 output with a double-precision reference. */
    public void assertClose(String label, double[] ref, float[] fast, int n, double[] scale) {
        check(label, n, i -> ref[i], i -> fast[i], i -> scale[i]);
    }

    public void assertClose(String label, double[] ref, float[] fast, int n, double scale) {
        check(label, n, i -> ref[i], i -> fast[i], i -> scale);
    }

    /** One scalar. */
    public void assertClose(String label, double ref, double fast, double scale) {
        check(label, 1, i -> ref, i -> fast, i -> scale);
    }

    private interface At {
        double get(int i);
    }

    private void check(String label, int n, At ref, At fast, At scale) {
        int failures = 0;
        int first = -1;
        for (int i = 0; i < n; i++) {
            if (!accepts(ref.get(i), fast.get(i), scale.get(i))) {
                if (failures++ == 0) {
                    first = i;
                }
            }
        }
        if (failures > 0) {
            double r = ref.get(first), f = fast.get(first), s = scale.get(first);
            fail(String.format(
                    "%s: element %d of %d differs: reference=%s fast=%s |diff|=%s > bound=%s (rtol=%s, atol=%s*scale, scale=%s); %d element(s) fail in all",
                    label, first, n, r, f, Math.abs(f - r), bound(r, s), rtol, atolPerScale, s, failures));
        }
    }

    @Override
    public String toString() {
        return "Tolerance[rtol=" + rtol + ", atol=" + atolPerScale + "*scale]";
    }
}
