package dev.pgkernels.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_mem;

/**
 * A device-resident array of {@code float}, {@code int} or flags (one byte each) owned by an
 * {@link OpenClContext}: upload a rollout once, run several kernels on it, download only what you
 * need. Create with {@link OpenClContext#floats(int)}, {@link OpenClContext#upload(float[])},
 * {@link OpenClContext#upload(boolean[])}, {@link OpenClContext#upload(int[])}.
 *
 * <p>{@link #close()} releases the device memory; closing the context releases every buffer it
 * still owns. Transfers are blocking and go through the context's queue under its lock.
 */
public final class DeviceBuffer implements AutoCloseable {

    /** The element type. */
    public enum Type {
        /** fp32, 4 bytes. */
        FLOAT(4),
        /** int32, 4 bytes. */
        INT(4),
        /** a {@code boolean} as one byte (0 or 1). */
        FLAG(1);

        final int bytes;

        Type(int bytes) {
            this.bytes = bytes;
        }
    }

    private final OpenClContext ctx;
    private final Type type;
    private final int length;
    private cl_mem mem;

    DeviceBuffer(OpenClContext ctx, Type type, int length, cl_mem mem) {
        this.ctx = ctx;
        this.type = type;
        this.length = length;
        this.mem = mem;
    }

    /** The number of elements. */
    public int length() {
        return length;
    }

    /** The element type. */
    public Type type() {
        return type;
    }

    /** The context that owns this buffer. */
    public OpenClContext context() {
        return ctx;
    }

    /** Whether {@link #close()} has run (directly or through the context). */
    public boolean isClosed() {
        return mem == null;
    }

    cl_mem mem() {
        if (mem == null) {
            throw new IllegalStateException("this " + type + " buffer of " + length + " elements is closed");
        }
        return mem;
    }

    private void require(Type t, String op, int off, int n, int srcLength) {
        if (type != t) {
            throw new IllegalArgumentException(op + ": this buffer holds " + type + ", not " + t);
        }
        if (n < 0 || off < 0 || (long) off + n > srcLength || n > length) {
            throw new IllegalArgumentException(op + ": " + n + " elements at offset " + off + " of an array of "
                    + srcLength + " into a buffer of " + length);
        }
    }

    /** Copies {@code src[off .. off+n)} to elements {@code [0, n)}. {@code src} Not modified. */
    public DeviceBuffer write(float[] src, int off, int n) {
        require(Type.FLOAT, "write", off, n, src.length);
        ctx.write(this, Pointer.to(src).withByteOffset(4L * off), 4L * n);
        return this;
    }

    /** Copies all of {@code src} to elements {@code [0, src.length)}. */
    public DeviceBuffer write(float[] src) {
        return write(src, 0, src.length);
    }

    /** Copies {@code src[off .. off+n)} to elements {@code [0, n)}. */
    public DeviceBuffer write(int[] src, int off, int n) {
        require(Type.INT, "write", off, n, src.length);
        ctx.write(this, Pointer.to(src).withByteOffset(4L * off), 4L * n);
        return this;
    }

    /** Copies {@code src[0 .. n)} to elements {@code [0, n)}, one byte per flag. */
    public DeviceBuffer write(boolean[] src, int n) {
        require(Type.FLAG, "write", 0, n, src.length);
        ctx.lock().lock(); // the byte staging array is the context's
        try {
            byte[] b = ctx.flagBytes(n);
            for (int i = 0; i < n; i++) {
                b[i] = src[i] ? (byte) 1 : 0;
            }
            ctx.write(this, Pointer.to(b), n);
        } finally {
            ctx.lock().unlock();
        }
        return this;
    }

    /** Copies elements {@code [0, n)} into {@code dst[off .. off+n)}. {@code dst} Modified. */
    public void read(float[] dst, int off, int n) {
        require(Type.FLOAT, "read", off, n, dst.length);
        ctx.read(this, Pointer.to(dst).withByteOffset(4L * off), 4L * n);
    }

    /** The whole buffer as a new array. */
    public float[] toFloatArray() {
        float[] out = new float[length];
        read(out, 0, length);
        return out;
    }

    /** Releases the device memory (idempotent; a no-op for a context's pooled scratch buffers). */
    @Override
    public void close() {
        ctx.release(this);
    }

    /** Called by the context, under its lock. */
    void releaseNow() {
        if (mem != null) {
            int rc = CL.clReleaseMemObject(mem);
            mem = null;
            OpenClException.check("clReleaseMemObject", rc);
        }
    }

    @Override
    public String toString() {
        return "DeviceBuffer[" + type + " x " + length + (mem == null ? ", closed]" : "]");
    }
}
