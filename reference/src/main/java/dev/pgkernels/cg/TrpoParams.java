package dev.pgkernels.cg;

import dev.pgkernels.Checks;

/**
 * Parameters of the TRPO step and its backtracking line search (SPEC §5). Validated when built.
 *
 * @param maxKl     δ, the trust-region size (mean KL), finite and {@code > 0}
 * @param klFactor  a try is accepted only if its mean KL {@code <= klFactor · δ}; finite and {@code > 0}
 * @param shrink    step-size factor between tries, in {@code (0, 1)}
 * @param maxTries  tries in all (the full step counts as the first), {@code >= 1}
 * @throws IllegalArgumentException naming the bad parameter
 */
public record TrpoParams(double maxKl, double klFactor, double shrink, int maxTries) {

    /** OpenAI baselines trpo_mpi: a try is rejected when {@code kl > max_kl * 1.5}. */
    public static final double DEFAULT_KL_FACTOR = 1.5;
    /** OpenAI baselines trpo_mpi: {@code stepsize *= .5} per backtrack (SB3-contrib's TRPO uses 0.8). */
    public static final double DEFAULT_SHRINK = 0.5;
    /** OpenAI baselines trpo_mpi: {@code for _ in range(10)} tries (SB3-contrib's TRPO: line_search_max_iter = 10). */
    public static final int DEFAULT_MAX_TRIES = 10;

    public TrpoParams {
        Checks.finite("maxKl", maxKl);
        Checks.positive("maxKl", maxKl);
        Checks.finite("klFactor", klFactor);
        Checks.positive("klFactor", klFactor);
        if (!(shrink > 0 && shrink < 1)) {
            throw new IllegalArgumentException("shrink must lie in (0, 1), got " + shrink);
        }
        Checks.positiveSize("maxTries", maxTries);
    }

    /** δ with the defaults: klFactor 1.5, shrink 0.5, 10 tries. */
    public static TrpoParams of(double maxKl) {
        return new TrpoParams(maxKl, DEFAULT_KL_FACTOR, DEFAULT_SHRINK, DEFAULT_MAX_TRIES);
    }
}
