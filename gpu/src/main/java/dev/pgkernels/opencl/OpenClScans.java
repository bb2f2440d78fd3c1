package dev.pgkernels.opencl;

import dev.pgkernels.Checks;
import dev.pgkernels.scan.AbstractScanKernels;
import dev.pgkernels.scan.ScanWorkspace;
import org.jocl.cl_kernel;

/**
 * The {@code opencl} scans (SPEC §3), {@code scans.cl}, fp32. Two strategies compute the reverse
 * recurrence {@code A_t = delta_t + c_t (1 - done_t) A_{t+1}} (V-trace in the variable
 * {@code vs_{t+1}}):
 * <ul>
 *   <li>{@link Strategy#ENVS} — many environments: a work-item per environment walks back in time;
 *       neighbouring items read neighbouring elements of each row.</li>
 *   <li>{@link Strategy#CHUNKED} — few environments, long horizons: time is cut into chunks; a
 *       work-item per (chunk, environment) composes its chunk's affine maps {@code x -> D + C x}
 *       (composition is associative), one item per environment walks the chunks to get each
 *       chunk's incoming carry, and a work-item per (chunk, environment) recomputes its chunk
 *       from that carry with the same expressions as {@link Strategy#ENVS}. A {@code done} flag
 *       inside a chunk is a hard cut, so NaN never crosses an episode boundary.</li>
 * </ul>
 * The public methods choose by shape ({@link OpenClThresholds#SCAN_CHUNKED_MAX_E},
 * {@link OpenClThresholds#SCAN_CHUNKED_MIN_T}); {@link #OpenClScans(OpenClContext, Strategy)} forces one.
 *
 * <p>Arrays in and out through the {@link dev.pgkernels.scan.ScanKernels} methods (upload, run,
 * download, staged in the context's pooled scratch buffers; the {@link ScanWorkspace} is not used —
 * the chunked scan's carries live in device scratch too);
 * {@link #gae(int, int, DeviceBuffer, DeviceBuffer, DeviceBuffer, DeviceBuffer, DeviceBuffer, float, float, DeviceBuffer, DeviceBuffer)}
 * and {@link #vtrace(int, int, DeviceBuffer, DeviceBuffer, DeviceBuffer, DeviceBuffer, DeviceBuffer, DeviceBuffer, float, float, float, float, DeviceBuffer, DeviceBuffer)}
 * work on device-resident rollouts. Thread-safe: calls are serialised on the context's lock.
 */
public final class OpenClScans extends AbstractScanKernels {
    static final String[] PROGRAM = {"common.cl", "scans.cl"};

    /** How the recurrence is parallelised. */
    public enum Strategy {
        /** A work-item per environment. */
        ENVS,
        /** A chunked associative scan across time. */
        CHUNKED
    }

    private static final int MODE_GENERAL = 0, MODE_COMPACT = 1, MODE_RTG = 2;

    private final OpenClContext ctx;
    private final Strategy forced;

    /** Chooses the strategy by shape. */
    public OpenClScans(OpenClContext ctx) {
        this(ctx, null);
    }

    /** Always uses {@code strategy} ({@code null}: choose by shape). */
    public OpenClScans(OpenClContext ctx, Strategy strategy) {
        this.ctx = ctx;
        this.forced = strategy;
    }

    /** The strategy used for a {@code T x E} rollout. */
    public Strategy strategyFor(int T, int E) {
        if (forced != null) {
            return forced;
        }
        return E < OpenClThresholds.SCAN_CHUNKED_MAX_E && T >= OpenClThresholds.SCAN_CHUNKED_MIN_T
                ? Strategy.CHUNKED : Strategy.ENVS;
    }

    /** The chunk length of the chunked scan for a {@code T x E} rollout. */
    public static int chunkLength(int T, int E) {
        int chunks = Math.max(1, OpenClThresholds.SCAN_TARGET_ITEMS / Math.max(E, 1));
        return Math.max(OpenClThresholds.SCAN_MIN_CHUNK, (T + chunks - 1) / chunks);
    }

    // ------------------------------------------------------------------ arrays in, arrays out

    @Override
    protected void gaeKernel(int T, int E, float[] reward, float[] value, float[] nextValue, boolean[] terminated,
            boolean[] done, float gamma, float lambda, float[] advantages, float[] returns, ScanWorkspace ws) {
        int n = T * E;
        ctx.lock().lock();
        try {
            DeviceBuffer r = ctx.stage("scan.r", reward, 0, n), v = ctx.stage("scan.v", value, 0, n);
            DeviceBuffer nv = ctx.stage("scan.nv", nextValue, 0, n), te = ctx.stage("scan.term", terminated, n);
            DeviceBuffer d = ctx.stage("scan.done", done, n);
            DeviceBuffer a = advantages == null ? null : ctx.scratch("scan.o1", DeviceBuffer.Type.FLOAT, n);
            DeviceBuffer ret = returns == null ? null : ctx.scratch("scan.o2", DeviceBuffer.Type.FLOAT, n);
            runGae(MODE_GENERAL, T, E, r, v, nv, te, d, gamma, gamma * lambda, a, ret,
                    (advantages != null ? 1 : 0) | (returns != null ? 2 : 0));
            if (advantages != null) a.read(advantages, 0, n);
            if (returns != null) ret.read(returns, 0, n);
        } finally {
            ctx.lock().unlock();
        }
    }

    @Override
    protected void gaeCompactKernel(int T, int E, float[] reward, float[] value, boolean[] dones, float gamma,
            float lambda, float[] advantages, float[] returns, ScanWorkspace ws) {
        int n = T * E;
        ctx.lock().lock();
        try {
            DeviceBuffer r = ctx.stage("scan.r", reward, 0, n), v = ctx.stage("scan.v", value, 0, n + E);
            DeviceBuffer d = ctx.stage("scan.done", dones, n);
            DeviceBuffer a = advantages == null ? null : ctx.scratch("scan.o1", DeviceBuffer.Type.FLOAT, n);
            DeviceBuffer ret = returns == null ? null : ctx.scratch("scan.o2", DeviceBuffer.Type.FLOAT, n);
            runGae(MODE_COMPACT, T, E, r, v, v, d, d, gamma, gamma * lambda, a, ret,
                    (advantages != null ? 1 : 0) | (returns != null ? 2 : 0));
            if (advantages != null) a.read(advantages, 0, n);
            if (returns != null) ret.read(returns, 0, n);
        } finally {
            ctx.lock().unlock();
        }
    }

    @Override
    protected void rewardToGoKernel(int T, int E, float[] reward, boolean[] done, float gamma, float[] out,
            ScanWorkspace ws) {
        int n = T * E;
        ctx.lock().lock();
        try {
            DeviceBuffer r = ctx.stage("scan.r", reward, 0, n), d = ctx.stage("scan.done", done, n);
            DeviceBuffer o = ctx.scratch("scan.o1", DeviceBuffer.Type.FLOAT, n);
            // GAE with lambda = 1 and zero values: A_t = r_t + gamma (1 - done_t) A_{t+1}
            runGae(MODE_RTG, T, E, r, r, r, d, d, gamma, gamma, o, null, 1);
            o.read(out, 0, n);
        } finally {
            ctx.lock().unlock();
        }
    }

    @Override
    protected void vtraceKernel(int T, int E, float[] logRho, float[] reward, float[] value, float[] nextValue,
            boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar, float cBar, float[] vs,
            float[] pgAdv, ScanWorkspace ws) {
        int n = T * E;
        ctx.lock().lock();
        try {
            DeviceBuffer lr = ctx.stage("scan.lr", logRho, 0, n), r = ctx.stage("scan.r", reward, 0, n);
            DeviceBuffer v = ctx.stage("scan.v", value, 0, n), nv = ctx.stage("scan.nv", nextValue, 0, n);
            DeviceBuffer te = ctx.stage("scan.term", terminated, n), d = ctx.stage("scan.done", done, n);
            DeviceBuffer vsb = ctx.scratch("scan.o1", DeviceBuffer.Type.FLOAT, n);
            DeviceBuffer pg = pgAdv == null ? null : ctx.scratch("scan.o2", DeviceBuffer.Type.FLOAT, n);
            runVtrace(T, E, lr, r, v, nv, te, d, gamma, lambda, rhoBar, cBar, vsb, pg);
            vsb.read(vs, 0, n);
            if (pgAdv != null) pg.read(pgAdv, 0, n);
        } finally {
            ctx.lock().unlock();
        }
    }

    // ------------------------------------------------------------------ device-resident

    /**
     * Device-resident GAE, general form (SPEC §3; {@link #gae(int, int, float[], float[], float[], boolean[], boolean[], float, float, float[], float[], ScanWorkspace)}).
     *
     * <br>{@code reward}, {@code value}, {@code nextValue}: {@code T*E} floats; terminated, done {@code T*E} flags. Not modified.
     * <br>{@code advantages}, {@code returns}: {@code T*E} floats, either may be null (not both). Modified.
     * @throws IllegalArgumentException on a bad shape, buffer or parameter, before any device work
     */
    public void gae(int T, int E, DeviceBuffer reward, DeviceBuffer value, DeviceBuffer nextValue,
            DeviceBuffer terminated, DeviceBuffer done, float gamma, float lambda, DeviceBuffer advantages,
            DeviceBuffer returns) {
        Checks.size("T", T);
        Checks.size("E", E);
        int n = Checks.product("T*E", T, E);
        String because = "T*E = " + T + "*" + E;
        OpenClBuffers.require(ctx, "reward", reward, DeviceBuffer.Type.FLOAT, 0, n, because);
        OpenClBuffers.require(ctx, "value", value, DeviceBuffer.Type.FLOAT, 0, n, because);
        OpenClBuffers.require(ctx, "nextValue", nextValue, DeviceBuffer.Type.FLOAT, 0, n, because);
        OpenClBuffers.require(ctx, "terminated", terminated, DeviceBuffer.Type.FLAG, 0, n, because);
        OpenClBuffers.require(ctx, "done", done, DeviceBuffer.Type.FLAG, 0, n, because);
        if (advantages == null && returns == null) {
            throw new IllegalArgumentException(
                    "arguments 'advantages' and 'returns' are both null: request at least one output");
        }
        if (advantages != null) OpenClBuffers.require(ctx, "advantages", advantages, DeviceBuffer.Type.FLOAT, 0, n, because);
        if (returns != null) OpenClBuffers.require(ctx, "returns", returns, DeviceBuffer.Type.FLOAT, 0, n, because);
        Checks.unitInterval("gamma", gamma);
        Checks.unitInterval("lambda", lambda);
        if (n == 0) {
            return;
        }
        ctx.lock().lock();
        try {
            runGae(MODE_GENERAL, T, E, reward, value, nextValue, terminated, done, gamma, gamma * lambda, advantages,
                    returns, (advantages != null ? 1 : 0) | (returns != null ? 2 : 0));
        } finally {
            ctx.lock().unlock();
        }
    }

    /**
     * Device-resident discounted reward-to-go (SPEC §3; GAE with λ = 1 and zero values).
     *
     * <br>{@code reward}: {@code T*E} floats; {@code done}: {@code T*E} flags. Not modified.
     * <br>{@code out}: {@code T*E} floats. Modified.
     * @throws IllegalArgumentException on a bad shape, buffer or parameter, before any device work
     */
    public void rewardToGo(int T, int E, DeviceBuffer reward, DeviceBuffer done, float gamma, DeviceBuffer out) {
        Checks.size("T", T);
        Checks.size("E", E);
        int n = Checks.product("T*E", T, E);
        String because = "T*E = " + T + "*" + E;
        OpenClBuffers.require(ctx, "reward", reward, DeviceBuffer.Type.FLOAT, 0, n, because);
        OpenClBuffers.require(ctx, "done", done, DeviceBuffer.Type.FLAG, 0, n, because);
        OpenClBuffers.require(ctx, "out", out, DeviceBuffer.Type.FLOAT, 0, n, because);
        if (out == reward) {
            throw new IllegalArgumentException("argument 'out' is the same buffer as 'reward'");
        }
        Checks.unitInterval("gamma", gamma);
        if (n == 0) {
            return;
        }
        ctx.lock().lock();
        try {
            runGae(MODE_RTG, T, E, reward, reward, reward, done, done, gamma, gamma, out, null, 1);
        } finally {
            ctx.lock().unlock();
        }
    }

    /**
     * Device-resident GAE, compact form (SPEC §3): {@code value} has {@code (T+1)*E} elements,
     * {@code nextValue_t = value_{t+1}}, {@code terminated = done = dones}.
     *
     * @param reward {@code T*E} floats; value {@code (T+1)*E} floats; dones {@code T*E} flags. Not modified.
     * <br>{@code advantages}, {@code returns}: {@code T*E} floats, either may be null (not both). Modified.
     * @throws IllegalArgumentException on a bad shape, buffer or parameter, before any device work
     */
    public void gaeCompact(int T, int E, DeviceBuffer reward, DeviceBuffer value, DeviceBuffer dones, float gamma,
            float lambda, DeviceBuffer advantages, DeviceBuffer returns) {
        Checks.size("T", T);
        Checks.size("E", E);
        int n = Checks.product("T*E", T, E);
        String because = "T*E = " + T + "*" + E;
        OpenClBuffers.require(ctx, "reward", reward, DeviceBuffer.Type.FLOAT, 0, n, because);
        OpenClBuffers.require(ctx, "value", value, DeviceBuffer.Type.FLOAT, 0, (long) n + E, "(T+1)*E");
        OpenClBuffers.require(ctx, "dones", dones, DeviceBuffer.Type.FLAG, 0, n, because);
        if (advantages == null && returns == null) {
            throw new IllegalArgumentException(
                    "arguments 'advantages' and 'returns' are both null: request at least one output");
        }
        if (advantages != null) OpenClBuffers.require(ctx, "advantages", advantages, DeviceBuffer.Type.FLOAT, 0, n, because);
        if (returns != null) OpenClBuffers.require(ctx, "returns", returns, DeviceBuffer.Type.FLOAT, 0, n, because);
        Checks.unitInterval("gamma", gamma);
        Checks.unitInterval("lambda", lambda);
        if (n == 0) {
            return;
        }
        ctx.lock().lock();
        try {
            runGae(MODE_COMPACT, T, E, reward, value, value, dones, dones, gamma, gamma * lambda, advantages, returns,
                    (advantages != null ? 1 : 0) | (returns != null ? 2 : 0));
        } finally {
            ctx.lock().unlock();
        }
    }

    /**
     * Device-resident V-trace (SPEC §3; {@link #vtrace(int, int, float[], float[], float[], float[], boolean[], boolean[], float, float, float, float, float[], float[], ScanWorkspace)}).
     *
     * <br>{@code logRho}, {@code reward}, {@code value}, {@code nextValue}: {@code T*E} floats; terminated, done flags. Not modified.
     * @param vs {@code T*E} floats; pgAdv {@code T*E} floats or null. Modified.
     * @throws IllegalArgumentException on a bad shape, buffer or parameter, before any device work
     */
    public void vtrace(int T, int E, DeviceBuffer logRho, DeviceBuffer reward, DeviceBuffer value, DeviceBuffer nextValue,
            DeviceBuffer terminated, DeviceBuffer done, float gamma, float lambda, float rhoBar, float cBar,
            DeviceBuffer vs, DeviceBuffer pgAdv) {
        Checks.size("T", T);
        Checks.size("E", E);
        int n = Checks.product("T*E", T, E);
        String because = "T*E = " + T + "*" + E;
        OpenClBuffers.require(ctx, "logRho", logRho, DeviceBuffer.Type.FLOAT, 0, n, because);
        OpenClBuffers.require(ctx, "reward", reward, DeviceBuffer.Type.FLOAT, 0, n, because);
        OpenClBuffers.require(ctx, "value", value, DeviceBuffer.Type.FLOAT, 0, n, because);
        OpenClBuffers.require(ctx, "nextValue", nextValue, DeviceBuffer.Type.FLOAT, 0, n, because);
        OpenClBuffers.require(ctx, "terminated", terminated, DeviceBuffer.Type.FLAG, 0, n, because);
        OpenClBuffers.require(ctx, "done", done, DeviceBuffer.Type.FLAG, 0, n, because);
        OpenClBuffers.require(ctx, "vs", vs, DeviceBuffer.Type.FLOAT, 0, n, because);
        if (pgAdv != null) OpenClBuffers.require(ctx, "pgAdv", pgAdv, DeviceBuffer.Type.FLOAT, 0, n, because);
        Checks.unitInterval("gamma", gamma);
        Checks.unitInterval("lambda", lambda);
        Checks.positive("rhoBar", rhoBar);
        Checks.positive("cBar", cBar);
        if (n == 0) {
            return;
        }
        ctx.lock().lock();
        try {
            runVtrace(T, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar, cBar, vs, pgAdv);
        } finally {
            ctx.lock().unlock();
        }
    }

    // ------------------------------------------------------------------ launches (caller holds the lock)

    private long group(cl_kernel k) {
        return Math.min(OpenClThresholds.ELEMENTWISE_GROUP, ctx.maxWorkGroup(k));
    }

    private void launch(String name, long items, Object... args) {
        cl_kernel k = ctx.kernel(name, PROGRAM);
        ctx.args(k, name, args);
        long g = group(k);
        ctx.launch(k, name, OpenClBuffers.roundUp(items, g), g);
    }

    private void runGae(int mode, int T, int E, DeviceBuffer r, DeviceBuffer v, DeviceBuffer nv, DeviceBuffer term,
            DeviceBuffer done, float gamma, float c, DeviceBuffer adv, DeviceBuffer ret, int outs) {
        // an output not asked for (null) is never written; the other buffer stands in as its argument
        DeviceBuffer a = adv != null ? adv : ret, rr = ret != null ? ret : adv;
        if (strategyFor(T, E) == Strategy.ENVS) {
            launch("gae_envs", E, mode, T, E, r, v, nv, term, done, gamma, c, a, rr, outs);
            return;
        }
        int chunk = chunkLength(T, E);
        int nChunks = (T + chunk - 1) / chunk;
        int items = nChunks * E;
        {
            DeviceBuffer dd = ctx.scratch("scan.D", DeviceBuffer.Type.FLOAT, items);
            DeviceBuffer cc = ctx.scratch("scan.C", DeviceBuffer.Type.FLOAT, items);
            DeviceBuffer cut = ctx.scratch("scan.cut", DeviceBuffer.Type.FLAG, items);
            DeviceBuffer carry = ctx.scratch("scan.carry", DeviceBuffer.Type.FLOAT, items);
            launch("gae_compose", items, mode, T, E, chunk, nChunks, r, v, nv, term, done, gamma, c, dd, cc, cut);
            launch("chunk_carry", E, E, nChunks, dd, cc, cut, carry);
            launch("gae_apply", items, mode, T, E, chunk, nChunks, r, v, nv, term, done, gamma, c, carry, a, rr, outs);
        }
    }

    private void runVtrace(int T, int E, DeviceBuffer lr, DeviceBuffer r, DeviceBuffer v, DeviceBuffer nv,
            DeviceBuffer term, DeviceBuffer done, float gamma, float lambda, float rhoBar, float cBar, DeviceBuffer vs,
            DeviceBuffer pg) {
        int outs = pg != null ? 1 : 0;
        DeviceBuffer p = pg != null ? pg : vs;
        if (strategyFor(T, E) == Strategy.ENVS) {
            launch("vtrace_envs", E, T, E, lr, r, v, nv, term, done, gamma, lambda, rhoBar, cBar, vs, p, outs);
            return;
        }
        int chunk = chunkLength(T, E);
        int nChunks = (T + chunk - 1) / chunk;
        int items = nChunks * E;
        {
            DeviceBuffer dd = ctx.scratch("scan.D", DeviceBuffer.Type.FLOAT, items);
            DeviceBuffer cc = ctx.scratch("scan.C", DeviceBuffer.Type.FLOAT, items);
            DeviceBuffer cut = ctx.scratch("scan.cut", DeviceBuffer.Type.FLAG, items);
            DeviceBuffer carry = ctx.scratch("scan.carry", DeviceBuffer.Type.FLOAT, items);
            launch("vtrace_compose", items, T, E, chunk, nChunks, lr, r, v, nv, term, done, gamma, lambda, rhoBar, cBar,
                    dd, cc, cut);
            launch("chunk_carry", E, E, nChunks, dd, cc, cut, carry);
            launch("vtrace_apply", items, T, E, chunk, nChunks, lr, r, v, nv, term, done, gamma, lambda, rhoBar, cBar,
                    carry, vs, p, outs);
        }
    }
}
