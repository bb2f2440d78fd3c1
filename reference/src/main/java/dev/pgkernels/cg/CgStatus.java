package dev.pgkernels.cg;

/** Why conjugate gradient stopped (SPEC §5). */
public enum CgStatus {
    /** The squared residual {@code r·r} fell below {@code tol} (or is exactly 0, e.g. {@code g = 0}). */
    CONVERGED,
    /** All {@code maxIterations} iterations ran and {@code r·r >= tol} still. */
    MAX_ITERATIONS,
    /**
     * A search direction had {@code p·Ap <= 0}: the operator is not positive definite along it.
     * CG stopped before dividing; {@code x} is the iterate before that iteration.
     */
    NON_POSITIVE_CURVATURE
}
