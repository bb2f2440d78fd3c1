package dev.pgkernels.cg;

/**
 * The outcome of a TRPO step (SPEC §5).
 *
 * @param <X>            {@code float[]} or {@code double[]}
 * @param step           the caller's step array (the same object passed in): the accepted step
 *                       {@code fraction · fullStepScale · x}, or all zeros when no step was taken
 * @param fraction       the accepted step-size fraction {@code shrink^backtracks}; 0 when no step
 * @param backtracks     how many times the step was shrunk before acceptance (0 = the full step was
 *                       accepted); {@code maxTries} when every try was rejected; 0 for
 *                       {@link TrpoStatus#NON_POSITIVE_CURVATURE}
 * @param meanKl         mean KL at the accepted point; 0 when no step
 * @param improvement    surrogate(accepted) - surrogate(θ_old), {@code > 0} when accepted; 0 when no step
 * @param fullStepScale  {@code β = sqrt(2δ / (x·Fx))}, the full step being {@code β x}; NaN for
 *                       {@link TrpoStatus#NON_POSITIVE_CURVATURE}
 * @param status         the outcome
 */
public record TrpoResult<X>(X step, double fraction, int backtracks, double meanKl, double improvement,
        double fullStepScale, TrpoStatus status) {

    /** Whether a step was accepted. */
    public boolean accepted() {
        return status == TrpoStatus.ACCEPTED;
    }
}
