package dev.pgkernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.Backends;
import dev.pgkernels.scan.ScanKernels;
import dev.pgkernels.scan.ScanWorkspace;
import dev.pgkernels.opencl.OpenClScans.Strategy;
import dev.pgkernels.testsupport.BadInput;
import dev.pgkernels.testsupport.ScanRollouts;
import dev.pgkernels.testsupport.Shapes;
import dev.pgkernels.testsupport.Tolerance;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.junit.jupiter.api.Test;

/**
 * {@code opencl} scans against {@code reference}, for both strategies and the shape-chosen one.
 *
 * <p><b>Tolerance, derived</b> (as in {@code ScanSimdTest}). The reference accumulates in double,
 * the kernels in fp32 with unit roundoff {@code u = 2^-24 ≈ 6e-8}. One step
 * {@code A_t = (r + γ nv - v) + c A_{t+1}} makes at most 5 roundings, each relative to a term no
 * larger than {@code m_t = |r_t| + |γ nv_t| + |v_t| + 2 |A_t|}; the error carried in from step
 * {@code t+1} is multiplied by {@code c_t <= 1}. So {@code |err_t| <= 5u · S_t} with
 * {@code S_t = m_t + c_t S_{t+1}} (0 across an episode boundary). SPEC's {@code atol = 1e-6 · S_t}
 * covers that. The chunked strategy walks each chunk with the same expressions, starting from a
 * carry composed as {@code D + C x}: {@code D} accumulates exactly the terms of the walk (same
 * bound), but {@code C = Π c_t} over a chunk of length {@code L} is a product of {@code L}
 * roundings, relative error {@code L u}; the carry's error {@code L u |C x|} is at most
 * {@code (L/2) u S_t} since {@code S_t >= 2 C |x|}. So the chunked strategy is held to
 * {@code atol = max(1e-6, (L/2 + 6) u) · S_t}, with {@code L = OpenClScans.chunkLength(T, E)}
 * (16 for every shape here: {@code 1e-6} still). For V-trace, {@code ρ} and {@code c} come from
 * OpenCL's {@code exp} (3 ulp = {@code 6u} relative), which the same construction absorbs: they
 * scale terms already counted in {@code S_t}.
 */
@AddLifecycleHook(OpenClTests.SkipWithoutOpenCl.class)
class ScanOpenClTest {
    private static final ScanKernels REF = Backends.reference().scans().orElseThrow();
    private static final double U = Math.scalb(1.0, -24);
    /**
     * Every fp32 rounding also has an absolute error of up to {@code 2^-150} (half the subnormal
     * spacing), whatever the magnitude: each step's term in {@code S_t} gets {@code 2^-126}, so that
     * {@code 1e-6 · 2^-126 ≈ 8 · 2^-149} covers a step's 5 roundings near zero.
     */
    private static final double SUBNORMAL_FLOOR = Float.MIN_NORMAL;

    enum Flags { NONE, ALL, EVERY_OTHER, LAST_STEP, RARE, FREQUENT }

    record Case(int T, int E, float gamma, float lambda, Flags flags, double pTerminal, long seed, Strategy strategy) {}

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Integer> t = Shapes.sizes(300);
        Arbitrary<Integer> e = Shapes.sizes(70);
        Arbitrary<Float> unit = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just(0f)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(1f)),
                net.jqwik.api.Tuple.of(4, Arbitraries.floats().between(0f, 1f)));
        Arbitrary<Strategy> strat = Arbitraries.of(Strategy.ENVS, Strategy.CHUNKED).injectNull(0.34);
        return Combinators.combine(t, e, unit, unit, Arbitraries.of(Flags.class), Arbitraries.of(0.0, 0.5, 1.0),
                Arbitraries.longs(), strat).as(Case::new);
    }

    /** Few environments (the along-time shapes) with long horizons. */
    @Provide
    Arbitrary<Case> longCases() {
        Arbitrary<Integer> t = Arbitraries.of(1000, 4097, 20011);
        Arbitrary<Integer> e = Arbitraries.of(1, 2, 3, 4, 8);
        return Combinators.combine(t, e, Arbitraries.of(0.99f, 1f), Arbitraries.of(0.95f, 1f),
                Arbitraries.of(Flags.NONE, Flags.RARE), Arbitraries.of(0.0, 0.5), Arbitraries.longs(),
                Arbitraries.of(Strategy.CHUNKED, Strategy.ENVS).injectNull(0.5)).as(Case::new);
    }

    private static OpenClScans simd(Case c) {
        return new OpenClScans(OpenClTests.backend().context(), c.strategy());
    }

    /** SPEC's rule, or for the chunked strategy the bound derived in the class comment. */
    private static Tolerance tol(Case c) {
        if (simd(c).strategyFor(c.T(), c.E()) != Strategy.CHUNKED) {
            return Tolerance.spec();
        }
        int l = OpenClScans.chunkLength(c.T(), c.E());
        return Tolerance.of(Tolerance.SPEC_RTOL, Math.max(Tolerance.SPEC_ATOL_PER_SCALE, (l / 2.0 + 6) * U));
    }

    private static ScanRollouts rollout(Case c) {
        ScanRollouts r = ScanRollouts.generate(c.seed(), c.T(), c.E(), 0.1, c.pTerminal(), 10f, 5);
        int n = c.T() * c.E();
        Random rnd = new Random(c.seed() ^ 0x5eed);
        for (int i = 0; i < n; i++) {
            int t = i / Math.max(c.E(), 1);
            boolean d = switch (c.flags()) {
                case NONE -> false;
                case ALL -> true;
                case EVERY_OTHER -> t % 2 == 1;
                case LAST_STEP -> t == c.T() - 1;
                case RARE -> rnd.nextDouble() < 0.01;
                case FREQUENT -> rnd.nextDouble() < 0.5;
            };
            r.done()[i] = d;
            r.terminated()[i] = d && rnd.nextDouble() < c.pTerminal();
        }
        return r;
    }

    /** S_t of the class comment, from the reference's outputs, for the general form. */
    static double[] gaeScale(int T, int E, float[] r, float[] v, float[] nv, boolean[] done, float gamma, float lambda,
            float[] adv) {
        double[] s = new double[T * E];
        for (int e = 0; e < E; e++) {
            double next = 0;
            for (int t = T - 1; t >= 0; t--) {
                int i = t * E + e;
                double m = Math.abs(r[i]) + Math.abs(gamma * (double) (nv == null ? 0 : nv[i]))
                        + Math.abs(v == null ? 0 : v[i]) + 2 * Math.abs(adv[i]) + SUBNORMAL_FLOOR;
                s[i] = m + (done[i] ? 0 : (double) gamma * lambda * next);
                next = s[i];
            }
        }
        return s;
    }

    private static Tolerance current = Tolerance.spec();

    private static void assertSameClassesAndClose(String what, float[] ref, float[] fast, int n, double[] scale) {
        current.assertClose(what, ref, fast, n, scale);
    }

    @Property(tries = 100)
    void gaeMatchesReference(@ForAll("cases") Case c) {
        check(c);
    }

    @Property(tries = 12)
    void longHorizonsMatchReference(@ForAll("longCases") Case c) {
        check(c);
    }

    private void check(Case c) {
        int T = c.T(), E = c.E(), n = T * E;
        ScanRollouts ro = rollout(c);
        OpenClScans simd = simd(c);
        current = tol(c);
        ScanWorkspace ws = simd.workspace();

        float[] advR = new float[n + 3], retR = new float[n + 3], advS = BadInput.sentinel(n + 3), retS = BadInput.sentinel(n + 3);
        REF.gae(T, E, ro.reward(), ro.value(), ro.nextValue(), ro.terminated(), ro.done(), c.gamma(), c.lambda(), advR, retR, null);
        simd.gae(T, E, ro.reward(), ro.value(), ro.nextValue(), ro.terminated(), ro.done(), c.gamma(), c.lambda(), advS, retS, ws);
        double[] s = gaeScale(T, E, ro.reward(), ro.value(), ro.nextValue(), ro.done(), c.gamma(), c.lambda(), advR);
        assertSameClassesAndClose("gae advantages " + c, advR, advS, n, s);
        double[] sRet = new double[n];
        for (int i = 0; i < n; i++) sRet[i] = s[i] + Math.abs(ro.value()[i]);
        assertSameClassesAndClose("gae returns " + c, retR, retS, n, sRet);
        untouchedPastTheShape(advS, n);
        untouchedPastTheShape(retS, n);

        // lambda-returns: the same recurrence, returns only
        float[] lr = BadInput.sentinel(n + 3);
        simd.lambdaReturns(T, E, ro.reward(), ro.value(), ro.nextValue(), ro.terminated(), ro.done(), c.gamma(), c.lambda(), lr, ws);
        assertSameClassesAndClose("lambda-returns " + c, retR, lr, n, sRet);

        // compact form: value has T+1 rows, dones = done
        float[] advCR = new float[n], advCS = new float[n], retCR = new float[n], retCS = new float[n];
        REF.gaeCompact(T, E, ro.reward(), ro.value(), ro.done(), c.gamma(), c.lambda(), advCR, retCR, null);
        simd.gaeCompact(T, E, ro.reward(), ro.value(), ro.done(), c.gamma(), c.lambda(), advCS, retCS, ws);
        float[] nvCompact = Arrays.copyOfRange(ro.value(), E, E + n);
        double[] sc = gaeScale(T, E, ro.reward(), ro.value(), nvCompact, ro.done(), c.gamma(), c.lambda(), advCR);
        assertSameClassesAndClose("compact advantages " + c, advCR, advCS, n, sc);
        for (int i = 0; i < n; i++) sc[i] += Math.abs(ro.value()[i]);
        assertSameClassesAndClose("compact returns " + c, retCR, retCS, n, sc);

        // reward-to-go
        float[] rtgR = new float[n], rtgS = BadInput.sentinel(n + 2);
        REF.rewardToGo(T, E, ro.reward(), ro.done(), c.gamma(), rtgR, null);
        simd.rewardToGo(T, E, ro.reward(), ro.done(), c.gamma(), rtgS, ws);
        assertSameClassesAndClose("reward-to-go " + c, rtgR, rtgS, n,
                gaeScale(T, E, ro.reward(), null, null, ro.done(), c.gamma(), 1f, rtgR));
        untouchedPastTheShape(rtgS, n);

        checkVtrace(c, ro, simd, ws);
    }

    private void checkVtrace(Case c, ScanRollouts ro, OpenClScans simd, ScanWorkspace ws) {
        int T = c.T(), E = c.E(), n = T * E;
        float rhoBar = 1f, cBar = 1f;
        if ((c.seed() & 1) == 0) {
            rhoBar = 2.5f;
            cBar = 0.8f;
        }
        float[] vsR = new float[n], pgR = new float[n], vsS = BadInput.sentinel(n + 3), pgS = BadInput.sentinel(n + 3);
        REF.vtrace(T, E, ro.logRho(), ro.reward(), ro.value(), ro.nextValue(), ro.terminated(), ro.done(), c.gamma(),
                c.lambda(), rhoBar, cBar, vsR, pgR, null);
        simd.vtrace(T, E, ro.logRho(), ro.reward(), ro.value(), ro.nextValue(), ro.terminated(), ro.done(), c.gamma(),
                c.lambda(), rhoBar, cBar, vsS, pgS, ws);
        // S_t for vs: this step's terms (with rho) plus gamma*c times (|vs_{t+1}| + |nv_t| + S_{t+1})
        double[] sVs = new double[n], sPg = new double[n];
        for (int e = 0; e < E; e++) {
            double next = 0;
            for (int t = T - 1; t >= 0; t--) {
                int i = t * E + e;
                double ratio = Math.exp(ro.logRho()[i]);
                double rho = Math.min(rhoBar, ratio), cc = c.lambda() * Math.min(cBar, ratio);
                double own = rho * (Math.abs(ro.reward()[i]) + Math.abs(c.gamma() * ro.nextValue()[i])
                        + Math.abs(ro.value()[i])) + 2 * Math.abs(vsR[i]) + Math.abs(ro.value()[i]) + SUBNORMAL_FLOOR;
                boolean cut = ro.done()[i] || t == T - 1;
                double vsNextAbs = cut ? Math.abs(ro.nextValue()[i]) : Math.abs(vsR[i + E]);
                sVs[i] = own + (cut ? 0 : c.gamma() * cc * (vsNextAbs + Math.abs(ro.nextValue()[i]) + next));
                sPg[i] = rho * (Math.abs(ro.reward()[i]) + c.gamma() * vsNextAbs + Math.abs(ro.value()[i]))
                        + 2 * Math.abs(pgR[i]) + SUBNORMAL_FLOOR + (cut ? 0 : rho * c.gamma() * next);
                next = sVs[i];
            }
        }
        assertSameClassesAndClose("v-trace vs " + c, vsR, vsS, n, sVs);
        assertSameClassesAndClose("v-trace pgAdv " + c, pgR, pgS, n, sPg);
        untouchedPastTheShape(vsS, n);
        untouchedPastTheShape(pgS, n);
    }

    private static void untouchedPastTheShape(float[] out, int n) {
        for (int i = n; i < out.length; i++) {
            assertEquals(Float.floatToRawIntBits(BadInput.SENTINEL), Float.floatToRawIntBits(out[i]),
                    "element " + i + " past T*E = " + n + " was written");
        }
    }

    @Test
    void shapeChoosesTheStrategy() {
        OpenClScans auto = new OpenClScans(OpenClTests.backend().context());
        assertEquals(Strategy.ENVS, auto.strategyFor(2048, 1024));
        assertEquals(Strategy.CHUNKED, auto.strategyFor(1_000_000, 1));
        assertEquals(Strategy.CHUNKED, auto.strategyFor(2048, 8));
        assertEquals(Strategy.ENVS, auto.strategyFor(10, 1), "short rollouts stay one item per environment");
        assertEquals(245, OpenClScans.chunkLength(1_000_000, 1));
    }

    @Test
    void oneLongHorizon() {
        // T = 10^6, E = 1: the chunked scan with chunks of 245 steps (bound of the class comment)
        Case c = new Case(1_000_000, 1, 0.99f, 0.95f, Flags.RARE, 0.5, 42L, null);
        check(c);
    }

    @Test
    void nanDoesNotCrossAnEpisodeBoundaryInEitherStrategy() {
        // chunks of 16 steps: the NaN sits in chunk 4, the boundary in chunk 1, so chunk 0's carry
        // comes through chunk 1's composed map, whose cut must stop the NaN (0 * NaN is NaN)
        for (Strategy st : Strategy.values()) {
            int T = 69, E = 1, boundary = 30;
            float[] r = new float[T], v = new float[T], nv = new float[T], adv = new float[T];
            boolean[] term = new boolean[T], done = new boolean[T];
            Arrays.fill(r, 1f);
            r[T - 2] = Float.NaN;
            done[boundary] = true;
            new OpenClScans(OpenClTests.backend().context(), st).gae(T, E, r, v, nv, term, done, 1f, 1f, adv, null, null);
            for (int t = 0; t <= boundary; t++) {
                assertTrue(Float.isFinite(adv[t]), st + ": NaN crossed the boundary to t = " + t);
            }
            for (int t = boundary + 1; t <= T - 2; t++) {
                assertTrue(Float.isNaN(adv[t]), st + ": NaN must propagate within its episode, t = " + t);
            }
            assertEquals(1f, adv[T - 1], st.toString());
        }
    }

    @Test
    void badInputIsRejectedBeforeAnyOutputIsWritten() {
        ScanKernels k = OpenClTests.backend().scans().orElseThrow();
        float[] x = new float[6], adv = BadInput.sentinel(6), ret = BadInput.sentinel(6);
        boolean[] f = new boolean[6];
        BadInput.assertRejected("gamma", () -> k.gae(2, 3, x, x, x, f, f, 1.5f, 0.9f, adv, ret, null), adv, ret);
        BadInput.assertRejected("reward", () -> k.gae(2, 4, x, x, x, f, f, 0.9f, 0.9f, adv, ret, null), adv, ret);
        BadInput.assertRejected("rhoBar", () -> k.vtrace(2, 3, x, x, x, x, f, f, 0.9f, 1f, -1f, 1f, adv, ret, null), adv, ret);
    }

    @Test
    void emptyRolloutsDoNothing() {
        ScanKernels k = OpenClTests.backend().scans().orElseThrow();
        float[] out = BadInput.sentinel(4);
        k.gae(0, 7, new float[0], new float[0], new float[0], new boolean[0], new boolean[0], 0.9f, 0.9f, out, null, null);
        k.rewardToGo(5, 0, new float[0], new boolean[0], 0.9f, out, null);
        untouchedPastTheShape(out, 0);
    }

    @Test
    void deviceResidentRolloutRunsSeveralKernels() {
        OpenClBackend b = OpenClTests.backend();
        OpenClContext ctx = b.context();
        int T = 500, E = 3, n = T * E;
        ScanRollouts ro = ScanRollouts.generate(11, T, E, 0.05, 0.5, 10f, 0);
        float[] advR = new float[n], vsR = new float[n], pgR = new float[n];
        REF.gae(T, E, ro.reward(), ro.value(), ro.nextValue(), ro.terminated(), ro.done(), 0.99f, 0.95f, advR, null, null);
        REF.vtrace(T, E, ro.logRho(), ro.reward(), ro.value(), ro.nextValue(), ro.terminated(), ro.done(), 0.99f, 1f,
                1f, 1f, vsR, pgR, null);
        int before = ctx.liveBuffers();
        try (DeviceBuffer r = ctx.upload(ro.reward(), 0, n); DeviceBuffer v = ctx.upload(ro.value(), 0, n);
                DeviceBuffer nv = ctx.upload(ro.nextValue(), 0, n); DeviceBuffer te = ctx.upload(ro.terminated(), n);
                DeviceBuffer d = ctx.upload(ro.done(), n); DeviceBuffer lr = ctx.upload(ro.logRho(), 0, n);
                DeviceBuffer adv = ctx.floats(n); DeviceBuffer vs = ctx.floats(n); DeviceBuffer pg = ctx.floats(n)) {
            b.openClScans().gae(T, E, r, v, nv, te, d, 0.99f, 0.95f, adv, null);
            float[] rtgR = new float[n];
            REF.rewardToGo(T, E, ro.reward(), ro.done(), 0.99f, rtgR, null);
            b.openClScans().rewardToGo(T, E, r, d, 0.99f, pg);
            Tolerance.spec().assertClose("device reward-to-go", rtgR, pg.toFloatArray(), n, 1000.0);
            b.openClScans().vtrace(T, E, lr, r, v, nv, te, d, 0.99f, 1f, 1f, 1f, vs, pg);
            Tolerance.spec().assertClose("device gae", advR, adv.toFloatArray(), n, 100.0);
            Tolerance.spec().assertClose("device vtrace vs", vsR, vs.toFloatArray(), n, 100.0);
            Tolerance.spec().assertClose("device vtrace pgAdv", pgR, pg.toFloatArray(), n, 100.0);
            BadInput.assertRejected("lambda", () -> b.openClScans().gae(T, E, r, v, nv, te, d, 0.99f, 2f, adv, null));
            BadInput.assertRejected("terminated", () -> b.openClScans().gae(T, E, r, v, nv, r, d, 0.99f, 0.9f, adv, null));
        }
        assertEquals(before, ctx.liveBuffers());
    }
}
