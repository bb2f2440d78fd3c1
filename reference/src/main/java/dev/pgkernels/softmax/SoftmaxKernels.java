package dev.pgkernels.softmax;

import dev.pgkernels.scale.ScaleFunction;

/**
 * Family 2 (SPEC.md §2): softmax-logit policy-gradient update directions, log-softmax, entropy,
 * KL divergence, the importance-weighted surrogate, and the linear policy's parameter gradient.
 *
 * <p>Layout: fp32, flat, row-major; {@code B} rows of {@code A} logits, row {@code i} at
 * {@code [i*A, (i+1)*A)}. Arrays must be at least as long as the sizes require; elements past
 * that are neither read nor written. Outputs must not overlap inputs. Implementations extend
 * {@link AbstractSoftmaxKernels}, which checks every argument before any output is written, and
 * are stateless and thread-safe (no workspace is needed: every kernel works row by row).
 *
 * <p>Rules common to the methods that take logits:
 * <ul>
 *   <li>{@code A >= 1} (a categorical distribution needs an action); {@code B = 0} is valid and
 *       writes nothing (or returns 0).</li>
 *   <li>Each row's maximum is subtracted before {@code exp}, so logits of magnitude 1e4 work.</li>
 *   <li>A {@code -Inf} logit is a masked action: probability exactly 0, log-probability
 *       {@code -Inf}, and no NaN while one entry of its row is finite. A row whose logits are
 *       all {@code -Inf} is an {@link IllegalArgumentException} naming the row, raised before
 *       any output is written.</li>
 *   <li>{@code NaN} or {@code +Inf} logits are not checked: they make their row NaN (propagation,
 *       SPEC "Bad input").</li>
 * </ul>
 */
public interface SoftmaxKernels {

    /**
     * {@code out[i*A + j] = q_ij - max_k q_ik - log Σ_k exp(q_ik - max_k q_ik)}, the log-softmax
     * of each row ({@code -Inf} for a masked logit).
     *
     * @param b rows {@code B >= 0}
     * @param a actions per row {@code A >= 1}
     * @param logits {@code q[B*A]}. Not modified.
     * @param out {@code [B*A]} log-probabilities. Modified.
     * @throws IllegalArgumentException on a null or short array, {@code b < 0}, {@code a < 1},
     *         {@code B*A} past the int range, or a row of all {@code -Inf} (named)
     */
    void logSoftmax(int b, int a, float[] logits, float[] out);

    /**
     * {@code out[i*A + j] = pi_ij = exp(q_ij - max_k q_ik) / Σ_k exp(q_ik - max_k q_ik)}; exactly
     * 0 for a masked logit.
     *
     * @param logits {@code q[B*A]}. Not modified.
     * @param out {@code [B*A]} probabilities. Modified.
     * @throws IllegalArgumentException as {@link #logSoftmax}
     */
    void softmax(int b, int a, float[] logits, float[] out);

    /**
     * Entropy of each row's softmax, computed from the <em>logits</em>:
     * {@code out[i] = -Σ_j pi_ij log pi_ij}, where terms with {@code pi_ij = 0} are 0. The
     * uniform distribution over {@code A} actions has entropy {@code ln A}.
     *
     * @param logits {@code q[B*A]}. Not modified.
     * @param out {@code [B]} entropies in nats. Modified.
     * @throws IllegalArgumentException as {@link #logSoftmax}
     */
    void entropy(int b, int a, float[] logits, float[] out);

    /**
     * {@code out[i] = KL(p_old,i || p_new,i) = Σ_j p_old,ij (logp_old,ij - logp_new,ij)} from
     * log-probabilities (SPEC §2), with {@code p_old = exp(logp_old)}. A term with
     * {@code logp_old,ij = -Inf} ({@code p_old = 0}) is 0 whatever {@code logp_new,ij} is; a term
     * with finite {@code logp_old,ij} and {@code logp_new,ij = -Inf} is {@code +Inf}. NaN
     * elsewhere propagates. The inputs are not checked to be normalised; for log-probabilities
     * rounded to fp32 the result may be a rounding error below 0 (it is not clamped).
     *
     * @param b rows {@code B >= 0}
     * @param a entries per row {@code A >= 1}
     * @param logpOld {@code [B*A]} log-probabilities of the old policy. Not modified.
     * @param logpNew {@code [B*A]} log-probabilities of the new policy. Not modified.
     * @param out {@code [B]} KL in nats. Modified.
     * @throws IllegalArgumentException on a null or short array, {@code b < 0}, {@code a < 1}
     */
    void kl(int b, int a, float[] logpOld, float[] logpNew, float[] out);

    /**
     * The TRPO/PPO importance-weighted surrogate
     * {@code (1/B) Σ_i exp(logsoftmax(q_new,i)[a_i] - logpOldAtAction[i]) * adv[i]},
     * accumulated in double; 0 when {@code B = 0}. A taken action whose new logit is
     * {@code -Inf} has ratio 0 (its term is {@code 0 * adv}).
     *
     * @param logitsNew {@code [B*A]} logits of the new policy. Not modified.
     * @param actions {@code [B]} taken actions, {@code 0 <= a_i < A}. Not modified.
     * @param logpOldAtAction {@code [B]} old log-probability of each taken action. Not modified.
     * @param advantages {@code [B]} advantages. Not modified.
     * @return the surrogate
     * @throws IllegalArgumentException on a null or short array, bad sizes, an action out of range
     *         (named with its row), or a row of {@code logitsNew} that is all {@code -Inf}
     */
    double surrogate(int b, int a, float[] logitsNew, int[] actions, float[] logpOldAtAction, float[] advantages);

    /**
     * The update direction {@code G[B*A]} of SPEC §2 without the per-sample outputs; see
     * {@link #update(UpdateForm, ScaleFunction, int, int, float[], int[], float[], float[], float[], float[], float[], float[])}.
     */
    void update(UpdateForm form, ScaleFunction f, int b, int a, float[] logits, int[] actions,
            float[] logMu, float[] target, float[] g);

    /**
     * The update direction on the logits (the negative loss gradient, an ascent direction),
     * SPEC §2. Per row {@code i}, with {@code pi_i = softmax(q_i)} and {@code a = actions[i]}:
     * {@code dO = logsoftmax(q_i)[a] - logMu[i]}, {@code dR = target[i] - q_i[a]},
     * {@code s = f(dO, dR)}, and {@code G_i} as {@link UpdateForm} says.
     *
     * <p>The taken action must have a finite logit: a taken action whose logit is {@code -Inf}
     * (probability 0, so {@code dO = -Inf}, {@code dR = +Inf} and every form would be NaN) is
     * rejected with an {@link IllegalArgumentException} naming the row, before anything is written.
     *
     * @param form the update form. Not null.
     * @param f the scale function. Not null.
     * @param b rows {@code B >= 0}; {@code B = 0} writes nothing
     * @param a actions per row {@code A >= 1}
     * @param logits {@code q[B*A]}. Not modified.
     * @param actions {@code [B]} taken actions, {@code 0 <= a_i < A}. Not modified.
     * @param logMu {@code [B]} behaviour log-probability of each taken action. Not modified.
     * @param target {@code [B]} targets for {@code q_i[a_i]}. Not modified.
     * @param g {@code [B*A]} the update direction. Modified.
     * @param dO {@code [B]} per-sample log ratios, or null to skip. Modified when not null.
     * @param dR {@code [B]} per-sample errors, or null to skip. Modified when not null.
     * @param s {@code [B]} per-sample scales, or null to skip. Modified when not null.
     * @throws IllegalArgumentException on a null required argument, a short array, bad sizes, an
     *         action out of range (named with its row), a row of all {@code -Inf} logits, or a
     *         taken action with a {@code -Inf} logit (named with its row)
     */
    void update(UpdateForm form, ScaleFunction f, int b, int a, float[] logits, int[] actions,
            float[] logMu, float[] target, float[] g, float[] dO, float[] dR, float[] s);

    /**
     * The parameter gradient of the linear policy {@code q = X W^T} ({@code W} is {@code A×D}):
     * {@code dW[k*D + d] = (1/B) Σ_i G[i*A + k] X[i*D + d]}, i.e. {@code dW = G^T X / B},
     * accumulated in double. {@code B = 0} gives {@code dW = 0} (written).
     *
     * @param b rows {@code B >= 0}
     * @param a actions {@code A >= 0}
     * @param d features {@code D >= 0}
     * @param g {@code [B*A]} update directions (e.g. from {@link #update}). Not modified.
     * @param x {@code [B*D]} features. Not modified.
     * @param dW {@code [A*D]} the gradient, row-major. Modified.
     * @throws IllegalArgumentException on a null or short array, a negative size, or a size product past the int range
     */
    void linearPolicyGradient(int b, int a, int d, float[] g, float[] x, float[] dW);
}
