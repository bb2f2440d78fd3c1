package dev.pgkernels.scan;

import dev.pgkernels.Checks;

/**
 * The one place where the arguments of every {@link ScanKernels} method are checked (netlib's
 * {@code AbstractBLAS} pattern): each public method is {@code final}, runs every check of SPEC
 * "Bad input", and only then calls the matching protected {@code ...Kernel} method, which a
 * backend implements and which may assume valid arguments. So no output element is ever written
 * by a rejected call, whatever the backend.
 *
 * <p>Checks, in order: {@code T >= 0}, {@code E >= 0}, {@code T*E} (and {@code (T+1)*E}) fit an
 * int; every input non-null and at least as long as its shape; the outputs (the required ones
 * non-null, and at least one of two optional ones given), long enough, and not the same array
 * object as an input or as each other; γ and λ in [0, 1]; ρ̄ and c̄ &gt; 0 ({@code +Inf}
 * allowed). NaN parameters are rejected. Then, if {@code T*E == 0}, the call returns without
 * calling the kernel.
 *
 * <p>A backend may choose its strategy by shape inside the kernel (e.g. vectorised across
 * environments for large {@code E}, a chunked associative scan across time for small {@code E}
 * and long {@code T}); the optional {@link ScanWorkspace} is passed through unchanged (it may be
 * {@code null}).
 */
public abstract class AbstractScanKernels implements ScanKernels {

    /** For subclasses. */
    protected AbstractScanKernels() {}

    @Override
    public final void gae(int T, int E, float[] reward, float[] value, float[] nextValue, boolean[] terminated,
            boolean[] done, float gamma, float lambda, float[] advantages, float[] returns, ScanWorkspace ws) {
        int n = steps(T, E);
        String because = because(T, E);
        generalInputs(n, because, reward, value, nextValue, terminated, done);
        if (advantages == null && returns == null) {
            throw new IllegalArgumentException(
                    "arguments 'advantages' and 'returns' are both null: request at least one output");
        }
        optionalOutput("advantages", advantages, n, because);
        optionalOutput("returns", returns, n, because);
        distinct(advantages, "advantages", returns, "returns");
        notAnInput("advantages", advantages, reward, value, nextValue);
        notAnInput("returns", returns, reward, value, nextValue);
        Checks.unitInterval("gamma", gamma);
        Checks.unitInterval("lambda", lambda);
        if (n == 0) {
            return;
        }
        gaeKernel(T, E, reward, value, nextValue, terminated, done, gamma, lambda, advantages, returns, ws);
    }

    @Override
    public final void lambdaReturns(int T, int E, float[] reward, float[] value, float[] nextValue,
            boolean[] terminated, boolean[] done, float gamma, float lambda, float[] returns, ScanWorkspace ws) {
        int n = steps(T, E);
        String because = because(T, E);
        generalInputs(n, because, reward, value, nextValue, terminated, done);
        Checks.length("returns", returns, n, because);
        notAnInput("returns", returns, reward, value, nextValue);
        Checks.unitInterval("gamma", gamma);
        Checks.unitInterval("lambda", lambda);
        if (n == 0) {
            return;
        }
        gaeKernel(T, E, reward, value, nextValue, terminated, done, gamma, lambda, null, returns, ws);
    }

    @Override
    public final void gaeCompact(int T, int E, float[] reward, float[] value, boolean[] dones, float gamma,
            float lambda, float[] advantages, float[] returns, ScanWorkspace ws) {
        int n = steps(T, E);
        String because = because(T, E);
        long nv = ((long) T + 1) * E;
        if (nv > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("(T+1)*E = " + nv + " exceeds the largest Java array ("
                    + Integer.MAX_VALUE + ")");
        }
        Checks.length("reward", reward, n, because);
        Checks.length("value", value, nv, "(T+1)*E = (" + T + "+1)*" + E);
        Checks.length("dones", dones, n, because);
        if (advantages == null && returns == null) {
            throw new IllegalArgumentException(
                    "arguments 'advantages' and 'returns' are both null: request at least one output");
        }
        optionalOutput("advantages", advantages, n, because);
        optionalOutput("returns", returns, n, because);
        distinct(advantages, "advantages", returns, "returns");
        distinct(advantages, "advantages", reward, "reward");
        distinct(advantages, "advantages", value, "value");
        distinct(returns, "returns", reward, "reward");
        distinct(returns, "returns", value, "value");
        Checks.unitInterval("gamma", gamma);
        Checks.unitInterval("lambda", lambda);
        if (n == 0) {
            return;
        }
        gaeCompactKernel(T, E, reward, value, dones, gamma, lambda, advantages, returns, ws);
    }

    @Override
    public final void rewardToGo(int T, int E, float[] reward, boolean[] done, float gamma, float[] out,
            ScanWorkspace ws) {
        int n = steps(T, E);
        String because = because(T, E);
        Checks.length("reward", reward, n, because);
        Checks.length("done", done, n, because);
        Checks.length("out", out, n, because);
        distinct(out, "out", reward, "reward");
        Checks.unitInterval("gamma", gamma);
        if (n == 0) {
            return;
        }
        rewardToGoKernel(T, E, reward, done, gamma, out, ws);
    }

    @Override
    public final void vtrace(int T, int E, float[] logRho, float[] reward, float[] value, float[] nextValue,
            boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar, float cBar, float[] vs,
            float[] pgAdv, ScanWorkspace ws) {
        int n = steps(T, E);
        String because = because(T, E);
        Checks.length("logRho", logRho, n, because);
        generalInputs(n, because, reward, value, nextValue, terminated, done);
        Checks.length("vs", vs, n, because);
        optionalOutput("pgAdv", pgAdv, n, because);
        distinct(vs, "vs", pgAdv, "pgAdv");
        distinct(vs, "vs", logRho, "logRho");
        notAnInput("vs", vs, reward, value, nextValue);
        distinct(pgAdv, "pgAdv", logRho, "logRho");
        notAnInput("pgAdv", pgAdv, reward, value, nextValue);
        Checks.unitInterval("gamma", gamma);
        Checks.unitInterval("lambda", lambda);
        Checks.positive("rhoBar", rhoBar);
        Checks.positive("cBar", cBar);
        if (n == 0) {
            return;
        }
        vtraceKernel(T, E, logRho, reward, value, nextValue, terminated, done, gamma, lambda, rhoBar, cBar, vs, pgAdv,
                ws);
    }

    // ---- the kernels a backend implements (arguments already valid, T*E > 0) ----

    /**
     * GAE, general form, as {@link #gae}. Arguments are valid, {@code T*E > 0}, and exactly the
     * non-null ones of {@code advantages} and {@code returns} are to be written (at least one is
     * non-null); {@code ws} may be null.
     */
    protected abstract void gaeKernel(int T, int E, float[] reward, float[] value, float[] nextValue,
            boolean[] terminated, boolean[] done, float gamma, float lambda, float[] advantages, float[] returns,
            ScanWorkspace ws);

    /** GAE, compact form, as {@link #gaeCompact}; valid arguments, {@code T*E > 0}, outputs as in {@link #gaeKernel}. */
    protected abstract void gaeCompactKernel(int T, int E, float[] reward, float[] value, boolean[] dones,
            float gamma, float lambda, float[] advantages, float[] returns, ScanWorkspace ws);

    /** Reward-to-go, as {@link #rewardToGo}; valid arguments, {@code T*E > 0}. */
    protected abstract void rewardToGoKernel(int T, int E, float[] reward, boolean[] done, float gamma, float[] out,
            ScanWorkspace ws);

    /** V-trace, as {@link #vtrace}; valid arguments, {@code T*E > 0}, {@code pgAdv} may be null. */
    protected abstract void vtraceKernel(int T, int E, float[] logRho, float[] reward, float[] value,
            float[] nextValue, boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar,
            float cBar, float[] vs, float[] pgAdv, ScanWorkspace ws);

    // ---- checks ----

    private static int steps(int T, int E) {
        Checks.size("T", T);
        Checks.size("E", E);
        return Checks.product("T*E", T, E);
    }

    private static String because(int T, int E) {
        return "T*E = " + T + "*" + E;
    }

    private static void generalInputs(int n, String because, float[] reward, float[] value, float[] nextValue,
            boolean[] terminated, boolean[] done) {
        Checks.length("reward", reward, n, because);
        Checks.length("value", value, n, because);
        Checks.length("nextValue", nextValue, n, because);
        Checks.length("terminated", terminated, n, because);
        Checks.length("done", done, n, because);
    }

    private static void optionalOutput(String name, float[] out, int n, String because) {
        if (out != null) {
            Checks.length(name, out, n, because);
        }
    }

    private static void notAnInput(String outName, float[] out, float[] reward, float[] value, float[] nextValue) {
        distinct(out, outName, reward, "reward");
        distinct(out, outName, value, "value");
        distinct(out, outName, nextValue, "nextValue");
    }

    /** Rejects an output that is the very same array object as another argument (null never matches). */
    private static void distinct(float[] out, String outName, float[] other, String otherName) {
        if (out != null && out == other) {
            throw new IllegalArgumentException("argument '" + outName + "' is the same array as '" + otherName
                    + "': outputs must not alias inputs or each other");
        }
    }
}
