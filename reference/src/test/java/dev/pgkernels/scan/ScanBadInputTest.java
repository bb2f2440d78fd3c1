package dev.pgkernels.scan;

import static dev.pgkernels.testsupport.BadInput.assertRejected;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import dev.pgkernels.Backends;
import dev.pgkernels.testsupport.BadInput;
import org.junit.jupiter.api.Test;

/**
 * Every argument rule of {@link AbstractScanKernels} and {@link EpisodeFlags} (SPEC "Bad input"):
 * each bad call throws {@link IllegalArgumentException} naming the argument, and every output
 * (pre-filled with a sentinel) is bit-for-bit unchanged. Each case starts from a valid call and
 * breaks exactly one thing.
 */
class ScanBadInputTest {

    private static final ScanKernels S = Backends.reference().scans().orElseThrow();
    private static final int T = 3, E = 2, N = T * E;
    private static final float INF = Float.POSITIVE_INFINITY, NAN = Float.NaN;

    /** A fresh set of valid arguments; tests replace one field. */
    private static final class Args {
        int t = T, e = E;
        float[] logRho = new float[N], reward = new float[N], value = new float[N], nextValue = new float[N];
        float[] compactValue = new float[N + E];
        boolean[] terminated = new boolean[N], done = new boolean[N];
        float gamma = 0.9f, lambda = 0.95f, rhoBar = 1f, cBar = 1f;
        float[] out1 = BadInput.sentinel(N), out2 = BadInput.sentinel(N);

        void gae() {
            S.gae(t, e, reward, value, nextValue, terminated, done, gamma, lambda, out1, out2, null);
        }

        void lambdaReturns() {
            S.lambdaReturns(t, e, reward, value, nextValue, terminated, done, gamma, lambda, out1, null);
        }

        void compact() {
            S.gaeCompact(t, e, reward, compactValue, done, gamma, lambda, out1, out2, null);
        }

        void rewardToGo() {
            S.rewardToGo(t, e, reward, done, gamma, out1, null);
        }

        void vtrace() {
            S.vtrace(t, e, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar, cBar, out1, out2,
                    null);
        }
    }

    private interface Case {
        void breakIt(Args a);
    }

    private interface Call {
        void run(Args a);
    }

    private static void rejected(String fragment, Call call, Case bad) {
        Args a = new Args();
        bad.breakIt(a);
        float[] o1 = a.out1, o2 = a.out2;
        assertRejected(fragment, () -> call.run(a), o1, o2, a.reward, a.value, a.nextValue, a.logRho, a.compactValue);
    }

    private static final Call GAE = Args::gae, LR = Args::lambdaReturns, COMPACT = Args::compact,
            RTG = Args::rewardToGo, VTRACE = Args::vtrace;
    private static final Call[] ALL = {GAE, LR, COMPACT, RTG, VTRACE};

    @Test
    void validCallsPass() {
        for (Call c : ALL) {
            assertDoesNotThrow(() -> c.run(new Args()));
        }
        // +Inf clips mean "no clipping" and are valid; γ, λ at both ends of [0, 1] are valid
        Args a = new Args();
        a.rhoBar = INF;
        a.cBar = INF;
        a.gamma = 0f;
        a.lambda = 1f;
        assertDoesNotThrow(a::vtrace);
        // longer arrays than needed are fine
        Args b = new Args();
        b.reward = new float[N + 5];
        b.out1 = new float[N + 5];
        assertDoesNotThrow(b::gae);
    }

    @Test
    void negativeSizes() {
        for (Call c : ALL) {
            rejected("T must be >= 0", c, a -> a.t = -1);
            rejected("E must be >= 0", c, a -> a.e = -1);
        }
    }

    @Test
    void sizeOverflow() {
        for (Call c : ALL) {
            rejected("T*E", c, a -> {
                a.t = 1 << 16;
                a.e = 1 << 16;
            });
        }
        // (T+1)*E overflows although T*E does not
        rejected("(T+1)*E", COMPACT, a -> {
            a.t = Integer.MAX_VALUE;
            a.e = 1;
        });
    }

    @Test
    void nullInputs() {
        for (Call c : new Call[] {GAE, LR, COMPACT, RTG, VTRACE}) {
            rejected("reward", c, a -> a.reward = null);
        }
        for (Call c : new Call[] {GAE, LR, VTRACE}) {
            rejected("'value'", c, a -> a.value = null);
            rejected("nextValue", c, a -> a.nextValue = null);
            rejected("terminated", c, a -> a.terminated = null);
        }
        for (Call c : new Call[] {GAE, LR, RTG, VTRACE}) {
            rejected("'done'", c, a -> a.done = null);
        }
        rejected("logRho", VTRACE, a -> a.logRho = null);
        rejected("'value'", COMPACT, a -> a.compactValue = null);
        rejected("dones", COMPACT, a -> a.done = null);
    }

    @Test
    void shortInputs() {
        for (Call c : new Call[] {GAE, LR, COMPACT, RTG, VTRACE}) {
            rejected("reward", c, a -> a.reward = new float[N - 1]);
        }
        for (Call c : new Call[] {GAE, LR, VTRACE}) {
            rejected("'value'", c, a -> a.value = new float[N - 1]);
            rejected("nextValue", c, a -> a.nextValue = new float[N - 1]);
            rejected("terminated", c, a -> a.terminated = new boolean[N - 1]);
        }
        for (Call c : new Call[] {GAE, LR, RTG, VTRACE}) {
            rejected("'done'", c, a -> a.done = new boolean[N - 1]);
        }
        rejected("logRho", VTRACE, a -> a.logRho = new float[N - 1]);
        // compact value needs (T+1)*E = 8: T*E = 6 is one row short
        rejected("(T+1)*E", COMPACT, a -> a.compactValue = new float[N]);
        rejected("dones", COMPACT, a -> a.done = new boolean[N - 1]);
    }

    @Test
    void outputs() {
        // GAE (both forms): at least one output, each long enough
        for (Call c : new Call[] {GAE, COMPACT}) {
            rejected("both null", c, a -> {
                a.out1 = null;
                a.out2 = null;
            });
            rejected("advantages", c, a -> a.out1 = BadInput.sentinel(N - 1));
            rejected("returns", c, a -> a.out2 = BadInput.sentinel(N - 1));
        }
        rejected("returns", LR, a -> a.out1 = null);
        rejected("returns", LR, a -> a.out1 = BadInput.sentinel(N - 1));
        rejected("out", RTG, a -> a.out1 = null);
        rejected("out", RTG, a -> a.out1 = BadInput.sentinel(N - 1));
        rejected("vs", VTRACE, a -> a.out1 = null);
        rejected("vs", VTRACE, a -> a.out1 = BadInput.sentinel(N - 1));
        rejected("pgAdv", VTRACE, a -> a.out2 = BadInput.sentinel(N - 1));
    }

    @Test
    void aliasing() {
        for (Call c : new Call[] {GAE, COMPACT, VTRACE}) {
            rejected("same array", c, a -> a.out2 = a.out1);
        }
        for (Call c : ALL) {
            rejected("same array as 'reward'", c, a -> a.reward = a.out1);
        }
        for (Call c : new Call[] {GAE, VTRACE}) {
            rejected("same array as 'reward'", c, a -> a.reward = a.out2);
        }
        for (Call c : new Call[] {GAE, LR, VTRACE}) {
            rejected("same array as 'value'", c, a -> a.value = a.out1);
            rejected("same array as 'nextValue'", c, a -> a.nextValue = a.out1);
        }
        rejected("same array as 'value'", GAE, a -> a.value = a.out2);
        rejected("same array as 'nextValue'", VTRACE, a -> a.nextValue = a.out2);
        rejected("same array as 'value'", COMPACT, a -> {
            a.compactValue = BadInput.sentinel(N + E);
            a.out2 = a.compactValue;
        });
        rejected("same array as 'logRho'", VTRACE, a -> a.logRho = a.out1);
        rejected("same array as 'logRho'", VTRACE, a -> a.logRho = a.out2);
    }

    @Test
    void gammaAndLambdaOutsideUnitInterval() {
        for (Call c : ALL) {
            for (float bad : new float[] {-0.01f, 1.01f, NAN, INF, -INF}) {
                rejected("gamma", c, a -> a.gamma = bad);
            }
        }
        for (Call c : new Call[] {GAE, LR, COMPACT, VTRACE}) {
            for (float bad : new float[] {-0.01f, 1.01f, NAN, INF}) {
                rejected("lambda", c, a -> a.lambda = bad);
            }
        }
    }

    @Test
    void clipsNotPositive() {
        for (float bad : new float[] {0f, -0f, -1f, NAN, -INF}) {
            rejected("rhoBar", VTRACE, a -> a.rhoBar = bad);
            rejected("cBar", VTRACE, a -> a.cBar = bad);
        }
    }

    @Test
    void episodeFlagConversion() {
        boolean[] starts = new boolean[N], last = new boolean[E];
        boolean[] dones = new boolean[N];
        java.util.Arrays.fill(dones, true);
        assertRejected("T must be >= 0", () -> EpisodeFlags.fromNextDone(-1, E, starts, last, dones), dones);
        assertRejected("E must be >= 0", () -> EpisodeFlags.fromEpisodeStarts(T, -1, starts, last, dones), dones);
        assertRejected("T*E", () -> EpisodeFlags.fromNextDone(1 << 16, 1 << 16, starts, last, dones), dones);
        assertRejected("cleanRlDones", () -> EpisodeFlags.fromNextDone(T, E, null, last, dones), dones);
        assertRejected("cleanRlDones", () -> EpisodeFlags.fromNextDone(T, E, new boolean[N - 1], last, dones), dones);
        assertRejected("episodeStarts", () -> EpisodeFlags.fromEpisodeStarts(T, E, null, last, dones), dones);
        assertRejected("nextDone", () -> EpisodeFlags.fromNextDone(T, E, starts, new boolean[E - 1], dones), dones);
        assertRejected("lastDones", () -> EpisodeFlags.fromEpisodeStarts(T, E, starts, null, dones), dones);
        assertRejected("dones", () -> EpisodeFlags.fromNextDone(T, E, starts, last, null));
        boolean[] shortDones = new boolean[N - 1];
        assertRejected("dones", () -> EpisodeFlags.fromNextDone(T, E, starts, last, shortDones), shortDones);
        // nextDone aliasing the output (with E >= T*E it is long enough) is rejected
        boolean[] one = {true};
        assertRejected("same array", () -> EpisodeFlags.fromNextDone(1, 1, new boolean[1], one, one), one);
    }
}
