package dev.pgkernels.scan;

import dev.pgkernels.Checks;

/**
 * Converts the episode flags of CleanRL and Stable-Baselines3 into the {@code dones} of
 * {@link ScanKernels#gaeCompact} (SPEC §3), where {@code dones[t*E+e]} means "the episode of
 * environment {@code e} ended AT step {@code t}".
 *
 * <p>CleanRL ({@code ppo.py}) stores {@code dones[t] = next_done} <em>before</em> taking step
 * {@code t}: the flag says the observation of step {@code t} begins a new episode, i.e. the
 * episode ended at step {@code t-1}; after the rollout it keeps {@code next_done}, the flag of the
 * last step. SB3's {@code RolloutBuffer.episode_starts[t]} has the same meaning, and the
 * {@code dones} passed to {@code compute_returns_and_advantage} play {@code next_done}'s role.
 * Both GAE loops therefore read {@code dones[t+1]} (or {@code next_done} at {@code t = T-1}) where
 * SPEC's form reads {@code dones[t]}; porting their loop literally onto our {@code dones} is off by
 * one step. The conversion is a shift:
 * <pre>
 * dones[t]   = starts[t+1]   for t = 0 .. T-2
 * dones[T-1] = nextDone
 * </pre>
 * ({@code starts[0]} refers to the previous rollout and is dropped.)
 *
 * <p>SB3 folds a truncation's bootstrap into the reward ({@code r += γ V(terminal_obs)}); with
 * these {@code dones} that remains correct for the compact form. For separate termination and
 * truncation flags use {@link ScanKernels#gae}'s general form instead.
 */
public final class EpisodeFlags {
    private EpisodeFlags() {}

    /**
     * CleanRL's flags to SPEC's {@code dones}: {@code dones[t] = cleanRlDones[t+1]} for
     * {@code t < T-1}, {@code dones[T-1] = nextDone}, for every environment.
     *
     * @param T            time steps, {@code >= 0}
     * @param E            environments, {@code >= 0}
     * @param cleanRlDones CleanRL's {@code dones} buffer {@code [T*E]}, time-major. Not modified
     *                     (unless it is {@code dones} itself: converting in place is allowed).
     * @param nextDone     CleanRL's {@code next_done} after the last step {@code [E]}. Not modified.
     * @param dones        SPEC's flags {@code [T*E]}. Modified.
     * @throws IllegalArgumentException a negative size, {@code T*E} overflowing, a null or short
     *         array, or {@code nextDone} the same array as {@code dones}
     */
    public static void fromNextDone(int T, int E, boolean[] cleanRlDones, boolean[] nextDone, boolean[] dones) {
        shift("cleanRlDones", "nextDone", T, E, cleanRlDones, nextDone, dones);
    }

    /**
     * SB3's flags to SPEC's {@code dones}: {@code dones[t] = episodeStarts[t+1]} for
     * {@code t < T-1}, {@code dones[T-1] = lastDones}, for every environment.
     *
     * @param T             time steps, {@code >= 0}
     * @param E             environments, {@code >= 0}
     * @param episodeStarts SB3's {@code RolloutBuffer.episode_starts} {@code [T*E]}, time-major.
     *                      Not modified (unless it is {@code dones}: in place is allowed).
     * @param lastDones     the {@code dones} passed to {@code compute_returns_and_advantage} {@code [E]}. Not modified.
     * @param dones         SPEC's flags {@code [T*E]}. Modified.
     * @throws IllegalArgumentException as {@link #fromNextDone}
     */
    public static void fromEpisodeStarts(int T, int E, boolean[] episodeStarts, boolean[] lastDones, boolean[] dones) {
        shift("episodeStarts", "lastDones", T, E, episodeStarts, lastDones, dones);
    }

    private static void shift(String startsName, String lastName, int T, int E, boolean[] starts, boolean[] last,
            boolean[] dones) {
        Checks.size("T", T);
        Checks.size("E", E);
        int n = Checks.product("T*E", T, E);
        String because = "T*E = " + T + "*" + E;
        Checks.length(startsName, starts, n, because);
        Checks.length(lastName, last, E, "E = " + E);
        Checks.length("dones", dones, n, because);
        if (last == dones) {
            throw new IllegalArgumentException("argument '" + lastName + "' is the same array as 'dones'");
        }
        if (n == 0) {
            return;
        }
        // Ascending t reads row t+1 before it is overwritten, so dones == starts works in place.
        for (int t = 0; t < T - 1; t++) {
            for (int e = 0; e < E; e++) {
                dones[t * E + e] = starts[(t + 1) * E + e];
            }
        }
        for (int e = 0; e < E; e++) {
            dones[(T - 1) * E + e] = last[e];
        }
    }
}
