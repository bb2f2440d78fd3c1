package dev.pgkernels.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.Backends;
import dev.pgkernels.testsupport.BadInput;
import dev.pgkernels.testsupport.ScanRollouts;
import dev.pgkernels.testsupport.Shapes;
import dev.pgkernels.testsupport.Tolerance;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The reference scans (SPEC §3): golden cases derived by hand (arithmetic in the comments), the
 * SPEC edge cases, and properties against independent formulations written here — explicit forward
 * sums over the rest of the episode instead of the backward recursion.
 */
class ScanReferenceTest {

    private static final ScanKernels SCANS = Backends.reference().scans().orElseThrow();
    private static final Tolerance TOL = Tolerance.spec();
    private static final boolean F = false;
    private static final boolean X = true;

    // ------------------------------------------------------------------ GAE goldens

    /*
     * Two environments side by side (E = 2, so the time-major layout index t*E+e is exercised),
     * γ = 0.5, λ = 0.5, γλ = 0.25. Both have r = [1, 2, 3], value = [2, 3, 1], nextValue = [3, 4, 2].
     * env 0: step 1 is TRUNCATED (done, not terminated). env 1: step 1 is TERMINATED.
     *
     * env 0:
     *   t=2: delta = 3 + 0.5*2 - 1 = 3;                 A2 = 3 (A3 = 0);        R2 = 3 + 1 = 4
     *   t=1: delta = 2 + 0.5*4 - 3 = 1 (bootstraps);    done: A1 = 1 (no carry of A2); R1 = 1 + 3 = 4
     *   t=0: delta = 1 + 0.5*3 - 2 = 0.5;               A0 = 0.5 + 0.25*1 = 0.75; R0 = 0.75 + 2 = 2.75
     * env 1:
     *   t=2: A2 = 3, R2 = 4 as above
     *   t=1: delta = 2 + 0 - 3 = -1 (no bootstrap);     A1 = -1;                R1 = -1 + 3 = 2
     *   t=0: delta = 0.5;                               A0 = 0.5 + 0.25*(-1) = 0.25; R0 = 2.25
     */
    @Test
    void gaeTruncationAndTermination() {
        float[] r = {1, 1, 2, 2, 3, 3};
        float[] v = {2, 2, 3, 3, 1, 1};
        float[] nv = {3, 3, 4, 4, 2, 2};
        boolean[] term = {F, F, F, X, F, F};
        boolean[] done = {F, F, X, X, F, F};
        float[] adv = new float[6], ret = new float[6];
        SCANS.gae(3, 2, r, v, nv, term, done, 0.5f, 0.5f, adv, ret, null);
        assertArrayEquals(new float[] {0.75f, 0.25f, 1f, -1f, 3f, 3f}, adv, 1e-6f);
        assertArrayEquals(new float[] {2.75f, 2.25f, 4f, 2f, 4f, 4f}, ret, 1e-6f);

        // λ-returns alone, and each output requested alone, give the same numbers
        float[] ret2 = new float[6], adv2 = new float[6], ret3 = new float[6];
        SCANS.lambdaReturns(3, 2, r, v, nv, term, done, 0.5f, 0.5f, ret2, null);
        SCANS.gae(3, 2, r, v, nv, term, done, 0.5f, 0.5f, adv2, null, null);
        SCANS.gae(3, 2, r, v, nv, term, done, 0.5f, 0.5f, null, ret3, SCANS.workspace());
        assertArrayEquals(ret, ret2);
        assertArrayEquals(adv, adv2);
        assertArrayEquals(ret, ret3);
    }

    /*
     * γ = λ = 1, no flags, same data (r = [1,2,3], v = [2,3,1], nv = [3,1,2]; here nv_t = v_{t+1}):
     *   delta = [1 + 3 - 2, 2 + 1 - 3, 3 + 2 - 1] = [2, 0, 4]
     *   A = [2 + 0 + 4, 0 + 4, 4] = [6, 4, 4]     R = A + v = [8, 7, 5]
     * which telescopes to the undiscounted return plus the final bootstrap: R_t = Σ_{s>=t} r_s + nv_2:
     *   R0 = 1+2+3+2 = 8, R1 = 2+3+2 = 7, R2 = 3+2 = 5.
     */
    @Test
    void gaeGammaLambdaOne() {
        float[] adv = new float[3], ret = new float[3];
        SCANS.gae(3, 1, new float[] {1, 2, 3}, new float[] {2, 3, 1}, new float[] {3, 1, 2},
                new boolean[3], new boolean[3], 1f, 1f, adv, ret, null);
        assertArrayEquals(new float[] {6, 4, 4}, adv, 1e-6f);
        assertArrayEquals(new float[] {8, 7, 5}, ret, 1e-6f);
    }

    /*
     * λ = 0 is one-step TD: A_t = delta_t. γ = 0.5, r = [1,2,3], v = [2,3,1], nv = [3,1,2]:
     *   delta = [1 + 1.5 - 2, 2 + 0.5 - 3, 3 + 1 - 1] = [0.5, -0.5, 3];  R = [2.5, 2.5, 4]
     */
    @Test
    void gaeLambdaZeroIsOneStepTd() {
        float[] adv = new float[3], ret = new float[3];
        SCANS.gae(3, 1, new float[] {1, 2, 3}, new float[] {2, 3, 1}, new float[] {3, 1, 2},
                new boolean[3], new boolean[3], 0.5f, 0f, adv, ret, null);
        assertArrayEquals(new float[] {0.5f, -0.5f, 3f}, adv, 1e-6f);
        assertArrayEquals(new float[] {2.5f, 2.5f, 4f}, ret, 1e-6f);
    }

    /*
     * Compact form, T = 2, E = 1, value = [1, 2, 4] (row 2 = bootstrap), r = [1, 1],
     * dones = [F, T] (the episode ends AT step 1), γ = 0.5, λ = 1:
     *   t=1: delta = 1 + 0 (done: value[2] = 4 unused) - 2 = -1;  A1 = -1;  R1 = 1
     *   t=0: delta = 1 + 0.5*2 - 1 = 1;  A0 = 1 + 0.5*1*(-1) = 0.5;  R0 = 1.5
     */
    @Test
    void gaeCompactByHand() {
        float[] adv = new float[2], ret = new float[2];
        SCANS.gaeCompact(2, 1, new float[] {1, 1}, new float[] {1, 2, 4}, new boolean[] {F, X}, 0.5f, 1f,
                adv, ret, null);
        assertArrayEquals(new float[] {0.5f, -1f}, adv, 1e-6f);
        assertArrayEquals(new float[] {1.5f, 1f}, ret, 1e-6f);
    }

    // ------------------------------------------------------------------ reward-to-go

    /*
     * r = [1, 2, 3, 4], done = [F, F, T, F], γ = 0.5:
     *   G3 = 4;  G2 = 3 (done: nothing from G3);  G1 = 2 + 0.5*3 = 3.5;  G0 = 1 + 0.5*3.5 = 2.75
     */
    @Test
    void rewardToGoByHand() {
        float[] out = new float[4];
        SCANS.rewardToGo(4, 1, new float[] {1, 2, 3, 4}, new boolean[] {F, F, X, F}, 0.5f, out, null);
        assertArrayEquals(new float[] {2.75f, 3.5f, 3f, 4f}, out, 1e-6f);
    }

    // ------------------------------------------------------------------ V-trace goldens

    private static final float LN2 = (float) Math.log(2);

    /*
     * T = 3, E = 1, γ = 0.5, λ = 1, ρ̄ = c̄ = 1; r = [1, 2, 3], v = [2, 3, 1], nv = [3, 1, 2];
     * logRho = [ln 2, 0, -ln 2]: ratios [2, 1, 0.5] -> rho = c = [1 (clipped), 1, 0.5].
     *   t=2: delta = 0.5*(3 + 0.5*2 - 1) = 1.5; last step: vs2 = 1 + 1.5 = 2.5
     *        vsNext = nv2 = 2: pgAdv2 = 0.5*(3 + 0.5*2 - 1) = 1.5
     *   t=1: delta = 1*(2 + 0.5*1 - 3) = -0.5; carry = 0.5*1*(vs2 - nv1) = 0.5*(2.5 - 1) = 0.75
     *        vs1 = 3 - 0.5 + 0.75 = 3.25;  pgAdv1 = 1*(2 + 0.5*2.5 - 3) = 0.25
     *   t=0: delta = 1*(1 + 0.5*3 - 2) = 0.5; carry = 0.5*1*(3.25 - 3) = 0.125
     *        vs0 = 2 + 0.5 + 0.125 = 2.625; pgAdv0 = 1*(1 + 0.5*3.25 - 2) = 0.625
     * Unclipped (ρ̄ = c̄ = +Inf) only t=0 changes, rho0 = c0 = 2:
     *   delta = 2*0.5 = 1; carry = 0.5*2*0.25 = 0.25; vs0 = 2 + 1 + 0.25 = 3.25; pgAdv0 = 2*0.625 = 1.25
     */
    @Test
    void vtraceWithClipping() {
        float[] logRho = {LN2, 0f, -LN2};
        float[] r = {1, 2, 3}, v = {2, 3, 1}, nv = {3, 1, 2};
        float[] vs = new float[3], pg = new float[3];
        SCANS.vtrace(3, 1, logRho, r, v, nv, new boolean[3], new boolean[3], 0.5f, 1f, 1f, 1f, vs, pg, null);
        TOL.assertClose("vs clipped", new double[] {2.625, 3.25, 2.5}, vs, 3, 4.0);
        TOL.assertClose("pgAdv clipped", new double[] {0.625, 0.25, 1.5}, pg, 3, 4.0);

        float inf = Float.POSITIVE_INFINITY;
        SCANS.vtrace(3, 1, logRho, r, v, nv, new boolean[3], new boolean[3], 0.5f, 1f, inf, inf, vs, pg, null);
        TOL.assertClose("vs unclipped", new double[] {3.25, 3.25, 2.5}, vs, 3, 4.0);
        TOL.assertClose("pgAdv unclipped", new double[] {1.25, 0.25, 1.5}, pg, 3, 4.0);
    }

    /*
     * As above (ρ̄ = c̄ = 1) but step 1 is truncated (done, not terminated), and in env 1 terminated.
     * env 0 (truncated):
     *   t=2: vs2 = 2.5, pgAdv2 = 1.5 (unchanged)
     *   t=1: delta = -0.5; done: no carry -> vs1 = 2.5; vsNext = nv1 = 1: pgAdv1 = 2 + 0.5 - 3 = -0.5
     *   t=0: carry = 0.5*1*(vs1 - nv0) = 0.5*(2.5 - 3) = -0.25; vs0 = 2 + 0.5 - 0.25 = 2.25
     *        pgAdv0 = 1 + 0.5*2.5 - 2 = 0.25
     * env 1 (terminated):
     *   t=1: delta = 2 + 0 - 3 = -1; vs1 = 2; pgAdv1 = 2 - 3 = -1 (no bootstrap)
     *   t=0: carry = 0.5*(2 - 3) = -0.5; vs0 = 2 + 0.5 - 0.5 = 2; pgAdv0 = 1 + 0.5*2 - 2 = 0
     */
    @Test
    void vtraceTruncationAndTermination() {
        float[] logRho = {LN2, LN2, 0f, 0f, -LN2, -LN2};
        float[] r = {1, 1, 2, 2, 3, 3}, v = {2, 2, 3, 3, 1, 1}, nv = {3, 3, 1, 1, 2, 2};
        boolean[] term = {F, F, F, X, F, F};
        boolean[] done = {F, F, X, X, F, F};
        float[] vs = new float[6], pg = new float[6];
        SCANS.vtrace(3, 2, logRho, r, v, nv, term, done, 0.5f, 1f, 1f, 1f, vs, pg, null);
        TOL.assertClose("vs", new double[] {2.25, 2, 2.5, 2, 2.5, 2.5}, vs, 6, 4.0);
        TOL.assertClose("pgAdv", new double[] {0.25, 0, -0.5, -1, 1.5, 1.5}, pg, 6, 4.0);

        // pgAdv is optional and does not change vs
        float[] vs2 = new float[6];
        SCANS.vtrace(3, 2, logRho, r, v, nv, term, done, 0.5f, 1f, 1f, 1f, vs2, null, null);
        assertArrayEquals(vs, vs2);
    }

    // ------------------------------------------------------------------ non-finite data and boundaries

    /*
     * T = 4, E = 1, episode boundary after step 1 (done_1, terminated_1). A NaN reward at step 2 and
     * a NaN nextValue at the terminated step 1 (never used: no bootstrap there) must not reach steps
     * 0 and 1: the (1 - flag) factors are selects. Steps 2..3 form the next episode: A3 finite,
     * A2 NaN. With γ = λ = 0.5, r = [1, 1, NaN, 1], v = 0, nv[0] = 0:
     *   A1 = 1 (terminated, no carry),  A0 = 1 + 0.25*1 = 1.25.
     */
    @Test
    void nanDoesNotCrossAnEpisodeBoundary() {
        float nan = Float.NaN;
        float[] r = {1, 1, nan, 1};
        float[] v = new float[4];
        float[] nv = {0, nan, 0, 0};
        boolean[] term = {F, X, F, F};
        boolean[] done = {F, X, F, F};
        float[] adv = new float[4], ret = new float[4];
        SCANS.gae(4, 1, r, v, nv, term, done, 0.5f, 0.5f, adv, ret, null);
        assertEquals(1.25f, adv[0], 1e-6f);
        assertEquals(1f, adv[1], 1e-6f);
        assertTrue(Float.isNaN(adv[2]) && Float.isNaN(ret[2]));
        assertEquals(1f, adv[3], 1e-6f);

        // compact form: value row 2 NaN is used at step 2 only (dones_1 stops it at step 1)
        float[] cv = {0, 0, nan, 0, 0};
        SCANS.gaeCompact(4, 1, new float[] {1, 1, 1, 1}, cv, new boolean[] {F, X, F, F}, 0.5f, 0.5f, adv, ret, null);
        assertEquals(1.25f, adv[0], 1e-6f);
        assertEquals(1f, adv[1], 1e-6f);
        assertTrue(Float.isNaN(adv[2]));

        float[] rtg = new float[4];
        SCANS.rewardToGo(4, 1, r, done, 0.5f, rtg, null);
        assertEquals(1.5f, rtg[0], 1e-6f); // 1 + 0.5*1
        assertEquals(1f, rtg[1], 1e-6f);
        assertTrue(Float.isNaN(rtg[2]));

        // V-trace, logRho = 0, ρ̄ = c̄ = 1, λ = 1, γ = 0.5: vs1 = 0 + 1 = 1, vs0 = 0 + 1 + 0.5*(1 - 0) = 1.5;
        // pgAdv1 = 1 (terminated), pgAdv0 = 1 + 0.5*vs1 = 1.5. An infinite logRho at step 3 stays there too.
        float[] vs = new float[4], pg = new float[4];
        SCANS.vtrace(4, 1, new float[] {0, 0, 0, Float.POSITIVE_INFINITY}, r, v, nv, term, done, 0.5f, 1f,
                Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, vs, pg, null);
        assertEquals(1.5f, vs[0], 1e-6f);
        assertEquals(1f, vs[1], 1e-6f);
        assertEquals(1.5f, pg[0], 1e-6f);
        assertEquals(1f, pg[1], 1e-6f);
        assertTrue(Float.isNaN(vs[2]) && Float.isNaN(pg[2]));
    }

    /** T = 0 or E = 0: valid, nothing read, nothing written (outputs keep their sentinel). */
    @Test
    void emptyInputsDoNothing() {
        for (int[] te : new int[][] {{0, 5}, {3, 0}, {0, 0}}) {
            int T = te[0], E = te[1];
            float[] none = new float[0];
            boolean[] noFlags = new boolean[0];
            float[] a = BadInput.sentinel(4), b = BadInput.sentinel(4);
            SCANS.gae(T, E, none, none, none, noFlags, noFlags, 0.9f, 0.9f, a, b, null);
            SCANS.lambdaReturns(T, E, none, none, none, noFlags, noFlags, 0.9f, 0.9f, b, null);
            SCANS.gaeCompact(T, E, none, new float[(T + 1) * E], noFlags, 0.9f, 0.9f, a, b, null);
            SCANS.rewardToGo(T, E, none, noFlags, 0.9f, a, null);
            SCANS.vtrace(T, E, none, none, none, none, noFlags, noFlags, 0.9f, 1f, 1f, 1f, a, b, null);
            EpisodeFlags.fromNextDone(T, E, noFlags, new boolean[E], noFlags);
            assertArrayEquals(BadInput.sentinel(4), a);
            assertArrayEquals(BadInput.sentinel(4), b);
        }
    }

    // ------------------------------------------------------------------ CleanRL / SB3 conversion

    /*
     * T = 3, E = 2. CleanRL's dones[t] flags the observation of step t as the first of an episode.
     *   env 0: cleanRl = [F, F, T], next_done = F: the episode ended at step 1      -> dones = [F, T, F]
     *   env 1: cleanRl = [T, F, F], next_done = T: (t=0's flag is the previous rollout's) ended at 2
     *                                                                               -> dones = [F, F, T]
     * Time-major: cleanRl = [F,T | F,F | T,F], nextDone = [F, T] -> dones = [F,F | T,F | F,T].
     */
    @Test
    void fromNextDoneByHand() {
        boolean[] cleanRl = {F, X, F, F, X, F};
        boolean[] next = {F, X};
        boolean[] expected = {F, F, X, F, F, X};
        boolean[] dones = new boolean[6];
        EpisodeFlags.fromNextDone(3, 2, cleanRl, next, dones);
        assertArrayEquals(expected, dones);
        boolean[] sb3 = new boolean[6];
        EpisodeFlags.fromEpisodeStarts(3, 2, cleanRl, next, sb3);
        assertArrayEquals(expected, sb3);
        // in place
        boolean[] inPlace = cleanRl.clone();
        EpisodeFlags.fromNextDone(3, 2, inPlace, next, inPlace);
        assertArrayEquals(expected, inPlace);
    }

    /**
     * A literal port of CleanRL's GAE loop (ppo.py), which reads {@code dones[t+1]} and
     * {@code next_done}, agrees with the compact form on the converted flags; the same loop fed our
     * {@code dones} directly does not (the off-by-one the javadoc warns about).
     */
    @Test
    void cleanRlLoopAgreesAfterConversion() {
        int T = 3, E = 1;
        float gamma = 0.5f, lambda = 0.5f;
        float[] r = {1, 2, 3};
        float[] values = {2, 3, 1};
        float nextValue = 2;
        boolean[] cleanRlDones = {F, F, X}; // obs of step 2 starts a new episode: the episode ended at step 1
        boolean nextDone = F;
        // CleanRL, with their flags:
        float[] expected = cleanRlGae(T, r, values, nextValue, cleanRlDones, nextDone, gamma, lambda);
        // By hand: t=2: 3 + 0.5*2 - 1 = 3; t=1 ends the episode: 2 - 3 = -1; t=0: 1 + 1.5 - 2 + 0.25*(-1) = 0.25
        assertArrayEquals(new float[] {0.25f, -1f, 3f}, expected, 1e-6f);

        boolean[] dones = new boolean[3];
        EpisodeFlags.fromNextDone(T, E, cleanRlDones, new boolean[] {nextDone}, dones);
        float[] adv = new float[3];
        SCANS.gaeCompact(T, E, r, new float[] {2, 3, 1, nextValue}, dones, gamma, lambda, adv, null, null);
        assertArrayEquals(expected, adv, 1e-6f);

        float[] unconverted = new float[3];
        SCANS.gaeCompact(T, E, r, new float[] {2, 3, 1, nextValue}, cleanRlDones, gamma, lambda, unconverted, null,
                null);
        assertFalse(java.util.Arrays.equals(expected, unconverted), "the unshifted flags must give other numbers");
    }

    /** CleanRL ppo.py's loop, transcribed for E = 1 (float arithmetic, as in their torch code). */
    private static float[] cleanRlGae(int T, float[] rewards, float[] values, float nextValue, boolean[] dones,
            boolean nextDone, float gamma, float lambda) {
        float[] adv = new float[T];
        float lastgaelam = 0;
        for (int t = T - 1; t >= 0; t--) {
            float nextnonterminal, nextvalues;
            if (t == T - 1) {
                nextnonterminal = nextDone ? 0f : 1f;
                nextvalues = nextValue;
            } else {
                nextnonterminal = dones[t + 1] ? 0f : 1f;
                nextvalues = values[t + 1];
            }
            float delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t];
            adv[t] = lastgaelam = delta + gamma * lambda * nextnonterminal * lastgaelam;
        }
        return adv;
    }

    @Test
    void workspaceGrowsAndIsReused() {
        ScanWorkspace ws = SCANS.workspace();
        assertEquals(0, ws.capacity());
        float[] a = ws.floats(10);
        assertTrue(a.length >= 10);
        assertSame(a, ws.floats(5));
        assertTrue(ws.floats(100).length >= 100);
        BadInput.assertRejected("minLength", () -> ws.floats(-1));
    }

    // ------------------------------------------------------------------ properties vs naive forward sums

    @Provide
    Arbitrary<Integer> steps() {
        return Shapes.sizes(160);
    }

    @Provide
    Arbitrary<Integer> envs() {
        return Shapes.sizes(70);
    }

    @Provide
    Arbitrary<Float> unit() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.floats().between(0f, 1f)),
                Tuple.of(2, Arbitraries.of(0f, 1f, 0.99f, 0.95f, 0.5f)));
    }

    @Provide
    Arbitrary<Double> doneRate() {
        return Arbitraries.of(0.0, 0.02, 0.2, 0.7, 1.0);
    }

    @Provide
    Arbitrary<Float> clip() {
        return Arbitraries.of(0.3f, 1f, 2f, Float.POSITIVE_INFINITY);
    }

    private static final int PAD = 3;

    /**
     * GAE as an explicit forward sum: {@code A_t = Σ_{k=0}^{K} (γλ)^k delta_{t+k}}, where
     * {@code t+K} is the first step at or after {@code t} that ends the episode (or {@code T-1}).
     * Fills {@code adv} and the per-element scale {@code Σ (γλ)^k |delta_{t+k}|}.
     */
    private static void naiveGae(ScanRollouts ro, double gamma, double lambda, double[] adv, double[] scale) {
        int T = ro.T(), E = ro.E();
        for (int e = 0; e < E; e++) {
            for (int t = 0; t < T; t++) {
                double sum = 0, abs = 0, weight = 1;
                for (int s = t; s < T; s++) {
                    int i = s * E + e;
                    double boot = ro.terminated()[i] ? 0 : gamma * ro.nextValue()[i];
                    double delta = ro.reward()[i] + boot - ro.value()[i];
                    sum += weight * delta;
                    abs += weight * Math.abs(delta);
                    if (ro.done()[i]) {
                        break;
                    }
                    weight *= gamma * lambda;
                }
                adv[t * E + e] = sum;
                scale[t * E + e] = abs;
            }
        }
    }

    @Property(tries = 150)
    void gaeMatchesForwardSums(@ForAll("steps") int T, @ForAll("envs") int E, @ForAll("unit") float gamma,
            @ForAll("unit") float lambda, @ForAll("doneRate") double pDone, @ForAll long seed) {
        ScanRollouts ro = ScanRollouts.generate(seed, T, E, pDone, 0.5, 10f, PAD);
        int n = T * E;
        double[] adv = new double[n], scale = new double[n];
        naiveGae(ro, gamma, lambda, adv, scale);
        double[] ret = new double[n], retScale = new double[n];
        for (int i = 0; i < n; i++) {
            ret[i] = adv[i] + ro.value()[i];
            retScale[i] = scale[i] + Math.abs(ro.value()[i]);
        }

        float[] a = BadInput.sentinel(n + PAD), r = BadInput.sentinel(n + PAD), lr = BadInput.sentinel(n + PAD);
        SCANS.gae(T, E, ro.reward(), ro.value(), ro.nextValue(), ro.terminated(), ro.done(), gamma, lambda, a, r, null);
        SCANS.lambdaReturns(T, E, ro.reward(), ro.value(), ro.nextValue(), ro.terminated(), ro.done(), gamma, lambda,
                lr, null);
        assertCloseFp32("advantages", adv, a, n, scale);
        assertCloseFp32("returns", ret, r, n, retScale);
        assertCloseFp32("lambdaReturns", ret, lr, n, retScale);
        assertPadUntouched(a, n);
        assertPadUntouched(r, n);
        assertPadUntouched(lr, n);
    }

    /**
     * The compact form is the general form with {@code nextValue_t = value_{t+1}} and
     * {@code terminated = done = dones}: build those general-form inputs and compare.
     */
    @Property(tries = 100)
    void compactAgreesWithGeneralForm(@ForAll("steps") int T, @ForAll("envs") int E, @ForAll("unit") float gamma,
            @ForAll("unit") float lambda, @ForAll("doneRate") double pDone, @ForAll long seed) {
        ScanRollouts ro = ScanRollouts.generate(seed, T, E, pDone, 1.0, 10f, PAD);
        int n = T * E;
        float[] nextValue = new float[n];
        for (int i = 0; i < n; i++) {
            nextValue[i] = ro.value()[i + E];
        }
        float[] a = new float[n], r = new float[n];
        SCANS.gae(T, E, ro.reward(), ro.value(), nextValue, ro.done(), ro.done(), gamma, lambda, a, r, null);
        float[] ca = BadInput.sentinel(n + PAD), cr = BadInput.sentinel(n + PAD);
        SCANS.gaeCompact(T, E, ro.reward(), ro.value(), ro.done(), gamma, lambda, ca, cr, null);
        double[] scale = new double[n];
        for (int i = 0; i < n; i++) {
            scale[i] = Math.abs(a[i]) + Math.abs(ro.value()[i]) + 1;
        }
        TOL.assertClose("compact advantages", a, ca, n, scale);
        TOL.assertClose("compact returns", r, cr, n, scale);
        assertPadUntouched(ca, n);
        assertPadUntouched(cr, n);
    }

    /** Reward-to-go as {@code G_t = Σ_{k=0}^{K} γ^k r_{t+k}} up to the episode's end; also equals GAE(λ=1, values 0). */
    @Property(tries = 100)
    void rewardToGoMatchesForwardSums(@ForAll("steps") int T, @ForAll("envs") int E, @ForAll("unit") float gamma,
            @ForAll("doneRate") double pDone, @ForAll long seed) {
        ScanRollouts ro = ScanRollouts.generate(seed, T, E, pDone, 0.5, 10f, PAD);
        int n = T * E;
        double[] g = new double[n], scale = new double[n];
        for (int e = 0; e < E; e++) {
            for (int t = 0; t < T; t++) {
                double sum = 0, abs = 0, w = 1;
                for (int s = t; s < T; s++) {
                    int i = s * E + e;
                    sum += w * ro.reward()[i];
                    abs += w * Math.abs(ro.reward()[i]);
                    if (ro.done()[i]) {
                        break;
                    }
                    w *= gamma;
                }
                g[t * E + e] = sum;
                scale[t * E + e] = abs;
            }
        }
        float[] out = BadInput.sentinel(n + PAD);
        SCANS.rewardToGo(T, E, ro.reward(), ro.done(), gamma, out, null);
        assertCloseFp32("reward-to-go", g, out, n, scale);
        assertPadUntouched(out, n);

        float[] zeros = new float[n];
        float[] viaGae = new float[n];
        SCANS.gae(T, E, ro.reward(), zeros, zeros, ro.terminated(), ro.done(), gamma, 1f, viaGae, null, null);
        assertCloseFp32("reward-to-go as GAE(λ=1, V=0)", g, viaGae, n, scale);
    }

    /**
     * V-trace in IMPALA's closed form, a forward sum per step:
     * {@code vs_t - v_t = Σ_{k=0}^{K} (Π_{j<k} γ c_{t+j}) δ'_{t+k}}, where
     * {@code δ'_s = delta_s + γ c_s (v_{s+1} - nextValue_s)} unless {@code s} ends the episode or the
     * rollout (then {@code δ'_s = delta_s}) — the correction turns SPEC's {@code vs_{s+1} - nextValue_s}
     * into {@code vs_{s+1} - v_{s+1}}. pgAdv then follows its definition from these {@code vs}.
     */
    @Property(tries = 150)
    void vtraceMatchesForwardSums(@ForAll("steps") int T, @ForAll("envs") int E, @ForAll("unit") float gammaF,
            @ForAll("unit") float lambdaF, @ForAll("clip") float rhoBar, @ForAll("clip") float cBar,
            @ForAll("doneRate") double pDone, @ForAll long seed) {
        ScanRollouts ro = ScanRollouts.generate(seed, T, E, pDone, 0.5, 10f, PAD);
        int n = T * E;
        double gamma = gammaF, lambda = lambdaF; // widen first: float*float products would round to fp32
        double[] rho = new double[n], c = new double[n], dPrime = new double[n], dAbs = new double[n];
        for (int t = 0; t < T; t++) {
            for (int e = 0; e < E; e++) {
                int i = t * E + e;
                double ratio = Math.exp(ro.logRho()[i]);
                rho[i] = Math.min(rhoBar, ratio);
                c[i] = lambda * Math.min(cBar, ratio);
                double boot = ro.terminated()[i] ? 0 : gamma * ro.nextValue()[i];
                double delta = rho[i] * (ro.reward()[i] + boot - ro.value()[i]);
                boolean end = ro.done()[i] || t == T - 1;
                double corr = end ? 0 : gamma * c[i] * ((double) ro.value()[i + E] - ro.nextValue()[i]);
                dPrime[i] = delta + corr;
                dAbs[i] = Math.abs(delta) + Math.abs(corr);
            }
        }
        double[] vs = new double[n], scale = new double[n];
        for (int e = 0; e < E; e++) {
            for (int t = 0; t < T; t++) {
                double sum = 0, abs = 0, w = 1;
                for (int s = t; s < T; s++) {
                    int i = s * E + e;
                    sum += w * dPrime[i];
                    abs += w * dAbs[i];
                    if (ro.done()[i]) {
                        break;
                    }
                    w *= gamma * c[i];
                }
                vs[t * E + e] = ro.value()[t * E + e] + sum;
                scale[t * E + e] = abs + Math.abs(ro.value()[t * E + e]);
            }
        }
        double[] pg = new double[n], pgScale = new double[n];
        for (int t = 0; t < T; t++) {
            for (int e = 0; e < E; e++) {
                int i = t * E + e;
                boolean carry = t + 1 < T && !ro.done()[i];
                double vsNext = carry ? vs[i + E] : ro.nextValue()[i];
                double vsNextScale = carry ? scale[i + E] : Math.abs(ro.nextValue()[i]);
                double boot = ro.terminated()[i] ? 0 : gamma * vsNext;
                pg[i] = rho[i] * (ro.reward()[i] + boot - ro.value()[i]);
                pgScale[i] = rho[i] * (Math.abs(ro.reward()[i]) + gamma * vsNextScale + Math.abs(ro.value()[i]));
            }
        }
        float[] vsOut = BadInput.sentinel(n + PAD), pgOut = BadInput.sentinel(n + PAD);
        SCANS.vtrace(T, E, ro.logRho(), ro.reward(), ro.value(), ro.nextValue(), ro.terminated(), ro.done(), gammaF,
                lambdaF, rhoBar, cBar, vsOut, pgOut, null);
        assertCloseFp32("vs", vs, vsOut, n, scale);
        assertCloseFp32("pgAdv", pg, pgOut, n, pgScale);
        assertPadUntouched(vsOut, n);
        assertPadUntouched(pgOut, n);
    }

    /*
     * With logRho = 0 and ρ̄, c̄ >= 1: rho_t = 1 and c_t = λ, so SPEC's V-trace reads
     *   vs_t - v_t = delta_t + γλ (1 - done_t) (vs_{t+1} - nextValue_t),
     * with delta_t exactly GAE's. Where step t does not end the episode the rollout has
     * nextValue_t = v_{t+1}, so (vs_{t+1} - nextValue_t) = (vs_{t+1} - v_{t+1}): the sequence
     * vs_t - v_t obeys GAE's recursion A_t = delta_t + γλ (1 - done_t) A_{t+1} with the same start
     * (the term is 0 at t = T-1, as A_T = 0). Hence vs_t = A_t + v_t = R_t, the λ-return.
     */
    @Property(tries = 100)
    void vtraceOnPolicyEqualsLambdaReturns(@ForAll("steps") int T, @ForAll("envs") int E,
            @ForAll("unit") float gamma, @ForAll("unit") float lambda, @ForAll("doneRate") double pDone,
            @ForAll("clipAtLeastOne") float rhoBar, @ForAll("clipAtLeastOne") float cBar, @ForAll long seed) {
        ScanRollouts ro = ScanRollouts.generate(seed, T, E, pDone, 0.5, 10f, 0);
        int n = T * E;
        float[] ret = new float[n];
        SCANS.lambdaReturns(T, E, ro.reward(), ro.value(), ro.nextValue(), ro.terminated(), ro.done(), gamma, lambda,
                ret, null);
        float[] vs = new float[n];
        SCANS.vtrace(T, E, new float[n], ro.reward(), ro.value(), ro.nextValue(), ro.terminated(), ro.done(), gamma,
                lambda, rhoBar, cBar, vs, null, null);
        double[] scale = new double[n];
        for (int i = 0; i < n; i++) {
            scale[i] = Math.abs(ret[i]) + Math.abs(ro.value()[i]) + 10;
        }
        TOL.assertClose("V-trace on-policy vs λ-returns", ret, vs, n, scale);
    }

    @Provide
    Arbitrary<Float> clipAtLeastOne() {
        return Arbitraries.of(1f, 1.5f, Float.POSITIVE_INFINITY);
    }

    /**
     * The kernels store fp32, so the naive double result is rounded to fp32 before the SPEC
     * comparison; otherwise a value below fp32's smallest subnormal (e.g. 1.9e-46, stored as 0) would
     * fail a bound of {@code 1e-6 * scale} that is itself below fp32's resolution there.
     */
    private static void assertCloseFp32(String label, double[] naive, float[] out, int n, double[] scale) {
        float[] rounded = new float[n];
        for (int i = 0; i < n; i++) {
            rounded[i] = (float) naive[i];
        }
        TOL.assertClose(label, rounded, out, n, scale);
    }

    private static void assertPadUntouched(float[] out, int n) {
        for (int i = n; i < out.length; i++) {
            assertEquals(Float.floatToRawIntBits(BadInput.SENTINEL), Float.floatToRawIntBits(out[i]),
                    "element " + i + " past T*E = " + n + " was written");
        }
    }
}
