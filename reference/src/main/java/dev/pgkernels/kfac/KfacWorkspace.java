package dev.pgkernels.kfac;

/**
 * Scratch space for the {@link KfacKernels} of one backend, created by
 * {@link KfacKernels#workspace(int)} and reusable across calls (not concurrently: one workspace
 * per thread). It serves every call whose matrices have order at most {@link #maxDim()}: factors
 * {@code n×n} with {@code n <= maxDim}, gradients {@code out×(in+bias)} with both sides
 * {@code <= maxDim}. Its contents between calls are meaningless.
 */
public abstract class KfacWorkspace {
    private final int maxDim;

    /** @param maxDim the largest matrix order served, {@code >= 0} */
    protected KfacWorkspace(int maxDim) {
        if (maxDim < 0) {
            throw new IllegalArgumentException("maxDim must be >= 0, got " + maxDim);
        }
        this.maxDim = maxDim;
    }

    /** The largest matrix order (factor side, gradient rows or columns) this workspace serves. */
    public final int maxDim() {
        return maxDim;
    }
}
