package dev.pgkernels.softmax;

/**
 * The update forms of SPEC.md §2: the direction {@code G_i} on row {@code i}'s logits, given the
 * per-sample scale {@code s = f(dO, dR)}, the taken action {@code a} and {@code pi_i = softmax(q_i)}.
 */
public enum UpdateForm {
    /** {@code G_i = s e_a}: {@code s} at the taken action, exactly {@code 0} elsewhere (even when {@code s} is NaN or infinite, as a sparse scatter gives). */
    U_Q,
    /** {@code G_i = s (e_a - pi_i)}. */
    U_V,
    /**
     * {@code G_i = s (e_a - pi_i) + pi_i ⊙ (q_i - <pi_i, q_i>)}; the last term treats {@code q} as a
     * constant, and entries with {@code pi_ij = 0} contribute 0 to {@code <pi_i, q_i>} and get 0 in it.
     */
    U_P
}
