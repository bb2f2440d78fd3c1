package dev.pgkernels.scan;

/**
 * Reusable scratch for the scan kernels of {@link ScanKernels} (e.g. the per-chunk carries of a
 * chunked associative scan, or a transposed copy for a long single-environment rollout). Create it
 * with {@link ScanKernels#workspace()}; pass it to every call to avoid allocating per call.
 *
 * <p>Not thread-safe: one workspace per thread. It grows on demand and never shrinks; its
 * contents are meaningless between calls, and no kernel result depends on them. The
 * {@code reference} backend needs no scratch and ignores it.
 */
public final class ScanWorkspace {
    private float[] floats = new float[0];

    /** An empty workspace; prefer {@link ScanKernels#workspace()}. */
    public ScanWorkspace() {}

    /**
     * For backends: a scratch array of at least {@code minLength} floats, with arbitrary
     * contents. The same array is returned again until a larger one is asked for.
     *
     * @param minLength required length, {@code >= 0}
     * @return scratch owned by this workspace. Modified by the caller at will.
     * @throws IllegalArgumentException if {@code minLength < 0}
     */
    public float[] floats(int minLength) {
        if (minLength < 0) {
            throw new IllegalArgumentException("minLength must be >= 0, got " + minLength);
        }
        if (floats.length < minLength) {
            floats = new float[minLength];
        }
        return floats;
    }

    /** @return the current capacity in floats */
    public int capacity() {
        return floats.length;
    }
}
