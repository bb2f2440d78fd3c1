package dev.pgkernels.softmax;

import dev.pgkernels.Checks;
import dev.pgkernels.scale.ScaleFunction;

/**
 * The one place where family 2's arguments are checked (netlib's {@code AbstractBLAS} pattern):
 * the public final methods validate sizes, arrays, actions and the logit rows (no row all
 * {@code -Inf}; for {@link #update}, no taken action with a {@code -Inf} logit), and only then
 * call the protected {@code ...Kernel} methods, which backends implement and which only compute.
 * No output element is written before every check has passed. {@code B = 0} returns before the
 * kernel is called (except {@link #linearPolicyGradient}, whose kernel writes {@code dW = 0}).
 */
public abstract class AbstractSoftmaxKernels implements SoftmaxKernels {

    /** For subclasses. */
    protected AbstractSoftmaxKernels() {}

    @Override
    public final void logSoftmax(int b, int a, float[] logits, float[] out) {
        int n = rowsShape(b, a);
        Checks.length("logits", logits, n, shape(b, a));
        Checks.length("out", out, n, shape(b, a));
        requireFiniteEntryPerRow("logits", b, a, logits);
        if (b == 0) return;
        logSoftmaxKernel(b, a, logits, out);
    }

    @Override
    public final void softmax(int b, int a, float[] logits, float[] out) {
        int n = rowsShape(b, a);
        Checks.length("logits", logits, n, shape(b, a));
        Checks.length("out", out, n, shape(b, a));
        requireFiniteEntryPerRow("logits", b, a, logits);
        if (b == 0) return;
        softmaxKernel(b, a, logits, out);
    }

    @Override
    public final void entropy(int b, int a, float[] logits, float[] out) {
        int n = rowsShape(b, a);
        Checks.length("logits", logits, n, shape(b, a));
        Checks.length("out", out, b, "B = " + b);
        requireFiniteEntryPerRow("logits", b, a, logits);
        if (b == 0) return;
        entropyKernel(b, a, logits, out);
    }

    @Override
    public final void kl(int b, int a, float[] logpOld, float[] logpNew, float[] out) {
        int n = rowsShape(b, a);
        Checks.length("logpOld", logpOld, n, shape(b, a));
        Checks.length("logpNew", logpNew, n, shape(b, a));
        Checks.length("out", out, b, "B = " + b);
        if (b == 0) return;
        klKernel(b, a, logpOld, logpNew, out);
    }

    @Override
    public final double surrogate(int b, int a, float[] logitsNew, int[] actions, float[] logpOldAtAction,
            float[] advantages) {
        int n = rowsShape(b, a);
        Checks.length("logitsNew", logitsNew, n, shape(b, a));
        Checks.length("actions", actions, b, "B = " + b);
        Checks.length("logpOldAtAction", logpOldAtAction, b, "B = " + b);
        Checks.length("advantages", advantages, b, "B = " + b);
        requireActionsInRange(b, a, actions);
        requireFiniteEntryPerRow("logitsNew", b, a, logitsNew);
        if (b == 0) return 0.0;
        return surrogateKernel(b, a, logitsNew, actions, logpOldAtAction, advantages);
    }

    @Override
    public final void update(UpdateForm form, ScaleFunction f, int b, int a, float[] logits, int[] actions,
            float[] logMu, float[] target, float[] g) {
        update(form, f, b, a, logits, actions, logMu, target, g, null, null, null);
    }

    @Override
    public final void update(UpdateForm form, ScaleFunction f, int b, int a, float[] logits, int[] actions,
            float[] logMu, float[] target, float[] g, float[] dO, float[] dR, float[] s) {
        Checks.notNull("form", form);
        Checks.notNull("f", f);
        int n = rowsShape(b, a);
        Checks.length("logits", logits, n, shape(b, a));
        Checks.length("actions", actions, b, "B = " + b);
        Checks.length("logMu", logMu, b, "B = " + b);
        Checks.length("target", target, b, "B = " + b);
        Checks.length("g", g, n, shape(b, a));
        if (dO != null) Checks.length("dO", dO, b, "B = " + b);
        if (dR != null) Checks.length("dR", dR, b, "B = " + b);
        if (s != null) Checks.length("s", s, b, "B = " + b);
        requireActionsInRange(b, a, actions);
        requireFiniteEntryPerRow("logits", b, a, logits);
        for (int i = 0; i < b; i++) {
            if (logits[i * a + actions[i]] == Float.NEGATIVE_INFINITY) {
                throw new IllegalArgumentException("argument 'logits': row " + i + ": the taken action "
                        + actions[i] + " has logit -Inf (probability 0), so dO = -Inf and dR = +Inf;"
                        + " a masked action cannot have been taken");
            }
        }
        if (b == 0) return;
        updateKernel(form, f, b, a, logits, actions, logMu, target, g, dO, dR, s);
    }

    @Override
    public final void linearPolicyGradient(int b, int a, int d, float[] g, float[] x, float[] dW) {
        Checks.size("b", b);
        Checks.size("a", a);
        Checks.size("d", d);
        Checks.length("g", g, Checks.product("B*A", b, a), "B*A = " + b + "*" + a);
        Checks.length("x", x, Checks.product("B*D", b, d), "B*D = " + b + "*" + d);
        Checks.length("dW", dW, Checks.product("A*D", a, d), "A*D = " + a + "*" + d);
        linearPolicyGradientKernel(b, a, d, g, x, dW);
    }

    // ---- kernels: arguments validated, B >= 1 (except linearPolicyGradientKernel, B >= 0) ----

    /** See {@link #logSoftmax}. {@code logits} Not modified; {@code out} Modified. */
    protected abstract void logSoftmaxKernel(int b, int a, float[] logits, float[] out);

    /** See {@link #softmax}. {@code logits} Not modified; {@code out} Modified. */
    protected abstract void softmaxKernel(int b, int a, float[] logits, float[] out);

    /** See {@link #entropy}. {@code logits} Not modified; {@code out} Modified. */
    protected abstract void entropyKernel(int b, int a, float[] logits, float[] out);

    /** See {@link #kl}. {@code logpOld}, {@code logpNew} Not modified; {@code out} Modified. */
    protected abstract void klKernel(int b, int a, float[] logpOld, float[] logpNew, float[] out);

    /** See {@link #surrogate}. Every array Not modified. */
    protected abstract double surrogateKernel(int b, int a, float[] logitsNew, int[] actions,
            float[] logpOldAtAction, float[] advantages);

    /**
     * See {@link #update}. Every taken action has a finite-or-NaN logit and every row a non-{@code -Inf}
     * maximum. Inputs Not modified; {@code g} and the non-null {@code dO}, {@code dR}, {@code s} Modified.
     */
    protected abstract void updateKernel(UpdateForm form, ScaleFunction f, int b, int a, float[] logits,
            int[] actions, float[] logMu, float[] target, float[] g, float[] dO, float[] dR, float[] s);

    /** See {@link #linearPolicyGradient}; {@code B} may be 0 (then {@code dW = 0}). {@code dW} Modified. */
    protected abstract void linearPolicyGradientKernel(int b, int a, int d, float[] g, float[] x, float[] dW);

    // ---- checks ----

    private static int rowsShape(int b, int a) {
        Checks.size("b", b);
        Checks.positiveSize("a", a);
        return Checks.product("B*A", b, a);
    }

    private static String shape(int b, int a) {
        return "B*A = " + b + "*" + a;
    }

    private static void requireActionsInRange(int b, int a, int[] actions) {
        for (int i = 0; i < b; i++) {
            int v = actions[i];
            if (v < 0 || v >= a) {
                throw new IllegalArgumentException("argument 'actions': actions[" + i + "] (row " + i
                        + ") must lie in [0, " + a + "), got " + v);
            }
        }
    }

    /** Every row has an entry other than {@code -Inf} (NaN counts as present: it propagates). */
    private static void requireFiniteEntryPerRow(String name, int b, int a, float[] q) {
        for (int i = 0; i < b; i++) {
            boolean any = false;
            for (int j = i * a, end = j + a; j < end && !any; j++) {
                any = q[j] != Float.NEGATIVE_INFINITY;
            }
            if (!any) {
                throw new IllegalArgumentException("argument '" + name + "': row " + i + " is all -Inf"
                        + " (every action masked); a softmax needs at least one entry > -Inf");
            }
        }
    }
}
