package dev.pgkernels.simd;

import dev.pgkernels.scan.AbstractScanKernels;
import dev.pgkernels.scan.ScanWorkspace;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@code simd} scans (SPEC §3) in the Vector API, fp32, with the preferred species. Two
 * strategies compute the same reverse recurrence {@code A_t = d_t + c_t A_{t+1}}:
 *
 * <ul>
 *   <li>{@link Strategy#ACROSS_ENVS} — many environments: one pass from {@code t = T-1} down to 0;
 *       at each row, a vector of environments, flags loaded as masks, and the carry
 *       {@code A_{t+1}} of each environment kept in the workspace (one row, L1-resident). A row's
 *       last partial vector is masked, never re-run in scalar code.</li>
 *   <li>{@link Strategy#ALONG_TIME} — few environments, long horizons ({@code E} dividing the lane
 *       count): a vector holds {@code L/E} consecutive time steps of all {@code E} environments.
 *       The affine maps {@code x -> d_t + c_t x} of the lanes are composed associatively inside the
 *       vector by a log-step (Hillis–Steele) scan over lane distances {@code E, 2E, 4E, …}, so each
 *       lane holds the composition from its step to the vector's end; one FMA with the carry from
 *       the following vector then finishes all lanes. The serial dependency is one FMA and one
 *       lane permute per vector instead of one FMA per step. V-trace runs this in L1-sized tiles
 *       of three passes (terms, scan, pgAdv). An episode boundary is a hard barrier: a
 *       lane whose composed range contains a {@code done} flag never takes anything from beyond it
 *       (the {@code (1 - done)} factor is a select, as SPEC requires, so NaN does not cross).</li>
 * </ul>
 * The public methods choose by shape ({@link SimdThresholds}); {@link #SimdScans(Strategy)}
 * forces one, for tests and benchmarks. Results agree with the reference to fp32 rounding; the
 * composition reassociates the products of {@code c}, which changes rounding, not the value.
 *
 * <p>Allocation-free: the scratch (a row of {@code E} carries across environments; {@code L}
 * floats of carry for GAE along time; {@code L + 4·TILE} floats for V-trace along time) comes from
 * the workspace, and is allocated per call only when the caller passes {@code null}. Carries live
 * in that scratch rather than in loop variables, which C2 would box on every iteration.
 */
public final class SimdScans extends AbstractScanKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final FloatVector ZERO = FloatVector.zero(S);
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);
    /** A long with the low L bits set: every lane, for {@link VectorMask#fromLong}. */
    private static final long ALL_LANES = L == 64 ? -1L : (1L << L) - 1;
    /** log2(L): the log-step scan's rounds (extra rounds, for E > 1, shift in only identity lanes). */
    private static final int STEPS = Integer.numberOfTrailingZeros(L);

    /** {@code MOD[E]}: lane i -> lane i mod E, for every E that divides L (others null). */
    private static final VectorShuffle<Float>[] MOD = modShuffles();

    /** How the reverse recurrence is vectorised. */
    public enum Strategy {
        /** Vectorise across environments, one time step at a time. */
        ACROSS_ENVS,
        /** Vectorise along time with a log-step affine scan inside each vector; needs E | lanes. */
        ALONG_TIME
    }

    private final Strategy forced;

    /** Chooses the strategy by shape. */
    public SimdScans() {
        this.forced = null;
    }

    /**
     * Always uses {@code strategy} where it applies: {@link Strategy#ALONG_TIME} needs {@code E}
     * to divide the lane count and falls back to {@link Strategy#ACROSS_ENVS} otherwise.
     */
    public SimdScans(Strategy strategy) {
        this.forced = strategy;
    }

    /** The fp32 lane count of the species in use. */
    public static int lanes() {
        return L;
    }

    /** The strategy the public methods use for a {@code T × E} rollout. */
    public Strategy strategyFor(int T, int E) {
        boolean alongPossible = E >= 1 && E < L && L % E == 0;
        if (forced != null) {
            return forced == Strategy.ALONG_TIME && alongPossible ? Strategy.ALONG_TIME : Strategy.ACROSS_ENVS;
        }
        return alongPossible && E <= SimdThresholds.SCAN_ALONG_TIME_MAX_E && T >= SimdThresholds.SCAN_ALONG_TIME_MIN_T
                ? Strategy.ALONG_TIME : Strategy.ACROSS_ENVS;
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] modShuffles() {
        VectorShuffle<Float>[] m = new VectorShuffle[L + 1];
        for (int e = 1; e <= L; e++) {
            if (L % e == 0) {
                final int ee = e;
                m[e] = VectorShuffle.fromOp(S, i -> i % ee);
            }
        }
        return m;
    }

    /** Carry scratch of {@code n} floats: from the workspace, or (when the caller passed none) a new array. */
    private static float[] carryRow(ScanWorkspace ws, int E) {
        return ws == null ? new float[E] : ws.floats(E);
    }

    /**
     * The bits of the {@code count < L} flags at {@code a[off ..]}, for {@link VectorMask#fromLong}.
     * (Returns a primitive so no mask object crosses a call boundary: a vector or mask passed
     * between methods that C2 does not inline is boxed, i.e. allocated.)
     */
    private static long tailBits(boolean[] a, int off, int count) {
        long bits = 0;
        for (int j = 0; j < count; j++) {
            if (a[off + j]) {
                bits |= 1L << j;
            }
        }
        return bits;
    }

    // ------------------------------------------------------------------ GAE and friends

    @Override
    protected void gaeKernel(int T, int E, float[] reward, float[] value, float[] nextValue, boolean[] terminated,
            boolean[] done, float gamma, float lambda, float[] advantages, float[] returns, ScanWorkspace ws) {
        gae(T, E, reward, value, nextValue, 0, terminated, done, gamma, lambda, advantages, returns, ws);
    }

    @Override
    protected void gaeCompactKernel(int T, int E, float[] reward, float[] value, boolean[] dones, float gamma,
            float lambda, float[] advantages, float[] returns, ScanWorkspace ws) {
        // nextValue_t = value_{t+1}: the value array read one row further on; terminated = done = dones.
        gae(T, E, reward, value, value, E, dones, dones, gamma, lambda, advantages, returns, ws);
    }

    @Override
    protected void rewardToGoKernel(int T, int E, float[] reward, boolean[] done, float gamma, float[] out,
            ScanWorkspace ws) {
        // GAE with lambda = 1 and zero values: delta_t = r_t, A_t = r_t + gamma (1 - done_t) A_{t+1}.
        gae(T, E, reward, null, null, 0, done, done, gamma, 1f, out, null, ws);
    }

    /**
     * GAE with {@code nextValue_t = nextValue[nvOff + i]}; {@code value == null} means all values
     * are 0 (reward-to-go). Writes advantages and/or returns (either may be null).
     */
    private void gae(int T, int E, float[] reward, float[] value, float[] nextValue, int nvOff, boolean[] terminated,
            boolean[] done, float gamma, float lambda, float[] adv, float[] ret, ScanWorkspace ws) {
        if (strategyFor(T, E) == Strategy.ALONG_TIME) {
            gaeAlongTime(T * E, E, reward, value, nextValue, nvOff, terminated, done, gamma, lambda, adv, ret,
                    carryRow(ws, L));
        } else {
            gaeAcrossEnvs(T, E, reward, value, nextValue, nvOff, terminated, done, gamma, lambda, adv, ret,
                    carryRow(ws, E));
        }
    }

    private static void gaeAcrossEnvs(int T, int E, float[] reward, float[] value, float[] nextValue, int nvOff,
            boolean[] terminated, boolean[] done, float gamma, float lambda, float[] adv, float[] ret, float[] carry) {
        final float gl = gamma * lambda;
        for (int e = 0; e < E; e++) {
            carry[e] = 0f; // A_T = 0
        }
        for (int t = T - 1; t >= 0; t--) {
            int row = t * E;
            for (int e = 0; e < E; e += L) {
                int count = Math.min(L, E - e);
                VectorMask<Float> m = count == L ? S.maskAll(true) : S.indexInRange(0, count);
                int i = row + e;
                FloatVector r = FloatVector.fromArray(S, reward, i, m);
                FloatVector v = value == null ? ZERO : FloatVector.fromArray(S, value, i, m);
                FloatVector nv = value == null ? ZERO : FloatVector.fromArray(S, nextValue, nvOff + i, m);
                VectorMask<Float> term = (count == L ? VectorMask.fromArray(S, terminated, i) : VectorMask.fromLong(S, tailBits(terminated, i, count)));
                VectorMask<Float> dn = (count == L ? VectorMask.fromArray(S, done, i) : VectorMask.fromLong(S, tailBits(done, i, count)));
                // delta = r + gamma * (terminated ? 0 : nv) - v   (a select: no 0 * Inf)
                FloatVector delta = nv.mul(gamma).blend(ZERO, term).add(r).sub(v);
                FloatVector next = FloatVector.fromArray(S, carry, e, m);
                // A = delta + (done ? 0 : gamma*lambda*A_{t+1})
                FloatVector a = delta.add(next.mul(gl).blend(ZERO, dn));
                a.intoArray(carry, e, m);
                if (adv != null) {
                    a.intoArray(adv, i, m);
                }
                if (ret != null) {
                    a.add(v).intoArray(ret, i, m);
                }
            }
        }
    }

    /**
     * The along-time scan over the flat {@code n = T*E} elements, E | L. Vectors are aligned at
     * 0; the last (partial) one is processed first with identity lanes past the end.
     */
    private static void gaeAlongTime(int n, int E, float[] reward, float[] value, float[] nextValue, int nvOff,
            boolean[] terminated, boolean[] done, float gamma, float lambda, float[] adv, float[] ret, float[] prev) {
        final float gl = gamma * lambda;
        final FloatVector glv = FloatVector.broadcast(S, gl);
        final VectorShuffle<Float> mod = MOD[E];
        // The result of the following vector lives in prev[0..L): a vector carried around the loop
        // in a variable would be boxed (allocated) on every iteration.
        ZERO.intoArray(prev, 0);
        int base = ((n - 1) / L) * L;
        for (; base >= 0; base -= L) {
            int count = Math.min(L, n - base);
            VectorMask<Float> m = count == L ? S.maskAll(true) : S.indexInRange(0, count);
            FloatVector r = FloatVector.fromArray(S, reward, base, m);
            FloatVector v = value == null ? ZERO : FloatVector.fromArray(S, value, base, m);
            FloatVector nv = value == null ? ZERO : FloatVector.fromArray(S, nextValue, nvOff + base, m);
            VectorMask<Float> term = (count == L ? VectorMask.fromArray(S, terminated, base) : VectorMask.fromLong(S, tailBits(terminated, base, count)));
            VectorMask<Float> dn = (count == L ? VectorMask.fromArray(S, done, base) : VectorMask.fromLong(S, tailBits(done, base, count)));
            FloatVector delta = nv.mul(gamma).blend(ZERO, term).add(r).sub(v);
            // lanes past the end are the identity map (c = 1, d = 0), so the carry passes through them
            FloatVector c = glv.blend(ONE, m.not());
            FloatVector carry = FloatVector.fromArray(S, prev, 0).rearrange(mod); // A_{t+1} per environment
            // Compose the lanes' affine maps (log-step, distances E, 2E, 4E, ...): afterwards lane i
            // holds d_i + c_i (d_{i+E} + c_{i+E} (... )) up to the vector's end; a lane whose range holds
            // a barrier (done) stops there: c = 0 and nothing from its right is added (a select).
            // Written inline, not as a method, and with a constant trip count (STEPS) so C2 unrolls it
            // fully: vectors crossing a non-inlined call or a loop back-edge are boxed (allocated).
            FloatVector dd = delta;
            FloatVector cc = c.blend(ZERO, dn);
            VectorMask<Float> barrier = dn;
            FloatVector bv = ZERO.blend(ONE, barrier);
            for (int j = 0; j < STEPS; j++) {
                int k = Math.min(E << j, L);          // a distance of L shifts in only identity lanes
                FloatVector dk = dd.slice(k, ZERO);   // lane i <- d_{i+k}; past the end: identity d = 0
                FloatVector ck = cc.slice(k, ONE);    // lane i <- c_{i+k}; past the end: identity c = 1
                FloatVector bk = bv.slice(k, ZERO);
                dd = dd.add(dk.mul(cc)).blend(dd, barrier);
                cc = cc.mul(ck).blend(ZERO, barrier);
                bv = bv.max(bk);
                barrier = bv.compare(VectorOperators.NE, 0f);
            }
            FloatVector a = dd.add(carry.mul(cc)).blend(dd, barrier);
            a.intoArray(prev, 0);
            if (adv != null) {
                a.intoArray(adv, base, m);
            }
            if (ret != null) {
                a.add(v).intoArray(ret, base, m);
            }
        }
    }

    // ------------------------------------------------------------------ V-trace

    @Override
    protected void vtraceKernel(int T, int E, float[] logRho, float[] reward, float[] value, float[] nextValue,
            boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar, float cBar, float[] vs,
            float[] pgAdv, ScanWorkspace ws) {
        if (strategyFor(T, E) == Strategy.ALONG_TIME) {
            vtraceAlongTime(T * E, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar, cBar,
                    vs, pgAdv, carryRow(ws, L + 4 * TILE));
        } else {
            vtraceAcrossEnvs(T, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar, cBar, vs,
                    pgAdv, carryRow(ws, E));
        }
    }

    private static void vtraceAcrossEnvs(int T, int E, float[] logRho, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar,
            float cBar, float[] vs, float[] pgAdv, float[] vsNextRow) {
        for (int t = T - 1; t >= 0; t--) {
            int row = t * E;
            boolean last = t == T - 1;
            for (int e = 0; e < E; e += L) {
                int count = Math.min(L, E - e);
                VectorMask<Float> m = count == L ? S.maskAll(true) : S.indexInRange(0, count);
                int i = row + e;
                FloatVector ratio = FloatVector.fromArray(S, logRho, i, m).lanewise(VectorOperators.EXP);
                FloatVector rho = ratio.min(rhoBar);
                FloatVector c = ratio.min(cBar).mul(lambda);
                FloatVector r = FloatVector.fromArray(S, reward, i, m);
                FloatVector v = FloatVector.fromArray(S, value, i, m);
                FloatVector nv = FloatVector.fromArray(S, nextValue, i, m);
                VectorMask<Float> term = (count == L ? VectorMask.fromArray(S, terminated, i) : VectorMask.fromLong(S, tailBits(terminated, i, count)));
                VectorMask<Float> dn = (count == L ? VectorMask.fromArray(S, done, i) : VectorMask.fromLong(S, tailBits(done, i, count)));
                FloatVector delta = rho.mul(nv.mul(gamma).blend(ZERO, term).add(r).sub(v));
                FloatVector out;
                FloatVector vsNext;
                if (last) {
                    out = v.add(delta);
                    vsNext = nv;
                } else {
                    FloatVector vsNextStep = FloatVector.fromArray(S, vsNextRow, e, m);
                    FloatVector carry = c.mul(gamma).mul(vsNextStep.sub(nv)).blend(ZERO, dn);
                    out = v.add(delta).add(carry);
                    vsNext = vsNextStep.blend(nv, dn);
                }
                out.intoArray(vs, i, m);
                out.intoArray(vsNextRow, e, m);
                if (pgAdv != null) {
                    rho.mul(vsNext.mul(gamma).blend(ZERO, term).add(r).sub(v)).intoArray(pgAdv, i, m);
                }
            }
        }
    }

    /** V-trace along time works in tiles of this many elements (a multiple of every lane count). */
    static final int TILE = 1024;

    /**
     * V-trace along time, in {@code u_t = vs_t - value_t}:
     * {@code u_t = δ_t + g_t (u_{t+1} + value_{t+1} - nextValue_t)} with {@code g_t = γ c_t}
     * (0 where done, and at t = T-1), i.e. the affine map with {@code d_t = δ_t + g_t (value_{t+1} -
     * nextValue_t)} and coefficient {@code g_t}.
     *
     * <p>The rollout is cut into tiles of {@link #TILE} elements, processed from the last; each tile
     * makes three passes over L1-resident data: the per-step terms ({@link #vtraceTerms}), the
     * reverse scan ({@link #vtraceScanTile}), and {@code pgAdv} ({@link #vtracePgAdvTile}). Three
     * methods rather than one loop body: a single method this large exceeds C2's inlining budget,
     * and a Vector API call that is not inlined runs its boxed Java fallback.
     *
     * @param ws at least {@code L + 4*TILE} floats: the carry, then d, c, barrier (0/1) and ρ of a tile
     */
    private static void vtraceAlongTime(int n, int E, float[] logRho, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar,
            float cBar, float[] vs, float[] pgAdv, float[] ws) {
        ZERO.intoArray(ws, 0); // u_{t+1} past the end: 0
        for (int lo = ((n - 1) / TILE) * TILE; lo >= 0; lo -= TILE) {
            int hi = Math.min(n, lo + TILE);
            vtraceTerms(lo, hi, n, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar,
                    cBar, ws);
            vtraceScanTile(lo, hi, E, value, vs, ws);
            if (pgAdv != null) {
                vtracePgAdvTile(lo, hi, n, E, reward, value, nextValue, terminated, gamma, vs, pgAdv, ws);
            }
        }
    }

    /** Bits of the lanes {@code i < count} whose flat index {@code base + i + E} is still {@code < n}. */
    private static long hasNextBits(int base, int count, int n, int E) {
        long lanes = count == L ? ALL_LANES : (1L << count) - 1;
        int next = n - base - E; // lanes 0 .. next-1 have a following step
        return next >= L ? lanes : next <= 0 ? 0L : ((1L << next) - 1) & lanes;
    }

    /** Pass 1 of a tile: d_t, the coefficient (1 on lanes past the end), the barrier as 0/1, and ρ_t. */
    private static void vtraceTerms(int lo, int hi, int n, int E, float[] logRho, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar,
            float cBar, float[] ws) {
        final int dOff = L - lo, cOff = L + TILE - lo, bOff = L + 2 * TILE - lo, rOff = L + 3 * TILE - lo;
        for (int base = lo; base < hi; base += L) {
            int count = Math.min(L, hi - base);
            VectorMask<Float> m = count == L ? S.maskAll(true) : S.indexInRange(0, count);
            long nextBits = hasNextBits(base, count, n, E);
            long lanes = count == L ? ALL_LANES : (1L << count) - 1;
            FloatVector ratio = FloatVector.fromArray(S, logRho, base, m).lanewise(VectorOperators.EXP);
            FloatVector rho = ratio.min(rhoBar);
            FloatVector g = ratio.min(cBar).mul(lambda).mul(gamma);
            FloatVector r = FloatVector.fromArray(S, reward, base, m);
            FloatVector v = FloatVector.fromArray(S, value, base, m);
            FloatVector nv = FloatVector.fromArray(S, nextValue, base, m);
            FloatVector vNext = FloatVector.fromArray(S, value, base + E, VectorMask.fromLong(S, nextBits));
            VectorMask<Float> term = count == L ? VectorMask.fromArray(S, terminated, base)
                    : VectorMask.fromLong(S, tailBits(terminated, base, count));
            long doneBits = count == L ? VectorMask.fromArray(S, done, base).toLong() : tailBits(done, base, count);
            // the carry is cut where done and at the last step (no following step)
            VectorMask<Float> cut = VectorMask.fromLong(S, (doneBits | ~nextBits) & lanes);
            FloatVector delta = rho.mul(nv.mul(gamma).blend(ZERO, term).add(r).sub(v));
            delta.add(g.mul(vNext.sub(nv)).blend(ZERO, cut)).intoArray(ws, dOff + base);
            g.blend(ZERO, cut).blend(ONE, m.not()).intoArray(ws, cOff + base);
            ZERO.blend(ONE, cut).intoArray(ws, bOff + base);
            rho.intoArray(ws, rOff + base);
        }
    }

    /** Pass 2 of a tile: the reverse scan of u, from the carry in ws[0..L); writes vs = u + value. */
    private static void vtraceScanTile(int lo, int hi, int E, float[] value, float[] vs, float[] ws) {
        final VectorShuffle<Float> mod = MOD[E];
        final int dOff = L - lo, cOff = L + TILE - lo, bOff = L + 2 * TILE - lo;
        for (int base = lo + ((hi - 1 - lo) / L) * L; base >= lo; base -= L) {
            int count = Math.min(L, hi - base);
            VectorMask<Float> m = count == L ? S.maskAll(true) : S.indexInRange(0, count);
            FloatVector carryU = FloatVector.fromArray(S, ws, 0).rearrange(mod); // u_{t+1} per environment
            FloatVector dd = FloatVector.fromArray(S, ws, dOff + base);
            FloatVector cc = FloatVector.fromArray(S, ws, cOff + base);
            FloatVector bv = FloatVector.fromArray(S, ws, bOff + base);
            VectorMask<Float> barrier = bv.compare(VectorOperators.NE, 0f);
            // the log-step composition, as in gaeAlongTime (constant trip count: unrolled, no boxing)
            for (int j = 0; j < STEPS; j++) {
                int k = Math.min(E << j, L);
                FloatVector dk = dd.slice(k, ZERO);
                FloatVector ck = cc.slice(k, ONE);
                FloatVector bk = bv.slice(k, ZERO);
                dd = dd.add(dk.mul(cc)).blend(dd, barrier);
                cc = cc.mul(ck).blend(ZERO, barrier);
                bv = bv.max(bk);
                barrier = bv.compare(VectorOperators.NE, 0f);
            }
            FloatVector u = dd.add(carryU.mul(cc)).blend(dd, barrier);
            u.add(FloatVector.fromArray(S, value, base, m)).intoArray(vs, base, m);
            u.intoArray(ws, 0);
        }
    }

    /** Pass 3 of a tile: pgAdv_t = ρ_t (r_t + γ (1 - terminated_t) vsNext_t - value_t). */
    private static void vtracePgAdvTile(int lo, int hi, int n, int E, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, float gamma, float[] vs, float[] pgAdv, float[] ws) {
        final int bOff = L + 2 * TILE - lo, rOff = L + 3 * TILE - lo;
        for (int base = lo; base < hi; base += L) {
            int count = Math.min(L, hi - base);
            VectorMask<Float> m = count == L ? S.maskAll(true) : S.indexInRange(0, count);
            VectorMask<Float> cut = FloatVector.fromArray(S, ws, bOff + base).compare(VectorOperators.NE, 0f);
            FloatVector nv = FloatVector.fromArray(S, nextValue, base, m);
            // vs_{t+1} (already final: later tiles were done first), or nextValue where cut
            FloatVector vsNext = FloatVector.fromArray(S, vs, base + E, VectorMask.fromLong(S, hasNextBits(base, count, n, E)))
                    .blend(nv, cut);
            VectorMask<Float> term = count == L ? VectorMask.fromArray(S, terminated, base)
                    : VectorMask.fromLong(S, tailBits(terminated, base, count));
            FloatVector r = FloatVector.fromArray(S, reward, base, m);
            FloatVector v = FloatVector.fromArray(S, value, base, m);
            FloatVector rho = FloatVector.fromArray(S, ws, rOff + base);
            rho.mul(vsNext.mul(gamma).blend(ZERO, term).add(r).sub(v)).intoArray(pgAdv, base, m);
        }
    }
}
