package dev.pgkernels.softmax;

import static dev.pgkernels.testsupport.BadInput.assertRejected;
import static dev.pgkernels.testsupport.BadInput.sentinel;

import dev.pgkernels.reference.ReferenceSoftmax;
import dev.pgkernels.scale.ScaleFunction;
import org.junit.jupiter.api.Test;

/** SPEC "Bad input" for family 2: every rule, with every output left untouched. */
class SoftmaxBadInputTest {

    private static final float NEG_INF = Float.NEGATIVE_INFINITY;
    private final SoftmaxKernels k = new ReferenceSoftmax();
    private final ScaleFunction f = ScaleFunction.sq();

    // B = 3 rows of A = 2
    private final float[] q = {0f, 1f, 2f, NEG_INF, -1f, 0.5f};
    private final int[] acts = {1, 0, 1};
    private final float[] logMu = {-0.5f, -0.7f, -0.2f};
    private final float[] target = {1f, 2f, 3f};
    private final float[] g = sentinel(6), dO = sentinel(3), dR = sentinel(3), s = sentinel(3);
    private final float[] out6 = sentinel(6), out3 = sentinel(3);

    private Runnable upd(UpdateForm form, ScaleFunction fn, int b, int a, float[] logits, int[] actions, float[] mu,
            float[] tgt, float[] gg, float[] o, float[] r, float[] sc) {
        return () -> k.update(form, fn, b, a, logits, actions, mu, tgt, gg, o, r, sc);
    }

    @Test
    void updateSizesAndNulls() {
        Object[] outs = {g, dO, dR, s};
        assertRejected("b must be >= 0", upd(UpdateForm.U_V, f, -1, 2, q, acts, logMu, target, g, dO, dR, s), outs);
        assertRejected("a must be >= 1", upd(UpdateForm.U_V, f, 3, 0, q, acts, logMu, target, g, dO, dR, s), outs);
        assertRejected("B*A", upd(UpdateForm.U_V, f, Integer.MAX_VALUE, 2, q, acts, logMu, target, g, dO, dR, s), outs);
        assertRejected("'form'", upd(null, f, 3, 2, q, acts, logMu, target, g, dO, dR, s), outs);
        assertRejected("'f'", upd(UpdateForm.U_V, null, 3, 2, q, acts, logMu, target, g, dO, dR, s), outs);
        assertRejected("'logits'", upd(UpdateForm.U_V, f, 3, 2, null, acts, logMu, target, g, dO, dR, s), outs);
        assertRejected("'actions'", upd(UpdateForm.U_V, f, 3, 2, q, null, logMu, target, g, dO, dR, s), outs);
        assertRejected("'logMu'", upd(UpdateForm.U_V, f, 3, 2, q, acts, null, target, g, dO, dR, s), outs);
        assertRejected("'target'", upd(UpdateForm.U_V, f, 3, 2, q, acts, logMu, null, g, dO, dR, s), outs);
        assertRejected("'g'", upd(UpdateForm.U_V, f, 3, 2, q, acts, logMu, target, null, dO, dR, s), dO, dR, s);
    }

    @Test
    void updateShortArrays() {
        Object[] outs = {g, dO, dR, s};
        float[] g5 = sentinel(5), short2 = sentinel(2);
        assertRejected("'logits': expected length >= 6", upd(UpdateForm.U_P, f, 3, 2, new float[5], acts, logMu, target, g, dO, dR, s), outs);
        assertRejected("'actions'", upd(UpdateForm.U_P, f, 3, 2, q, new int[2], logMu, target, g, dO, dR, s), outs);
        assertRejected("'logMu'", upd(UpdateForm.U_P, f, 3, 2, q, acts, new float[2], target, g, dO, dR, s), outs);
        assertRejected("'target'", upd(UpdateForm.U_P, f, 3, 2, q, acts, logMu, new float[2], g, dO, dR, s), outs);
        assertRejected("'g'", upd(UpdateForm.U_P, f, 3, 2, q, acts, logMu, target, g5, dO, dR, s), g5, dO, dR, s);
        assertRejected("'dO'", upd(UpdateForm.U_P, f, 3, 2, q, acts, logMu, target, g, short2, dR, s), g, short2, dR, s);
        assertRejected("'dR'", upd(UpdateForm.U_P, f, 3, 2, q, acts, logMu, target, g, dO, short2, s), g, dO, short2, s);
        assertRejected("'s'", upd(UpdateForm.U_P, f, 3, 2, q, acts, logMu, target, g, dO, dR, short2), g, dO, dR, short2);
    }

    @Test
    void actionOutOfRangeNamesTheRow() {
        Object[] outs = {g, dO, dR, s};
        assertRejected("actions[2]", upd(UpdateForm.U_Q, f, 3, 2, q, new int[] {1, 0, 2}, logMu, target, g, dO, dR, s), outs);
        assertRejected("actions[0]", upd(UpdateForm.U_Q, f, 3, 2, q, new int[] {-1, 0, 1}, logMu, target, g, dO, dR, s), outs);
        assertRejected("actions[1]", () -> k.surrogate(3, 2, q, new int[] {0, 5, 1}, logMu, target));
    }

    @Test
    void allMinusInfinityRowIsRejectedBeforeAnythingIsWritten() {
        // row 2 of 3 is fully masked; rows 0 and 1 are fine and must not be written either
        float[] masked = {0f, 1f, 2f, NEG_INF, NEG_INF, NEG_INF};
        Object[] outs = {g, dO, dR, s};
        for (UpdateForm form : UpdateForm.values()) {
            assertRejected("row 2 is all -Inf", upd(form, f, 3, 2, masked, new int[] {1, 0, 0}, logMu, target, g, dO, dR, s), outs);
        }
        assertRejected("row 2 is all -Inf", () -> k.logSoftmax(3, 2, masked, out6), out6);
        assertRejected("row 2 is all -Inf", () -> k.softmax(3, 2, masked, out6), out6);
        assertRejected("row 2 is all -Inf", () -> k.entropy(3, 2, masked, out3), out3);
        assertRejected("'logitsNew': row 2", () -> k.surrogate(3, 2, masked, new int[] {1, 0, 0}, logMu, target));
        // A = 1 with a -Inf logit is an all -Inf row too
        assertRejected("row 0 is all -Inf", () -> k.logSoftmax(1, 1, new float[] {NEG_INF}, out6), out6);
    }

    @Test
    void takenActionWithMinusInfinityLogitIsRejected() {
        // row 1 = (2, -Inf) with action 1: probability 0, dO = -Inf, dR = +Inf
        Object[] outs = {g, dO, dR, s};
        assertRejected("row 1: the taken action 1 has logit -Inf",
                upd(UpdateForm.U_V, f, 3, 2, q, new int[] {1, 1, 0}, logMu, target, g, dO, dR, s), outs);
    }

    @Test
    void logSoftmaxSoftmaxEntropyShapes() {
        assertRejected("b must be >= 0", () -> k.logSoftmax(-1, 2, q, out6), out6);
        assertRejected("a must be >= 1", () -> k.softmax(3, 0, q, out6), out6);
        assertRejected("'logits'", () -> k.logSoftmax(3, 2, null, out6), out6);
        assertRejected("'out'", () -> k.logSoftmax(3, 2, q, null));
        assertRejected("'logits': expected length >= 6", () -> k.softmax(3, 2, new float[5], out6), out6);
        float[] out5 = sentinel(5), out2 = sentinel(2);
        assertRejected("'out': expected length >= 6", () -> k.logSoftmax(3, 2, q, out5), out5);
        assertRejected("'out': expected length >= 3", () -> k.entropy(3, 2, q, out2), out2);
        assertRejected("B*A", () -> k.entropy(Integer.MAX_VALUE, 3, q, out3), out3);
    }

    @Test
    void klShapes() {
        float[] lp = new float[6], out2 = sentinel(2);
        assertRejected("b must be >= 0", () -> k.kl(-2, 2, lp, lp, out3), out3);
        assertRejected("a must be >= 1", () -> k.kl(3, 0, lp, lp, out3), out3);
        assertRejected("'logpOld'", () -> k.kl(3, 2, null, lp, out3), out3);
        assertRejected("'logpNew'", () -> k.kl(3, 2, lp, new float[5], out3), out3);
        assertRejected("'logpOld': expected length >= 6", () -> k.kl(3, 2, new float[5], lp, out3), out3);
        assertRejected("'out': expected length >= 3", () -> k.kl(3, 2, lp, lp, out2), out2);
    }

    @Test
    void surrogateShapes() {
        assertRejected("b must be >= 0", () -> k.surrogate(-1, 2, q, acts, logMu, target));
        assertRejected("a must be >= 1", () -> k.surrogate(3, 0, q, acts, logMu, target));
        assertRejected("'logitsNew'", () -> k.surrogate(3, 2, new float[5], acts, logMu, target));
        assertRejected("'actions'", () -> k.surrogate(3, 2, q, null, logMu, target));
        assertRejected("'logpOldAtAction'", () -> k.surrogate(3, 2, q, acts, new float[2], target));
        assertRejected("'advantages'", () -> k.surrogate(3, 2, q, acts, logMu, null));
    }

    @Test
    void linearPolicyGradientShapes() {
        float[] x = new float[3 * 4], dW = sentinel(8), dW7 = sentinel(7);
        float[] gg = new float[6];
        assertRejected("b must be >= 0", () -> k.linearPolicyGradient(-1, 2, 4, gg, x, dW), dW);
        assertRejected("a must be >= 0", () -> k.linearPolicyGradient(3, -1, 4, gg, x, dW), dW);
        assertRejected("d must be >= 0", () -> k.linearPolicyGradient(3, 2, -4, gg, x, dW), dW);
        assertRejected("'g'", () -> k.linearPolicyGradient(3, 2, 4, new float[5], x, dW), dW);
        assertRejected("'x'", () -> k.linearPolicyGradient(3, 2, 4, gg, new float[11], dW), dW);
        assertRejected("'dW': expected length >= 8", () -> k.linearPolicyGradient(3, 2, 4, gg, x, dW7), dW7);
        assertRejected("'x'", () -> k.linearPolicyGradient(3, 2, 4, gg, null, dW), dW);
        assertRejected("A*D", () -> k.linearPolicyGradient(0, 1 << 16, 1 << 16, gg, x, dW), dW);
    }
}
