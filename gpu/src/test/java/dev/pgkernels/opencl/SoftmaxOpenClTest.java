package dev.pgkernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.Backends;
import dev.pgkernels.scale.ScaleFunction;
import dev.pgkernels.softmax.SoftmaxKernels;
import dev.pgkernels.softmax.UpdateForm;
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
import net.jqwik.api.Example;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.junit.jupiter.api.Test;

/**
 * {@code opencl} softmax-logit family against {@code reference} (SPEC §2), narrow rows (a
 * work-item per row) and wide rows (a work-group per row, widths not multiples of the group).
 *
 * <p><b>Tolerance, derived</b> ({@code u = 2^-24}; one fp32 ulp {@code <= 2u} relative). OpenCL's
 * {@code exp}, {@code log} are within 3 ulp = {@code 6u}, division within 2.5 ulp = {@code 5u}
 * (full profile). With {@code d_j = q_j - m} (exact or {@code u|d_j|}): each {@code e_j = exp(d_j)}
 * is within {@code 6u + u|d_j|}; {@code Z = Σ e_j} adds {@code 2u} (Kahan per work-item) plus one
 * rounding per level of the work-group tree ({@code log2(256) = 8}): {@code |ΔZ/Z| <= 16u}.
 * So {@code log Z} is within {@code 16u + 6u |log Z|}, and
 * <ul>
 *   <li>log-softmax: {@code |Δ| <= 16u + 7u (|d_j| + |log Z|)}: {@code atol = 1e-6 · scale} with
 *       {@code scale = 1 + |d_j| + |log Z|} covers it ({@code 1e-6 > 16u ≈ 9.5e-7}).</li>
 *   <li>softmax: relative {@code 6u + 16u + 5u + u|d_j| = 27u + u|d_j|}: {@code rtol = 1e-5}
 *       for {@code |d_j| <= 80}; below that {@code p_j < e^-80}, inside {@code atol} with
 *       {@code scale = 1} (a row's probabilities sum to 1).</li>
 *   <li>entropy {@code H = log Z - S/Z} (two non-negative terms; {@code S = Σ e_j d_j}):
 *       {@code scale = 1 + log Z + Σ p_j |d_j|}.</li>
 *   <li>KL: each term {@code exp(lo) (lo - ln)} within {@code 8u + u(|lo| + |ln|)/|lo - ln|}
 *       relative, the sum adds {@code 10u Σ|terms|}: {@code scale = Σ exp(lo)(1 + |lo| + |ln|)}.</li>
 *   <li>update: {@code dO} as log-softmax plus {@code |log μ|}; {@code dR} is one correctly rounded
 *       fp32 subtraction (exact); {@code s} inherits {@code Δ dO} through {@code f}, so its scale is
 *       {@code (|s| + |dR|(1+|dO|+|dR|) + (1+|dO|)^2) (1 + |d_a| + |log Z| + |log μ|)};
 *       {@code G} adds {@code |s|(1+|d_j|)} (from {@code Δp_j}) and, for U_P,
 *       {@code 3 p_j (|q_j| + Σ p|q|)(1 + |d_j|)} (from {@code Δp} and {@code Δ<π, q>}, {@code 43u}).</li>
 *   <li>surrogate: each term {@code exp(x_i) adv_i} within {@code 8u + 7u (|d_a| + |logp_old| + |log Z|)}
 *       relative; the terms are summed in double: {@code scale = Σ |term_i| (1 + |d_a| + |lpo| + |log Z|) / B}.</li>
 *   <li>linear-policy gradient: a compensated sum of {@code B} products, then {@code /B}:
 *       within {@code 7u Σ|g x|/B}: {@code scale = Σ|g x|/B}.</li>
 * </ul>
 * All of these are SPEC's default rule with the scale of the terms summed; nothing is loosened.
 */
@AddLifecycleHook(OpenClTests.SkipWithoutOpenCl.class)
class SoftmaxOpenClTest {
    private static final Tolerance TOL = Tolerance.spec();
    private static final SoftmaxKernels REF = Backends.reference().softmax().orElseThrow();

    private static SoftmaxKernels cl() {
        return OpenClTests.backend().softmax().orElseThrow();
    }

    record Rows(int b, int a, long seed, float lim, float shift, double pMask, boolean specials) {}

    @Provide
    Arbitrary<Rows> rows() {
        Arbitrary<Integer> a = Arbitraries.oneOf(Shapes.sizes(1, 300), Arbitraries.of(1, 31, 32, 33, 255, 257, 1021, 2500));
        return Combinators.combine(Shapes.sizes(0, 23), a, Arbitraries.longs(), Arbitraries.of(1f, 10f, 50f),
                Arbitraries.of(0f, 0f, 1e4f, -1e4f), Arbitraries.of(0.0, 0.0, 0.3, 0.9),
                Arbitraries.of(false, false, false, true)).as(Rows::new);
    }

    /** Logits with masked -Inf entries (never a whole row, never the taken action) and optional NaN/Inf. */
    static float[] logits(Rows r, int[] actions) {
        int n = r.b() * r.a();
        float[] q = EdgeValues.array(r.seed(), n, r.lim(), 0.1, r.specials());
        Random rnd = new Random(r.seed() ^ 0xabc);
        for (int i = 0; i < r.b(); i++) {
            actions[i] = rnd.nextInt(r.a());
            for (int j = 0; j < r.a(); j++) {
                int k = i * r.a() + j;
                q[k] += r.shift();
                if (j != actions[i] && rnd.nextDouble() < r.pMask()) {
                    q[k] = Float.NEGATIVE_INFINITY;
                }
            }
            int k = i * r.a() + actions[i];
            if (q[k] == Float.NEGATIVE_INFINITY) {
                q[k] = r.shift();
            }
        }
        return q;
    }

    /** Per row: m, log Z, Σ p|d|, Σ p|q| in double. */
    static double[][] stats(int b, int a, float[] q) {
        double[][] s = new double[b][4];
        for (int i = 0; i < b; i++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < a; j++) m = Math.max(m, q[i * a + j]);
            double z = 0;
            for (int j = 0; j < a; j++) z += Math.exp(q[i * a + j] - m);
            double pd = 0, pq = 0;
            for (int j = 0; j < a; j++) {
                double p = Math.exp(q[i * a + j] - m) / z;
                if (p != 0) {
                    pd += p * Math.abs(q[i * a + j] - m);
                    pq += p * Math.abs(q[i * a + j]);
                }
            }
            s[i] = new double[] {m, Math.log(z), pd, pq};
        }
        return s;
    }

    static double finite(double v) {
        return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
    }

    private static void untouched(float[] out, int n) {
        for (int i = n; i < out.length; i++) {
            assertEquals(Float.floatToRawIntBits(BadInput.SENTINEL), Float.floatToRawIntBits(out[i]),
                    "element " + i + " past the shape (" + n + ") was written");
        }
    }

    @Property(tries = 60)
    void logSoftmaxSoftmaxEntropyMatchReference(@ForAll("rows") Rows r) {
        int b = r.b(), a = r.a(), n = b * a;
        int[] act = new int[b];
        float[] q = logits(r, act);
        double[][] st = stats(b, a, q);
        float[] ref = new float[n], out = BadInput.sentinel(n + 3);
        double[] sc = new double[n];

        REF.logSoftmax(b, a, q, ref);
        cl().logSoftmax(b, a, q, out);
        for (int k = 0; k < n; k++) sc[k] = finite(1 + Math.abs(q[k] - st[k / a][0]) + Math.abs(st[k / a][1]));
        TOL.assertClose("logSoftmax " + r, ref, out, n, sc);
        untouched(out, n);

        REF.softmax(b, a, q, ref);
        cl().softmax(b, a, q, out);
        TOL.assertClose("softmax " + r, ref, out, n, 1.0);
        untouched(out, n);

        float[] h = new float[b], hc = BadInput.sentinel(b + 2);
        double[] hs = new double[b];
        REF.entropy(b, a, q, h);
        cl().entropy(b, a, q, hc);
        for (int i = 0; i < b; i++) hs[i] = finite(1 + Math.abs(st[i][1]) + st[i][2]);
        TOL.assertClose("entropy " + r, h, hc, b, hs);
        untouched(hc, b);
    }

    @Property(tries = 50)
    void klAndSurrogateMatchReference(@ForAll("rows") Rows r0) {
        Rows r = new Rows(r0.b(), r0.a(), r0.seed(), r0.lim(), r0.shift(), r0.pMask(), false);
        int b = r.b(), a = r.a(), n = b * a;
        int[] act = new int[b];
        float[] q1 = logits(r, act);
        float[] q2 = q1.clone();
        Random rnd = new Random(r.seed());
        for (int k = 0; k < n; k++) {
            if (Float.isFinite(q2[k])) q2[k] += (float) rnd.nextGaussian();
            else if (rnd.nextDouble() < 0.3) q2[k] = 0f; // masked before, not now
        }
        for (int i = 0; i < b; i++) {
            if (a > 1 && rnd.nextDouble() < 0.2) q2[i * a + (act[i] + 1) % a] = Float.NEGATIVE_INFINITY; // p_new = 0 where p_old > 0: KL = +Inf
        }
        float[] lo = new float[n], ln = new float[n];
        REF.logSoftmax(b, a, q1, lo);
        REF.logSoftmax(b, a, q2, ln);
        float[] kl = new float[b], klc = BadInput.sentinel(b + 2);
        REF.kl(b, a, lo, ln, kl);
        cl().kl(b, a, lo, ln, klc);
        double[] s = new double[b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < a; j++) {
                double o = lo[i * a + j], w = ln[i * a + j];
                if (o != Double.NEGATIVE_INFINITY && w != Double.NEGATIVE_INFINITY) {
                    s[i] += Math.exp(o) * (1 + Math.abs(o) + Math.abs(w));
                }
            }
        }
        TOL.assertClose("kl " + r, kl, klc, b, s);
        untouched(klc, b);

        if (b > 0) {
            float[] lpo = new float[b], adv = EdgeValues.uniform(r.seed() + 1, b, -3, 3);
            for (int i = 0; i < b; i++) lpo[i] = lo[i * a + act[i]] + (float) (0.1 * rnd.nextGaussian());
            double ref = REF.surrogate(b, a, q2, act, lpo, adv), got = cl().surrogate(b, a, q2, act, lpo, adv);
            double[][] st = stats(b, a, q2);
            double sc = 0;
            for (int i = 0; i < b; i++) {
                double x = (q2[i * a + act[i]] - st[i][0]) - st[i][1] - lpo[i];
                sc += Math.abs(Math.exp(x) * adv[i]) * (1 + Math.abs(q2[i * a + act[i]] - st[i][0]) + Math.abs(lpo[i])
                        + Math.abs(st[i][1]));
            }
            TOL.assertClose("surrogate " + r, ref, got, finite(sc / b));
        }
    }

    @Provide
    Arbitrary<ScaleFunction> functions() {
        return Arbitraries.of(ScaleFunction.mse(), ScaleFunction.sq(), ScaleFunction.ml(), ScaleFunction.sil(),
                ScaleFunction.mla(), ScaleFunction.mla(1, 0.5), ScaleFunction.ppoClip(0.2),
                ScaleFunction.sq().withLogRatioClip(5));
    }

    /** A case jqwik found: logits near -1e4 under ML, where the reference's scale is NaN (0·Inf). */
    @Example
    void updateMatchesReferenceNearMinusTenThousand() {
        updateMatchesReference(new Rows(1, 4, -203L, 50f, -1e4f, 0.9, false), UpdateForm.U_V, ScaleFunction.ml());
    }

    @Property(tries = 80)
    void updateMatchesReference(@ForAll("rows") Rows r, @ForAll UpdateForm form, @ForAll("functions") ScaleFunction f) {
        int b = r.b(), a = r.a(), n = b * a;
        int[] act = new int[b];
        float[] q = logits(r, act);
        float[] lp = new float[n];
        REF.logSoftmax(b, a, q, lp);
        Random rnd = new Random(r.seed() + 7);
        float[] logMu = new float[b], target = EdgeValues.uniform(r.seed() + 3, b, -5, 5);
        for (int i = 0; i < b; i++) {
            float l = lp[i * a + act[i]];
            logMu[i] = Float.isFinite(l) ? l + (float) rnd.nextGaussian() : -1f;
        }
        float[] g = new float[n], dO = new float[b], dR = new float[b], s = new float[b];
        float[] gc = BadInput.sentinel(n + 2), dOc = BadInput.sentinel(b + 1), dRc = BadInput.sentinel(b + 1),
                sc = BadInput.sentinel(b + 1);
        REF.update(form, f, b, a, q, act, logMu, target, g, dO, dR, s);
        cl().update(form, f, b, a, q, act, logMu, target, gc, dOc, dRc, sc);
        double[][] st = stats(b, a, q);
        double[] sdO = new double[b], sdR = new double[b], ss = new double[b], sg = new double[n];
        for (int i = 0; i < b; i++) {
            double da = Math.abs(q[i * a + act[i]] - st[i][0]);
            double chain = 1 + da + Math.abs(st[i][1]) + Math.abs(logMu[i]);
            sdO[i] = finite(chain);
            sdR[i] = finite(Math.abs(target[i]) + Math.abs(q[i * a + act[i]]));
            double o = Math.abs(dO[i]), e = Math.abs(dR[i]);
            ss[i] = finite((Math.abs(s[i]) + e * (1 + o + e) + (1 + o) * (1 + o)) * chain);
            for (int j = 0; j < a; j++) {
                int k = i * a + j;
                double dj = Math.abs(q[k] - st[i][0]);
                double p = Math.exp(q[k] - st[i][0] - st[i][1]);
                double v = ss[i] + Math.abs(s[i]) * (1 + dj);
                if (form == UpdateForm.U_P) v += 3 * p * (Math.abs(q[k]) + st[i][3]) * (1 + dj);
                sg[k] = finite(v);
            }
        }
        String what = form + " " + f + " " + r;
        TOL.assertClose("dO " + what, dO, dOc, b, sdO);
        TOL.assertClose("dR " + what, dR, dRc, b, sdR);
        TOL.assertClose("s " + what, s, sc, b, ss);
        TOL.assertClose("G " + what, g, gc, n, sg);
        untouched(gc, n);
        untouched(sc, b);
        for (int k = 0; k < n; k++) {
            if (q[k] == Float.NEGATIVE_INFINITY && g[k] == 0f) { // (a row with NaN or +Inf is NaN throughout)
                assertTrue(gc[k] == 0f, "a masked logit gets exactly 0, got " + gc[k] + " (" + what + ")");
            }
        }
    }

    @Property(tries = 30)
    void linearPolicyGradientMatchesReference(@ForAll("small") int b, @ForAll("small") int a, @ForAll("small") int d,
            @ForAll long seed) {
        a = Math.max(a, 1);
        float[] g = EdgeValues.uniform(seed, b * a, -2, 2), x = EdgeValues.uniform(seed + 1, b * d, -3, 3);
        float[] w = new float[a * d], wc = BadInput.sentinel(a * d + 2);
        REF.linearPolicyGradient(b, a, d, g, x, w);
        cl().linearPolicyGradient(b, a, d, g, x, wc);
        double[] sc = new double[a * d];
        for (int k = 0; k < a; k++) {
            for (int c = 0; c < d; c++) {
                for (int i = 0; i < b; i++) sc[k * d + c] += Math.abs((double) g[i * a + k] * x[i * d + c]);
                sc[k * d + c] /= Math.max(b, 1);
            }
        }
        TOL.assertClose("dW " + b + "x" + a + "x" + d, w, wc, a * d, sc);
        untouched(wc, a * d);
    }

    @Provide
    Arbitrary<Integer> small() {
        return Shapes.sizes(0, 70);
    }

    @Test
    void vocabularySizedRowsAndLargeLogits() {
        int b = 3, a = 50_000;
        float[] q = EdgeValues.uniform(5, b * a, -20, 20);
        for (int j = 0; j < a; j++) q[2 * a + j] += 1e4f;
        float[] ref = new float[b * a], out = new float[b * a];
        REF.softmax(b, a, q, ref);
        cl().softmax(b, a, q, out);
        TOL.assertClose("softmax A = 50000", ref, out, b * a, 1.0);
        float[] h = new float[b], hc = new float[b];
        REF.entropy(b, a, q, h);
        cl().entropy(b, a, q, hc);
        TOL.assertClose("entropy A = 50000", h, hc, b, 1 + Math.log(a) + 20);
    }

    @Test
    void nanAndInfinityInARowPropagateAsInTheReference() {
        int b = 2;
        for (int a : new int[] {5, 40}) {
            float[] q = new float[b * a];
            q[1] = Float.NaN;
            q[a + 2] = Float.POSITIVE_INFINITY;
            float[] out = new float[b * a];
            cl().logSoftmax(b, a, q, out);
            for (float v : out) assertTrue(Float.isNaN(v), "a NaN or +Inf logit makes its row NaN, A = " + a);
        }
    }

    @Test
    void badInputIsRejectedBeforeAnyDeviceWork() {
        SoftmaxKernels k = cl();
        float[] q = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, 1, 2}, out = BadInput.sentinel(4);
        BadInput.assertRejected("all -Inf", () -> k.logSoftmax(2, 2, q, out), out);
        BadInput.assertRejected("logits", () -> k.softmax(2, 3, q, out), out);
        float[] g = BadInput.sentinel(4);
        float[] ok = {0, Float.NEGATIVE_INFINITY, 1, 2};
        BadInput.assertRejected("taken action", () -> k.update(UpdateForm.U_V, ScaleFunction.sq(), 2, 2, ok,
                new int[] {1, 0}, new float[2], new float[2], g), g);
        BadInput.assertRejected("actions", () -> k.update(UpdateForm.U_V, ScaleFunction.sq(), 2, 2, ok,
                new int[] {0, 2}, new float[2], new float[2], g), g);
    }
}
