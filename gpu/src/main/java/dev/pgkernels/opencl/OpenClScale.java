package dev.pgkernels.opencl;

import dev.pgkernels.Checks;
import dev.pgkernels.scale.AbstractScaleKernels;
import dev.pgkernels.scale.ScaleFunction;
import org.jocl.cl_kernel;

/**
 * The {@code opencl} scale functions (SPEC §1), {@code scale.cl}: one work-item per sample, fp32,
 * accurate {@code exp}/{@code expm1} (no fast-relaxed-math). Special values follow
 * {@link dev.pgkernels.reference.ReferenceScale}: {@code exp(x) y} is evaluated with a
 * range reduction ({@code 2^n exp(r)}) so that overflow is judged on the result, as the
 * double reference does ({@code SQ(89, 0.001)} is finite), and the double reference's NaN/Inf cases
 * are reproduced; Java's {@code max}/{@code min} (NaN propagates) replace OpenCL's {@code fmax}/{@code fmin}.
 * The PPO clip compares the fp32 {@code exp(x)} with {@code (float) (1 ± eps)}, so points within a
 * few ulps of the branch may differ from the reference (SPEC allows it).
 *
 * <p>Two ways to call: the {@link dev.pgkernels.scale.ScaleKernels} methods take Java arrays
 * (upload, run, download per call, staged in the context's pooled scratch buffers); {@link #scale(ScaleFunction, int, DeviceBuffer, int, DeviceBuffer, int, DeviceBuffer, int)}
 * works on device-resident buffers. Thread-safe: calls are serialised on the context's lock.
 * Devices that flush fp32 subnormals to zero give 0 where the reference has a subnormal.
 */
public final class OpenClScale extends AbstractScaleKernels {
    static final String[] PROGRAM = {"common.cl", "scale.cl"};

    private final OpenClContext ctx;

    /** Kernels on {@code ctx} (which the caller keeps open while this is used). */
    public OpenClScale(OpenClContext ctx) {
        this.ctx = ctx;
    }

    /** The context this runs on. */
    public OpenClContext context() {
        return ctx;
    }

    @Override
    protected void scaleKernel(ScaleFunction f, int n, float[] dO, int dOOffset, float[] dR, int dROffset,
            float[] out, int outOffset) {
        ctx.lock().lock();
        try {
            DeviceBuffer x = ctx.stage("scale.dO", dO, dOOffset, n), y = ctx.stage("scale.dR", dR, dROffset, n);
            DeviceBuffer o = ctx.scratch("scale.out", DeviceBuffer.Type.FLOAT, n);
            launch(f, n, x, 0, y, 0, o, 0);
            o.read(out, outOffset, n);
        } finally {
            ctx.lock().unlock();
        }
    }

    /**
     * Device-resident {@code out[outOff+i] = f(dO[dOOff+i], dR[dROff+i])}, {@code 0 <= i < n}
     * (SPEC §1); enqueued on the context's queue (a later read of {@code out} waits for it).
     *
     * @param f the scale function. Not null.
     * @param n samples, {@code >= 0}
     * @param dO float buffer, elements {@code [dOOff, dOOff+n)} read. Not modified.
     * @param dR float buffer, elements {@code [dROff, dROff+n)} read. Not modified.
     * @param out float buffer, elements {@code [outOff, outOff+n)} written. Modified.
     * @throws IllegalArgumentException on a null argument, negative size or offset, a slice past a
     *         buffer's end, a non-float buffer or a buffer of another context
     */
    public void scale(ScaleFunction f, int n, DeviceBuffer dO, int dOOff, DeviceBuffer dR, int dROff,
            DeviceBuffer out, int outOff) {
        Checks.notNull("f", f);
        Checks.size("n", n);
        need("dO", dO, dOOff, n);
        need("dR", dR, dROff, n);
        need("out", out, outOff, n);
        if (n == 0) {
            return;
        }
        ctx.lock().lock();
        try {
            launch(f, n, dO, dOOff, dR, dROff, out, outOff);
        } finally {
            ctx.lock().unlock();
        }
    }

    private void need(String name, DeviceBuffer b, int off, int n) {
        OpenClBuffers.require(ctx, name, b, DeviceBuffer.Type.FLOAT, off, n, "n = " + n);
    }

    private void launch(ScaleFunction f, int n, DeviceBuffer x, int xo, DeviceBuffer y, int yo, DeviceBuffer o, int oo) {
        String name = "scale_" + f.kind().ordinal(); // one kernel per kind: the kind is a compile-time constant
        cl_kernel k = ctx.kernel(name, PROGRAM);
        Object[] fa = functionArgs(f);
        ctx.args(k, name, fa[1], fa[2], fa[3], fa[4], fa[5], n, x, xo, y, yo, o, oo);
        long group = Math.min(OpenClThresholds.ELEMENTWISE_GROUP, ctx.maxWorkGroup(k));
        ctx.launch(k, name, OpenClBuffers.roundUp(n, group), group);
    }

    /** The scale function as kernel arguments: kind, ao, ar, (float)(1+eps), (float)(1-eps), clip. */
    static Object[] functionArgs(ScaleFunction f) {
        return new Object[] {f.kind().ordinal(), (float) f.alphaO(), (float) f.alphaR(), (float) (1 + f.eps()),
            (float) (1 - f.eps()), (float) f.clipOrInfinity()};
    }
}
