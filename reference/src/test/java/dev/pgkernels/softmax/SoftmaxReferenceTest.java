package dev.pgkernels.softmax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.reference.ReferenceSoftmax;
import dev.pgkernels.scale.ScaleFunction;
import dev.pgkernels.testsupport.EdgeValues;
import dev.pgkernels.testsupport.Shapes;
import dev.pgkernels.testsupport.Tolerance;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Golden cases derived by hand, SPEC §2 edge cases, and properties of the reference softmax family. */
class SoftmaxReferenceTest {

    private final SoftmaxKernels k = new ReferenceSoftmax();

    private static final float NEG_INF = Float.NEGATIVE_INFINITY;
    private static final double LN2 = Math.log(2), LN3 = Math.log(3), LN4 = Math.log(4);

    /** fp32 inputs and outputs: within a few fp32 ulps of a value of magnitude about {@code mag}. */
    private static void close(double expected, float actual, double mag) {
        assertEquals(expected, actual, 4 * Math.ulp((float) Math.max(Math.abs(expected), mag)),
                "expected " + expected + " got " + actual);
    }

    private static void close(double expected, float actual) {
        close(expected, actual, 1);
    }

    // ---------- softmax / log-softmax by hand ----------

    @Test
    void twoActionsByHand() {
        // q = (0, ln 3): exp(q) = (1, 3), Z = 4 -> pi = (1/4, 3/4), log pi = (-ln 4, ln 3 - ln 4)
        float[] q = {0f, (float) LN3};
        float[] p = new float[2], lp = new float[2];
        k.softmax(1, 2, q, p);
        k.logSoftmax(1, 2, q, lp);
        close(0.25, p[0]);
        close(0.75, p[1]);
        close(-LN4, lp[0]);
        close(LN3 - LN4, lp[1]);
    }

    @Test
    void logitsOfMagnitude1e4() {
        // q = (1e4, 1e4 + 1): subtracting the max leaves (-1, 0): pi = (1/(1+e), e/(1+e)),
        // log pi = (-1 - log(1 + 1/e), -log(1 + 1/e)); exp(1e4) itself would overflow.
        double e = Math.E;
        float[] q = {1e4f, 10001f, -1e4f, -10001f};
        float[] p = new float[4], lp = new float[4];
        k.softmax(2, 2, q, p);
        k.logSoftmax(2, 2, q, lp);
        close(1 / (1 + e), p[0]);
        close(e / (1 + e), p[1]);
        close(-1 - Math.log1p(1 / e), lp[0]);
        close(-Math.log1p(1 / e), lp[1]);
        // the second row is the mirror image: (-1e4, -1e4 - 1) -> (e/(1+e), 1/(1+e))
        close(e / (1 + e), p[2]);
        close(1 / (1 + e), p[3]);
        close(-Math.log1p(1 / e), lp[2]);
        close(-1 - Math.log1p(1 / e), lp[3]);
    }

    @Test
    void maskedLogitsGetProbabilityExactlyZero() {
        // q = (0, -Inf, ln 3): the masked entry adds exp(-Inf) = 0 to Z = 4 -> pi = (1/4, 0, 3/4)
        float[] q = {0f, NEG_INF, (float) LN3};
        float[] p = new float[3], lp = new float[3], h = new float[1];
        k.softmax(1, 3, q, p);
        k.logSoftmax(1, 3, q, lp);
        k.entropy(1, 3, q, h);
        close(0.25, p[0]);
        assertEquals(0f, p[1], 0f);
        close(0.75, p[2]);
        close(-LN4, lp[0]);
        assertEquals(NEG_INF, lp[1]);
        close(LN3 - LN4, lp[2]);
        // H = -(1/4 ln(1/4) + 3/4 ln(3/4)) = ln 4 - (3/4) ln 3; the masked term is 0, not 0 * -Inf
        close(LN4 - 0.75 * LN3, h[0]);
    }

    @Test
    void oneAction() {
        // A = 1: pi = 1, log pi = 0, H = 0, for any finite logit (also 1e4)
        float[] q = {5f, -1e4f, 1e4f};
        float[] p = new float[3], lp = new float[3], h = new float[3];
        k.softmax(3, 1, q, p);
        k.logSoftmax(3, 1, q, lp);
        k.entropy(3, 1, q, h);
        for (int i = 0; i < 3; i++) {
            assertEquals(1f, p[i], 0f);
            assertEquals(0f, lp[i], 0f);
            assertEquals(0f, h[i], 0f);
        }
        // update with A = 1, action 0, logMu = 0, target = q + 2 -> dO = 0, dR = 2, SQ: s = 2.
        // U_Q: G = s = 2; U_V: s (1 - 1) = 0; U_P: 0 + 1 * (q - q) = 0
        float[] g = new float[3];
        int[] acts = {0, 0, 0};
        float[] logMu = new float[3];
        float[] target = {7f, -9998f, 10002f};
        k.update(UpdateForm.U_Q, ScaleFunction.sq(), 3, 1, q, acts, logMu, target, g);
        for (float v : g) assertEquals(2f, v, 0f);
        for (UpdateForm form : new UpdateForm[] {UpdateForm.U_V, UpdateForm.U_P}) {
            k.update(form, ScaleFunction.sq(), 3, 1, q, acts, logMu, target, g);
            for (float v : g) assertEquals(0f, v, 0f, form.name());
        }
    }

    @Test
    void entropyOfUniformIsLnA() {
        // every logit equal -> pi = 1/A -> H = -A (1/A) ln(1/A) = ln A
        for (int a : new int[] {1, 2, 3, 7, 18, 1000}) {
            float[] q = new float[a];
            Arrays.fill(q, 7.5f);
            float[] h = new float[1];
            k.entropy(1, a, q, h);
            close(Math.log(a), h[0]);
        }
    }

    // ---------- update forms by hand ----------

    /**
     * q = (0, ln 3), pi = (1/4, 3/4), action 1, logMu = ln(1/2), target = ln 3 + 2, f = SQ:
     * dO = ln(3/4) - ln(1/2) = ln(3/2), dR = (ln 3 + 2) - ln 3 = 2, s = exp(ln 1.5) * 2 = 3.
     */
    private float[] twoActionUpdate(UpdateForm form, float[] dO, float[] dR, float[] s) {
        float[] q = {0f, (float) LN3};
        float[] g = new float[2];
        k.update(form, ScaleFunction.sq(), 1, 2, q, new int[] {1}, new float[] {(float) Math.log(0.5)},
                new float[] {(float) (LN3 + 2)}, g, dO, dR, s);
        return g;
    }

    @Test
    void perSampleOutputsByHand() {
        float[] dO = new float[1], dR = new float[1], s = new float[1];
        twoActionUpdate(UpdateForm.U_Q, dO, dR, s);
        close(Math.log(1.5), dO[0]);
        close(2, dR[0]);
        close(3, s[0]);
    }

    @Test
    void uqByHand() {
        // G = s e_a = (0, 3)
        float[] g = twoActionUpdate(UpdateForm.U_Q, null, null, null);
        assertEquals(0f, g[0], 0f);
        close(3, g[1]);
    }

    @Test
    void uvByHand() {
        // G = 3 ((0, 1) - (1/4, 3/4)) = (-3/4, 3/4)
        float[] g = twoActionUpdate(UpdateForm.U_V, null, null, null);
        close(-0.75, g[0]);
        close(0.75, g[1]);
    }

    @Test
    void upByHand() {
        // <pi, q> = (3/4) ln 3; pi ⊙ (q - <pi,q>) = (1/4 (0 - 3/4 ln 3), 3/4 (ln 3 - 3/4 ln 3)) = (-3/16 ln 3, 3/16 ln 3)
        // G = (-3/4, 3/4) + (-3/16 ln 3, 3/16 ln 3)
        float[] g = twoActionUpdate(UpdateForm.U_P, null, null, null);
        close(-0.75 - 3.0 / 16 * LN3, g[0]);
        close(0.75 + 3.0 / 16 * LN3, g[1]);
    }

    @Test
    void upWithAMaskedEntry() {
        // q = (0, -Inf, ln 3), pi = (1/4, 0, 3/4), action 0, logMu = ln(1/4) -> dO = 0; target 1 -> dR = 1; MSE: s = 1.
        // <pi, q> = 1/4 * 0 + (masked: 0) + 3/4 ln 3 = (3/4) ln 3
        // G = 1 * ((1,0,0) - pi) + (1/4 (0 - 3/4 ln 3), 0, 3/4 (ln 3 - 3/4 ln 3))
        //   = (3/4 - 3/16 ln 3, 0, -3/4 + 3/16 ln 3)
        float[] q = {0f, NEG_INF, (float) LN3};
        float[] g = new float[3], s = new float[1];
        k.update(UpdateForm.U_P, ScaleFunction.mse(), 1, 3, q, new int[] {0}, new float[] {(float) -LN4},
                new float[] {1f}, g, null, null, s);
        close(1, s[0]);
        close(0.75 - 3.0 / 16 * LN3, g[0]);
        assertEquals(0f, g[1], 0f);
        close(-0.75 + 3.0 / 16 * LN3, g[2]);
        // U_V on the same row: (3/4, 0, -3/4), the masked entry exactly 0 and not NaN
        k.update(UpdateForm.U_V, ScaleFunction.mse(), 1, 3, q, new int[] {0}, new float[] {(float) -LN4},
                new float[] {1f}, g);
        close(0.75, g[0]);
        assertEquals(0f, g[1], 0f);
        close(-0.75, g[2]);
    }

    @Test
    void infiniteScaleNeverReachesAMaskedEntry() {
        // q = (0, -Inf, ln 3), pi = (1/4, 0, 3/4), action 0, logMu = -1000, target = 200:
        // dO = ln(1/4) + 1000 = 998.6, dR = 200, SQ: s = exp(998.6) * 200 = +Inf (even in double: exp > 709 overflows).
        // U_Q: (s, 0, 0) = (+Inf, 0, 0); U_V: (s (1 - 1/4), 0 [masked: not Inf * 0 = NaN], s (0 - 3/4)) = (+Inf, 0, -Inf)
        // U_P: the same, the finite last term does not change an infinity; the masked entry stays 0.
        float[] q = {0f, NEG_INF, (float) LN3};
        float[] g = new float[3];
        float[] logMu = {-1000f}, target = {200f};
        k.update(UpdateForm.U_Q, ScaleFunction.sq(), 1, 3, q, new int[] {0}, logMu, target, g);
        assertEquals(Float.POSITIVE_INFINITY, g[0]);
        assertEquals(0f, g[1], 0f);
        assertEquals(0f, g[2], 0f);
        for (UpdateForm form : new UpdateForm[] {UpdateForm.U_V, UpdateForm.U_P}) {
            k.update(form, ScaleFunction.sq(), 1, 3, q, new int[] {0}, logMu, target, g);
            assertEquals(Float.POSITIVE_INFINITY, g[0], form.name());
            assertEquals(0f, g[1], 0f, form.name());
            assertEquals(Float.NEGATIVE_INFINITY, g[2], form.name());
        }
    }

    @Test
    void updateWithLogitsOfMagnitude1e4() {
        // q = (1e4, 1e4 + 1), pi = (1/(1+e), e/(1+e)) =: (p0, p1); action 0, logMu = log p0 -> dO ~ 0,
        // target = 1e4 + 0.5 -> dR = 0.5; MSE: s = 0.5.
        // U_V: 0.5 ((1, 0) - pi) = (0.5 p1, -0.5 p1)
        // U_P: <pi, q> = 1e4 + p1, so pi ⊙ (q - <pi,q>) = (p0 (-p1), p1 (1 - p1)) = (-p0 p1, p0 p1)
        //      G = (0.5 p1 - p0 p1, -0.5 p1 + p0 p1)
        double e = Math.E, p0 = 1 / (1 + e), p1 = e / (1 + e);
        float[] q = {1e4f, 10001f};
        float[] logMu = {(float) Math.log(p0)};
        float[] target = {10000.5f};
        float[] g = new float[2], dR = new float[1];
        k.update(UpdateForm.U_V, ScaleFunction.mse(), 1, 2, q, new int[] {0}, logMu, target, g, null, dR, null);
        close(0.5, dR[0]);
        close(0.5 * p1, g[0]);
        close(-0.5 * p1, g[1]);
        k.update(UpdateForm.U_P, ScaleFunction.mse(), 1, 2, q, new int[] {0}, logMu, target, g);
        // <pi,q> is about 1e4, so the double reference loses ~1e4 * 1e-16: far below fp32's ulp
        close(0.5 * p1 - p0 * p1, g[0]);
        close(-0.5 * p1 + p0 * p1, g[1]);
    }

    @Test
    void emptyBatchWritesNothing() {
        float[] g = {3f};
        k.update(UpdateForm.U_P, ScaleFunction.sq(), 0, 4, new float[0], new int[0], new float[0], new float[0], g);
        k.logSoftmax(0, 4, new float[0], g);
        k.kl(0, 4, new float[0], new float[0], g);
        assertEquals(3f, g[0]);
        assertEquals(0.0, k.surrogate(0, 4, new float[0], new int[0], new float[0], new float[0]), 0.0);
    }

    // ---------- KL ----------

    @Test
    void klByHand() {
        // p_old = (1/2, 1/2), p_new = (1/4, 3/4):
        // KL = 1/2 ln((1/2)/(1/4)) + 1/2 ln((1/2)/(3/4)) = 1/2 ln 2 + 1/2 ln(2/3) = 1/2 ln(4/3)
        float[] lo = {(float) -LN2, (float) -LN2};
        float[] ln = {(float) -LN4, (float) (LN3 - LN4)};
        float[] out = new float[1];
        k.kl(1, 2, lo, ln, out);
        close(0.5 * Math.log(4.0 / 3), out[0]);
    }

    @Test
    void klInfinityAndZeroTerms() {
        // row 0: p_old = (1/2, 1/2), p_new = (1, 0): the second term is 1/2 (ln 1/2 - (-Inf)) = +Inf
        // row 1: p_old = (1, 0), p_new = (1, 0): the masked term has p_old = 0 -> 0 (not 0 * NaN), KL = 0
        // row 2: p_old = (1, 0), p_new = (1/2, 1/2): ln(1/(1/2)) = ln 2; the p_old = 0 term is 0
        float[] lo = {(float) -LN2, (float) -LN2, 0f, NEG_INF, 0f, NEG_INF};
        float[] ln = {0f, NEG_INF, 0f, NEG_INF, (float) -LN2, (float) -LN2};
        float[] out = new float[3];
        k.kl(3, 2, lo, ln, out);
        assertEquals(Float.POSITIVE_INFINITY, out[0]);
        assertEquals(0f, out[1], 0f);
        close(LN2, out[2]);
    }

    // ---------- surrogate and dW ----------

    @Test
    void surrogateByHand() {
        // row 0: q = (0, ln 3) -> pi = (1/4, 3/4), action 1, old log-prob ln(1/2): ratio (3/4)/(1/2) = 1.5, adv 2 -> 3
        // row 1: q = (0, 0) -> pi = (1/2, 1/2), action 0, old log-prob ln(1/4): ratio 2, adv -1 -> -2
        // row 2: q = (-Inf, 0) -> pi = (0, 1), action 0 (masked in the new policy): ratio 0, adv 5 -> 0
        // surrogate = (3 - 2 + 0) / 3 = 1/3
        float[] q = {0f, (float) LN3, 0f, 0f, NEG_INF, 0f};
        double sur = k.surrogate(3, 2, q, new int[] {1, 0, 0}, new float[] {(float) -LN2, (float) -LN4, -1f},
                new float[] {2f, -1f, 5f});
        assertEquals(1.0 / 3, sur, 1e-6);
    }

    @Test
    void linearPolicyGradientByHand() {
        // G = [[1, -1], [2, 0.5]] (B = 2, A = 2), X = [[1, 2, 3], [4, 5, 6]] (D = 3)
        // dW row 0 = (1 (1,2,3) + 2 (4,5,6)) / 2 = (9, 12, 15) / 2 = (4.5, 6, 7.5)
        // dW row 1 = (-1 (1,2,3) + 0.5 (4,5,6)) / 2 = (1, 0.5, 0) / 2 = (0.5, 0.25, 0)
        float[] g = {1, -1, 2, 0.5f};
        float[] x = {1, 2, 3, 4, 5, 6};
        float[] dW = new float[6];
        k.linearPolicyGradient(2, 2, 3, g, x, dW);
        assertEquals(4.5f, dW[0], 0f);
        assertEquals(6f, dW[1], 0f);
        assertEquals(7.5f, dW[2], 0f);
        assertEquals(0.5f, dW[3], 0f);
        assertEquals(0.25f, dW[4], 0f);
        assertEquals(0f, dW[5], 0f);
        // B = 0: F = 0, so dW = 0 (written over whatever was there)
        float[] dW0 = {9, 9, 9, 9, 9, 9};
        k.linearPolicyGradient(0, 2, 3, new float[0], new float[0], dW0);
        for (float v : dW0) assertEquals(0f, v, 0f);
    }

    // ---------- properties ----------

    @Provide
    Arbitrary<Integer> rows() {
        return Shapes.sizes(40);
    }

    @Provide
    Arbitrary<Integer> widths() {
        return Shapes.sizes(1, 300);
    }

    /** Logits in [-lim, lim] with about {@code maskFrac} of them -Inf, at least one finite per row. */
    private static float[] logits(long seed, int b, int a, float lim, double maskFrac) {
        float[] q = EdgeValues.array(seed, b * a, lim, 0.05, false);
        Random r = new Random(seed + 7);
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < a; j++) {
                if (r.nextDouble() < maskFrac) q[i * a + j] = NEG_INF;
            }
            if (a > 0) q[i * a + r.nextInt(a)] = (float) r.nextGaussian(); // keep one finite entry
        }
        return q;
    }

    private static int[] actionsWithFiniteLogit(long seed, int b, int a, float[] q) {
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

    /**
     * Against a naive, unshifted formulation for moderate logits (|q| <= 20, so exp cannot overflow
     * in double): log pi = q - log Σ exp(q), and pi = exp(log pi); probabilities sum to 1; entropy in
     * [0, ln A]; logits shifted by 1e4 (exactly representable: q is a multiple of 1/64) give the same.
     */
    @Property(tries = 120)
    void softmaxAgainstNaiveFormulation(@ForAll("rows") int b, @ForAll("widths") int a, @ForAll long seed) {
        float[] q = logits(seed, b, a, 20f, 0.1);
        for (int i = 0; i < q.length; i++) if (q[i] != NEG_INF) q[i] = Math.round(q[i] * 64) / 64f;
        float[] lp = new float[b * a], p = new float[b * a], h = new float[b];
        k.logSoftmax(b, a, q, lp);
        k.softmax(b, a, q, p);
        k.entropy(b, a, q, h);
        float[] shifted = q.clone();
        for (int i = 0; i < shifted.length; i++) shifted[i] += 1e4f;
        float[] lpShifted = new float[b * a];
        k.logSoftmax(b, a, shifted, lpShifted);
        for (int i = 0; i < b; i++) {
            double z = 0;
            for (int j = 0; j < a; j++) z += Math.exp(q[i * a + j]);
            double sumP = 0, naiveH = 0;
            double[] naiveLp = new double[a];
            double[] scale = new double[a];
            for (int j = 0; j < a; j++) {
                naiveLp[j] = q[i * a + j] - Math.log(z);
                scale[j] = Math.abs(q[i * a + j]) + Math.abs(Math.log(z));
                sumP += p[i * a + j];
                if (q[i * a + j] != NEG_INF) naiveH -= Math.exp(naiveLp[j]) * naiveLp[j];
                if (q[i * a + j] == NEG_INF) {
                    assertEquals(0f, p[i * a + j], 0f, "masked pi exactly 0");
                    assertEquals(NEG_INF, lp[i * a + j], "masked log pi exactly -Inf");
                }
                assertFalse(Float.isNaN(p[i * a + j]) || Float.isNaN(lp[i * a + j]), "no NaN");
            }
            float[] rowLp = Arrays.copyOfRange(lp, i * a, i * a + a);
            float[] rowLpShifted = Arrays.copyOfRange(lpShifted, i * a, i * a + a);
            Tolerance.spec().assertClose("logSoftmax row " + i, naiveLp, rowLp, a, scale);
            Tolerance.spec().assertClose("logSoftmax shifted by 1e4, row " + i, naiveLp, rowLpShifted, a, scale);
            // A fp32 probabilities summed: each within half an ulp, so the sum within A * 6e-8
            assertEquals(1.0, sumP, 1e-6 + a * 6e-8, "sum of pi, row " + i);
            Tolerance.spec().assertClose("entropy row " + i, naiveH, h[i], Math.abs(naiveH) + 1);
            assertTrue(h[i] >= 0 && h[i] <= Math.log(a) + 1e-6, "0 <= H <= ln A");
        }
    }

    /**
     * KL(p || p) = 0 exactly, and KL(p || r) >= 0 up to fp32 rounding of the log-probabilities: with
     * rounded inputs, Σ p (lo - ln) >= Σ p - Σ r (generalised KL), and |Σ p - Σ r| is bounded by the
     * rounding of each log-probability, at most 6e-8 |log p|, hence the bound below.
     */
    @Property(tries = 120)
    void klProperties(@ForAll("rows") int b, @ForAll("widths") int a, @ForAll long seed) {
        float[] qOld = logits(seed, b, a, 8f, 0.05);
        float[] qNew = logits(seed + 1, b, a, 8f, 0.0); // no masks in the new policy: KL stays finite
        float[] lo = new float[b * a], ln = new float[b * a], self = new float[b], kl = new float[b];
        k.logSoftmax(b, a, qOld, lo);
        k.logSoftmax(b, a, qNew, ln);
        k.kl(b, a, lo, lo, self);
        k.kl(b, a, lo, ln, kl);
        for (int i = 0; i < b; i++) {
            assertEquals(0f, self[i], 0f, "KL(p||p), row " + i);
            double bound = 1e-12;
            for (int j = 0; j < a; j++) {
                double l0 = lo[i * a + j], l1 = ln[i * a + j];
                if (l0 != Double.NEGATIVE_INFINITY) bound += 1.2e-7 * Math.exp(l0) * Math.abs(l0);
                bound += 1.2e-7 * Math.exp(l1) * Math.abs(l1);
            }
            assertTrue(Float.isFinite(kl[i]) && kl[i] >= -bound, "KL >= 0, row " + i + ": " + kl[i] + " bound " + bound);
        }
    }

    /**
     * The forms against their definitions written with the family's other kernels (softmax,
     * per-sample s): U_V = s (e_a - pi); U_P = U_V + pi ⊙ (q - <pi, q>); U_Q = s e_a. Rows of U_V and
     * U_P sum to 0 (Σ pi = 1). Per-sample dO = log pi_a - logMu and dR = target - q_a.
     */
    @Property(tries = 100)
    void formsAgainstTheirDefinitions(@ForAll("rows") int b, @ForAll("widths") int a, @ForAll long seed) {
        float[] q = logits(seed, b, a, 6f, 0.1);
        int[] acts = actionsWithFiniteLogit(seed, b, a, q);
        float[] logMu = EdgeValues.uniform(seed + 2, b, -4f, 0f);
        float[] target = EdgeValues.uniform(seed + 3, b, -5f, 5f);
        ScaleFunction f = ScaleFunction.sq().withLogRatioClip(3);
        float[] p = new float[b * a], lp = new float[b * a];
        k.softmax(b, a, q, p);
        k.logSoftmax(b, a, q, lp);
        float[] gq = new float[b * a], gv = new float[b * a], gp = new float[b * a];
        float[] dO = new float[b], dR = new float[b], s = new float[b];
        k.update(UpdateForm.U_Q, f, b, a, q, acts, logMu, target, gq, dO, dR, s);
        k.update(UpdateForm.U_V, f, b, a, q, acts, logMu, target, gv);
        k.update(UpdateForm.U_P, f, b, a, q, acts, logMu, target, gp);
        for (int i = 0; i < b; i++) {
            int off = i * a, act = acts[i];
            Tolerance.spec().assertClose("dO row " + i, lp[off + act] - (double) logMu[i], dO[i],
                    Math.abs(lp[off + act]) + Math.abs(logMu[i]));
            Tolerance.spec().assertClose("dR row " + i, target[i] - (double) q[off + act], dR[i],
                    Math.abs(target[i]) + Math.abs(q[off + act]));
            double piDotQ = 0, scaleP = 0;
            for (int j = 0; j < a; j++) {
                if (p[off + j] != 0) {
                    piDotQ += p[off + j] * (double) q[off + j];
                    scaleP += Math.abs(p[off + j] * (double) q[off + j]);
                }
            }
            double sumV = 0, sumP = 0, absV = 0, absP = 0;
            for (int j = 0; j < a; j++) {
                double ea = j == act ? 1 : 0, pi = p[off + j];
                double expQ = s[i] * ea;
                double expV = s[i] * (ea - pi);
                double last = pi == 0 ? 0 : pi * (q[off + j] - piDotQ);
                double sc = Math.abs(s[i]) * (1 + pi) + (pi == 0 ? 0 : pi * (Math.abs(q[off + j]) + scaleP)) + 1e-30;
                Tolerance.spec().assertClose("U_Q", expQ, gq[off + j], sc);
                Tolerance.spec().assertClose("U_V", expV, gv[off + j], sc);
                Tolerance.spec().assertClose("U_P", expV + last, gp[off + j], sc);
                sumV += gv[off + j];
                sumP += gp[off + j];
                absV += Math.abs(gv[off + j]);
                absP += Math.abs(gp[off + j]);
                if (q[off + j] == NEG_INF) {
                    assertEquals(0f, gv[off + j], 0f);
                    assertEquals(0f, gp[off + j], 0f);
                }
            }
            // each stored element is within half an fp32 ulp (6e-8 relative), so the row sums to 0 within that
            assertEquals(0.0, sumV, 1.2e-7 * absV + 1e-30, "U_V row sum");
            assertEquals(0.0, sumP, 1.2e-7 * absP + 1e-6 * Math.abs(s[i]) + 1e-30, "U_P row sum");
        }
    }

    /**
     * dW = G^T X / B checked through an identity that does not form dW: for any v (A) and w (D),
     * v^T dW w = (1/B) Σ_i (G_i · v)(X_i · w).
     */
    @Property(tries = 100)
    void linearPolicyGradientIdentity(@ForAll("rows") int b, @ForAll("widths") int a, @ForAll long seed) {
        int d = 1 + Math.floorMod(seed, 17);
        float[] g = EdgeValues.uniform(seed, b * a, -2f, 2f);
        float[] x = EdgeValues.uniform(seed + 1, b * d, -3f, 3f);
        float[] v = EdgeValues.uniform(seed + 2, a, -1f, 1f);
        float[] w = EdgeValues.uniform(seed + 3, d, -1f, 1f);
        float[] dW = new float[a * d];
        k.linearPolicyGradient(b, a, d, g, x, dW);
        double lhs = 0, lhsScale = 0;
        for (int r = 0; r < a; r++) {
            for (int c = 0; c < d; c++) {
                lhs += v[r] * (double) dW[r * d + c] * w[c];
                lhsScale += Math.abs(v[r] * (double) dW[r * d + c] * w[c]);
            }
        }
        double rhs = 0, rhsScale = 0;
        for (int i = 0; i < b; i++) {
            double gv = 0, xw = 0, gva = 0, xwa = 0;
            for (int r = 0; r < a; r++) { gv += g[i * a + r] * (double) v[r]; gva += Math.abs(g[i * a + r] * v[r]); }
            for (int c = 0; c < d; c++) { xw += x[i * d + c] * (double) w[c]; xwa += Math.abs(x[i * d + c] * w[c]); }
            rhs += gv * xw;
            rhsScale += gva * xwa;
        }
        if (b > 0) { rhs /= b; rhsScale /= b; }
        // dW's elements are fp32-rounded (6e-8 relative each): the bound is 1e-6 of the summed magnitudes
        Tolerance.spec().assertClose("v^T dW w", rhs, lhs, lhsScale + rhsScale);
    }

    /** A vocabulary-sized row, once: A = 40000 with masked entries and logits up to 1e4 in magnitude. */
    @Test
    void largeVocabulary() {
        int b = 2, a = 40_000;
        float[] q = logits(20221125L, b, a, 1e4f, 0.02);
        int[] acts = actionsWithFiniteLogit(3, b, a, q);
        float[] p = new float[b * a], h = new float[b], g = new float[b * a];
        k.softmax(b, a, q, p);
        k.entropy(b, a, q, h);
        // MSE keeps s = dR finite although most pi (and maybe pi_a) underflow to 0 with logits this far apart
        float[] target = {q[acts[0]] + 0.5f, q[a + acts[1]] - 0.5f};
        k.update(UpdateForm.U_P, ScaleFunction.mse(), b, a, q, acts, new float[] {-1f, -2f}, target, g);
        for (int i = 0; i < b; i++) {
            double sum = 0, sumG = 0, absG = 0;
            for (int j = 0; j < a; j++) {
                float v = p[i * a + j];
                assertFalse(Float.isNaN(v) || Float.isNaN(g[i * a + j]));
                if (q[i * a + j] == NEG_INF) assertEquals(0f, v, 0f);
                sum += v;
                sumG += g[i * a + j];
                absG += Math.abs(g[i * a + j]);
            }
            assertEquals(1.0, sum, 1e-6 + a * 6e-8);
            assertTrue(h[i] >= 0 && h[i] <= Math.log(a) + 1e-6);
            assertEquals(0.0, sumG, 1.2e-7 * absG + 1e-6);
        }
    }
}
