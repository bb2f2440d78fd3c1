package dev.pgkernels.cg;

import dev.pgkernels.Checks;

/**
 * Scratch for conjugate gradient and the TRPO step: three vectors of length {@code n} in one
 * precision (CG's {@code r}, {@code p}, {@code Ap}; the TRPO step reuses them for the full step,
 * {@code Fx} and the candidate θ). Created by {@link CgKernels#floatWorkspace(int)} or
 * {@link CgKernels#doubleWorkspace(int)} and reused across solves, so a solve allocates only its
 * small result record. Serves calls with a dimension {@code <= capacity()} in its precision; one
 * call at a time. The arrays are for backends, not for callers; their contents are meaningless
 * between calls.
 */
public final class CgWorkspace {
    private final int capacity;
    private final float[][] floats;
    private final double[][] doubles;

    private CgWorkspace(int capacity, boolean isDouble) {
        this.capacity = capacity;
        this.floats = isDouble ? null : new float[][] {new float[capacity], new float[capacity], new float[capacity]};
        this.doubles = isDouble ? new double[][] {new double[capacity], new double[capacity], new double[capacity]} : null;
    }

    /** For backends: a float workspace for dimensions up to {@code n >= 0}. */
    public static CgWorkspace ofFloat(int n) {
        return new CgWorkspace(Checks.size("n", n), false);
    }

    /** For backends: a double workspace for dimensions up to {@code n >= 0}. */
    public static CgWorkspace ofDouble(int n) {
        return new CgWorkspace(Checks.size("n", n), true);
    }

    /** The largest dimension served. */
    public int capacity() {
        return capacity;
    }

    /** Whether this is a double-precision workspace. */
    public boolean isDouble() {
        return doubles != null;
    }

    /** For backends: float vector {@code 0..2}. Modified by every call. */
    public float[] floats(int which) {
        return floats[which];
    }

    /** For backends: double vector {@code 0..2}. Modified by every call. */
    public double[] doubles(int which) {
        return doubles[which];
    }

    @Override
    public String toString() {
        return "CgWorkspace[" + (isDouble() ? "double" : "float") + ", capacity=" + capacity + "]";
    }
}
