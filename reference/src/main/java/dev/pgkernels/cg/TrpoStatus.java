package dev.pgkernels.cg;

/** The outcome of a TRPO natural-gradient step (SPEC §5). */
public enum TrpoStatus {
    /** A step within {@code klFactor·δ} that improves the surrogate was found and returned. */
    ACCEPTED,
    /** Every try violated the KL bound, failed to improve the surrogate, or was not finite: no step (zeros). */
    LINE_SEARCH_FAILED,
    /** {@code x·(F+λI)x <= 0} or not finite (e.g. {@code x = 0}): the step cannot be scaled; no step (zeros). */
    NON_POSITIVE_CURVATURE
}
