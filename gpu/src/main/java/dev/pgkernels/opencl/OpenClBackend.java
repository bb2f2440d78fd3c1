package dev.pgkernels.opencl;

import dev.pgkernels.Backend;
import dev.pgkernels.scale.ScaleKernels;
import dev.pgkernels.scan.ScanKernels;
import dev.pgkernels.softmax.SoftmaxKernels;
import java.util.Optional;

/**
 * The {@code opencl} backend (JOCL): families 1-3 (scale, softmax, scans) on one OpenCL device,
 * chosen by {@link OpenClDevices#choose(java.util.List)} ({@code -Dpgkernels.opencl.device=} index
 * or name substring, or {@code PGKERNELS_OPENCL_DEVICE}; else the first GPU, else the first device).
 * The families' array methods upload, run and download per call; each family class also has
 * device-resident methods on {@link DeviceBuffer}s of {@link #context()}.
 *
 * <p><b>Threads.</b> One context, one command queue: every call takes the context's lock, so the
 * backend may be shared between threads and calls run one at a time.
 *
 * <p>Loaded by {@link dev.pgkernels.Backends} by name; its no-arg constructor throws when there is
 * no OpenCL platform or device (the reason — no {@code libOpenCL}, or a loader without a driver —
 * is what {@code Backends.unavailable()} reports).
 */
public final class OpenClBackend implements Backend, AutoCloseable {
    private final OpenClContext ctx;
    private final OpenClScale scale;
    private final OpenClSoftmax softmax;
    private final OpenClScans scans;

    /**
     * A backend on the chosen device.
     *
     * @throws IllegalStateException if there is no OpenCL platform or device here; the message says why and what to install
     * @throws IllegalArgumentException if the device property or variable matches no device
     */
    public OpenClBackend() {
        this(OpenClContext.open());
    }

    /** A backend on {@code ctx}; closing the backend closes the context. */
    public OpenClBackend(OpenClContext ctx) {
        this.ctx = ctx;
        this.scale = new OpenClScale(ctx);
        this.softmax = new OpenClSoftmax(ctx);
        this.scans = new OpenClScans(ctx);
    }

    @Override
    public String name() {
        return "opencl";
    }

    /** The device this backend runs on. */
    public OpenClDevice device() {
        return ctx.device();
    }

    /** The context, for device-resident buffers. */
    public OpenClContext context() {
        return ctx;
    }

    @Override
    public Optional<ScaleKernels> scale() {
        return Optional.of(scale);
    }

    @Override
    public Optional<SoftmaxKernels> softmax() {
        return Optional.of(softmax);
    }

    @Override
    public Optional<ScanKernels> scans() {
        return Optional.of(scans);
    }

    /** The scale family with its device-resident methods. */
    public OpenClScale openClScale() {
        return scale;
    }

    /** The softmax family with its device-resident methods. */
    public OpenClSoftmax openClSoftmax() {
        return softmax;
    }

    /** The scan family with its device-resident methods. */
    public OpenClScans openClScans() {
        return scans;
    }

    /** Closes the context (and every buffer of it). */
    @Override
    public void close() {
        ctx.close();
    }

    @Override
    public String toString() {
        return "OpenClBackend[" + ctx.device().describe() + "]";
    }
}
