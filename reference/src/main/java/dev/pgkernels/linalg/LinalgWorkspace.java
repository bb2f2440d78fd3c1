package dev.pgkernels.linalg;

/**
 * Reusable scratch for {@link DenseLinalg} calls (GEMM's packed panels): arrays that grow to the
 * largest size a backend has asked for and are then reused, so repeated calls of the same or
 * smaller shapes allocate nothing. Serves one call at a time (not thread-safe); its contents are
 * meaningless between calls. Any backend may use any workspace.
 */
public final class LinalgWorkspace {
    private float[] floats = new float[0];
    private double[] doubles = new double[0];

    /** An empty workspace; it grows on first use. */
    public LinalgWorkspace() {}

    /** For backends: a float array of length {@code >= n} (grown if needed). Modified by every call. */
    public float[] floats(int n) {
        if (floats.length < n) {
            floats = new float[n];
        }
        return floats;
    }

    /** For backends: a double array of length {@code >= n} (grown if needed). Modified by every call. */
    public double[] doubles(int n) {
        if (doubles.length < n) {
            doubles = new double[n];
        }
        return doubles;
    }

    @Override
    public String toString() {
        return "LinalgWorkspace[" + floats.length + " floats, " + doubles.length + " doubles]";
    }
}
