package dev.pgkernels.testsupport;

import java.util.Random;

/**
 * Seeded random rollouts for the scan family (SPEC §3), time-major {@code [T][E]}, for tests of
 * every backend. Arrays are longer than {@code T*E} by {@code pad} elements filled with NaN (inputs)
 * so a kernel that reads past its shape shows it; flags past the shape are {@code true}.
 *
 * <p>Episodes are consistent in the way real rollouts are: {@code terminated} implies
 * {@code done}, and where step {@code t} is not the end of its episode, {@code nextValue_t} equals
 * {@code value_{t+1}} (the general form of GAE does not require this; V-trace's equivalence with
 * λ-returns does). {@code value} has an extra row {@code T} (the bootstrap value after the last
 * step), so it also serves the compact form.
 *
 * @param T          time steps
 * @param E          environments
 * @param reward     {@code [T*E + pad]}
 * @param value      {@code [(T+1)*E + pad]}
 * @param nextValue  {@code [T*E + pad]}
 * @param terminated {@code [T*E + pad]}
 * @param done       {@code [T*E + pad]}
 * @param logRho     {@code [T*E + pad]}, uniform in [-2, 2] with edges
 */
public record ScanRollouts(int T, int E, float[] reward, float[] value, float[] nextValue, boolean[] terminated,
        boolean[] done, float[] logRho) {

    /**
     * A rollout from {@code seed}: values and rewards in {@code [-lim, lim]} (with a fraction of
     * {@link EdgeValues#FINITE_EDGES}, clamped to {@code lim}); each step ends its episode with
     * probability {@code pDone}, and an ending step is a termination (rather than a truncation)
     * with probability {@code pTerminal}.
     */
    public static ScanRollouts generate(long seed, int T, int E, double pDone, double pTerminal, float lim, int pad) {
        int n = T * E;
        Random r = new Random(seed);
        float[] reward = padded(EdgeValues.array(r.nextLong(), n, lim, 0.05, false), pad, Float.NaN);
        float[] value = padded(EdgeValues.array(r.nextLong(), n + E, lim, 0.05, false), pad, Float.NaN);
        float[] logRho = padded(EdgeValues.array(r.nextLong(), n, 2f, 0.05, false), pad, Float.NaN);
        float[] other = EdgeValues.array(r.nextLong(), n, lim, 0.05, false);
        boolean[] done = new boolean[n + pad];
        boolean[] terminated = new boolean[n + pad];
        float[] nextValue = new float[n + pad];
        for (int i = 0; i < n; i++) {
            done[i] = r.nextDouble() < pDone;
            terminated[i] = done[i] && r.nextDouble() < pTerminal;
        }
        for (int t = 0; t < T; t++) {
            for (int e = 0; e < E; e++) {
                int i = t * E + e;
                // inside an episode the next observation is s_{t+1}; after a truncation it is the
                // observation before the reset, whose value is unrelated to value_{t+1}
                nextValue[i] = (done[i] && t + 1 < T) ? other[i] : value[(t + 1) * E + e];
            }
        }
        for (int i = n; i < n + pad; i++) {
            done[i] = true;
            terminated[i] = true;
            nextValue[i] = Float.NaN;
        }
        return new ScanRollouts(T, E, reward, value, nextValue, terminated, done, logRho);
    }

    private static float[] padded(float[] a, int pad, float fill) {
        float[] b = new float[a.length + pad];
        System.arraycopy(a, 0, b, 0, a.length);
        for (int i = a.length; i < b.length; i++) {
            b[i] = fill;
        }
        return b;
    }
}
