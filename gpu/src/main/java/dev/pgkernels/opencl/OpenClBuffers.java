package dev.pgkernels.opencl;

/** Argument checks for device-resident calls, and launch arithmetic. */
final class OpenClBuffers {
    private OpenClBuffers() {}

    /** {@code b} is a live buffer of {@code type} in {@code ctx} holding {@code [off, off+n)}. */
    static void require(OpenClContext ctx, String name, DeviceBuffer b, DeviceBuffer.Type type, long off, long n,
            String because) {
        if (b == null) {
            throw new IllegalArgumentException("argument '" + name + "' is null");
        }
        if (b.context() != ctx) {
            throw new IllegalArgumentException("argument '" + name + "' belongs to another OpenCL context");
        }
        if (b.type() != type) {
            throw new IllegalArgumentException("argument '" + name + "' holds " + b.type() + ", expected " + type);
        }
        if (b.isClosed()) {
            throw new IllegalArgumentException("argument '" + name + "' is closed");
        }
        if (off < 0) {
            throw new IllegalArgumentException("argument '" + name + "': offset must be >= 0, got " + off);
        }
        if (off + n > b.length()) {
            throw new IllegalArgumentException("argument '" + name + "' has length " + b.length() + ", expected >= "
                    + (off + n) + " (" + because + (off > 0 ? ", offset " + off : "") + ")");
        }
    }

    static long roundUp(long n, long m) {
        return (n + m - 1) / m * m;
    }

    /** The largest power of 2 that is {@code <= n} (n >= 1). */
    static int floorPow2(long n) {
        return Integer.highestOneBit((int) Math.min(n, 1 << 30));
    }
}
