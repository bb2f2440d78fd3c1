package dev.pgkernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pgkernels.Backends;
import dev.pgkernels.scale.ScaleFunction;
import dev.pgkernels.simd.SimdSoftmax.Strategy;
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
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@code simd} softmax family against {@code reference}, for both strategies and the shape-chosen one.
 *
 * <p><b>Tolerances, derived</b> ({@code u = 2^-24 ≈ 6e-8}; {@code d_j = q_j - m}). fp32 {@code exp}
 * ({@link SimdExp}) is within 2 ulp = {@code 4u}; {@code fl(q - m)} has relative error {@code u}, which moves {@code exp(d)} by
 * a relative {@code u|d|}. Every row sum is accumulated in double from fp32 terms, so
 * {@code Z}'s relative error is {@code ε_Z <= 4u + u·E_pi|d| <= u (4 + ln A) < 1e-6} (A <= 32768)
 * ({@code E_pi[-d] = log Z - H <= ln A}), independent of the summation order.
 * <ul>
 *   <li>logSoftmax {@code d - log Z}: {@code u(|d| + |log Z| + |out|) + ε_Z}, inside
 *       {@code 1e-6 · (|d| + |log Z| + 1)}.</li>
 *   <li>softmax {@code e · (1/Z)}: relative {@code u(|d| + 4) + ε_Z}: inside
 *       {@code 1e-6 · pi (1 + 0.1|d|)}; plus one subnormal spacing ({@code scale} floor {@code 1e-38}).</li>
 *   <li>entropy {@code log Z - S/Z}, {@code S = Σ e d}: {@code ε_Z} plus {@code u Σ pi (2|d| + d²)}:
 *       scale {@code 1 + H + Σ pi d²}.</li>
 *   <li>KL: each fp32 term {@code exp(lo)(lo - ln)} within {@code 6u} of its value; the
 *       across-rows strategy adds terms in fp32 pairs and quads first (at most two roundings per
 *       term: {@code + 2u Σ|terms|}), then in double: {@code 8u Σ|terms|} in all, inside scale
 *       {@code Σ|terms|} ({@code 1e-6 ≈ 16.8u}); where fp32 {@code exp(lo)} is subnormal it is off by
 *       {@code 2^-150} absolute, so {@code + Σ 1e-39 |lo - ln|}.</li>
 *   <li>update: {@code dO} within {@code ε_Z} (+ its rounding): scale {@code |lp_a| + |logMu| + 1};
 *       {@code dR} is the reference's double expression: scale {@code |dR|}; {@code s = f(dO, dR)}
 *       moves by {@code ε_Z |∂f/∂x|} with {@code |∂f/∂x| <= |s| + (1 + |αo|)|dR| + |1 + dO|}
 *       (exp kinds: {@code s}; MLA: {@code y} or {@code 1+x}); {@code G_j} by
 *       {@code δs (δ_ja + pi_j)} plus {@code pi_j}'s relative error times
 *       {@code (|s| + |d_j| + |<pi,d>|)}: scale {@code scale_s (δ_ja + pi_j) + pi_j (|s| + |d_j| + |D|)(1 + 0.1|d_j|)};
 *       where fp32 {@code pi_j} is subnormal (or 0 while the double one is not), its absolute error
 *       is one spacing {@code 2^-149 ≈ 1.4e-45}, multiplied by {@code |s| + |d_j| + |D|}: scale
 *       {@code + 2e-39 (|s| + |d_j| + |D|)}.</li>
 *   <li>surrogate: each ratio's exponent within {@code ε_Z}: scale {@code Σ|terms| / B}.</li>
 *   <li>linearPolicyGradient sums exact fp32 products in double in the reference's order:
 *       bit-identical.</li>
 * </ul>
 * Special-value classes must match exactly; zero signs are not compared.
 */
class SoftmaxSimdTest {
    private static final SoftmaxKernels REF = Backends.reference().softmax().orElseThrow();
    private static final Tolerance TOL = Tolerance.spec();
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    enum Specials { NONE, NAN_LOGIT, POS_INF_LOGIT, BIG_LOG_MU }

    record Case(int b, int a, long seed, float lim, double maskFrac, Specials specials, Strategy strategy) {}

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(Shapes.sizes(0, 70), Shapes.sizes(1, 300), Arbitraries.longs(),
                Arbitraries.of(5f, 20f, 1e4f), Arbitraries.of(0.0, 0.1, 0.6),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(5, Specials.NONE), net.jqwik.api.Tuple.of(1, Specials.NAN_LOGIT),
                        net.jqwik.api.Tuple.of(1, Specials.POS_INF_LOGIT), net.jqwik.api.Tuple.of(2, Specials.BIG_LOG_MU)),
                Arbitraries.of(Strategy.ALONG_ROWS, Strategy.ACROSS_ROWS).injectNull(0.3)).as(Case::new);
    }

    private static SimdSoftmax simd(Strategy s) {
        return s == null ? new SimdSoftmax() : new SimdSoftmax(s);
    }

    /** Logits in [-lim, lim] with about {@code maskFrac} of them -Inf, one finite entry per row. */
    static float[] logits(long seed, int b, int a, float lim, double maskFrac) {
        float[] q = EdgeValues.array(seed, b * a, lim, 0.05, false);
        Random r = new Random(seed + 7);
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < a; j++) {
                if (r.nextDouble() < maskFrac) q[i * a + j] = NEG_INF;
            }
            q[i * a + r.nextInt(a)] = (float) r.nextGaussian();
        }
        return q;
    }

    static int[] actions(long seed, int b, int a, float[] q) {
        Random r = new Random(seed + 11);
        int[] acts = new int[b];
        for (int i = 0; i < b; i++) {
            int j;
            do {
                j = r.nextInt(a);
            } while (q[i * a + j] == NEG_INF);
            acts[i] = j;
        }
        return acts;
    }

    private static void specials(Case c, float[] q, float[] logMu) {
        Random r = new Random(c.seed() + 5);
        for (int i = 0; i < c.b(); i++) {
            if (r.nextInt(3) != 0) continue;
            switch (c.specials()) {
                case NAN_LOGIT -> q[i * c.a() + r.nextInt(c.a())] = Float.NaN;
                case POS_INF_LOGIT -> q[i * c.a() + r.nextInt(c.a())] = Float.POSITIVE_INFINITY;
                case BIG_LOG_MU -> logMu[i] = r.nextBoolean() ? -100f : (r.nextBoolean() ? Float.NaN : 95f);
                default -> { }
            }
        }
    }

    /** Row statistics from the reference's own log-probabilities, in double: m, log Z, pi, d. */
    private static double rowMax(float[] q, int off, int a) {
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < a; j++) m = Math.max(m, q[off + j]);
        return m;
    }

    private static double logZ(float[] q, int off, int a, double m) {
        double z = 0;
        for (int j = 0; j < a; j++) z += Math.exp(q[off + j] - m);
        return Math.log(z);
    }

    private static void untouched(float[] out, int n) {
        for (int i = n; i < out.length; i++) {
            assertEquals(Float.floatToRawIntBits(BadInput.SENTINEL), Float.floatToRawIntBits(out[i]),
                    "element " + i + " past " + n + " was written");
        }
    }

    @Property(tries = 150)
    void rowFunctionsMatchReference(@ForAll("cases") Case c) {
        int b = c.b(), a = c.a(), n = b * a;
        float[] q = logits(c.seed(), b, a, c.lim(), c.maskFrac());
        specials(c, q, new float[b]);
        SimdSoftmax k = simd(c.strategy());

        float[] lpR = new float[n], lpS = BadInput.sentinel(n + 3);
        REF.logSoftmax(b, a, q, lpR);
        k.logSoftmax(b, a, q, lpS);
        float[] pR = new float[n], pS = BadInput.sentinel(n + 3);
        REF.softmax(b, a, q, pR);
        k.softmax(b, a, q, pS);
        float[] hR = new float[b], hS = BadInput.sentinel(b + 3);
        REF.entropy(b, a, q, hR);
        k.entropy(b, a, q, hS);
        double[] sLp = new double[n], sP = new double[n], sH = new double[b];
        for (int i = 0; i < b; i++) {
            int off = i * a;
            double m = rowMax(q, off, a), lz = logZ(q, off, a, m);
            double h = 0, ed2 = 0;
            for (int j = 0; j < a; j++) {
                double d = q[off + j] - m, pi = Math.exp(d - lz);
                sLp[off + j] = Math.abs(d) + Math.abs(lz) + 1;
                sP[off + j] = (pi == 0 ? 0 : pi * (1 + 0.1 * Math.abs(d))) + 1e-38;
                if (pi != 0) {
                    h -= pi * (d - lz);
                    ed2 += pi * d * d;
                }
            }
            sH[i] = 1 + Math.abs(h) + ed2;
        }
        TOL.assertClose("logSoftmax " + c, lpR, lpS, n, sLp);
        TOL.assertClose("softmax " + c, pR, pS, n, sP);
        TOL.assertClose("entropy " + c, hR, hS, b, sH);
        untouched(lpS, n);
        untouched(pS, n);
        untouched(hS, b);
        for (int i = 0; i < n; i++) {
            if (q[i] == NEG_INF && !Float.isNaN(pR[i])) {
                assertEquals(0f, pS[i], 0f, "masked logit " + i + ": probability exactly 0");
            }
        }

        // KL between this policy and a perturbed one (masks in both, so +Inf terms occur)
        float[] q2 = logits(c.seed() + 1, b, a, c.lim(), c.maskFrac() / 2);
        float[] ln = new float[n];
        REF.logSoftmax(b, a, q2, ln);
        float[] klR = new float[b], klS = BadInput.sentinel(b + 3);
        REF.kl(b, a, lpR, ln, klR);
        k.kl(b, a, lpR, ln, klS);
        double[] sKl = new double[b];
        for (int i = 0; i < b; i++) {
            double sc = 1e-30;
            for (int j = i * a; j < i * a + a; j++) {
                double lo = lpR[j], l1 = ln[j];
                if (lo != Double.NEGATIVE_INFINITY && Double.isFinite(lo - l1)) {
                    sc += Math.abs(Math.exp(lo) * (lo - l1)) + 1e-39 * Math.abs(lo - l1);
                }
            }
            sKl[i] = sc;
        }
        TOL.assertClose("kl " + c, klR, klS, b, sKl);
        untouched(klS, b);

        // surrogate: ratios of q against logpOld at the action
        int[] acts = actions(c.seed(), b, a, q);
        float[] lpo = new float[b], adv = EdgeValues.uniform(c.seed() + 3, b, -2f, 2f);
        for (int i = 0; i < b; i++) lpo[i] = ln[i * a + acts[i]];
        double surR = REF.surrogate(b, a, q, acts, lpo, adv), surS = k.surrogate(b, a, q, acts, lpo, adv);
        double sSur = 0;
        for (int i = 0; i < b; i++) {
            int off = i * a;
            double m = rowMax(q, off, a);
            double t = Math.exp(q[off + acts[i]] - m - logZ(q, off, a, m) - lpo[i]) * adv[i];
            if (Double.isFinite(t)) sSur += Math.abs(t);
        }
        TOL.assertClose("surrogate " + c, surR, surS, b == 0 ? 0 : sSur / b);
    }

    @Provide
    Arbitrary<ScaleFunction> functions() {
        return Arbitraries.of(ScaleFunction.sq().withLogRatioClip(20), ScaleFunction.sq(), ScaleFunction.ml(),
                ScaleFunction.sil(), ScaleFunction.mse(), ScaleFunction.mla(), ScaleFunction.mla(1, 0.5),
                ScaleFunction.ppoClip(0.2), ScaleFunction.ml().withLogRatioClip(5));
    }

    /**
     * KL from arbitrary inputs with every special case of the term in the same vectors: logpOld
     * {@code -Inf} (term 0 whatever logpNew is, NaN included), logpNew {@code -Inf} ({@code +Inf}),
     * logpNew {@code +Inf} ({@code -Inf}), logpOld below fp32 exp's normal range (the double exp
     * is not 0 while the fp32 one may be, so 0·Inf must still give the reference's class), NaN,
     * and positive logpOld (not normalised). The fast path selects only {@code lo = -Inf} and sends
     * a vector with a NaN term to the full selects: this checks that every class comes out right,
     * for both strategies, widths around the vector length and the narrow-row limit.
     */
    @Property(tries = 200)
    void klOfSpecialLogProbabilitiesMatchesReference(@ForAll("rows") int b,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 40) int a, @ForAll long seed,
            @ForAll Strategy strategy) {
        Random r = new Random(seed);
        int n = b * a;
        float[] lo = new float[n], ln = new float[n];
        float[] specials = {NEG_INF, Float.POSITIVE_INFINITY, Float.NaN, -105f, -100f, -90f, -87.5f, 3f, 0f};
        for (int i = 0; i < n; i++) {
            lo[i] = r.nextInt(6) == 0 ? specials[r.nextInt(specials.length)] : (float) (-10 * r.nextDouble());
            ln[i] = r.nextInt(6) == 0 ? specials[r.nextInt(specials.length)] : (float) (-10 * r.nextDouble());
        }
        float[] klR = new float[b], klS = BadInput.sentinel(b + 3);
        REF.kl(b, a, lo, ln, klR);
        simd(strategy).kl(b, a, lo, ln, klS);
        double[] sKl = new double[b];
        for (int i = 0; i < b; i++) {
            double sc = 1e-30;
            for (int j = i * a; j < i * a + a; j++) {
                double o = lo[j], w = ln[j];
                if (o != Double.NEGATIVE_INFINITY && Double.isFinite(o - w)) {
                    // fp32 exp(o) for o < -87.3 is subnormal: off by one spacing 2^-149 < 1e-44
                    sc += Math.abs(Math.exp(o) * (o - w)) + 1e-44 * Math.abs(o - w);
                }
            }
            sKl[i] = sc;
        }
        TOL.assertClose("kl specials " + strategy + " " + b + "x" + a, klR, klS, b, sKl);
        untouched(klS, b);
    }

    /**
     * Rows whose fp32 pair and quad sums overflow while the double sum of the terms is finite (terms
     * near {@code 1e38}, from log-probabilities far above 0): the across-rows KL must fall back to the
     * double sum for those rows only, in full groups and in the partial last group alike.
     */
    @Test
    void klWhosePartialSumsOverflowFp32MatchesReference() {
        int a = 18, b = 2 * SimdSoftmax.lanes() + 3, n = b * a;
        float[] lo = new float[n], ln = new float[n];
        Random r = new Random(11);
        for (int i = 0; i < n; i++) {
            lo[i] = (float) (-10 * r.nextDouble());
            ln[i] = (float) (-10 * r.nextDouble());
        }
        for (int i = 1; i < b; i += 3) {   // terms e^85 · 20 ≈ 1.6e38 four times, one e^85 · (-40) ≈ -3.3e38
            for (int j = 0; j < 5; j++) {
                lo[i * a + j] = 85f;
                ln[i * a + j] = j < 4 ? 65f : 125f;
            }
        }
        float[] klR = new float[b];
        REF.kl(b, a, lo, ln, klR);
        for (Strategy strategy : Strategy.values()) {
            float[] klS = BadInput.sentinel(b + 1);
            simd(strategy).kl(b, a, lo, ln, klS);
            double[] sc = new double[b];
            for (int i = 0; i < b; i++) {
                for (int j = i * a; j < i * a + a; j++) {
                    sc[i] += Math.abs(Math.exp(lo[j]) * ((double) lo[j] - ln[j])) + 1e-44;
                }
                if (i % 3 == 1) {
                    assertEquals(true, Float.isFinite(klR[i]), "the reference's KL of row " + i + " is finite");
                }
            }
            TOL.assertClose("kl with overflowing fp32 partial sums " + strategy, klR, klS, b, sc);
            untouched(klS, b);
        }
    }

    @Property(tries = 150)
    void updateMatchesReference(@ForAll("cases") Case c, @ForAll("functions") ScaleFunction f,
            @ForAll UpdateForm form) {
        int b = c.b(), a = c.a(), n = b * a;
        float[] q = logits(c.seed(), b, a, c.lim(), c.maskFrac());
        float[] logMu = EdgeValues.uniform(c.seed() + 2, b, -4f, 0f);
        float[] target = EdgeValues.uniform(c.seed() + 3, b, -5f, 5f);
        specials(c, q, logMu);
        int[] acts = actions(c.seed(), b, a, q);
        SimdSoftmax k = simd(c.strategy());

        float[] gR = new float[n], dOR = new float[b], dRR = new float[b], sR = new float[b];
        REF.update(form, f, b, a, q, acts, logMu, target, gR, dOR, dRR, sR);
        float[] gS = BadInput.sentinel(n + 3), dOS = BadInput.sentinel(b + 2), dRS = BadInput.sentinel(b + 2),
                sS = BadInput.sentinel(b + 2);
        k.update(form, f, b, a, q, acts, logMu, target, gS, dOS, dRS, sS);
        float[] gS2 = BadInput.sentinel(n + 1);
        k.update(form, f, b, a, q, acts, logMu, target, gS2);   // without the per-sample outputs

        double[] scDO = new double[b], scDR = new double[b], scS = new double[b], scG = new double[n];
        for (int i = 0; i < b; i++) {
            int off = i * a;
            double m = rowMax(q, off, a), lz = logZ(q, off, a, m);
            double lpa = q[off + acts[i]] - m - lz;
            scDO[i] = Math.abs(lpa) + Math.abs(logMu[i]) + 1;
            scDR[i] = Math.abs(dRR[i]);
            double sc = Math.abs(sR[i]) + (1 + Math.abs(f.alphaO())) * Math.abs(dRR[i]) + Math.abs(1 + dOR[i]) + 1e-30;
            scS[i] = Double.isFinite(sc) ? sc : 0;
            double dMean = 0;
            for (int j = 0; j < a; j++) {
                double d = q[off + j] - m, pi = Math.exp(d - lz);
                if (pi != 0) dMean += pi * d;
            }
            for (int j = 0; j < a; j++) {
                double d = q[off + j] - m, pi = Math.exp(d - lz), ea = j == acts[i] ? 1 : 0;
                double v = scS[i] * (ea + pi) + (pi == 0 ? 0
                        : pi * (Math.abs(sR[i]) + Math.abs(d) + Math.abs(dMean)) * (1 + 0.1 * Math.abs(d))) + 1e-38
                        + (Double.isFinite(d) ? 2e-39 * (Math.abs(sR[i]) + Math.abs(d) + Math.abs(dMean)) : 0);
                scG[off + j] = Double.isFinite(v) ? v : 0;
            }
        }
        String what = form + " " + f + " " + c;
        TOL.assertClose("dO " + what, dOR, dOS, b, scDO);
        TOL.assertClose("dR " + what, dRR, dRS, b, scDR);
        TOL.assertClose("s " + what, sR, sS, b, scS);
        TOL.assertClose("G " + what, gR, gS, n, scG);
        TOL.assertClose("G without per-sample outputs " + what, gR, gS2, n, scG);
        untouched(gS, n);
        untouched(gS2, n);
        untouched(dOS, b);
        untouched(dRS, b);
        untouched(sS, b);
    }

    @Property(tries = 120)
    void linearPolicyGradientIsTheReferenceBitForBit(@ForAll("rows") int b, @ForAll("widths") int a,
            @ForAll("widths") int d, @ForAll long seed) {
        float[] g = EdgeValues.array(seed, b * a, 3f, 0.1, false);
        float[] x = EdgeValues.array(seed + 1, b * d, 5f, 0.1, false);
        float[] ref = new float[a * d], fast = BadInput.sentinel(a * d + 3);
        REF.linearPolicyGradient(b, a, d, g, x, ref);
        new SimdSoftmax().linearPolicyGradient(b, a, d, g, x, fast);
        for (int i = 0; i < a * d; i++) {
            if (Float.floatToIntBits(ref[i]) != Float.floatToIntBits(fast[i])) {
                fail("dW[" + i + "] of " + b + "x" + a + "x" + d + ": reference " + ref[i] + " simd " + fast[i]);
            }
        }
        untouched(fast, a * d);
    }

    @Provide
    Arbitrary<Integer> rows() {
        return Shapes.sizes(0, 70);
    }

    @Provide
    Arbitrary<Integer> widths() {
        return Shapes.sizes(0, 40);
    }

    /**
     * Vocabulary-sized rows, A = 40000, logits up to 1e4, 2% masked: with the strategy the shape
     * chooses (along rows) and the shape-chosen one (null). The across-rows strategy is forced on
     * A up to 300 by the properties; at A = 40000 it would mostly time the cold, interpreted
     * Vector API.
     */
    @Test
    void largeVocabularyMatchesReference() {
        for (Strategy st : new Strategy[] {Strategy.ALONG_ROWS, null}) {
            Case c = new Case(2, 40_000, 20221125L, 1e4f, 0.02, Specials.NONE, st);
            rowFunctionsMatchReference(c);
            updateMatchesReference(c, ScaleFunction.mse(), UpdateForm.U_P);
            updateMatchesReference(c, ScaleFunction.sq().withLogRatioClip(20), UpdateForm.U_V);
        }
    }

    @Test
    void shapeChoosesTheStrategy() {
        SimdSoftmax auto = new SimdSoftmax();
        assertEquals(Strategy.ACROSS_ROWS, auto.strategyFor(18));
        assertEquals(Strategy.ACROSS_ROWS, auto.strategyFor(2));
        assertEquals(Strategy.ALONG_ROWS, auto.strategyFor(32_768));
        assertEquals(Strategy.ALONG_ROWS, new SimdSoftmax(Strategy.ALONG_ROWS).strategyFor(18));
    }

    @Test
    void badInputIsRejectedBeforeAnyOutputIsWritten() {
        SimdSoftmax k = new SimdSoftmax();
        float[] q = {0f, 1f, NEG_INF, NEG_INF}, g = BadInput.sentinel(4), s = BadInput.sentinel(2);
        BadInput.assertRejected("row 1", () -> k.softmax(2, 2, q, g), g);
        BadInput.assertRejected("row 1", () -> k.update(UpdateForm.U_V, ScaleFunction.sq(), 2, 2, q, new int[] {0, 0},
                new float[2], new float[2], g, null, null, s), g, s);
        float[] ok = {0f, 1f, 2f, NEG_INF};
        BadInput.assertRejected("actions", () -> k.update(UpdateForm.U_P, ScaleFunction.sq(), 2, 2, ok, new int[] {0, 2},
                new float[2], new float[2], g, null, null, s), g, s);
        BadInput.assertRejected("taken action", () -> k.update(UpdateForm.U_P, ScaleFunction.sq(), 2, 2, ok,
                new int[] {0, 1}, new float[2], new float[2], g, null, null, s), g, s);
        BadInput.assertRejected("dW", () -> k.linearPolicyGradient(2, 2, 3, new float[4], new float[6], new float[5]));
    }

    /**
     * After the reference backend has run the same forms in this JVM (so the shared base class's
     * {@code update} has a polluted profile), a compiled narrow-row simd update allocates only its
     * per-call tile, no boxed vectors. Bound, derived: the tile for {@code A = 18} is a few
     * {@code float[A·L]} arrays, per-lane shuffles and {@code L}-sized scratch, about 6.5 KB
     * measured at {@code L = 16} (and less at {@code L = 4}); a vector boxed per row group
     * would cost {@code 4096 / L} groups times at least one 16-byte header plus the payload
     * ({@code >= 16 KB} per call at {@code L = 16}, 1.9 MB was seen), so {@code 64 KB} separates the
     * two by a wide margin on either side. The kernel must first be compiled by C2 (the interpreter
     * and C1 box every vector), so the test measures windows of 20 calls for up to 60 seconds and
     * takes the best window: it fails only if no window is allocation-free in that time.
     */
    @Test
    void narrowUpdateAllocatesOnlyItsTileAfterTheReferenceRan() {
        java.util.function.LongSupplier allocated = dev.pgkernels.testsupport.Allocations.currentThread();
        int b = 4096, a = 18;
        ScaleFunction f = ScaleFunction.sq().withLogRatioClip(20);
        Random rnd = new Random(7);
        float[] q = new float[b * a], g = new float[b * a], mu = new float[b], t = new float[b];
        int[] act = new int[b];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < b; i++) {
            act[i] = rnd.nextInt(a);
            mu[i] = -3f;
            t[i] = 1f;
        }
        for (UpdateForm form : UpdateForm.values()) {
            REF.update(form, f, b, a, q, act, mu, t, g);
        }
        SimdSoftmax simd = new SimdSoftmax();
        for (UpdateForm form : UpdateForm.values()) {
            long best = Long.MAX_VALUE;
            long end = System.nanoTime() + 60_000_000_000L;
            while (best > 64 * 1024 && System.nanoTime() < end) {
                long a0 = allocated.getAsLong();
                for (int k = 0; k < 20; k++) {
                    simd.update(form, f, b, a, q, act, mu, t, g);
                }
                best = Math.min(best, (allocated.getAsLong() - a0) / 20);
            }
            if (best > 64 * 1024) {
                fail(form + " at " + b + "x" + a + ": best window allocated " + best + " bytes per call (bound 64 KB)");
            }
        }
    }
}
