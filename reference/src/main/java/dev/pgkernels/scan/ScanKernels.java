package dev.pgkernels.scan;

/**
 * Family 3 (SPEC.md §3): reverse scans over a rollout — generalised advantage estimation (GAE),
 * λ-returns, discounted reward-to-go and V-trace.
 *
 * <h2>Layout and conventions</h2>
 * Every per-step array is flat and <b>time-major</b> {@code [T][E]}: the element of step
 * {@code t} and environment {@code e} sits at index {@code t*E + e} ({@code T} time steps,
 * {@code E} parallel environments). Values are fp32; episode flags are {@code boolean[]}.
 * Sizes are explicit: an array must be <em>at least</em> as long as its shape requires, and
 * elements past that length are neither read nor written. {@code T = 0} or {@code E = 0} is valid
 * and does nothing. Every check runs before any output element is written; a rejected call
 * throws {@link IllegalArgumentException} naming the argument and leaves every output untouched.
 * Outputs must be distinct array objects from every input and from each other (checked).
 *
 * <h2>The episode flags</h2>
 * <ul>
 *   <li>{@code terminated[t*E+e]}: step {@code t} reached a true terminal state; its target does
 *       not bootstrap ({@code nextValue} is ignored there).</li>
 *   <li>{@code done[t*E+e]}: step {@code t} was the last step of its episode, by termination or
 *       truncation (time limit); nothing is carried backwards across it. A truncated step
 *       ({@code done && !terminated}) still bootstraps with {@code nextValue} — the value of the
 *       observation that followed step {@code t} before the environment reset.</li>
 * </ul>
 * {@code terminated} should imply {@code done}; this is not checked, and the formulas are applied
 * literally if it does not hold. Every factor written {@code (1 - flag)} in SPEC §3 is a
 * <em>select</em> (0 where the flag is set, the other operand otherwise), so a NaN or an infinity
 * in one episode never reaches an earlier episode. Within an episode NaN and ±Inf propagate as in
 * IEEE arithmetic, including through a factor {@code γλ = 0} ({@code 0 * NaN = NaN}), as in the
 * usual PyTorch/JAX loops. The optional finite check of SPEC "Bad input" is
 * {@link dev.pgkernels.Checks#allFinite(String, float[], int, int)}, for callers who want it.
 *
 * <h2>CleanRL / Stable-Baselines3 off-by-one</h2>
 * Here {@code dones[t]} (compact form) means "the episode ended <em>at</em> step {@code t}".
 * CleanRL's {@code dones[t]} (with {@code next_done} after the last step) and SB3's
 * {@code episode_starts[t]} (with the {@code dones} passed to
 * {@code compute_returns_and_advantage}) mean "the observation of step {@code t} is the
 * <em>first</em> of a new episode", i.e. the episode ended at step {@code t-1}: their flag is
 * shifted by one step against ours, and their loops read {@code dones[t+1]} where ours reads
 * {@code dones[t]}. Porting their loop literally onto our {@code dones} is off by one. Convert with
 * {@link EpisodeFlags#fromNextDone} / {@link EpisodeFlags#fromEpisodeStarts}.
 *
 * <h2>Implementations</h2>
 * Obtain one through {@code Backends.get(name).scans()}. Implementations extend
 * {@link AbstractScanKernels}, which validates and then calls a protected kernel; they are
 * stateless and thread-safe. A fast backend may choose a strategy by shape (vectorised across
 * environments when {@code E} is large, a chunked associative scan across time when {@code E} is
 * small and {@code T} long); scratch such a strategy needs comes from a {@link ScanWorkspace},
 * which every method accepts and which may be {@code null} (the kernel then allocates what it
 * needs for that call). The {@code reference} backend needs no scratch and ignores it.
 */
public interface ScanKernels {

    /**
     * A new, empty workspace for this backend's scans. Not thread-safe: use one per thread; it
     * grows on demand and can be reused across calls of any shape.
     *
     * @return a new workspace, owned by the caller
     */
    default ScanWorkspace workspace() {
        return new ScanWorkspace();
    }

    /**
     * GAE(γ, λ), general form (SPEC §3):
     * <pre>
     * delta_t = r_t + γ (1 - terminated_t) nextValue_t - value_t
     * A_t     = delta_t + γ λ (1 - done_t) A_{t+1},      A_T = 0
     * R_t     = A_t + value_t
     * </pre>
     * per environment, scanning {@code t} from {@code T-1} down to 0. Either output may be
     * {@code null} (not computed); at least one must be given.
     *
     * @param T          time steps, {@code >= 0}
     * @param E          environments, {@code >= 0}
     * @param reward     {@code r[T*E]}, time-major. Not modified.
     * @param value      {@code V(s_t)} {@code [T*E]}. Not modified.
     * @param nextValue  V of the observation that followed step t (before any reset) {@code [T*E]}. Not modified.
     * @param terminated {@code [T*E]}, true terminal: no bootstrap. Not modified.
     * @param done       {@code [T*E]}, episode boundary (terminated or truncated): no carry. Not modified.
     * @param gamma      discount γ in [0, 1]
     * @param lambda     GAE λ in [0, 1]
     * @param advantages {@code A[T*E]} or {@code null}. Modified (first {@code T*E} elements).
     * @param returns    {@code R[T*E] = A + value} (λ-returns, value targets) or {@code null}. Modified.
     * @param ws         scratch for fast strategies, or {@code null}
     * @throws IllegalArgumentException a negative size, {@code T*E} overflowing an int, a null
     *         input, an array shorter than {@code T*E}, γ or λ outside [0, 1] (or NaN), both
     *         outputs null, or an output that is the same array as an input or the other output
     */
    void gae(int T, int E, float[] reward, float[] value, float[] nextValue, boolean[] terminated, boolean[] done,
            float gamma, float lambda, float[] advantages, float[] returns, ScanWorkspace ws);

    /**
     * λ-returns {@code R_t = A_t + value_t}, with {@code A} the GAE(γ, λ) of
     * {@link #gae general form} — the same as {@code gae(..., null, returns, ws)}. Equivalently
     * {@code R_t = r_t + γ (1 - terminated_t) nextValue_t + γ λ (1 - done_t) (R_{t+1} - value_{t+1})}.
     *
     * @param T          time steps, {@code >= 0}
     * @param E          environments, {@code >= 0}
     * @param reward     {@code [T*E]}. Not modified.
     * @param value      {@code [T*E]}. Not modified.
     * @param nextValue  {@code [T*E]}. Not modified.
     * @param terminated {@code [T*E]}. Not modified.
     * @param done       {@code [T*E]}. Not modified.
     * @param gamma      γ in [0, 1]
     * @param lambda     λ in [0, 1]
     * @param returns    {@code R[T*E]}. Modified.
     * @param ws         scratch for fast strategies, or {@code null}
     * @throws IllegalArgumentException as {@link #gae}, with {@code returns} required
     * @see #gae
     */
    void lambdaReturns(int T, int E, float[] reward, float[] value, float[] nextValue, boolean[] terminated,
            boolean[] done, float gamma, float lambda, float[] returns, ScanWorkspace ws);

    /**
     * GAE(γ, λ), compact form (SPEC §3, no truncation): the general form with
     * {@code nextValue_t = value_{t+1}} and {@code terminated = done = dones}:
     * <pre>
     * delta_t = r_t + γ (1 - dones_t) value_{t+1} - value_t
     * A_t     = delta_t + γ λ (1 - dones_t) A_{t+1},      A_T = 0
     * R_t     = A_t + value_t
     * </pre>
     * {@code dones[t*E+e]} means the episode of environment {@code e} ended AT step {@code t}
     * (CleanRL/SB3 store it shifted by one: see the class comment and {@link EpisodeFlags}).
     * Row {@code T} of {@code value} is the bootstrap value of the observation after the last
     * step. Either output may be {@code null}; at least one must be given.
     *
     * @param T          time steps, {@code >= 0}
     * @param E          environments, {@code >= 0}
     * @param reward     {@code r[T*E]}. Not modified.
     * @param value      {@code [(T+1)*E]}: rows 0..T-1 are V(s_t), row T the bootstrap value. Not modified.
     * @param dones      {@code [T*E]}, the episode ended at step t. Not modified.
     * @param gamma      γ in [0, 1]
     * @param lambda     λ in [0, 1]
     * @param advantages {@code A[T*E]} or {@code null}. Modified.
     * @param returns    {@code R[T*E]} or {@code null}. Modified.
     * @param ws         scratch for fast strategies, or {@code null}
     * @throws IllegalArgumentException as {@link #gae}; {@code value} must hold {@code (T+1)*E}
     */
    void gaeCompact(int T, int E, float[] reward, float[] value, boolean[] dones, float gamma, float lambda,
            float[] advantages, float[] returns, ScanWorkspace ws);

    /**
     * Discounted reward-to-go, {@code G_t = r_t + γ (1 - done_t) G_{t+1}}, {@code G_T = 0}: GAE
     * with λ = 1 and all values zero. A truncated episode is cut off there (no bootstrap: there
     * are no values); {@code terminated} is therefore not needed.
     *
     * @param T      time steps, {@code >= 0}
     * @param E      environments, {@code >= 0}
     * @param reward {@code r[T*E]}. Not modified.
     * @param done   {@code [T*E]}, episode ended at step t. Not modified.
     * @param gamma  γ in [0, 1]
     * @param out    {@code G[T*E]}. Modified.
     * @param ws     scratch for fast strategies, or {@code null}
     * @throws IllegalArgumentException a negative size or overflow, a null or short array, γ
     *         outside [0, 1], or {@code out} the same array as {@code reward}
     */
    void rewardToGo(int T, int E, float[] reward, boolean[] done, float gamma, float[] out, ScanWorkspace ws);

    /**
     * V-trace (IMPALA, Espeholt et al. 2018), exactly as SPEC §3:
     * <pre>
     * rho_t    = min(rhoBar, exp(logRho_t)),   c_t = λ min(cBar, exp(logRho_t))
     * delta_t  = rho_t (r_t + γ (1 - terminated_t) nextValue_t - value_t)
     * vs_t - value_t = delta_t + γ c_t (1 - done_t) (vs_{t+1} - nextValue_t)   (that term is 0 at t = T-1)
     * pgAdv_t  = rho_t (r_t + γ (1 - terminated_t) vsNext_t - value_t)
     * vsNext_t = vs_{t+1} if t+1 &lt; T and not done_t, else nextValue_t
     * </pre>
     * {@code min} is {@link Math#min} (NaN propagates). The same clipped {@code rho_t} weights
     * both {@code delta_t} and the policy-gradient advantage.
     *
     * @param T          time steps, {@code >= 0}
     * @param E          environments, {@code >= 0}
     * @param logRho     {@code log(pi/mu)} per step {@code [T*E]}. Not modified.
     * @param reward     {@code [T*E]}. Not modified.
     * @param value      {@code [T*E]}. Not modified.
     * @param nextValue  {@code [T*E]}. Not modified.
     * @param terminated {@code [T*E]}. Not modified.
     * @param done       {@code [T*E]}. Not modified.
     * @param gamma      γ in [0, 1]
     * @param lambda     trace λ in [0, 1] (1 in IMPALA)
     * @param rhoBar     ρ̄ &gt; 0; {@code +Inf} means no clipping
     * @param cBar       c̄ &gt; 0; {@code +Inf} means no clipping
     * @param vs         value targets {@code [T*E]}. Modified.
     * @param pgAdv      policy-gradient advantages {@code [T*E]}, or {@code null}. Modified.
     * @param ws         scratch for fast strategies, or {@code null}
     * @throws IllegalArgumentException a negative size or overflow, a null input or {@code vs},
     *         a short array, γ or λ outside [0, 1], ρ̄ or c̄ not &gt; 0 (or NaN), or an output
     *         that is the same array as an input or the other output
     */
    void vtrace(int T, int E, float[] logRho, float[] reward, float[] value, float[] nextValue, boolean[] terminated,
            boolean[] done, float gamma, float lambda, float rhoBar, float cBar, float[] vs, float[] pgAdv,
            ScanWorkspace ws);
}
