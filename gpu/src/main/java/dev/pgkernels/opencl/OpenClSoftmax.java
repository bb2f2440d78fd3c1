package dev.pgkernels.opencl;

import dev.pgkernels.Checks;
import dev.pgkernels.scale.ScaleFunction;
import dev.pgkernels.softmax.AbstractSoftmaxKernels;
import dev.pgkernels.softmax.UpdateForm;
import org.jocl.cl_kernel;

/**
 * The {@code opencl} softmax-logit family (SPEC §2): {@code softmax.cl} and the row template
 * {@code softmax_rows.cl}, fp32, accurate {@code exp}/{@code log}. Rows of width
 * {@code A >= }{@link OpenClThresholds#SOFTMAX_WIDE_MIN_A} get a work-group each (items stride the
 * row; max and sums reduced in local memory); narrower rows a work-item each. Sums are
 * Kahan-compensated per work-item and then added in a tree of {@code log2(group)} levels, so their
 * error does not grow with {@code A} as a plain running sum's would. The surrogate's per-row terms
 * are summed on the host in double. The linear-policy gradient is one work-item per element of
 * {@code dW} (a compensated sum over the batch).
 *
 * <p>Masked {@code -Inf} logits, the all-{@code -Inf} row and a taken action with a {@code -Inf}
 * logit are handled by the shared validator before any device work; masked entries get exactly 0.
 * Arrays in and out: every {@link dev.pgkernels.softmax.SoftmaxKernels} method uploads, runs and
 * downloads (staged in the context's pooled scratch buffers); {@link #update(UpdateForm, ScaleFunction, int, int, DeviceBuffer, DeviceBuffer, DeviceBuffer, DeviceBuffer, DeviceBuffer)}
 * and {@link #logSoftmax(int, int, DeviceBuffer, DeviceBuffer)} work on device-resident buffers
 * (no validation of the values, only of the shapes). Thread-safe: calls are serialised on the context's lock.
 */
public final class OpenClSoftmax extends AbstractSoftmaxKernels {
    static final String[] PROGRAM = {"common.cl", "scale.cl", "softmax.cl", "#define WIDE 0", "softmax_rows.cl",
        "#define WIDE 1", "softmax_rows.cl"};

    private final OpenClContext ctx;

    /** Kernels on {@code ctx} (which the caller keeps open while this is used). */
    public OpenClSoftmax(OpenClContext ctx) {
        this.ctx = ctx;
    }

    /** Whether rows of width {@code a} get a work-group each. */
    public static boolean wide(int a) {
        return a >= OpenClThresholds.SOFTMAX_WIDE_MIN_A;
    }

    // ------------------------------------------------------------------ launches (caller holds the lock)

    /** Launches the row kernel {@code base} (suffix chosen by width) with the given leading arguments. */
    private void rows(String base, int b, int a, Object... args) {
        boolean wide = wide(a);
        String name = base + (wide ? "_wide" : "_narrow");
        cl_kernel k = ctx.kernel(name, PROGRAM);
        if (wide) {
            int group = (int) Math.min(Math.min(OpenClThresholds.SOFTMAX_MAX_GROUP, Integer.highestOneBit(a - 1) << 1),
                    OpenClBuffers.floorPow2(ctx.maxWorkGroup(k)));
            Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
            all[args.length] = new OpenClContext.Local(4L * group);
            ctx.args(k, name, all);
            ctx.launch(k, name, (long) b * group, group);
        } else {
            ctx.args(k, name, args);
            long group = Math.min(OpenClThresholds.ELEMENTWISE_GROUP, ctx.maxWorkGroup(k));
            ctx.launch(k, name, OpenClBuffers.roundUp(b, group), group);
        }
    }

    private void rowsShape(int b, int a, String name, DeviceBuffer buf) {
        Checks.size("b", b);
        Checks.positiveSize("a", a);
        OpenClBuffers.require(ctx, name, buf, DeviceBuffer.Type.FLOAT, 0, Checks.product("B*A", b, a),
                "B*A = " + b + "*" + a);
    }

    /**
     * Device-resident log-softmax of each row (SPEC §2): {@code out = q - m - log Σ exp(q - m)}.
     * Values are not checked (a row of all {@code -Inf} gives NaN); shapes are.
     *
     * @param logits {@code B*A} floats. Not modified.
     * @param out    {@code B*A} floats. Modified.
     */
    public void logSoftmax(int b, int a, DeviceBuffer logits, DeviceBuffer out) {
        rowsShape(b, a, "logits", logits);
        rowsShape(b, a, "out", out);
        ctx.lock().lock();
        try {
            rows("logsoftmax", b, a, b, a, logits, out);
        } finally {
            ctx.lock().unlock();
        }
    }

    /**
     * Device-resident softmax of each row (SPEC §2): {@code out = exp(q - m) / Σ exp(q - m)}.
     * Shapes are checked, values are not.
     *
     * @param logits {@code B*A} floats. Not modified.
     * @param out    {@code B*A} floats. Modified.
     */
    public void softmax(int b, int a, DeviceBuffer logits, DeviceBuffer out) {
        rowsShape(b, a, "logits", logits);
        rowsShape(b, a, "out", out);
        ctx.lock().lock();
        try {
            rows("softmax", b, a, b, a, logits, out);
        } finally {
            ctx.lock().unlock();
        }
    }

    /**
     * Device-resident entropy of each row (SPEC §2). Shapes are checked, values are not.
     *
     * @param logits {@code B*A} floats. Not modified.
     * @param out    {@code B} floats. Modified.
     */
    public void entropy(int b, int a, DeviceBuffer logits, DeviceBuffer out) {
        rowsShape(b, a, "logits", logits);
        OpenClBuffers.require(ctx, "out", out, DeviceBuffer.Type.FLOAT, 0, b, "B = " + b);
        ctx.lock().lock();
        try {
            rows("entropy", b, a, b, a, logits, out);
        } finally {
            ctx.lock().unlock();
        }
    }

    /**
     * Device-resident {@code KL(p_old || p_new)} of each row from log-probabilities (SPEC §2).
     *
     * <br>{@code logpOld}, {@code logpNew}: {@code B*A} floats. Not modified.
     * @param out {@code B} floats. Modified.
     */
    public void kl(int b, int a, DeviceBuffer logpOld, DeviceBuffer logpNew, DeviceBuffer out) {
        rowsShape(b, a, "logpOld", logpOld);
        rowsShape(b, a, "logpNew", logpNew);
        OpenClBuffers.require(ctx, "out", out, DeviceBuffer.Type.FLOAT, 0, b, "B = " + b);
        ctx.lock().lock();
        try {
            rows("kl", b, a, b, a, logpOld, logpNew, out);
        } finally {
            ctx.lock().unlock();
        }
    }

    /**
     * Device-resident update direction (SPEC §2, {@link #update(UpdateForm, ScaleFunction, int, int, float[], int[], float[], float[], float[])}).
     * Shapes are checked, values are not (the array methods reject all-{@code -Inf} rows and
     * masked taken actions; here they give NaN).
     *
     * @param logits {@code B*A} floats; actions {@code B} ints; logMu, target {@code B} floats. Not modified.
     * @param g      {@code B*A} floats. Modified.
     */
    public void update(UpdateForm form, ScaleFunction f, int b, int a, DeviceBuffer logits, DeviceBuffer actions,
            DeviceBuffer logMu, DeviceBuffer target, DeviceBuffer g) {
        Checks.notNull("form", form);
        Checks.notNull("f", f);
        rowsShape(b, a, "logits", logits);
        rowsShape(b, a, "g", g);
        OpenClBuffers.require(ctx, "actions", actions, DeviceBuffer.Type.INT, 0, b, "B = " + b);
        OpenClBuffers.require(ctx, "logMu", logMu, DeviceBuffer.Type.FLOAT, 0, b, "B = " + b);
        OpenClBuffers.require(ctx, "target", target, DeviceBuffer.Type.FLOAT, 0, b, "B = " + b);
        if (b == 0) {
            return;
        }
        ctx.lock().lock();
        try {
            launchUpdate(form, f, b, a, logits, actions, logMu, target, g, g, g, g, 0);
        } finally {
            ctx.lock().unlock();
        }
    }

    private void launchUpdate(UpdateForm form, ScaleFunction f, int b, int a, DeviceBuffer logits, DeviceBuffer actions,
            DeviceBuffer logMu, DeviceBuffer target, DeviceBuffer g, DeviceBuffer dO, DeviceBuffer dR, DeviceBuffer s,
            int outs) {
        Object[] fa = OpenClScale.functionArgs(f);
        rows("update", b, a, form.ordinal(), fa[0], fa[1], fa[2], fa[3], fa[4], fa[5], b, a, logits, actions, logMu,
                target, g, dO, dR, s, outs);
    }

    // ------------------------------------------------------------------ arrays in, arrays out

    private interface Body {
        void run();
    }

    private void locked(Body body) {
        ctx.lock().lock();
        try {
            body.run();
        } finally {
            ctx.lock().unlock();
        }
    }

    private void perRow(String base, int b, int a, float[] logits, float[] out, int outLength) {
        locked(() -> {
            DeviceBuffer q = ctx.stage("sm.q", logits, 0, b * a);
            DeviceBuffer o = ctx.scratch("sm.out", DeviceBuffer.Type.FLOAT, outLength);
            rows(base, b, a, b, a, q, o);
            o.read(out, 0, outLength);
        });
    }

    @Override
    protected void logSoftmaxKernel(int b, int a, float[] logits, float[] out) {
        perRow("logsoftmax", b, a, logits, out, b * a);
    }

    @Override
    protected void softmaxKernel(int b, int a, float[] logits, float[] out) {
        perRow("softmax", b, a, logits, out, b * a);
    }

    @Override
    protected void entropyKernel(int b, int a, float[] logits, float[] out) {
        perRow("entropy", b, a, logits, out, b);
    }

    @Override
    protected void klKernel(int b, int a, float[] logpOld, float[] logpNew, float[] out) {
        locked(() -> {
            DeviceBuffer lo = ctx.stage("sm.q", logpOld, 0, b * a), ln = ctx.stage("sm.q2", logpNew, 0, b * a);
            DeviceBuffer o = ctx.scratch("sm.out", DeviceBuffer.Type.FLOAT, b);
            rows("kl", b, a, b, a, lo, ln, o);
            o.read(out, 0, b);
        });
    }

    @Override
    protected double surrogateKernel(int b, int a, float[] logitsNew, int[] actions, float[] logpOldAtAction,
            float[] advantages) {
        float[] terms = new float[b];
        locked(() -> {
            DeviceBuffer q = ctx.stage("sm.q", logitsNew, 0, b * a), act = ctx.stage("sm.act", actions, b);
            DeviceBuffer lpo = ctx.stage("sm.b1", logpOldAtAction, 0, b), adv = ctx.stage("sm.b2", advantages, 0, b);
            DeviceBuffer o = ctx.scratch("sm.out", DeviceBuffer.Type.FLOAT, b);
            rows("surrogate", b, a, b, a, q, act, lpo, adv, o);
            o.read(terms, 0, b);
        });
        double sum = 0;
        for (float t : terms) {
            sum += t;
        }
        return sum / b;
    }

    @Override
    protected void updateKernel(UpdateForm form, ScaleFunction f, int b, int a, float[] logits, int[] actions,
            float[] logMu, float[] target, float[] g, float[] dO, float[] dR, float[] s) {
        locked(() -> {
            DeviceBuffer q = ctx.stage("sm.q", logits, 0, b * a), act = ctx.stage("sm.act", actions, b);
            DeviceBuffer mu = ctx.stage("sm.b1", logMu, 0, b), tg = ctx.stage("sm.b2", target, 0, b);
            DeviceBuffer gb = ctx.scratch("sm.out", DeviceBuffer.Type.FLOAT, b * a);
            // an output not asked for is not written: g stands in as its (unused) argument
            DeviceBuffer dOb = dO != null ? ctx.scratch("sm.dO", DeviceBuffer.Type.FLOAT, b) : gb;
            DeviceBuffer dRb = dR != null ? ctx.scratch("sm.dR", DeviceBuffer.Type.FLOAT, b) : gb;
            DeviceBuffer sb = s != null ? ctx.scratch("sm.s", DeviceBuffer.Type.FLOAT, b) : gb;
            int outs = (dO != null ? 1 : 0) | (dR != null ? 2 : 0) | (s != null ? 4 : 0);
            launchUpdate(form, f, b, a, q, act, mu, tg, gb, dOb, dRb, sb, outs);
            gb.read(g, 0, b * a);
            if (dO != null) dOb.read(dO, 0, b);
            if (dR != null) dRb.read(dR, 0, b);
            if (s != null) sb.read(s, 0, b);
        });
    }

    @Override
    protected void linearPolicyGradientKernel(int b, int a, int d, float[] g, float[] x, float[] dW) {
        if (a * d == 0) {
            return;
        }
        locked(() -> {
            DeviceBuffer gb = ctx.stage("sm.q", g, 0, b * a), xb = ctx.stage("sm.q2", x, 0, b * d);
            DeviceBuffer w = ctx.scratch("sm.out", DeviceBuffer.Type.FLOAT, a * d);
            cl_kernel k = ctx.kernel("lpg", PROGRAM);
            ctx.args(k, "lpg", b, a, d, gb, xb, w);
            long group = Math.min(OpenClThresholds.ELEMENTWISE_GROUP, ctx.maxWorkGroup(k));
            ctx.launch(k, "lpg", OpenClBuffers.roundUp((long) a * d, group), group);
            w.read(dW, 0, a * d);
        });
    }
}
