package dev.pgkernels.cg;

/**
 * The TRPO line search's callback: the mean KL from the old policy and the surrogate objective
 * at a candidate θ (fp32). {@link SoftmaxObjectives} builds it for the linear- and MLP-softmax policies.
 */
@FunctionalInterface
public interface FloatObjective {
    /**
     * @param theta the candidate parameters, {@code theta[0..n)}. Not modified (the callback must
     *              neither modify nor keep it; it is scratch of the line search).
     * @return mean KL and surrogate at {@code theta}
     */
    KlSurrogate evaluate(float[] theta);
}
