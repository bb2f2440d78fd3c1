package dev.pgkernels.simd;

import dev.pgkernels.scan.AbstractScanKernels;
import dev.pgkernels.scan.ScanWorkspace;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@code simd} scans (SPEC §3) in the Vector API, fp32, with the preferred species. Three
 * strategies compute the same reverse recurrence {@code A_t = d_t + c_t A_{t+1}}:
 *
 * <ul>
 *   <li>{@link Strategy#ACROSS_ENVS} — many environments: one pass from {@code t = T-1} down to 0;
 *       at each row, a vector of environments, flags loaded as masks, and the carry
 *       {@code A_{t+1}} of each environment kept in the workspace (one row, L1-resident). A row's
 *       last partial vector is masked, never re-run in scalar code.</li>
 *   <li>{@link Strategy#ALONG_TIME} — few environments ({@code E} dividing the lane count): a
 *       vector holds {@code L/E} consecutive time steps of all {@code E} environments. The affine
 *       maps {@code x -> d_t + c_t x} of the lanes are composed associatively inside the vector by
 *       a log-step (Hillis–Steele) scan over lane distances {@code E, 2E, 4E, …}, so each lane holds
 *       the composition from its step to the vector's end; one FMA with the carry from the
 *       following vector (kept in a register) then finishes all lanes. The serial dependency is one
 *       lane permute, one FMA and one select per vector instead of one FMA per step. GAE is one
 *       pass (its coefficients are all {@code γλ}, so a round is one zeroing permute and one FMA
 *       with a power of {@code γλ}); V-trace computes its terms for a block of vectors in one loop
 *       and composes them in a second. An episode boundary is a hard barrier: a lane whose
 *       composed range contains a {@code done} flag never takes anything from beyond it (the
 *       {@code (1 - done)} factor is a select, as SPEC requires, so NaN does not cross).</li>
 *   <li>{@link Strategy#CHUNKED} — few environments, long horizons ({@code E} dividing the lane
 *       count): time is cut into chunks of {@code SCAN_CHUNK_VECTORS·L} steps; each chunk is scanned
 *       with a zero carry while its product of {@code c} is accumulated (inside each vector by the
 *       log-step composition, across the chunk's vectors by a scan vectorised across the chunks of
 *       an L2-sized tile: one lane per chunk and environment), then the chunks are fixed up from
 *       right to left and every element gets its carry in one FMA. No serial dependency is left
 *       but {@code L} scalar FMAs per tile; see the comment above {@code gaeChunked} for the passes.
 *       Its passes cost more per element than the along-time pass, which measured faster at every
 *       length ({@link SimdThresholds#SCAN_ALONG_TIME_MAX_E}): it is used only when forced.</li>
 * </ul>
 * The public methods choose by shape ({@link SimdThresholds}); {@link #SimdScans(Strategy)}
 * forces one, for tests and benchmarks. Results agree with the reference to fp32 rounding; the
 * composition reassociates the products of {@code c}, which changes rounding, not the value.
 *
 * <p><b>V-trace's ratio.</b> {@code exp(logRho)} is only used clipped, {@code min(ρ̄, ·)} and
 * {@code min(c̄, ·)}, so it is computed by {@link SimdExp#expClipped}: arguments above
 * {@code ln max(ρ̄, c̄) + 0.01} (at most 89) are taken at that ceiling (the clips then return
 * {@code ρ̄} and {@code c̄} exactly, as for the true ratio) and ratios below {@code e^-86.5 ≈ 2.7e-38}
 * are 0 — an absolute change below {@code 2.7e-38} in {@code ρ} and {@code c/λ}, which the double
 * reference keeps. That saves the full exp's split scale and a clamp, 10% of a V-trace step
 * (measured in L2 at 128×64: 3.6 → 3.2 µs). With {@code +Inf} clips a ratio above
 * {@code Float.MAX_VALUE} is {@code +Inf}, as in any fp32 computation.
 *
 * <p>Allocation-free: the scratch (a row of {@code E} carries across environments; the powers
 * of {@code γλ} and a carry for GAE along time; a block of terms for V-trace along time; three
 * tiles and the chunk-level rows for chunked, {@link #chunkScratch}) comes from
 * the workspace, and is allocated per call only when the caller passes {@code null}. A vector
 * carried around a loop in a local variable stays in a register as long as every Vector API call
 * in the loop is inlined (measured: 32 bytes allocated per call, the same as before); a vector
 * that crosses a method call is boxed, so between methods carries pass through the scratch.
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
    /**
     * Rounds in the chunked strategy's tables: at least 4, so its loops can hold the first four
     * rounds' shuffles, masks and coefficients in local variables (a shuffle read from an array
     * inside the loop costs about 1 ns per use, measured); rounds past {@code STEPS} are no-ops.
     */
    private static final int R = Math.max(STEPS, 4);

    /** {@code MOD[E]}: lane i -> lane i mod E, for every E that divides L (others null). */
    private static final VectorShuffle<Float>[] MOD = modShuffles();

    /** How the reverse recurrence is vectorised. */
    public enum Strategy {
        /** Vectorise across environments, one time step at a time. */
        ACROSS_ENVS,
        /** Vectorise along time with a log-step affine scan inside each vector; needs E | lanes. */
        ALONG_TIME,
        /**
         * Chunked associative scan: time cut into chunks, each scanned with a zero carry while its
         * product of {@code c} is accumulated, then fixed up from right to left, with the chunk-level
         * scan vectorised across chunks; needs E | lanes.
         */
        CHUNKED
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
            return forced != Strategy.ACROSS_ENVS && alongPossible ? forced : Strategy.ACROSS_ENVS;
        }
        if (!alongPossible || E > SimdThresholds.SCAN_ALONG_TIME_MAX_E) {
            return Strategy.ACROSS_ENVS;
        }
        return T >= SimdThresholds.SCAN_ALONG_TIME_MIN_T ? Strategy.ALONG_TIME : Strategy.ACROSS_ENVS;
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
        Strategy st = strategyFor(T, E);
        if (st == Strategy.CHUNKED) {
            gaeChunked(T * E, E, reward, value, nextValue, nvOff, terminated, done, gamma, lambda, adv, ret,
                    carryRow(ws, chunkScratch(E)));
        } else if (st == Strategy.ALONG_TIME) {
            gaeAlongTime(T * E, E, reward, value, nextValue, nvOff, terminated, done, gamma, lambda, adv, ret,
                    carryRow(ws, ALONG_SCRATCH));
        } else {
            gaeAcrossEnvs(T, E, reward, value, nextValue, nvOff, terminated, done, gamma, lambda, adv, ret,
                    carryRow(ws, E));
        }
    }

    private static void gaeAcrossEnvs(int T, int E, float[] reward, float[] value, float[] nextValue, int nvOff,
            boolean[] terminated, boolean[] done, float gamma, float lambda, float[] adv, float[] ret, float[] carry) {
        final float gl = gamma * lambda;
        final int full = (E / L) * L; // environments in full vectors; the rest is one masked vector per row
        for (int e = 0; e < E; e++) {
            carry[e] = 0f; // A_T = 0
        }
        if (full == E && value != null) {
            flatGae(T * E, E, reward, value, nextValue, nvOff, terminated, done, gamma, gl, adv, ret, carry);
            return;
        }
        for (int t = T - 1; t >= 0; t--) {
            int row = t * E;
            if (value == null) {
                rowRtg(row, full, reward, done, gamma, adv, carry);
            } else {
                rowGae(row, full, reward, value, nextValue, nvOff, terminated, done, gamma, gl, adv, ret, carry);
            }
            if (full < E) {
                int count = E - full;
                VectorMask<Float> m = S.indexInRange(0, count);
                int i = row + full;
                // no vector ternary with the constant ZERO: such a phi is boxed, 192 B per row
                FloatVector delta = FloatVector.fromArray(S, reward, i, m);
                VectorMask<Float> dn = VectorMask.fromLong(S, tailBits(done, i, count));
                if (value != null) {
                    VectorMask<Float> term = VectorMask.fromLong(S, tailBits(terminated, i, count));
                    FloatVector nv = FloatVector.fromArray(S, nextValue, nvOff + i, m);
                    delta = nv.mul(gamma).blend(ZERO, term).add(delta).sub(FloatVector.fromArray(S, value, i, m));
                }
                FloatVector next = FloatVector.fromArray(S, carry, full, m);
                FloatVector a = next.fma(FloatVector.broadcast(S, gl), delta).blend(delta, dn); // A = delta + (done ? 0 : γλ A_{t+1})
                a.intoArray(carry, full, m);
                if (adv != null) {
                    a.intoArray(adv, i, m);
                }
                if (ret != null) { // value != null: reward-to-go has no returns
                    a.add(FloatVector.fromArray(S, value, i, m)).intoArray(ret, i, m);
                }
            }
        }
    }

    /**
     * One row of GAE across environments, full vectors only (unmasked loads and stores):
     * {@code A = δ + (done ? 0 : γλ A_{t+1})}, the carry row updated in place.
     */
    private static void rowGae(int row, int full, float[] reward, float[] value, float[] nextValue, int nvOff,
            boolean[] terminated, boolean[] done, float gamma, float gl, float[] adv, float[] ret, float[] carry) {
        final FloatVector glv = FloatVector.broadcast(S, gl);
        for (int e = 0; e < full; e += L) {
            int i = row + e;
            FloatVector r = FloatVector.fromArray(S, reward, i);
            FloatVector v = FloatVector.fromArray(S, value, i);
            FloatVector nv = FloatVector.fromArray(S, nextValue, nvOff + i);
            // delta = r + γ (terminated ? 0 : nv) - v   (a select: no 0 * Inf)
            FloatVector delta = nv.mul(gamma).blend(ZERO, VectorMask.fromArray(S, terminated, i)).add(r).sub(v);
            FloatVector a = FloatVector.fromArray(S, carry, e).fma(glv, delta)
                    .blend(delta, VectorMask.fromArray(S, done, i));
            a.intoArray(carry, e);
            if (adv != null) {
                a.intoArray(adv, i);
            }
            if (ret != null) {
                a.add(v).intoArray(ret, i);
            }
        }
    }

    /**
     * GAE across environments when {@code E} is a multiple of the lane count: one flat loop over
     * the vectors from the last to the first (no per-row loop, whose setup a row of a few vectors
     * pays every time), the carry row indexed by the vector's environment offset.
     */
    private static void flatGae(int n, int E, float[] reward, float[] value, float[] nextValue, int nvOff,
            boolean[] terminated, boolean[] done, float gamma, float gl, float[] adv, float[] ret, float[] carry) {
        final FloatVector glv = FloatVector.broadcast(S, gl);
        int e = E - L;
        for (int i = n - L; i >= 0; i -= L) {
            FloatVector r = FloatVector.fromArray(S, reward, i);
            FloatVector v = FloatVector.fromArray(S, value, i);
            FloatVector nv = FloatVector.fromArray(S, nextValue, nvOff + i);
            FloatVector delta = nv.mul(gamma).blend(ZERO, VectorMask.fromArray(S, terminated, i)).add(r).sub(v);
            FloatVector a = FloatVector.fromArray(S, carry, e).fma(glv, delta)
                    .blend(delta, VectorMask.fromArray(S, done, i));
            a.intoArray(carry, e);
            if (adv != null) {
                a.intoArray(adv, i);
            }
            if (ret != null) {
                a.add(v).intoArray(ret, i);
            }
            e -= L;
            if (e < 0) {
                e = E - L;
            }
        }
    }

    /** One row of reward-to-go across environments, full vectors only: {@code G = r + (done ? 0 : γ G_{t+1})}. */
    private static void rowRtg(int row, int full, float[] reward, boolean[] done, float gamma, float[] out,
            float[] carry) {
        final FloatVector gv = FloatVector.broadcast(S, gamma);
        for (int e = 0; e < full; e += L) {
            int i = row + e;
            FloatVector r = FloatVector.fromArray(S, reward, i);
            FloatVector a = FloatVector.fromArray(S, carry, e).fma(gv, r).blend(r, VectorMask.fromArray(S, done, i));
            a.intoArray(carry, e);
            a.intoArray(out, i);
        }
    }

    /** Along-time scratch: {@code POW} (L floats), the round coefficients {@code G_k} (R·L), the carry (L). */
    private static final int ALONG_SCRATCH = (R + 2) * L;

    /**
     * GAE along time over the flat {@code n = T*E} elements, E | L, in one pass with no scratch
     * tile: vectors from the last to the first, each vector's terms composed in registers by the
     * log-step scan, then finished with the carry from the following vector.
     *
     * <p>In GAE every coefficient is {@code c = γλ} except at a boundary, where it is a barrier. So
     * a boundary-free range of {@code 2^k} steps has the product {@code γλ^(2^k)} ({@code G_k}), and
     * round {@code k} is one zeroing permute and one FMA: lane {@code i} adds {@code G_k} times the
     * partial sum of lane {@code i + E·2^k} unless its own range already holds a boundary (tracked
     * as bits of a long: {@code b |= b >>> E·2^k}). After the rounds lane {@code i} holds
     * {@code Σ γλ^(s-t) δ_s} from its step {@code t} to its environment's last step in the vector
     * (or to the first boundary), and the lane's whole map is {@code x -> dd_i + POW_i x} with
     * {@code POW_i = γλ^(steps to the vector's end)}, or the constant {@code dd_i} where its range
     * holds a boundary (a select: a NaN or Inf carry does not cross). The carry {@code x} of
     * environment {@code e} is lane {@code e} of the following vector's result, permuted to every
     * lane of that environment: the only serial dependency is that permute, one FMA and a blend
     * per vector; the rest overlaps across vectors.
     *
     * <p>The rollout's last, partial vector (when {@code L} does not divide {@code n}) is done first
     * with masked loads, its lanes past the end being boundaries with {@code δ = 0}; it gets no
     * carry ({@code A_T = 0}).
     *
     * @param w at least {@link #ALONG_SCRATCH} floats
     */
    private static void gaeAlongTime(int n, int E, float[] reward, float[] value, float[] nextValue, int nvOff,
            boolean[] terminated, boolean[] done, float gamma, float lambda, float[] adv, float[] ret, float[] w) {
        final float gl = gamma * lambda;
        // POW lane i: γλ^(steps from lane i to the vector's end); G_k: γλ^(2^k). Powers in double
        // by repeated products (a few 2^-53 roundings), then rounded once to fp32.
        double g = gl;
        for (int k = 0; k < R; k++) {
            for (int i = 0; i < L; i++) {
                w[(k + 1) * L + i] = (float) g;
            }
            g *= g;
        }
        for (int i = 0; i < L; i++) {
            int steps = (L - i + E - 1) / E;
            double p = 1;
            for (int s = 0; s < steps; s++) {
                p *= gl;
            }
            w[i] = (float) p;
        }
        gaeAlongFull(n, E, reward, value, nextValue, nvOff, terminated, done, gamma, adv, ret, w);
    }

    /**
     * The vectors of {@link #gaeAlongTime} from the last: the rollout's partial last vector (if any)
     * with masks, its result through the carry slot, then the full ones ({@link #gaeAlongLoop}). The
     * partial vector is in this method rather than one of its own: run once per call, such a method
     * stays in C1 code for thousands of calls, where every vector operation allocates (measured:
     * 3.5 KB per call at 1000×1, 4.4 µs instead of 0.5).
     */
    private static void gaeAlongFull(int n, int E, float[] reward, float[] value, float[] nextValue, int nvOff,
            boolean[] terminated, boolean[] done, float gamma, float[] adv, float[] ret, float[] w) {
        final VectorShuffle<Float>[] shift = SHIFT[E];
        final long[] upd = UPD[E];
        final int[] shamt = SHAMT[E];
        final int top = (n / L) * L;
        if (top < n) {
            int count = n - top;
            VectorMask<Float> m = S.indexInRange(0, count);
            FloatVector d = FloatVector.fromArray(S, reward, top, m);
            FloatVector v = ZERO;
            if (value != null) {
                v = FloatVector.fromArray(S, value, top, m);
                FloatVector nv = FloatVector.fromArray(S, nextValue, nvOff + top, m);
                d = nv.mul(gamma).blend(ZERO, VectorMask.fromLong(S, tailBits(terminated, top, count))).add(d).sub(v);
            }
            // lanes past the end: boundaries with delta = 0 (the carry into this vector is A_T = 0)
            long b = tailBits(done, top, count) | (ALL_LANES & ~((1L << count) - 1));
            FloatVector dd = d;
            for (int k = 0; k < STEPS; k++) {
                dd = dd.rearrange(shift[k], VectorMask.fromLong(S, upd[k] & ~b))
                        .fma(FloatVector.fromArray(S, w, (k + 1) * L), dd);
                b |= b >>> shamt[k];
            }
            dd.intoArray(w, (R + 1) * L);
            if (adv != null) {
                dd.intoArray(adv, top, m);
            }
            if (ret != null) {
                dd.add(v).intoArray(ret, top, m);
            }
        } else {
            ZERO.intoArray(w, (R + 1) * L); // A_T = 0
        }
        gaeAlongLoop(top, E, reward, value, nextValue, nvOff, terminated, done, gamma, adv, ret, w);
    }

    /**
     * The full vectors {@code [0, top)} of {@link #gaeAlongFull}, from the last, the carry in from
     * {@code w[(R+1)L..)}. Its own method so that C2 compiles the hot loop with its own inlining
     * budget: inside {@code gaeAlongFull}, after the partial vector's code was inlined first (its
     * profile counts once per call, like the loop's entry), the loop's {@code blend} was left out of
     * line and every vector boxed (measured: 96 B per vector, 4× the time, at 4096×8 once every
     * strategy and width had run in the JVM).
     */
    private static void gaeAlongLoop(int top, int E, float[] reward, float[] value, float[] nextValue, int nvOff,
            boolean[] terminated, boolean[] done, float gamma, float[] adv, float[] ret, float[] w) {
        final VectorShuffle<Float>[] shift = SHIFT[E];
        final long[] upd = UPD[E];
        final int[] shamt = SHAMT[E];
        final VectorShuffle<Float> s0 = shift[0], s1 = shift[1], s2 = shift[2], s3 = shift[3];
        final long u0 = upd[0], u1 = upd[1], u2 = upd[2], u3 = upd[3];
        final int h0 = shamt[0], h1 = shamt[1], h2 = shamt[2], h3 = shamt[3];
        final FloatVector g0 = FloatVector.fromArray(S, w, L), g1 = FloatVector.fromArray(S, w, 2 * L),
                g2 = FloatVector.fromArray(S, w, 3 * L), g3 = FloatVector.fromArray(S, w, 4 * L);
        final FloatVector pow = FloatVector.fromArray(S, w, 0);
        final VectorShuffle<Float> mod = MOD[E];
        FloatVector next = FloatVector.fromArray(S, w, (R + 1) * L); // the following vector's result
        for (int base = top - L; base >= 0; base -= L) {
            // no vector phi with the constant ZERO (it was boxed: 80 B per vector); the returns reload
            // value (ret != null only with values: reward-to-go has no returns)
            FloatVector d = FloatVector.fromArray(S, reward, base);
            if (value != null) {
                FloatVector nv = FloatVector.fromArray(S, nextValue, nvOff + base);
                d = nv.mul(gamma).blend(ZERO, VectorMask.fromArray(S, terminated, base)).add(d)
                        .sub(FloatVector.fromArray(S, value, base));
            }
            long b = VectorMask.fromArray(S, done, base).toLong(); // lanes whose range holds a boundary
            FloatVector dd = d.rearrange(s0, VectorMask.fromLong(S, u0 & ~b)).fma(g0, d);
            b |= b >>> h0;
            dd = dd.rearrange(s1, VectorMask.fromLong(S, u1 & ~b)).fma(g1, dd);
            b |= b >>> h1;
            dd = dd.rearrange(s2, VectorMask.fromLong(S, u2 & ~b)).fma(g2, dd);
            b |= b >>> h2;
            dd = dd.rearrange(s3, VectorMask.fromLong(S, u3 & ~b)).fma(g3, dd);
            b |= b >>> h3;
            for (int k = 4; k < STEPS; k++) { // only for more than 16 lanes
                dd = dd.rearrange(shift[k], VectorMask.fromLong(S, upd[k] & ~b))
                        .fma(FloatVector.fromArray(S, w, (k + 1) * L), dd);
                b |= b >>> shamt[k];
            }
            FloatVector a = pow.fma(next.rearrange(mod), dd).blend(dd, VectorMask.fromLong(S, b));
            if (adv != null) {
                a.intoArray(adv, base);
            }
            if (ret != null) {
                a.add(FloatVector.fromArray(S, value, base)).intoArray(ret, base);
            }
            next = a;
        }
    }

    // ------------------------------------------------------------------ V-trace

    @Override
    protected void vtraceKernel(int T, int E, float[] logRho, float[] reward, float[] value, float[] nextValue,
            boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar, float cBar, float[] vs,
            float[] pgAdv, ScanWorkspace ws) {
        Strategy st = strategyFor(T, E);
        if (st == Strategy.CHUNKED) {
            vtraceChunked(T * E, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar, cBar,
                    vs, pgAdv, carryRow(ws, chunkScratch(E)));
        } else if (st == Strategy.ALONG_TIME) {
            vtraceAlongTime(T * E, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar, cBar,
                    vs, pgAdv, carryRow(ws, VT_SCRATCH));
        } else {
            vtraceAcrossEnvs(T, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar, cBar, vs,
                    pgAdv, carryRow(ws, 2 * E));
        }
    }

    private static void vtraceAcrossEnvs(int T, int E, float[] logRho, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar,
            float cBar, float[] vs, float[] pgAdv, float[] vsNextRow) {
        final int full = (E / L) * L;
        final float ceil = SimdExp.ratioCeiling(Math.max(rhoBar, cBar));
        if (full == E) {
            final int n = T * E;
            flatVtrace(n - E, n, n, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar, cBar,
                    ceil, vs, pgAdv);
            flatVtrace(0, n - E, n, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar, cBar,
                    ceil, vs, pgAdv);
            return;
        }
        for (int e = 0; e < E; e++) {
            vsNextRow[e] = 0f; // unused at t = T-1 (cut), but never garbage
        }
        for (int t = T - 1; t >= 0; t--) {
            int row = t * E;
            boolean last = t == T - 1;
            rowVtrace(row, full, last, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar, cBar,
                    ceil, vs, pgAdv, vsNextRow);
            if (full < E) {
                tailVtrace(row, full, E, last, logRho, reward, value, nextValue, terminated, done, gamma, lambda,
                        rhoBar, cBar, ceil, vs, pgAdv, vsNextRow);
            }
        }
    }

    /**
     * The masked last vector of a row of V-trace across environments ({@code E} not a multiple of
     * the lane count), its carry in {@code vsNextRow[full..E)}. A method of its own, as
     * {@link #rowVtrace}: inline in the once-per-call row loop, its vectors were boxed once the
     * loop's compilation had spent its inlining budget (measured: 384 B per row at 512×35).
     */
    private static void tailVtrace(int row, int full, int E, boolean last, float[] logRho, float[] reward,
            float[] value, float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda,
            float rhoBar, float cBar, float ceil, float[] vs, float[] pgAdv, float[] vsNextRow) {
        int count = E - full;
        VectorMask<Float> m = S.indexInRange(0, count);
        int i = row + full;
        FloatVector gv = FloatVector.broadcast(S, gamma);
        FloatVector x = FloatVector.fromArray(S, logRho, i, m);
        FloatVector ratio = SimdExp.expClipped(x, ceil);
        FloatVector rho = ratio.blend(rhoBar, ratio.compare(VectorOperators.GT, rhoBar));
        FloatVector g = ratio.blend(cBar, ratio.compare(VectorOperators.GT, cBar)).mul(lambda).mul(gamma);
        FloatVector v = FloatVector.fromArray(S, value, i, m);
        FloatVector rv = FloatVector.fromArray(S, reward, i, m).sub(v);
        FloatVector nv = FloatVector.fromArray(S, nextValue, i, m);
        VectorMask<Float> term = VectorMask.fromLong(S, tailBits(terminated, i, count));
        VectorMask<Float> cut = VectorMask.fromLong(S, last ? ALL_LANES : tailBits(done, i, count));
        FloatVector vsNextStep = FloatVector.fromArray(S, vsNextRow, full, m);
        FloatVector out = rho.mul(nv.blend(ZERO, term).fma(gv, rv)).add(v)
                .add(g.mul(vsNextStep.sub(nv)).blend(ZERO, cut));
        out.intoArray(vs, i, m);
        out.intoArray(vsNextRow, full, m);
        if (pgAdv != null) {
            rho.mul(vsNextStep.blend(nv, cut).blend(ZERO, term).fma(gv, rv)).intoArray(pgAdv, i, m);
        }
    }

    /**
     * V-trace across environments when {@code E} is a multiple of the lane count, elements
     * {@code [lo, hi)} (whole rows; {@code hi = n} is the last row, where every lane is cut): one flat
     * loop over the vectors from the last to the first, {@code exp(logRho)} inline, {@code vs_{t+1}}
     * read back from {@code vs} (written {@code E / L} iterations earlier, so from L1).
     */
    private static void flatVtrace(int lo, int hi, int n, int E, float[] logRho, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar,
            float cBar, float ceil, float[] vs, float[] pgAdv) {
        final boolean last = hi == n;
        // the last row: every lane cut, and vs_{t+1} read from this row's own (not yet written) slot,
        // which the cut's select discards: no vector ternary in the loop (a phi between a constant
        // mask or vector and a loaded one is boxed when C2 does not unswitch the loop)
        final VectorMask<Float> lastRow = S.maskAll(last);
        final int nextOff = last ? 0 : E;
        final FloatVector gv = FloatVector.broadcast(S, gamma);
        final FloatVector glv = FloatVector.broadcast(S, gamma * lambda);
        for (int i = hi - L; i >= lo; i -= L) {
            FloatVector x = FloatVector.fromArray(S, logRho, i);
            FloatVector ratio = SimdExp.expClipped(x, ceil);
            FloatVector rho = ratio.blend(rhoBar, ratio.compare(VectorOperators.GT, rhoBar));
            FloatVector g = ratio.blend(cBar, ratio.compare(VectorOperators.GT, cBar)).mul(glv);
            FloatVector v = FloatVector.fromArray(S, value, i);
            FloatVector rv = FloatVector.fromArray(S, reward, i).sub(v);
            FloatVector nv = FloatVector.fromArray(S, nextValue, i);
            VectorMask<Float> term = VectorMask.fromArray(S, terminated, i);
            VectorMask<Float> cut = VectorMask.fromArray(S, done, i).or(lastRow);
            FloatVector vsNextStep = FloatVector.fromArray(S, vs, i + nextOff);
            FloatVector own = rho.mul(nv.blend(ZERO, term).fma(gv, rv)).add(v); // v + δ
            FloatVector out = g.fma(vsNextStep.sub(nv), own).blend(own, cut); // a select: nothing crosses a cut
            out.intoArray(vs, i);
            if (pgAdv != null) {
                rho.mul(vsNextStep.blend(nv, cut).blend(ZERO, term).fma(gv, rv)).intoArray(pgAdv, i);
            }
        }
    }

    /**
     * One row of V-trace across environments, full vectors only: {@code vs = v + δ + (cut ? 0 :
     * γ c (vs_{t+1} - nv))} with {@code cut = done} (all lanes at {@code t = T-1}), and pgAdv.
     */
    private static void rowVtrace(int row, int full, boolean last, float[] logRho, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar,
            float cBar, float ceil, float[] vs, float[] pgAdv, float[] vsNextRow) {
        final FloatVector gv = FloatVector.broadcast(S, gamma);
        final float gl = gamma * lambda;
        final VectorMask<Float> lastRow = S.maskAll(last); // no vector ternary in the loop (see flatVtrace)
        for (int e = 0; e < full; e += L) {
            int i = row + e;
            FloatVector x = FloatVector.fromArray(S, logRho, i);
            FloatVector ratio = SimdExp.expClipped(x, ceil);
            FloatVector rho = ratio.blend(rhoBar, ratio.compare(VectorOperators.GT, rhoBar));
            FloatVector g = ratio.blend(cBar, ratio.compare(VectorOperators.GT, cBar)).mul(gl);
            FloatVector v = FloatVector.fromArray(S, value, i);
            FloatVector rv = FloatVector.fromArray(S, reward, i).sub(v);
            FloatVector nv = FloatVector.fromArray(S, nextValue, i);
            VectorMask<Float> term = VectorMask.fromArray(S, terminated, i);
            VectorMask<Float> cut = VectorMask.fromArray(S, done, i).or(lastRow);
            FloatVector vsNextStep = FloatVector.fromArray(S, vsNextRow, e);
            FloatVector out = rho.mul(nv.blend(ZERO, term).fma(gv, rv)).add(v)
                    .add(g.mul(vsNextStep.sub(nv)).blend(ZERO, cut));
            out.intoArray(vs, i);
            out.intoArray(vsNextRow, e);
            if (pgAdv != null) {
                rho.mul(vsNextStep.blend(nv, cut).blend(ZERO, term).fma(gv, rv)).intoArray(pgAdv, i);
            }
        }
    }

    /**
     * V-trace along time, in {@code u_t = vs_t - value_t}:
     * {@code u_t = δ_t + g_t (u_{t+1} + value_{t+1} - nextValue_t)} with {@code g_t = γ c_t}
     * (cut where done, and at t = T-1), i.e. the affine map with {@code d_t = δ_t + g_t (value_{t+1} -
     * nextValue_t)} and coefficient {@code g_t}. One pass from the last vector to the first, as
     * {@link #gaeAlongTime}, but the coefficients vary, so each log-step round also composes their
     * products ({@code c ← c·c_{i+k}}). {@code pgAdv} needs {@code vs_{t+1}}: lanes {@code i + E}
     * of this vector's {@code vs}, and for the last {@code E} lanes the first lanes of the
     * following vector's, one lane rotation per vector whose result also serves the vector before.
     * The top of the rollout (the vectors with a lane that has no following step, at most two) goes
     * through the scalar {@link #vtraceAlongTop}.
     *
     * @param w at least {@link #VT_SCRATCH} floats
     */
    private static void vtraceAlongTime(int n, int E, float[] logRho, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar,
            float cBar, float[] vs, float[] pgAdv, float[] w) {
        final int fastTop = Math.max(0, ((n - E) / L) * L); // below it every lane has a following step
        vtraceAlongTop(fastTop, n, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar, cBar,
                vs, pgAdv, w);
        if (fastTop > 0) {
            vtraceAlongFull(fastTop, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar,
                    cBar, vs, pgAdv, w);
        }
    }

    /**
     * The top of {@link #vtraceAlongTime}: elements {@code [top, n)} (fewer than {@code L + E}: the
     * vectors with a lane that has no following step) by the scalar recurrence, from the last element
     * down, in fp32 with {@code Math.exp} (within 1 ulp, inside the vector exp's 2-ulp bound the tests
     * derive); then the carry of the full vectors below, {@code u = vs - v} of {@code [top, top + E)},
     * into {@code w[0..E)}, and {@code u} of the top in {@code w[2L..)} meanwhile. Scalar because it runs
     * once per call: a vector routine called once per call stays in C1-compiled code for thousands of
     * calls, where every vector operation allocates (measured: 9 KB per call at 1000×1 after 10 000 calls).
     */
    private static void vtraceAlongTop(int top, int n, int E, float[] logRho, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar,
            float cBar, float[] vs, float[] pgAdv, float[] w) {
        final int u0 = 2 * L - top; // u of element i at w[u0 + i]
        for (int i = n - 1; i >= top; i--) {
            float ratio = (float) Math.exp(logRho[i]);
            float rho = ratio > rhoBar ? rhoBar : ratio;
            float cc = (ratio > cBar ? cBar : ratio) * lambda * gamma;
            float r = reward[i], v = value[i], nv = nextValue[i];
            boolean cut = done[i] || i + E >= n; // done, or no following step (t = T-1)
            float delta = rho * ((terminated[i] ? 0f : nv * gamma) + r - v);
            float u = cut ? delta : Math.fma(cc, w[u0 + i + E], delta + cc * (value[i + E] - nv));
            w[u0 + i] = u;
            vs[i] = u + v;
            if (pgAdv != null) {
                float vsNext = cut ? nv : vs[i + E];
                pgAdv[i] = rho * ((terminated[i] ? 0f : vsNext * gamma) + r - v);
            }
        }
        for (int e = 0; e < E && top + e < n; e++) {
            w[e] = w[u0 + top + e];
        }
    }

    /** V-trace along time: elements per block of {@link #vtraceAlongFull} (its scratch: 3 such rows, in L2). */
    static final int VT_BLOCK = SimdThresholds.SCAN_VTRACE_BLOCK_VECTORS * L;

    /** Scratch floats of V-trace along time: the carry, the following vector's rotated vs, d, c and ρ of a block. */
    static final int VT_SCRATCH = 2 * L + 3 * VT_BLOCK;

    /**
     * The full vectors {@code [0, top)} of {@link #vtraceAlongTime}, every lane with a following
     * step, in blocks of {@link #VT_BLOCK} elements from the last: first the terms of the block's
     * vectors ({@link #vtraceAlongTerms}), then their composition from the last to the first
     * ({@link #vtraceAlongCompose}). Two loops rather than one: in one loop body, the exp, the terms
     * and the four dependent rounds make a chain of about 130 cycles per vector, and the reorder
     * buffer cannot hold enough iterations to overlap them (measured: 17 ns per vector in one loop).
     */
    private static void vtraceAlongFull(int top, int E, float[] logRho, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar,
            float cBar, float[] vs, float[] pgAdv, float[] w) {
        // lane i (i >= L-E) of the rotated vs: vs at top + i + E - L, the following vector's first steps
        final VectorMask<Float> last = VectorMask.fromLong(S, ALL_LANES & ~(ALL_LANES >>> E)); // lanes L-E .. L-1
        FloatVector.fromArray(S, vs, top - L + E, last).intoArray(w, L);
        final float ceil = SimdExp.ratioCeiling(Math.max(rhoBar, cBar));
        for (int hi = top; hi > 0; hi -= VT_BLOCK) {
            int lo = Math.max(0, hi - VT_BLOCK);
            vtraceAlongTerms(lo, hi, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar,
                    cBar, ceil, w);
            vtraceAlongCompose(lo, hi, E, reward, value, nextValue, terminated, done, gamma, vs, pgAdv, w);
        }
    }

    /** The terms of the full vectors {@code [lo, hi)}: d, c = γ λ min(c̄, ratio) and ρ into the block scratch. */
    private static void vtraceAlongTerms(int lo, int hi, int E, float[] logRho, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar,
            float cBar, float ceil, float[] w) {
        final FloatVector gv = FloatVector.broadcast(S, gamma);
        final FloatVector glv = FloatVector.broadcast(S, gamma * lambda);
        final int dOff = 2 * L - lo, cOff = 2 * L + VT_BLOCK - lo, rOff = 2 * L + 2 * VT_BLOCK - lo;
        for (int base = lo; base < hi; base += L) {
            FloatVector x = FloatVector.fromArray(S, logRho, base);
            FloatVector ratio = SimdExp.expClipped(x, ceil);
            FloatVector rho = ratio.blend(rhoBar, ratio.compare(VectorOperators.GT, rhoBar));
            FloatVector cc = ratio.blend(cBar, ratio.compare(VectorOperators.GT, cBar)).mul(glv);
            FloatVector rv = FloatVector.fromArray(S, reward, base).sub(FloatVector.fromArray(S, value, base));
            FloatVector nv = FloatVector.fromArray(S, nextValue, base);
            FloatVector vNext = FloatVector.fromArray(S, value, base + E);
            VectorMask<Float> term = VectorMask.fromArray(S, terminated, base);
            VectorMask<Float> cut = VectorMask.fromArray(S, done, base);
            FloatVector delta = rho.mul(nv.blend(ZERO, term).fma(gv, rv));
            cc.fma(vNext.sub(nv), delta).blend(delta, cut).intoArray(w, dOff + base);
            cc.intoArray(w, cOff + base);
            rho.intoArray(w, rOff + base);
        }
    }

    /**
     * The composition of the full vectors {@code [lo, hi)} from the last: the log-step rounds, the
     * carry (the following vector's u, in {@code w[0..L)} between blocks and in a register inside
     * one), vs, and pgAdv with the following vector's rotated vs ({@code w[L..2L)} between blocks).
     */
    private static void vtraceAlongCompose(int lo, int hi, int E, float[] reward, float[] value, float[] nextValue,
            boolean[] terminated, boolean[] done, float gamma, float[] vs, float[] pgAdv, float[] w) {
        final FloatVector gv = FloatVector.broadcast(S, gamma);
        final VectorShuffle<Float>[] shift = SHIFT[E];
        final long[] upd = UPD[E];
        final int[] shamt = SHAMT[E];
        final VectorShuffle<Float> s0 = shift[0], s1 = shift[1], s2 = shift[2], s3 = shift[3];
        final long u0 = upd[0], u1 = upd[1], u2 = upd[2], u3 = upd[3];
        final int h0 = shamt[0], h1 = shamt[1], h2 = shamt[2], h3 = shamt[3];
        final VectorShuffle<Float> mod = MOD[E];
        final VectorMask<Float> last = VectorMask.fromLong(S, ALL_LANES & ~(ALL_LANES >>> E)); // lanes L-E .. L-1
        final int dOff = 2 * L - lo, cOff = 2 * L + VT_BLOCK - lo, rOff = 2 * L + 2 * VT_BLOCK - lo;
        FloatVector next = FloatVector.fromArray(S, w, 0); // the following vector's u
        FloatVector rotNext = FloatVector.fromArray(S, w, L);
        for (int base = hi - L; base >= lo; base -= L) {
            FloatVector dd = FloatVector.fromArray(S, w, dOff + base);
            FloatVector cc = FloatVector.fromArray(S, w, cOff + base);
            VectorMask<Float> cut = VectorMask.fromArray(S, done, base);
            long b = cut.toLong();
            VectorMask<Float> um = VectorMask.fromLong(S, u0 & ~b);
            FloatVector dk = dd.rearrange(s0), ck = cc.rearrange(s0);
            dd = dd.add(cc.mul(dk), um);
            cc = cc.mul(ck, um);
            b |= b >>> h0;
            um = VectorMask.fromLong(S, u1 & ~b);
            dk = dd.rearrange(s1);
            ck = cc.rearrange(s1);
            dd = dd.add(cc.mul(dk), um);
            cc = cc.mul(ck, um);
            b |= b >>> h1;
            um = VectorMask.fromLong(S, u2 & ~b);
            dk = dd.rearrange(s2);
            ck = cc.rearrange(s2);
            dd = dd.add(cc.mul(dk), um);
            cc = cc.mul(ck, um);
            b |= b >>> h2;
            um = VectorMask.fromLong(S, u3 & ~b);
            dk = dd.rearrange(s3);
            ck = cc.rearrange(s3);
            dd = dd.add(cc.mul(dk), um);
            cc = cc.mul(ck, um);
            b |= b >>> h3;
            for (int k = 4; k < STEPS; k++) { // only for more than 16 lanes
                um = VectorMask.fromLong(S, upd[k] & ~b);
                dk = dd.rearrange(shift[k]);
                ck = cc.rearrange(shift[k]);
                dd = dd.add(cc.mul(dk), um);
                cc = cc.mul(ck, um);
                b |= b >>> shamt[k];
            }
            FloatVector u = cc.fma(next.rearrange(mod), dd).blend(dd, VectorMask.fromLong(S, b));
            FloatVector v = FloatVector.fromArray(S, value, base);
            FloatVector vsv = u.add(v);
            vsv.intoArray(vs, base);
            FloatVector rot = vsv.rearrange(s0); // lane i <- vs of lane (i + E) mod L
            if (pgAdv != null) {
                FloatVector nv = FloatVector.fromArray(S, nextValue, base);
                FloatVector r = FloatVector.fromArray(S, reward, base);
                FloatVector rho = FloatVector.fromArray(S, w, rOff + base);
                FloatVector vsNext = rot.blend(rotNext, last).blend(nv, cut);
                rho.mul(vsNext.blend(ZERO, VectorMask.fromArray(S, terminated, base)).fma(gv, r.sub(v)))
                        .intoArray(pgAdv, base);
            }
            next = u;
            rotNext = rot;
        }
        next.intoArray(w, 0);
        rotNext.intoArray(w, L);
    }

    /** Bits of the lanes {@code i < count} whose flat index {@code base + i + E} is still {@code < n}. */
    private static long hasNextBits(int base, int count, int n, int E) {
        long lanes = count == L ? ALL_LANES : (1L << count) - 1;
        int next = n - base - E; // lanes 0 .. next-1 have a following step
        return next >= L ? lanes : next <= 0 ? 0L : ((1L << next) - 1) & lanes;
    }

    // ------------------------------------------------------------------ chunked

    /*
     * The CHUNKED strategy, for E | L, E < L. The flat rollout (n = T*E) is cut into vectors of L
     * elements (L/E time steps of all E environments each), the vectors into chunks of M = CV*E
     * consecutive vectors (CV*L time steps), and the chunks into tiles of L/E chunks (CV*L vectors,
     * CTILE elements, L2-resident scratch). The reverse affine recurrence x -> d_t + c_t x, with an
     * episode boundary a barrier (c_t encoded as -1: nothing passes it, a select as SPEC requires),
     * is evaluated per tile, from the last tile to the first, in four passes:
     *
     *  1. terms: d_t and the encoded c_t of every element (contiguous vector loads);
     *  2. compose: inside each vector, a log-step scan composes each lane's map with the maps of
     *     the following steps of its environment up to the vector's end (a zero-carry scan of the
     *     vector, and its product of c); the composites of the vector's first E lanes are also
     *     stored into a transposed tile FD/FC whose row m holds, lane j*E+e, the composite of
     *     vector m of chunk j (gather-free: one masked vector store of lanes 0..E-1 at an offset).
     *     For GAE, passes 1 and 2 are one loop, and the products of c are powers of γλ
     *     ({@link #gaeTermsCompose}); V-trace composes its varying c in {@link #chunkCompose};
     *  3. across chunks: one vector holds all L/E chunks x E environments of the tile; the zero-
     *     carry scan over the chunk's M vectors (m = M-1 .. 0) gives each chunk's composite
     *     (its scan value with zero carry, and its product of c) and the suffix composites XS/QS;
     *     the chunks are then fixed up from right to left (L scalar FMAs per tile, starting from
     *     the carry out of the following tile), and the incoming carry of every vector follows in
     *     one vector FMA per m, across chunks;
     *  4. fix-up: every element's value is its composite applied to its vector's incoming carry
     *     (one FMA), written with masked stores only in the rollout's last, partial vector.
     *
     * Exactness: the maps are composed in a different order than the reference's loop, which
     * changes the rounding of the products of c, not the value; a barrier is never crossed,
     * whichever tile, chunk or vector edge it sits at.
     */

    /** Vectors per chunk per environment: a chunk is {@code CV·L} time steps. */
    static final int CV = SimdThresholds.SCAN_CHUNK_VECTORS;
    /** Elements per chunked tile: {@code L/E} chunks of {@code CV·E} vectors. */
    static final int CTILE = CV * L * L;
    private static final FloatVector MINUS_ONE = FloatVector.broadcast(S, -1f);
    /** {@code SHIFT[E][j]}: lane i takes lane {@code (i + E·2^j) mod L} (E | L, E < L; others null). */
    private static final VectorShuffle<Float>[][] SHIFT = new VectorShuffle[L + 1][];
    /** {@code UPD[E][j]}: the lanes i with {@code i + E·2^j < L} (that have a lane that far on). */
    private static final long[][] UPD = new long[L + 1][];
    /** {@code SHAMT[E][j]}: {@code min(E·2^j, 63)}, the bit shift that moves barrier bits by that distance. */
    private static final int[][] SHAMT = new int[L + 1][];

    static {
        for (int e = 1; e < L; e++) {
            if (L % e != 0) {
                continue;
            }
            SHIFT[e] = new VectorShuffle[R];
            UPD[e] = new long[R];
            SHAMT[e] = new int[R];
            for (int j = 0; j < R; j++) {
                final int sh = (int) Math.min((long) e << j, L);
                SHIFT[e][j] = VectorShuffle.fromOp(S, i -> (i + sh) % L);
                UPD[e][j] = sh < L ? ALL_LANES >>> sh : 0L;
                SHAMT[e][j] = Math.min(sh, 63);
            }
        }
    }

    // scratch layout of the chunked strategy (offsets in floats)
    private static int oSC() { return CTILE; }
    private static int oRho() { return 2 * CTILE; }
    private static int oFD() { return 3 * CTILE; }
    private static int oFC(int M) { return oFD() + M * 2 * L; }
    private static int oXS(int M) { return oFC(M) + M * 2 * L; }
    private static int oQS(int M) { return oXS(M) + (M + 1) * L; }
    private static int oCin(int M) { return oQS(M) + (M + 1) * L; }
    private static int oCC(int M) { return oCin(M) + M * 2 * L; }
    private static int oTC(int M) { return oCC(M) + L; }
    private static int oPow(int M) { return oTC(M) + L; }
    private static int oList(int M) { return oPow(M) + (R + 1) * L; }

    /** Scratch floats the chunked strategy needs for {@code E} environments. */
    static int chunkScratch(int E) {
        return oList(CV * E) + CV * L;
    }

    private static void gaeChunked(int n, int E, float[] reward, float[] value, float[] nextValue, int nvOff,
            boolean[] terminated, boolean[] done, float gamma, float lambda, float[] adv, float[] ret, float[] w) {
        final int M = CV * E;
        final float gl = gamma * lambda;
        for (int e = 0; e < L; e++) {
            w[oTC(M) + e] = 0f; // A_T = 0: the carry into the last tile
        }
        // powers of c = γλ for the vectors without a boundary: lane i of POW is γλ to the number of
        // steps from lane i to the vector's end; G_k is γλ^(2^k), the coefficient of round k
        final int pw = oPow(M);
        for (int i = 0; i < L; i++) {
            w[pw + i] = (float) Math.pow(gl, (L - i + E - 1) / E);
            for (int k = 0; k < R; k++) {
                w[pw + (k + 1) * L + i] = (float) Math.pow(gl, 1 << k);
            }
        }
        for (int lo = ((n - 1) / CTILE) * CTILE; lo >= 0; lo -= CTILE) {
            int hi = Math.min(n, lo + CTILE);
            int listed = gaeTermsCompose(lo, hi, E, M, reward, value, nextValue, nvOff, terminated, done, gamma, gl, w);
            gaeTermsListed(lo, hi, E, M, listed, reward, value, nextValue, nvOff, terminated, done, gamma, gl, w);
            chunkCarries(E, M, w);
            chunkFixup(lo, hi, E, M, value, adv, ret, w);
        }
    }

    /** {@code FIRST[E]}: lanes 0 .. E-1 (a vector's composites that go to the transposed tile). */
    private static final VectorMask<Float>[] FIRST = new VectorMask[L + 1];

    static {
        for (int e = 1; e <= L; e++) {
            FIRST[e] = S.indexInRange(0, e);
        }
    }

    /**
     * Passes 1 and 2 fused for GAE, for the tile's full vectors: the terms of each vector and, in
     * registers, their log-step composition. In GAE every {@code c} is {@code γλ} except at a
     * boundary, so a lane's product of c over a boundary-free range of {@code 2^k} steps is
     * {@code γλ^(2^k)}: each round is one zeroing permute and one FMA with that power (in
     * {@code POW}), the zeroing mask also dropping the lanes whose range already holds a boundary
     * (tracked as bits: {@code b |= b >>> shift}); the final product of a lane is a power from
     * {@code POW}, or the barrier code -1. No branch, no product vector. The rollout's last partial
     * vector and the vectors past it are listed for {@link #gaeTermsListed} (the general path).
     *
     * @return the number of listed vectors (their indices at {@code oList})
     */
    private static int gaeTermsCompose(int lo, int hi, int E, int M, float[] reward, float[] value,
            float[] nextValue, int nvOff, boolean[] terminated, boolean[] done, float gamma, float gl, float[] w) {
        final int fd = oFD(), fc = oFC(M), sc = oSC(), pw = oPow(M), list = oList(M);
        final VectorShuffle<Float>[] shift = SHIFT[E];
        final long[] upd = UPD[E];
        final int[] shamt = SHAMT[E];
        final VectorMask<Float> first = FIRST[E];
        final VectorShuffle<Float> s0 = shift[0], s1 = shift[1], s2 = shift[2], s3 = shift[3];
        final long u0 = upd[0], u1 = upd[1], u2 = upd[2], u3 = upd[3];
        final int h0 = shamt[0], h1 = shamt[1], h2 = shamt[2], h3 = shamt[3];
        final FloatVector g0 = FloatVector.fromArray(S, w, pw + L), g1 = FloatVector.fromArray(S, w, pw + 2 * L),
                g2 = FloatVector.fromArray(S, w, pw + 3 * L), g3 = FloatVector.fromArray(S, w, pw + 4 * L);
        final FloatVector pow = FloatVector.fromArray(S, w, pw);
        final int nv = CV * L; // vectors per tile
        final int full = Math.min(nv, (hi - lo) / L);
        for (int lv = 0; lv < full; lv++) {
            int off = lv * L;
            int base = lo + off;
            FloatVector r = FloatVector.fromArray(S, reward, base);
            FloatVector d;
            if (value == null) {
                d = r;
            } else {
                FloatVector v = FloatVector.fromArray(S, value, base);
                FloatVector nvv = FloatVector.fromArray(S, nextValue, nvOff + base);
                d = nvv.mul(gamma).blend(ZERO, VectorMask.fromArray(S, terminated, base)).add(r).sub(v);
            }
            long b = VectorMask.fromArray(S, done, base).toLong(); // lanes whose range holds a boundary
            FloatVector dd = d.rearrange(s0, VectorMask.fromLong(S, u0 & ~b)).fma(g0, d);
            b |= b >>> h0;
            dd = dd.rearrange(s1, VectorMask.fromLong(S, u1 & ~b)).fma(g1, dd);
            b |= b >>> h1;
            dd = dd.rearrange(s2, VectorMask.fromLong(S, u2 & ~b)).fma(g2, dd);
            b |= b >>> h2;
            dd = dd.rearrange(s3, VectorMask.fromLong(S, u3 & ~b)).fma(g3, dd);
            b |= b >>> h3;
            for (int k = 4; k < STEPS; k++) { // only for more than 16 lanes
                dd = dd.rearrange(shift[k], VectorMask.fromLong(S, upd[k] & ~b))
                        .fma(FloatVector.fromArray(S, w, pw + (k + 1) * L), dd);
                b |= b >>> shamt[k];
            }
            FloatVector enc = pow.blend(MINUS_ONE, VectorMask.fromLong(S, b));
            dd.intoArray(w, off);
            enc.intoArray(w, sc + off);
            int j = lv / M, t = (lv - j * M) * 2 * L + j * E;
            dd.intoArray(w, fd + t, first);
            enc.intoArray(w, fc + t, first);
        }
        int used = Math.min(nv, (hi - lo + L - 1) / L); // vectors holding rollout elements
        int listed = 0;
        for (int lv = full; lv < used; lv++) {
            w[list + listed++] = lv; // the partial vector
        }
        identityPast(used, E, M, w);
        return listed;
    }

    /**
     * Vectors {@code from ..} of a tile lie past the rollout: their composites in the transposed
     * tile are the identity (d = 0, c = 1), and nothing else of them is read.
     */
    private static void identityPast(int from, int E, int M, float[] w) {
        final int fd = oFD(), fc = oFC(M);
        final VectorMask<Float> first = FIRST[E];
        for (int lv = from; lv < CV * L; lv++) {
            int j = lv / M, t = (lv - j * M) * 2 * L + j * E;
            ZERO.intoArray(w, fd + t, first);
            ONE.intoArray(w, fc + t, first);
        }
    }

    /**
     * The listed vectors of {@link #gaeTermsCompose}: terms of the partial vector (masked loads,
     * identity past {@code hi}) and of the vectors past it, then the general composition of every
     * listed vector.
     */
    private static void gaeTermsListed(int lo, int hi, int E, int M, int listed, float[] reward, float[] value,
            float[] nextValue, int nvOff, boolean[] terminated, boolean[] done, float gamma, float gl, float[] w) {
        final FloatVector glv = FloatVector.broadcast(S, gl);
        final int sc = oSC(), list = oList(M);
        for (int q = 0; q < listed; q++) {
            int lv = (int) w[list + q];
            int off = lv * L;
            int base = lo + off;
            if (base >= hi) {
                ZERO.intoArray(w, off);
                ONE.intoArray(w, sc + off);
            } else {
                int count = hi - base;
                VectorMask<Float> in = S.indexInRange(0, count);
                FloatVector d = FloatVector.fromArray(S, reward, base, in);
                if (value != null) {
                    FloatVector v = FloatVector.fromArray(S, value, base, in);
                    FloatVector nv = FloatVector.fromArray(S, nextValue, nvOff + base, in);
                    d = nv.mul(gamma).blend(ZERO, VectorMask.fromLong(S, tailBits(terminated, base, count))).add(d)
                            .sub(v); // 0 past the end: identity d = 0
                }
                d.intoArray(w, off);
                glv.blend(MINUS_ONE, VectorMask.fromLong(S, tailBits(done, base, count))).blend(ONE, in.not())
                        .intoArray(w, sc + off);
            }
        }
        chunkComposeListed(E, M, listed, w);
    }

    /** The general (barrier-tracking) composition of the listed vectors, from their terms in the scratch tile. */
    private static void chunkComposeListed(int E, int M, int listed, float[] w) {
        final int fd = oFD(), fc = oFC(M), sc = oSC(), list = oList(M);
        final VectorShuffle<Float>[] shift = SHIFT[E];
        final long[] upd = UPD[E];
        final int[] shamt = SHAMT[E];
        final VectorMask<Float> first = FIRST[E];
        final VectorShuffle<Float> s0 = shift[0], s1 = shift[1], s2 = shift[2], s3 = shift[3];
        final long u0 = upd[0], u1 = upd[1], u2 = upd[2], u3 = upd[3];
        final int h0 = shamt[0], h1 = shamt[1], h2 = shamt[2], h3 = shamt[3];
        for (int q = 0; q < listed; q++) {
            int lv = (int) w[list + q];
            int off = lv * L;
            FloatVector dd = FloatVector.fromArray(S, w, off);
            FloatVector cc = FloatVector.fromArray(S, w, sc + off);
            long b = cc.compare(VectorOperators.LT, 0f).toLong(); // lanes whose range holds a barrier
            // four rounds with hoisted shuffles (then any further ones, for more than 16 lanes)
            VectorMask<Float> um = VectorMask.fromLong(S, u0 & ~b);
            FloatVector dk = dd.rearrange(s0), ck = cc.rearrange(s0);
            dd = dd.add(cc.mul(dk), um);
            cc = cc.mul(ck, um);
            b |= b >>> h0;
            um = VectorMask.fromLong(S, u1 & ~b);
            dk = dd.rearrange(s1);
            ck = cc.rearrange(s1);
            dd = dd.add(cc.mul(dk), um);
            cc = cc.mul(ck, um);
            b |= b >>> h1;
            um = VectorMask.fromLong(S, u2 & ~b);
            dk = dd.rearrange(s2);
            ck = cc.rearrange(s2);
            dd = dd.add(cc.mul(dk), um);
            cc = cc.mul(ck, um);
            b |= b >>> h2;
            um = VectorMask.fromLong(S, u3 & ~b);
            dk = dd.rearrange(s3);
            ck = cc.rearrange(s3);
            dd = dd.add(cc.mul(dk), um);
            cc = cc.mul(ck, um);
            b |= b >>> h3;
            for (int k = 4; k < STEPS; k++) {
                um = VectorMask.fromLong(S, upd[k] & ~b);
                dk = dd.rearrange(shift[k]);
                ck = cc.rearrange(shift[k]);
                dd = dd.add(cc.mul(dk), um);
                cc = cc.mul(ck, um);
                b |= b >>> shamt[k];
            }
            FloatVector enc = cc.blend(MINUS_ONE, VectorMask.fromLong(S, b));
            dd.intoArray(w, off);
            enc.intoArray(w, sc + off);
            int j = lv / M, t = (lv - j * M) * 2 * L + j * E;
            dd.intoArray(w, fd + t, first);
            enc.intoArray(w, fc + t, first);
        }
    }

    /**
     * Pass 2: the log-step composition inside every vector of the tile (lane i: the map from its
     * step to the vector's end, barrier-encoded), and the transposed tile of the first E lanes.
     */
    private static void chunkCompose(int E, int M, int used, float[] w) {
        final int fd = oFD(), fc = oFC(M), sc = oSC();
        final VectorShuffle<Float>[] shift = SHIFT[E];
        final long[] upd = UPD[E];
        final int[] shamt = SHAMT[E];
        final int nc = L / E;
        final VectorShuffle<Float> s0 = shift[0], s1 = shift[1], s2 = shift[2], s3 = shift[3];
        final long u0 = upd[0], u1 = upd[1], u2 = upd[2], u3 = upd[3];
        final int h0 = shamt[0], h1 = shamt[1], h2 = shamt[2], h3 = shamt[3];
        for (int j = 0; j < nc; j++) {
            for (int m = 0; m < M; m++) {
                int off = (j * M + m) * L;
                if (off >= used * L) {
                    identityPast(used, E, M, w);
                    return;
                }
                FloatVector dd = FloatVector.fromArray(S, w, off);
                FloatVector cc = FloatVector.fromArray(S, w, sc + off);
                long b = cc.compare(VectorOperators.LT, 0f).toLong(); // lanes whose range holds a barrier
                // four rounds with hoisted shuffles (then any further ones, for more than 16 lanes)
                VectorMask<Float> um = VectorMask.fromLong(S, u0 & ~b);
                FloatVector dk = dd.rearrange(s0), ck = cc.rearrange(s0);
                dd = dd.add(cc.mul(dk), um);
                cc = cc.mul(ck, um);
                b |= b >>> h0;
                um = VectorMask.fromLong(S, u1 & ~b);
                dk = dd.rearrange(s1);
                ck = cc.rearrange(s1);
                dd = dd.add(cc.mul(dk), um);
                cc = cc.mul(ck, um);
                b |= b >>> h1;
                um = VectorMask.fromLong(S, u2 & ~b);
                dk = dd.rearrange(s2);
                ck = cc.rearrange(s2);
                dd = dd.add(cc.mul(dk), um);
                cc = cc.mul(ck, um);
                b |= b >>> h2;
                um = VectorMask.fromLong(S, u3 & ~b);
                dk = dd.rearrange(s3);
                ck = cc.rearrange(s3);
                dd = dd.add(cc.mul(dk), um);
                cc = cc.mul(ck, um);
                b |= b >>> h3;
                for (int k = 4; k < STEPS; k++) {
                    um = VectorMask.fromLong(S, upd[k] & ~b);
                    dk = dd.rearrange(shift[k]);
                    ck = cc.rearrange(shift[k]);
                    dd = dd.add(cc.mul(dk), um);
                    cc = cc.mul(ck, um);
                    b |= b >>> shamt[k];
                }
                FloatVector enc = cc.blend(MINUS_ONE, VectorMask.fromLong(S, b));
                dd.intoArray(w, off);
                enc.intoArray(w, sc + off);
                int t = m * 2 * L + j * E;
                dd.intoArray(w, fd + t, FIRST[E]);
                enc.intoArray(w, fc + t, FIRST[E]);
            }
        }
    }

    /**
     * Pass 3: the zero-carry scan of every chunk across its M vectors, vectorised across the
     * tile's chunks (lane j*E+e: chunk j, environment e), the right-to-left fix-up of the chunks
     * from the carry out of the following tile, and the incoming carry of every vector.
     */
    private static void chunkCarries(int E, int M, float[] w) {
        final int fd = oFD(), fc = oFC(M), xs = oXS(M), qs = oQS(M), cin = oCin(M), cc = oCC(M), tc = oTC(M);
        ZERO.intoArray(w, xs + M * L);
        ONE.intoArray(w, qs + M * L);
        for (int m = M - 1; m >= 0; m--) {
            FloatVector d = FloatVector.fromArray(S, w, fd + m * 2 * L);
            FloatVector p = FloatVector.fromArray(S, w, fc + m * 2 * L);
            FloatVector x = FloatVector.fromArray(S, w, xs + (m + 1) * L);
            FloatVector q = FloatVector.fromArray(S, w, qs + (m + 1) * L);
            VectorMask<Float> bar = p.compare(VectorOperators.LT, 0f);
            p.fma(x, d).blend(d, bar).intoArray(w, xs + m * L);
            p.mul(q).blend(MINUS_ONE, bar.or(q.compare(VectorOperators.LT, 0f))).intoArray(w, qs + m * L);
        }
        // the chunks, right to left: chunk j's carry is the value at the first step of chunk j+1
        final int nc = L / E;
        for (int e = 0; e < E; e++) {
            float carry = w[tc + e];
            for (int j = nc - 1; j >= 0; j--) {
                int k = j * E + e;
                w[cc + k] = carry;
                float x = w[xs + k], q = w[qs + k];
                carry = q < 0f ? x : x + q * carry;
            }
            w[tc + e] = carry; // into the previous tile
        }
        FloatVector chunkCarry = FloatVector.fromArray(S, w, cc);
        for (int m = 0; m < M; m++) {
            FloatVector x = FloatVector.fromArray(S, w, xs + (m + 1) * L);
            FloatVector q = FloatVector.fromArray(S, w, qs + (m + 1) * L);
            q.fma(chunkCarry, x).blend(x, q.compare(VectorOperators.LT, 0f)).intoArray(w, cin + m * 2 * L);
        }
    }

    /** Pass 4: every element's composite applied to its vector's incoming carry; out1 = A, out2 = A + value. */
    private static void chunkFixup(int lo, int hi, int E, int M, float[] value, float[] out1, float[] out2, float[] w) {
        final VectorShuffle<Float> mod = MOD[E];
        final int sc = oSC(), cin = oCin(M), nc = L / E;
        for (int j = 0; j < nc; j++) {
            for (int m = 0; m < M; m++) {
                int off = (j * M + m) * L;
                int base = lo + off;
                if (base >= hi) {
                    return;
                }
                FloatVector carry = E == 1 ? FloatVector.broadcast(S, w[cin + m * 2 * L + j])
                        : FloatVector.fromArray(S, w, cin + m * 2 * L + j * E).rearrange(mod);
                FloatVector dd = FloatVector.fromArray(S, w, off);
                FloatVector cc = FloatVector.fromArray(S, w, sc + off);
                FloatVector a = cc.fma(carry, dd).blend(dd, cc.compare(VectorOperators.LT, 0f));
                if (base + L <= hi) {
                    if (out1 != null) {
                        a.intoArray(out1, base);
                    }
                    if (out2 != null) {
                        a.add(FloatVector.fromArray(S, value, base)).intoArray(out2, base);
                    }
                } else {
                    VectorMask<Float> mk = S.indexInRange(0, hi - base);
                    if (out1 != null) {
                        a.intoArray(out1, base, mk);
                    }
                    if (out2 != null) {
                        a.add(FloatVector.fromArray(S, value, base, mk)).intoArray(out2, base, mk);
                    }
                }
            }
        }
    }

    /**
     * V-trace, chunked, in {@code u_t = vs_t - value_t} (the map of {@link #vtraceAlongTime}):
     * passes 2-4 as for GAE, pass 1 the V-trace terms (and ρ, kept for pgAdv), and a fifth pass
     * for pgAdv once the tile's vs are final (the following tile's were done before).
     */
    private static void vtraceChunked(int n, int E, float[] logRho, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar,
            float cBar, float[] vs, float[] pgAdv, float[] w) {
        final int M = CV * E;
        for (int e = 0; e < L; e++) {
            w[oTC(M) + e] = 0f; // u past the end: 0 (and cut at t = T-1 anyway)
        }
        final float ceil = SimdExp.ratioCeiling(Math.max(rhoBar, cBar));
        for (int lo = ((n - 1) / CTILE) * CTILE; lo >= 0; lo -= CTILE) {
            int hi = Math.min(n, lo + CTILE);
            vtraceChunkTerms(lo, hi, n, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar,
                    cBar, ceil, w);
            chunkCompose(E, M, Math.min(CV * L, (hi - lo + L - 1) / L), w);
            chunkCarries(E, M, w);
            chunkFixup(lo, hi, E, M, value, null, vs, w);
            if (pgAdv != null) {
                vtraceChunkPgAdv(lo, hi, n, E, reward, value, nextValue, terminated, done, gamma, vs, pgAdv, w);
            }
        }
    }

    /** Pass 1 (V-trace): d_t, the encoded coefficient (-1 where cut: done or t = T-1) and ρ_t; identity past {@code hi}. */
    private static void vtraceChunkTerms(int lo, int hi, int n, int E, float[] logRho, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar,
            float cBar, float ceil, float[] w) {
        final FloatVector gv = FloatVector.broadcast(S, gamma);
        final int dOff = -lo, cOff = oSC() - lo, rOff = oRho() - lo;
        final float gl = gamma * lambda;
        final int fullEnd = lo + ((hi - lo) / L) * L;
        // full vectors whose every lane has a following step: no mask, no branch
        final int fast = Math.max(lo, Math.min(fullEnd, lo + ((n - E - lo) / L) * L));
        final FloatVector glv = FloatVector.broadcast(S, gl);
        int base = lo;
        for (; base < fast; base += L) {
            FloatVector x = FloatVector.fromArray(S, logRho, base);
            FloatVector ratio = SimdExp.expClipped(x, ceil);
            FloatVector rho = ratio.blend(rhoBar, ratio.compare(VectorOperators.GT, rhoBar));
            FloatVector g = ratio.blend(cBar, ratio.compare(VectorOperators.GT, cBar)).mul(glv);
            FloatVector rv = FloatVector.fromArray(S, reward, base).sub(FloatVector.fromArray(S, value, base));
            FloatVector nv = FloatVector.fromArray(S, nextValue, base);
            FloatVector vNext = FloatVector.fromArray(S, value, base + E);
            VectorMask<Float> cut = VectorMask.fromArray(S, done, base);
            FloatVector delta = rho.mul(nv.blend(ZERO, VectorMask.fromArray(S, terminated, base)).fma(gv, rv));
            delta.add(g.mul(vNext.sub(nv)).blend(ZERO, cut)).intoArray(w, dOff + base);
            g.blend(MINUS_ONE, cut).intoArray(w, cOff + base);
            rho.intoArray(w, rOff + base);
        }
        for (; base < hi; base += L) {
            int count = Math.min(L, hi - base);
            boolean full = count == L;
            VectorMask<Float> m = full ? S.maskAll(true) : S.indexInRange(0, count);
            long nextBits = hasNextBits(base, count, n, E);
            FloatVector x = full ? FloatVector.fromArray(S, logRho, base) : FloatVector.fromArray(S, logRho, base, m);
            FloatVector ratio = SimdExp.expClipped(x, ceil);
            FloatVector rho = ratio.blend(rhoBar, ratio.compare(VectorOperators.GT, rhoBar));
            FloatVector g = ratio.blend(cBar, ratio.compare(VectorOperators.GT, cBar)).mul(gl);
            FloatVector r = full ? FloatVector.fromArray(S, reward, base) : FloatVector.fromArray(S, reward, base, m);
            FloatVector v = full ? FloatVector.fromArray(S, value, base) : FloatVector.fromArray(S, value, base, m);
            FloatVector nv = full ? FloatVector.fromArray(S, nextValue, base)
                    : FloatVector.fromArray(S, nextValue, base, m);
            FloatVector vNext = nextBits == ALL_LANES ? FloatVector.fromArray(S, value, base + E)
                    : FloatVector.fromArray(S, value, base + E, VectorMask.fromLong(S, nextBits));
            VectorMask<Float> term = full ? VectorMask.fromArray(S, terminated, base)
                    : VectorMask.fromLong(S, tailBits(terminated, base, count));
            long doneBits = full ? VectorMask.fromArray(S, done, base).toLong() : tailBits(done, base, count);
            VectorMask<Float> cut = VectorMask.fromLong(S, doneBits | ~nextBits);
            FloatVector delta = rho.mul(nv.blend(ZERO, term).fma(gv, r.sub(v)));
            delta.add(g.mul(vNext.sub(nv)).blend(ZERO, cut)).intoArray(w, dOff + base);
            g.blend(MINUS_ONE, cut).blend(ONE, m.not()).intoArray(w, cOff + base);
            rho.intoArray(w, rOff + base);
        }
    }

    /** Pass 5 (V-trace): pgAdv_t = ρ_t (r_t + γ (1 - terminated_t) vsNext_t - value_t) over the tile. */
    private static void vtraceChunkPgAdv(int lo, int hi, int n, int E, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float[] vs, float[] pgAdv,
            float[] w) {
        final FloatVector gv = FloatVector.broadcast(S, gamma);
        final int rOff = oRho() - lo;
        final int fullEnd = lo + ((hi - lo) / L) * L;
        final int fast = Math.max(lo, Math.min(fullEnd, lo + ((n - E - lo) / L) * L));
        int base = lo;
        for (; base < fast; base += L) { // full vectors whose every lane has a following step
            VectorMask<Float> cut = VectorMask.fromArray(S, done, base);
            FloatVector nv = FloatVector.fromArray(S, nextValue, base);
            FloatVector vsNext = FloatVector.fromArray(S, vs, base + E).blend(nv, cut);
            FloatVector r = FloatVector.fromArray(S, reward, base);
            FloatVector v = FloatVector.fromArray(S, value, base);
            FloatVector rho = FloatVector.fromArray(S, w, rOff + base);
            rho.mul(vsNext.blend(ZERO, VectorMask.fromArray(S, terminated, base)).fma(gv, r.sub(v)))
                    .intoArray(pgAdv, base);
        }
        for (; base < hi; base += L) {
            int count = Math.min(L, hi - base);
            boolean full = count == L;
            VectorMask<Float> m = full ? S.maskAll(true) : S.indexInRange(0, count);
            long nextBits = hasNextBits(base, count, n, E);
            long doneBits = full ? VectorMask.fromArray(S, done, base).toLong() : tailBits(done, base, count);
            VectorMask<Float> cut = VectorMask.fromLong(S, doneBits | ~nextBits);
            FloatVector nv = full ? FloatVector.fromArray(S, nextValue, base)
                    : FloatVector.fromArray(S, nextValue, base, m);
            FloatVector vsNext = (nextBits == ALL_LANES ? FloatVector.fromArray(S, vs, base + E)
                    : FloatVector.fromArray(S, vs, base + E, VectorMask.fromLong(S, nextBits))).blend(nv, cut);
            VectorMask<Float> term = full ? VectorMask.fromArray(S, terminated, base)
                    : VectorMask.fromLong(S, tailBits(terminated, base, count));
            FloatVector r = full ? FloatVector.fromArray(S, reward, base) : FloatVector.fromArray(S, reward, base, m);
            FloatVector v = full ? FloatVector.fromArray(S, value, base) : FloatVector.fromArray(S, value, base, m);
            FloatVector rho = FloatVector.fromArray(S, w, rOff + base);
            FloatVector pg = rho.mul(vsNext.blend(ZERO, term).fma(gv, r.sub(v)));
            if (full) {
                pg.intoArray(pgAdv, base);
            } else {
                pg.intoArray(pgAdv, base, m);
            }
        }
    }
}
