package dev.pgkernels.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pgkernels.Backends;
import dev.pgkernels.testsupport.BadInput;
import dev.pgkernels.testsupport.EdgeValues;
import dev.pgkernels.testsupport.Shapes;
import dev.pgkernels.testsupport.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Shared checks of a fast {@link DenseLinalg} against {@code reference}, used by
 * {@code LinalgSimdTest} and {@code LinalgJblasTest}.
 *
 * <p><b>Tolerance, derived.</b> An element of GEMM is {@code α Σ_{p<k} a_p b_p + β c}. The
 * reference sums in double and rounds once to fp32 (error {@code <= u|ref|}, {@code u = 2⁻²⁴}). A fast
 * fp32 backend sums in fp32 in any order: by Higham (Accuracy and Stability, §3.1) a dot of length k
 * has {@code |err| <= γ_k Σ|a_p b_p|}, {@code γ_k = k u / (1 - k u)}; blocking the sum into
 * {@code ⌈k/KC⌉} pieces that are added to C one by one, the final {@code α·acc + β·c} (one FMA and the
 * rounding of {@code β c}) and BLAS's own blocking add at most {@code k/KC + 3 <= k + 3} roundings, so
 * with {@code S = |α| Σ|a_p b_p| + |β c|}: {@code |fast - ref| <= γ_{2k+3} S + u|ref|}. We check
 * exactly that: {@code Tolerance.of(rtol = 2u, atol = γ_{2k+3} per unit of S)} (2u covers the
 * reference's own rounding plus the rounding of the fast result). Subnormal products round with an
 * absolute error up to {@code η = MIN_VALUE/2} per operation, so S also gets {@code (2k+3) η / γ}
 * added (an absolute floor of {@code (2k+3)η}). For double {@code u = 2⁻⁵³} and the same shape of
 * bound. GEMV rows are dots of length n (or m), SYRK elements dots of length k, DOT a dot of n, AXPY
 * one FMA ({@code |err| <= u|α x| + u|y|}, scale {@code |α x| + |y|}). Special values: NaN and ±Inf
 * classes must match the reference exactly; with inputs bounded by 2 no finite sum can overflow, and
 * a sum containing NaN, or both +Inf and -Inf, is NaN in every order, so the class does not depend on
 * the summation order.
 */
public final class LinalgChecks {
    private LinalgChecks() {}

    private static final DenseLinalg REF = Backends.reference().linalg().orElseThrow();
    private static final double U32 = 0x1p-24, U64 = 0x1p-53;

    /** Sizes just off the simd tile and block sizes (MR = 6, NR = 32 or 16, KC = 128, MC = 120) and the Shapes edges. */
    public static Arbitrary<Integer> dims(int max) {
        TreeSet<Integer> s = new TreeSet<>();
        for (int t : new int[] {6, 12, 16, 32, 48, 64, 96, 120, 128, 256}) {
            for (int d = -1; d <= 1; d++) {
                if (t + d <= max) s.add(t + d);
            }
        }
        List<Integer> edges = new ArrayList<>(s);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, Arbitraries.of(edges)),
                net.jqwik.api.Tuple.of(2, Shapes.sizes(max)));
    }

    /** One GEMM case: transposes, sizes, padding of the leading dimensions, offsets, α, β, data. */
    public record GemmCase(boolean ta, boolean tb, int m, int n, int k, int pad, int off, float alpha, float beta,
            long seed, boolean nonFinite) {}

    public static Arbitrary<GemmCase> gemmCases(int maxMn, int maxK) {
        Arbitrary<Float> alpha = Arbitraries.of(1f, -0.5f, 2.5f, 0f);
        Arbitrary<Float> beta = Arbitraries.of(0f, 1f, -1.5f);
        return Combinators.combine(Arbitraries.of(false, true), Arbitraries.of(false, true), dims(maxMn), dims(maxMn),
                dims(maxK), Arbitraries.of(0, 0, 1, 3), Arbitraries.of(0, 2),
                Combinators.combine(alpha, beta, Arbitraries.longs(),
                        Arbitraries.of(false, false, false, true)).as((al, be, seed, nf) -> new Object[] {al, be, seed, nf}))
                .as((ta, tb, m, n, k, pad, off, rest) -> new GemmCase(ta, tb, m, n, k, pad, off, (Float) rest[0],
                        (Float) rest[1], (Long) rest[2], (Boolean) rest[3]));
    }

    private static float[] data(long seed, int len, boolean nonFinite) {
        return EdgeValues.array(seed, len, 2f, nonFinite ? 0.05 : 0.02, nonFinite);
    }

    private static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static double gamma(int k, double u) {
        return k * u / (1 - k * u);
    }

    /** GEMM fp32 and double, against the reference, with sentinels around and between the rows of C. */
    public static void gemm(DenseLinalg fast, GemmCase c) {
        int m = c.m(), n = c.n(), k = c.k(), pad = c.pad(), off = c.off();
        int ar = c.ta() ? k : m, ac = c.ta() ? m : k, br = c.tb() ? n : k, bc = c.tb() ? k : n;
        int lda = Math.max(1, ac) + pad, ldb = Math.max(1, bc) + pad, ldc = Math.max(1, n) + pad;
        float[] a = data(c.seed(), off + ar * lda, c.nonFinite());
        float[] b = data(c.seed() + 1, off + br * ldb, c.nonFinite());
        float[] c0 = data(c.seed() + 2, off + m * ldc + 3, false);
        if (c.beta() == 0) {
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c0[off + i * ldc + j] = Float.NaN; // must not be read
        }
        String what = "gemm " + c;
        // fp32
        float[] cr = c0.clone(), cf = c0.clone();
        REF.gemm(c.ta(), c.tb(), m, n, k, c.alpha(), a, off, lda, b, off, ldb, c.beta(), cr, off, ldc, null);
        fast.gemm(c.ta(), c.tb(), m, n, k, c.alpha(), a, off, lda, b, off, ldb, c.beta(), cf, off, ldc,
                (c.seed() & 1) == 0 ? null : new LinalgWorkspace());
        double[] s = gemmScale(c, a, b, c0, lda, ldb, ldc);
        compare(what + " fp32", cr, cf, m, n, off, ldc, s, k, U32, Float.MIN_VALUE / 2.0);
        // double on the same values
        double[] ad = widen(a), bd = widen(b), c0d = widen(c0);
        double[] crd = c0d.clone(), cfd = c0d.clone();
        REF.gemm(c.ta(), c.tb(), m, n, k, (double) c.alpha(), ad, off, lda, bd, off, ldb, c.beta(), crd, off, ldc, null);
        fast.gemm(c.ta(), c.tb(), m, n, k, (double) c.alpha(), ad, off, lda, bd, off, ldb, c.beta(), cfd, off, ldc,
                new LinalgWorkspace());
        compareD(what + " double", crd, cfd, m, n, off, ldc, s, k, U64, Double.MIN_VALUE / 2.0);
    }

    /** S = |α| Σ|a b| + |β c| per element of C (row-major m×n). */
    private static double[] gemmScale(GemmCase c, float[] a, float[] b, float[] c0, int lda, int ldb, int ldc) {
        int m = c.m(), n = c.n(), k = c.k(), off = c.off();
        double[] s = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double t = 0;
                for (int p = 0; p < k; p++) {
                    double x = a[off + (c.ta() ? p * lda + i : i * lda + p)];
                    double y = b[off + (c.tb() ? j * ldb + p : p * ldb + j)];
                    t += Math.abs(x * y);
                }
                double old = c0[off + i * ldc + j];
                s[i * n + j] = (c.alpha() == 0 ? 0 : Math.abs(c.alpha()) * t) + (c.beta() == 0 ? 0 : Math.abs(c.beta() * old));
            }
        }
        return s;
    }

    /** Compares the m×n window (per-element scale s, dots of length k) and checks everything outside it is untouched. */
    public static void compare(String what, float[] ref, float[] fast, int m, int n, int off, int ldc, double[] s,
            int k, double u, double eta) {
        double g = gamma(2 * k + 3, u);
        float[] r = new float[m * n], f = new float[m * n];
        double[] sc = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                r[i * n + j] = ref[off + i * ldc + j];
                f[i * n + j] = fast[off + i * ldc + j];
                sc[i * n + j] = s[i * n + j] + (2 * k + 3) * eta / g;
            }
        }
        Tolerance.of(2 * u, g).assertClose(what, r, f, m * n, sc);
        untouchedOutside(what, ref, fast, m, n, off, ldc);
    }

    public static void compareD(String what, double[] ref, double[] fast, int m, int n, int off, int ldc, double[] s,
            int k, double u, double eta) {
        double g = gamma(2 * k + 3, u);
        double[] r = new double[m * n], f = new double[m * n], sc = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                r[i * n + j] = ref[off + i * ldc + j];
                f[i * n + j] = fast[off + i * ldc + j];
                sc[i * n + j] = s[i * n + j] + (2 * k + 3) * eta / g;
            }
        }
        Tolerance.of(2 * u, g).assertClose(what, r, f, m * n, sc);
        for (int i = 0; i < ref.length; i++) {
            boolean inside = i >= off && (i - off) / ldc < m && (i - off) % ldc < n;
            if (!inside) assertEquals(Double.doubleToRawLongBits(ref[i]), Double.doubleToRawLongBits(fast[i]),
                    what + ": element " + i + " outside the output window was written");
        }
    }

    private static void untouchedOutside(String what, float[] ref, float[] fast, int m, int n, int off, int ldc) {
        for (int i = 0; i < ref.length; i++) {
            boolean inside = i >= off && (i - off) / ldc < m && (i - off) % ldc < n;
            if (!inside) assertEquals(Float.floatToRawIntBits(ref[i]), Float.floatToRawIntBits(fast[i]),
                    what + ": element " + i + " outside the output window was written");
        }
    }

    /** SYRK (C = α AᵀA + β C, A k×n) in fp32 and double. */
    public static void syrk(DenseLinalg fast, int n, int k, float alpha, float beta, long seed) {
        int lda = Math.max(1, n) + 1, ldc = Math.max(1, n) + 2, off = 1;
        float[] a = data(seed, off + k * lda, false);
        float[] c0 = data(seed + 1, off + n * ldc + 2, false);
        float[] cr = c0.clone(), cf = c0.clone();
        REF.syrk(n, k, alpha, a, off, lda, beta, cr, off, ldc, null);
        fast.syrk(n, k, alpha, a, off, lda, beta, cf, off, ldc, new LinalgWorkspace());
        double[] s = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double t = 0;
                for (int p = 0; p < k; p++) t += Math.abs((double) a[off + p * lda + i] * a[off + p * lda + j]);
                s[i * n + j] = Math.abs(alpha) * t + (beta == 0 ? 0 : Math.abs(beta * c0[off + i * ldc + j]));
            }
        }
        String what = "syrk n=" + n + " k=" + k + " α=" + alpha + " β=" + beta;
        compare(what, cr, cf, n, n, off, ldc, s, k, U32, Float.MIN_VALUE / 2.0);
        double[] ad = widen(a), c0d = widen(c0), crd = c0d.clone(), cfd = c0d.clone();
        REF.syrk(n, k, alpha, ad, off, lda, beta, crd, off, ldc, null);
        fast.syrk(n, k, alpha, ad, off, lda, beta, cfd, off, ldc, null);
        compareD(what + " double", crd, cfd, n, n, off, ldc, s, k, U64, Double.MIN_VALUE / 2.0);
    }

    /** GEMV, both orientations, fp32 and double; y framed by sentinels. */
    public static void gemv(DenseLinalg fast, boolean ta, int m, int n, float alpha, float beta, long seed) {
        int lda = Math.max(1, n) + 1, off = 2;
        int xn = ta ? m : n, yn = ta ? n : m;
        float[] a = data(seed, off + m * lda, false);
        float[] x = data(seed + 1, off + xn, false);
        float[] y0 = data(seed + 2, off + yn + 2, false);
        float[] yr = y0.clone(), yf = y0.clone();
        REF.gemv(ta, m, n, alpha, a, off, lda, x, off, beta, yr, off);
        fast.gemv(ta, m, n, alpha, a, off, lda, x, off, beta, yf, off);
        double[] s = new double[yn];
        for (int i = 0; i < yn; i++) {
            double t = 0;
            for (int j = 0; j < xn; j++) t += Math.abs((double) a[off + (ta ? j * lda + i : i * lda + j)] * x[off + j]);
            s[i] = Math.abs(alpha) * t + (beta == 0 ? 0 : Math.abs(beta * y0[off + i]));
        }
        String what = "gemv ta=" + ta + " m=" + m + " n=" + n + " α=" + alpha + " β=" + beta;
        compare(what, yr, yf, 1, yn, off, Math.max(1, yn), s, xn, U32, Float.MIN_VALUE / 2.0);
        double[] ad = widen(a), xd = widen(x), yd = widen(y0), yrd = yd.clone(), yfd = yd.clone();
        REF.gemv(ta, m, n, alpha, ad, off, lda, xd, off, beta, yrd, off);
        fast.gemv(ta, m, n, alpha, ad, off, lda, xd, off, beta, yfd, off);
        compareD(what + " double", yrd, yfd, 1, yn, off, Math.max(1, yn), s, xn, U64, Double.MIN_VALUE / 2.0);
    }

    /** DOT and AXPY of length n, fp32 and double. */
    public static void dotAxpy(DenseLinalg fast, int n, float alpha, long seed, boolean nonFinite) {
        float[] x = data(seed, n + 3, nonFinite), y0 = data(seed + 1, n + 5, nonFinite);
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.abs((double) x[3 + i] * y0[1 + i]);
        double g = gamma(n, U32);
        Tolerance.of(U32, g).assertClose("dot n=" + n, REF.dot(n, x, 3, y0, 1), fast.dot(n, x, 3, y0, 1),
                s + (n == 0 ? 0 : n * Float.MIN_VALUE / 2.0 / g));
        double[] xd = widen(x), yd = widen(y0);
        Tolerance.of(U64, gamma(n, U64)).assertClose("dot double n=" + n, REF.dot(n, xd, 3, yd, 1),
                fast.dot(n, xd, 3, yd, 1), s);
        float[] yr = y0.clone(), yf = y0.clone();
        REF.axpy(n, alpha, x, 3, yr, 1);
        fast.axpy(n, alpha, x, 3, yf, 1);
        double[] sc = new double[n];
        for (int i = 0; i < n; i++) sc[i] = (alpha == 0 ? 0 : Math.abs((double) alpha * x[3 + i])) + Math.abs(y0[1 + i]) + Float.MIN_VALUE / U32;
        compare("axpy n=" + n, yr, yf, 1, n, 1, Math.max(1, n), sc, 0, U32, 0);
        double[] yrd = yd.clone(), yfd = yd.clone();
        REF.axpy(n, (double) alpha, xd, 3, yrd, 1);
        fast.axpy(n, (double) alpha, xd, 3, yfd, 1);
        compareD("axpy double n=" + n, yrd, yfd, 1, n, 1, Math.max(1, n), sc, 0, U64, 0);
    }

    /** The validator is shared: a bad call is rejected with nothing written. */
    public static void rejectsBadInput(DenseLinalg fast) {
        float[] a = new float[6], b = new float[6], c = BadInput.sentinel(6);
        BadInput.assertRejected("lda", () -> fast.gemm(false, false, 2, 2, 3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2, null), c);
        BadInput.assertRejected("overlaps", () -> fast.gemm(false, false, 1, 1, 3, 1f, c, 0, 3, b, 0, 1, 0f, c, 2, 1, null), c);
        BadInput.assertRejected("'c'", () -> fast.syrk(3, 2, 1f, a, 0, 3, 0f, c, 0, 3, null), c);
        BadInput.assertRejected("'x'", () -> fast.gemv(false, 2, 3, 1f, a, 0, 3, b, 4, 0f, c, 0), c);
        BadInput.assertRejected("'y'", () -> fast.axpy(7, 1f, new float[7], 0, c, 0), c);
    }

    /** Random seeds for examples. */
    public static long seed(int i) {
        return new Random(i).nextLong();
    }
}
