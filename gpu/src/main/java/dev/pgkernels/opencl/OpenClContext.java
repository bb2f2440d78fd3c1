package dev.pgkernels.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.jocl.cl_queue_properties;

/**
 * One OpenCL context on one device, owning its command queue, its built programs and kernels, and
 * every {@link DeviceBuffer} it allocates (and the pooled scratch buffers of {@link #scratch}):
 * {@link #close()} releases all of them.
 *
 * <p><b>Programs.</b> A program is built once per context, on first use, from {@code .cl} sources
 * loaded as class-path resources ({@code dev/pgkernels/opencl/*.cl}, {@link Class#getResourceAsStream})
 * and concatenated; the build uses no fast-math option, so {@code exp}, {@code expm1}, {@code log}
 * keep the OpenCL C accuracy of the full profile (≤ 3 ulp). A build failure throws
 * {@link OpenClBuildException} with the compiler's log.
 *
 * <p><b>Errors.</b> Every OpenCL call's code is checked; a failure throws {@link OpenClException}
 * naming the call and the code.
 *
 * <p><b>Threads.</b> A context serialises all its work (kernel arguments, launches, transfers) on
 * one {@link ReentrantLock}, {@link #lock()}; the kernels of this package take it for a whole call,
 * so a context (and the backend built on it) may be shared between threads — calls then run one
 * after the other.
 */
public final class OpenClContext implements AutoCloseable {

    private final OpenClDevice device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, cl_program> programs = new HashMap<>();
    private final Map<String, cl_kernel> kernels = new HashMap<>();
    private final Set<DeviceBuffer> buffers = new LinkedHashSet<>();
    private final Map<String, DeviceBuffer> scratch = new HashMap<>();
    private byte[] flagScratch = new byte[0];
    private boolean closed;

    private OpenClContext(OpenClDevice device) {
        this.device = device;
        int[] err = new int[1];
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platform());
        cl_context c = CL.clCreateContext(props, 1, new cl_device_id[] {device.device()}, null, null, err);
        OpenClException.check("clCreateContext(" + device.name() + ")", err[0]);
        this.context = c;
        // OpenCL 2.0 renamed the call; a 1.x device only has the old one
        boolean v1 = device.version().startsWith("OpenCL 1.");
        cl_command_queue q = v1
                ? CL.clCreateCommandQueue(c, device.device(), 0, err)
                : CL.clCreateCommandQueueWithProperties(c, device.device(), new cl_queue_properties(), err);
        if (err[0] != CL.CL_SUCCESS) {
            CL.clReleaseContext(c);
            OpenClException.check((v1 ? "clCreateCommandQueue(" : "clCreateCommandQueueWithProperties(")
                    + device.name() + ")", err[0]);
        }
        this.queue = q;
    }

    /**
     * A context on the device {@link OpenClDevices#choose(List)} picks ({@value OpenClDevices#PROPERTY},
     * {@value OpenClDevices#ENV}, else the first GPU, else the first device).
     *
     * @throws IllegalStateException if there is no OpenCL device here; the message says why and what to install
     * @throws OpenClException if creating the context or queue fails
     */
    public static OpenClContext open() {
        OpenClDevices.Availability a = OpenClDevices.probe();
        if (!a.available()) {
            throw new IllegalStateException(a.reason());
        }
        return open(OpenClDevices.choose(a.devices()));
    }

    /** A context on {@code device}. */
    public static OpenClContext open(OpenClDevice device) {
        return new OpenClContext(device);
    }

    /** The device. */
    public OpenClDevice device() {
        return device;
    }

    /** The lock that serialises this context's work. */
    public ReentrantLock lock() {
        return lock;
    }

    /** How many buffers this context has allocated and not yet released. */
    public int liveBuffers() {
        lock.lock();
        try {
            return buffers.size();
        } finally {
            lock.unlock();
        }
    }

    /** How many pooled scratch buffers (see {@link #scratch}) this context holds. */
    public int scratchBuffers() {
        lock.lock();
        try {
            return scratch.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A pooled buffer for the role {@code role} (e.g. {@code "scan.reward"}) with room for at least
     * {@code n} elements, reused by every later call that asks for the same role and no more room:
     * the array-in/array-out calls stage their data here instead of allocating device memory per call
     * (a fresh allocation costs first-touch page faults on a CPU device). Scratch buffers are not
     * counted by {@link #liveBuffers()}, their {@link DeviceBuffer#close()} does nothing, and they are
     * released by {@link #releaseScratch()} or {@link #close()}. Caller holds the lock and uses the
     * buffer only during its call.
     */
    public DeviceBuffer scratch(String role, DeviceBuffer.Type type, int n) {
        lock.lock();
        try {
            ensureOpen();
            DeviceBuffer b = scratch.get(role);
            if (b != null && b.type() == type && b.length() >= n) {
                return b;
            }
            if (b != null) {
                scratch.remove(role);
                b.releaseNow();
            }
            int[] err = new int[1];
            cl_mem mem = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, (long) Math.max(n, 1) * type.bytes, null, err);
            OpenClException.check("clCreateBuffer(scratch " + role + ", " + n + " x " + type + ")", err[0]);
            b = new DeviceBuffer(this, type, Math.max(n, 1), mem);
            scratch.put(role, b);
            return b;
        } finally {
            lock.unlock();
        }
    }

    /** The scratch buffer of {@code role} holding a copy of {@code a[off .. off+n)}. */
    DeviceBuffer stage(String role, float[] a, int off, int n) {
        return scratch(role, DeviceBuffer.Type.FLOAT, n).write(a, off, n);
    }

    /** The scratch buffer of {@code role} holding a copy of {@code a[0 .. n)}. */
    DeviceBuffer stage(String role, int[] a, int n) {
        return scratch(role, DeviceBuffer.Type.INT, n).write(a, 0, n);
    }

    /** The scratch buffer of {@code role} holding a copy of the flags {@code a[0 .. n)}. */
    DeviceBuffer stage(String role, boolean[] a, int n) {
        return scratch(role, DeviceBuffer.Type.FLAG, n).write(a, n);
    }

    /** Releases every pooled scratch buffer (they are allocated again on demand). */
    public void releaseScratch() {
        lock.lock();
        try {
            for (DeviceBuffer b : scratch.values()) {
                b.releaseNow();
            }
            scratch.clear();
        } finally {
            lock.unlock();
        }
    }

    /** How many programs have been built so far. */
    public int builtPrograms() {
        lock.lock();
        try {
            return programs.size();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ buffers

    /** A new uninitialised device buffer of {@code n >= 0} floats. */
    public DeviceBuffer floats(int n) {
        return allocate(DeviceBuffer.Type.FLOAT, n);
    }

    /** A new uninitialised device buffer of {@code n >= 0} ints. */
    public DeviceBuffer ints(int n) {
        return allocate(DeviceBuffer.Type.INT, n);
    }

    /** A new uninitialised device buffer of {@code n >= 0} flags. */
    public DeviceBuffer flags(int n) {
        return allocate(DeviceBuffer.Type.FLAG, n);
    }

    /** A new device buffer holding a copy of {@code a}. */
    public DeviceBuffer upload(float[] a) {
        return upload(a, 0, a.length);
    }

    /** A new device buffer holding a copy of {@code a[off .. off+n)}. */
    public DeviceBuffer upload(float[] a, int off, int n) {
        DeviceBuffer b = floats(n);
        return fill(b, () -> b.write(a, off, n));
    }

    /** A new device buffer holding a copy of {@code a}. */
    public DeviceBuffer upload(int[] a) {
        DeviceBuffer b = ints(a.length);
        return fill(b, () -> b.write(a, 0, a.length));
    }

    /** A new device buffer holding a copy of {@code a} (one byte per flag). */
    public DeviceBuffer upload(boolean[] a) {
        return upload(a, a.length);
    }

    /** A new device buffer holding a copy of {@code a[0 .. n)}. */
    public DeviceBuffer upload(boolean[] a, int n) {
        DeviceBuffer b = flags(n);
        return fill(b, () -> b.write(a, n));
    }

    private DeviceBuffer fill(DeviceBuffer b, Runnable write) {
        try {
            write.run();
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    private DeviceBuffer allocate(DeviceBuffer.Type type, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("buffer length must be >= 0, got " + n);
        }
        lock.lock();
        try {
            ensureOpen();
            int[] err = new int[1];
            // a zero-size buffer is an OpenCL error; an empty array gets one unused element
            cl_mem mem = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, (long) Math.max(n, 1) * type.bytes, null, err);
            OpenClException.check("clCreateBuffer(" + n + " x " + type + ")", err[0]);
            DeviceBuffer b = new DeviceBuffer(this, type, n, mem);
            buffers.add(b);
            return b;
        } finally {
            lock.unlock();
        }
    }

    void release(DeviceBuffer b) {
        lock.lock();
        try {
            if (buffers.remove(b)) {
                b.releaseNow();
            }
        } finally {
            lock.unlock();
        }
    }

    byte[] flagBytes(int n) {
        if (flagScratch.length < n) {
            flagScratch = new byte[n];
        }
        return flagScratch;
    }

    void write(DeviceBuffer b, Pointer src, long bytes) {
        if (bytes == 0) {
            return;
        }
        lock.lock();
        try {
            OpenClException.check("clEnqueueWriteBuffer",
                    CL.clEnqueueWriteBuffer(queue, b.mem(), CL.CL_TRUE, 0, bytes, src, 0, null, null));
        } finally {
            lock.unlock();
        }
    }

    void read(DeviceBuffer b, Pointer dst, long bytes) {
        if (bytes == 0) {
            return;
        }
        lock.lock();
        try {
            OpenClException.check("clEnqueueReadBuffer",
                    CL.clEnqueueReadBuffer(queue, b.mem(), CL.CL_TRUE, 0, bytes, dst, 0, null, null));
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ programs and launches

    /**
     * The kernel {@code name} of the program made of the resources {@code sources} (each a file
     * name under {@code dev/pgkernels/opencl/}, or a literal line starting with {@code #} such as
     * {@code "#define WIDE 1"}, concatenated in order), building the program on
     * first use. The kernel object is cached per context; callers set its arguments and launch it
     * while holding {@link #lock()}.
     *
     * @throws OpenClBuildException if the program does not compile (with the build log)
     */
    public cl_kernel kernel(String name, String... sources) {
        lock.lock();
        try {
            ensureOpen();
            String key = String.join("+", sources);
            cl_kernel k = kernels.get(key + "#" + name);
            if (k != null) {
                return k;
            }
            cl_program p = programs.get(key);
            if (p == null) {
                p = build(key, sources);
                programs.put(key, p);
            }
            int[] err = new int[1];
            k = CL.clCreateKernel(p, name, err);
            OpenClException.check("clCreateKernel(" + name + ")", err[0]);
            kernels.put(key + "#" + name, k);
            return k;
        } finally {
            lock.unlock();
        }
    }

    private cl_program build(String key, String[] sources) {
        StringBuilder src = new StringBuilder();
        for (String s : sources) {
            src.append(resource(s)).append('\n');
        }
        int[] err = new int[1];
        cl_program p = CL.clCreateProgramWithSource(context, 1, new String[] {src.toString()}, null, err);
        OpenClException.check("clCreateProgramWithSource(" + key + ")", err[0]);
        // No -cl-fast-relaxed-math, no -cl-denorms-are-zero: accurate exp/expm1/log and IEEE specials.
        int rc = CL.clBuildProgram(p, 1, new cl_device_id[] {device.device()}, "", null, null);
        if (rc != CL.CL_SUCCESS) {
            String log = buildLog(p);
            CL.clReleaseProgram(p);
            throw new OpenClBuildException(key, rc, log);
        }
        return p;
    }

    private String buildLog(cl_program p) {
        long[] size = new long[1];
        int rc = CL.clGetProgramBuildInfo(p, device.device(), CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
        if (rc != CL.CL_SUCCESS || size[0] <= 0) {
            return "(no build log: " + OpenClException.codeName(rc) + ")";
        }
        byte[] buf = new byte[(int) size[0]];
        CL.clGetProgramBuildInfo(p, device.device(), CL.CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
        return OpenClDevices.cString(buf);
    }

    private static String resource(String name) {
        if (name.startsWith("#")) {
            return name; // a literal preprocessor line, e.g. "#define WIDE 1"
        }
        try (InputStream in = OpenClContext.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("OpenCL source resource dev/pgkernels/opencl/" + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading OpenCL source " + name, e);
        }
    }

    /** The largest work-group size {@code kernel} may be launched with on this device. */
    public long maxWorkGroup(cl_kernel kernel) {
        long[] v = new long[1];
        OpenClException.check("clGetKernelWorkGroupInfo", CL.clGetKernelWorkGroupInfo(kernel, device.device(),
                CL.CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(v), null));
        return Math.min(v[0], device.maxWorkGroup());
    }

    /**
     * Sets the kernel's arguments in order: a {@link DeviceBuffer}, an {@link Integer}, a
     * {@link Float}, or a {@link Local} (local memory of that many bytes). Caller holds the lock.
     */
    public void args(cl_kernel k, String name, Object... args) {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            int rc;
            if (a instanceof DeviceBuffer b) {
                rc = CL.clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(b.mem()));
            } else if (a instanceof Integer v) {
                rc = CL.clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
            } else if (a instanceof Float v) {
                rc = CL.clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
            } else if (a instanceof Local l) {
                rc = CL.clSetKernelArg(k, i, l.bytes(), null);
            } else {
                throw new IllegalArgumentException("kernel argument " + i + " of " + name + ": unsupported " + a);
            }
            OpenClException.check("clSetKernelArg(" + name + ", " + i + ")", rc);
        }
    }

    /** Local memory of {@code bytes} bytes, as a kernel argument. */
    public record Local(long bytes) {}

    /**
     * Enqueues a 1-D launch of {@code global} work-items (a multiple of {@code local}; {@code local = 0}
     * lets the driver choose). Does nothing when {@code global == 0}. Caller holds the lock.
     */
    public void launch(cl_kernel k, String name, long global, long local) {
        if (global == 0) {
            return;
        }
        ensureOpen();
        int rc = CL.clEnqueueNDRangeKernel(queue, k, 1, null, new long[] {global},
                local == 0 ? null : new long[] {local}, 0, null, null);
        OpenClException.check("clEnqueueNDRangeKernel(" + name + ", global " + global + ", local " + local + ")", rc);
    }

    /** Waits for every enqueued command. */
    public void finish() {
        lock.lock();
        try {
            ensureOpen();
            OpenClException.check("clFinish", CL.clFinish(queue));
        } finally {
            lock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this OpenCL context is closed");
        }
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Releases every buffer still owned, every kernel and program, the queue and the context
     * (idempotent). The first release failure is thrown after everything has been attempted.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            List<RuntimeException> errors = new ArrayList<>();
            for (DeviceBuffer b : List.copyOf(buffers)) {
                try {
                    b.releaseNow();
                } catch (RuntimeException e) {
                    errors.add(e);
                }
            }
            buffers.clear();
            for (DeviceBuffer b : scratch.values()) {
                try {
                    b.releaseNow();
                } catch (RuntimeException e) {
                    errors.add(e);
                }
            }
            scratch.clear();
            int rc = CL.clFinish(queue);
            if (rc != CL.CL_SUCCESS) errors.add(new OpenClException("clFinish", rc));
            for (cl_kernel k : kernels.values()) {
                rc = CL.clReleaseKernel(k);
                if (rc != CL.CL_SUCCESS) errors.add(new OpenClException("clReleaseKernel", rc));
            }
            kernels.clear();
            for (cl_program p : programs.values()) {
                rc = CL.clReleaseProgram(p);
                if (rc != CL.CL_SUCCESS) errors.add(new OpenClException("clReleaseProgram", rc));
            }
            programs.clear();
            rc = CL.clReleaseCommandQueue(queue);
            if (rc != CL.CL_SUCCESS) errors.add(new OpenClException("clReleaseCommandQueue", rc));
            rc = CL.clReleaseContext(context);
            if (rc != CL.CL_SUCCESS) errors.add(new OpenClException("clReleaseContext", rc));
            if (!errors.isEmpty()) {
                RuntimeException first = errors.get(0);
                errors.subList(1, errors.size()).forEach(first::addSuppressed);
                throw first;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "OpenClContext[" + device.describe() + (closed ? ", closed]" : "]");
    }
}
