package dev.pgkernels.cg;

/** The double-precision {@link FloatObjective}. */
@FunctionalInterface
public interface DoubleObjective {
    /**
     * @param theta candidate parameters, {@code theta[0..n)}. Not modified, not kept.
     * @return mean KL and surrogate at {@code theta}
     */
    KlSurrogate evaluate(double[] theta);
}
