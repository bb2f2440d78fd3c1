package dev.pgkernels.cg;

/**
 * What the TRPO line search needs at a candidate θ (SPEC §5).
 *
 * @param meanKl    the batch mean of {@code KL(pi_old || pi_θ)} (nats)
 * @param surrogate the surrogate objective at θ, e.g. {@code (1/B) Σ_i ratio_i · adv_i}
 */
public record KlSurrogate(double meanKl, double surrogate) {}
