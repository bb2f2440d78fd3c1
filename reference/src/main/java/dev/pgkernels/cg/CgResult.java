package dev.pgkernels.cg;

import java.util.Arrays;

/**
 * The outcome of a conjugate-gradient solve (SPEC §5).
 *
 * @param <X>        {@code float[]} or {@code double[]}
 * @param x          the caller's solution array (the same object that was passed in), holding the solution in {@code x[0..n)}
 * @param iterations the number of completed iterations (operator applications that updated {@code x}), {@code 0..maxIterations}
 * @param residuals  {@code residuals[i]} = {@code r·r} after {@code i} iterations, {@code i = 0..iterations}
 *                   ({@code residuals[0] = g·g}); length {@code iterations + 1}. A copy owned by this record.
 * @param status     why it stopped
 */
public record CgResult<X>(X x, int iterations, double[] residuals, CgStatus status) {
    public CgResult {
        residuals = residuals.clone();
    }

    /** A copy of the {@code r·r} history. */
    @Override
    public double[] residuals() {
        return residuals.clone();
    }

    /** {@code r·r} when CG stopped. */
    public double finalResidual() {
        return residuals[residuals.length - 1];
    }

    /** Whether the status is {@link CgStatus#CONVERGED}. */
    public boolean converged() {
        return status == CgStatus.CONVERGED;
    }

    @Override
    public String toString() {
        return "CgResult[iterations=" + iterations + ", status=" + status + ", r·r=" + Arrays.toString(residuals) + "]";
    }
}
