package dev.pgkernels.kfac;

import dev.pgkernels.Checks;

/**
 * The one place where the arguments of {@link KfacKernels} are checked (netlib's
 * {@code AbstractBLAS} pattern): each public final method runs every check, then calls a protected
 * {@code …Kernel} method that only computes. A backend extends this class and implements the
 * kernels; it never re-checks and may assume:
 * <ul>
 *   <li>every size is {@code >= 0}, {@code nA = in + (bias ? 1 : 0)} and every product of sizes
 *       fits an {@code int};</li>
 *   <li>every array is non-null and at least as long as the sizes require;</li>
 *   <li>{@code ε} lies in {@code [0, 1]}, {@code λ} is finite and {@code >= 0};</li>
 *   <li>{@code batch >= 1} and {@code ε < 1} in the running averages (the base class returns
 *       early for {@code B = 0} and {@code ε = 1}, which leave the average unchanged);</li>
 *   <li>the workspace came from this backend ({@link #accepts}) and its {@code maxDim} covers
 *       every matrix order of the call.</li>
 * </ul>
 * Checks throw {@link IllegalArgumentException} naming the argument, expected vs actual, before
 * any output element is written.
 */
public abstract class AbstractKfac implements KfacKernels {

    /** For subclasses. */
    protected AbstractKfac() {}

    /** Whether {@code ws} is a workspace this backend created (and can use). */
    protected abstract boolean accepts(KfacWorkspace ws);

    // ------------------------------------------------------------------ checks

    private static void len(String name, Object array, long required, String because) {
        if (array instanceof float[] f) {
            Checks.length(name, f, required, because);
        } else if (array instanceof double[] d) {
            Checks.length(name, d, required, because);
        } else {
            Checks.notNull(name, array);
            throw new IllegalArgumentException("argument '" + name + "' must be float[] or double[]");
        }
    }

    private static int nA(int in, boolean bias) {
        Checks.size("in", in);
        if (bias && in == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("in + 1 (bias) overflows an int: in = " + in);
        }
        return KfacKernels.factorDim(in, bias);
    }

    /**
     * As {@link #len(String, Object, long, String)} with the reason {@code what = p*q}, built only
     * when the check fails (the checks run on every call, and a kernel call allocates nothing).
     */
    private static void len(String name, Object array, long required, String what, long p, long q) {
        int actual = array instanceof float[] f ? f.length : array instanceof double[] d ? d.length : -1;
        if (actual < required) {
            len(name, array, required, what + " = " + p + "*" + q);
        }
    }

    private void workspace(KfacWorkspace ws, int order) {
        workspace(ws, order, 0);
    }

    /** Two overloads rather than varargs: the checks run on every call and allocate nothing. */
    private void workspace(KfacWorkspace ws, int order1, int order2) {
        Checks.notNull("ws", ws);
        if (!accepts(ws)) {
            throw new IllegalArgumentException("argument 'ws': a workspace of another backend ("
                    + ws.getClass().getName() + "); create it with this backend's workspace(maxDim)");
        }
        int need = Math.max(order1, order2);
        if (ws.maxDim() < need) {
            throw new IllegalArgumentException("argument 'ws': expected maxDim >= " + need
                    + " (the largest matrix order of this call), got " + ws.maxDim());
        }
    }

    private void checkUpdateFactor(int batch, int dim, boolean bias, Object x, double epsilon, KfacWorkspace ws,
            Object factor) {
        Checks.size("batch", batch);
        Checks.size("dim", dim);
        if (bias && dim == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dim + 1 (bias) overflows an int: dim = " + dim);
        }
        int n = KfacKernels.factorDim(dim, bias);
        len("x", x, Checks.product("batch*dim", batch, dim), "batch*dim", batch, dim);
        Checks.unitInterval("epsilon", epsilon);
        workspace(ws, n);
        len("factor", factor, Checks.product("n*n", n, n), "n*n with n = dim + bias", n, n);
    }

    private static void checkPi(int nA, Object a, int nS, Object s) {
        Checks.size("nA", nA);
        Checks.size("nS", nS);
        len("a", a, Checks.product("nA*nA", nA, nA), "nA*nA", nA, nA);
        len("s", s, Checks.product("nS*nS", nS, nS), "nS*nS", nS, nS);
    }

    private int checkGradient(int out, int in, boolean bias, Object grad, double lambda, KfacWorkspace ws) {
        Checks.size("out", out);
        int n = nA(in, bias);
        Checks.product("nA*nA", n, n);
        Checks.product("out*out", out, out);
        len("grad", grad, Checks.product("out*nA", out, n), "out*nA", out, n);
        Checks.nonNegativeFinite("lambda", lambda);
        workspace(ws, out, n);
        return n;
    }

    private void checkPrecondition(int out, int in, boolean bias, Object a, Object s, Object grad, double lambda,
            KfacWorkspace ws, Object delta) {
        int n = checkGradient(out, in, bias, grad, lambda, ws);
        len("a", a, (long) n * n, "nA*nA", n, n);
        len("s", s, (long) out * out, "out*out", out, out);
        len("delta", delta, (long) out * n, "out*nA", out, n);
    }

    private void checkEigenBasis(int n, Object factor, KfacWorkspace ws, Object q, Object eigenvalues) {
        Checks.size("n", n);
        int nn = Checks.product("n*n", n, n);
        len("factor", factor, nn, "n*n", n, n);
        workspace(ws, n);
        len("q", q, nn, "n*n", n, n);
        len("eigenvalues", eigenvalues, n, "n");
    }

    private void checkPreconditionEigen(int out, int in, boolean bias, Object qA, Object lambdaA, Object qS,
            Object lambdaS, Object grad, double lambda, KfacWorkspace ws, Object delta) {
        int n = checkGradient(out, in, bias, grad, lambda, ws);
        len("qA", qA, (long) n * n, "nA*nA", n, n);
        len("lambdaA", lambdaA, n, "nA");
        len("qS", qS, (long) out * out, "out*out", out, out);
        len("lambdaS", lambdaS, out, "out");
        len("delta", delta, (long) out * n, "out*nA", out, n);
    }

    private void checkUpdateEkfac(int batch, int out, int in, boolean bias, Object a, Object g, Object qA, Object qS,
            double epsilon, KfacWorkspace ws, Object scaling) {
        Checks.size("batch", batch);
        Checks.size("out", out);
        int n = nA(in, bias);
        len("a", a, Checks.product("batch*in", batch, in), "batch*in", batch, in);
        len("g", g, Checks.product("batch*out", batch, out), "batch*out", batch, out);
        len("qA", qA, Checks.product("nA*nA", n, n), "nA*nA", n, n);
        len("qS", qS, Checks.product("out*out", out, out), "out*out", out, out);
        Checks.unitInterval("epsilon", epsilon);
        workspace(ws, out, n);
        len("scaling", scaling, Checks.product("out*nA", out, n), "out*nA", out, n);
    }

    private void checkPreconditionEkfac(int out, int in, boolean bias, Object qA, Object qS, Object scaling,
            Object grad, double lambda, KfacWorkspace ws, Object delta) {
        int n = checkGradient(out, in, bias, grad, lambda, ws);
        len("qA", qA, (long) n * n, "nA*nA", n, n);
        len("qS", qS, (long) out * out, "out*out", out, out);
        len("scaling", scaling, (long) out * n, "out*nA", out, n);
        len("delta", delta, (long) out * n, "out*nA", out, n);
    }

    @Override
    public final KfacWorkspace workspace(int maxDim) {
        Checks.size("maxDim", maxDim);
        Checks.product("maxDim*maxDim", maxDim, maxDim);
        return workspaceKernel(maxDim);
    }

    /** Creates a workspace; {@code maxDim >= 0} and {@code maxDim²} fits an int. */
    protected abstract KfacWorkspace workspaceKernel(int maxDim);

    // ------------------------------------------------------------------ public final entry points

    @Override
    public final void updateFactor(int batch, int dim, boolean bias, float[] x, double epsilon, KfacWorkspace ws,
            float[] factor) {
        checkUpdateFactor(batch, dim, bias, x, epsilon, ws, factor);
        if (batch == 0 || epsilon == 1.0) {
            return; // nothing to average in, or ε = 1 keeps the old average (a select: no 0·Inf)
        }
        updateFactorKernel(batch, dim, bias, x, epsilon, ws, factor);
    }

    @Override
    public final void updateFactor(int batch, int dim, boolean bias, double[] x, double epsilon, KfacWorkspace ws,
            double[] factor) {
        checkUpdateFactor(batch, dim, bias, x, epsilon, ws, factor);
        if (batch == 0 || epsilon == 1.0) {
            return; // nothing to average in, or ε = 1 keeps the old average (a select: no 0·Inf)
        }
        updateFactorKernel(batch, dim, bias, x, epsilon, ws, factor);
    }

    @Override
    public final double pi(int nA, float[] a, int nS, float[] s) {
        checkPi(nA, a, nS, s);
        return piKernel(nA, a, nS, s);
    }

    @Override
    public final double pi(int nA, double[] a, int nS, double[] s) {
        checkPi(nA, a, nS, s);
        return piKernel(nA, a, nS, s);
    }

    @Override
    public final double precondition(int out, int in, boolean bias, float[] a, float[] s, float[] grad,
            double lambda, KfacWorkspace ws, float[] delta) {
        checkPrecondition(out, in, bias, a, s, grad, lambda, ws, delta);
        return preconditionKernel(out, KfacKernels.factorDim(in, bias), a, s, grad, lambda, ws, delta);
    }

    @Override
    public final double precondition(int out, int in, boolean bias, double[] a, double[] s, double[] grad,
            double lambda, KfacWorkspace ws, double[] delta) {
        checkPrecondition(out, in, bias, a, s, grad, lambda, ws, delta);
        return preconditionKernel(out, KfacKernels.factorDim(in, bias), a, s, grad, lambda, ws, delta);
    }

    @Override
    public final void eigenBasis(int n, float[] factor, KfacWorkspace ws, float[] q, float[] eigenvalues) {
        checkEigenBasis(n, factor, ws, q, eigenvalues);
        eigenBasisKernel(n, factor, ws, q, eigenvalues);
    }

    @Override
    public final void eigenBasis(int n, double[] factor, KfacWorkspace ws, double[] q, double[] eigenvalues) {
        checkEigenBasis(n, factor, ws, q, eigenvalues);
        eigenBasisKernel(n, factor, ws, q, eigenvalues);
    }

    @Override
    public final void preconditionEigen(int out, int in, boolean bias, float[] qA, float[] lambdaA, float[] qS,
            float[] lambdaS, float[] grad, double lambda, KfacWorkspace ws, float[] delta) {
        checkPreconditionEigen(out, in, bias, qA, lambdaA, qS, lambdaS, grad, lambda, ws, delta);
        preconditionEigenKernel(out, KfacKernels.factorDim(in, bias), qA, lambdaA, qS, lambdaS, grad, lambda, ws,
                delta);
    }

    @Override
    public final void preconditionEigen(int out, int in, boolean bias, double[] qA, double[] lambdaA, double[] qS,
            double[] lambdaS, double[] grad, double lambda, KfacWorkspace ws, double[] delta) {
        checkPreconditionEigen(out, in, bias, qA, lambdaA, qS, lambdaS, grad, lambda, ws, delta);
        preconditionEigenKernel(out, KfacKernels.factorDim(in, bias), qA, lambdaA, qS, lambdaS, grad, lambda, ws,
                delta);
    }

    @Override
    public final void updateEkfacScaling(int batch, int out, int in, boolean bias, float[] a, float[] g, float[] qA,
            float[] qS, double epsilon, KfacWorkspace ws, float[] scaling) {
        checkUpdateEkfac(batch, out, in, bias, a, g, qA, qS, epsilon, ws, scaling);
        if (batch == 0 || epsilon == 1.0) {
            return; // nothing to average in, or ε = 1 keeps the old average (a select: no 0·Inf)
        }
        updateEkfacScalingKernel(batch, out, in, bias, a, g, qA, qS, epsilon, ws, scaling);
    }

    @Override
    public final void updateEkfacScaling(int batch, int out, int in, boolean bias, double[] a, double[] g,
            double[] qA, double[] qS, double epsilon, KfacWorkspace ws, double[] scaling) {
        checkUpdateEkfac(batch, out, in, bias, a, g, qA, qS, epsilon, ws, scaling);
        if (batch == 0 || epsilon == 1.0) {
            return; // nothing to average in, or ε = 1 keeps the old average (a select: no 0·Inf)
        }
        updateEkfacScalingKernel(batch, out, in, bias, a, g, qA, qS, epsilon, ws, scaling);
    }

    @Override
    public final void preconditionEkfac(int out, int in, boolean bias, float[] qA, float[] qS, float[] scaling,
            float[] grad, double lambda, KfacWorkspace ws, float[] delta) {
        checkPreconditionEkfac(out, in, bias, qA, qS, scaling, grad, lambda, ws, delta);
        preconditionEkfacKernel(out, KfacKernels.factorDim(in, bias), qA, qS, scaling, grad, lambda, ws, delta);
    }

    @Override
    public final void preconditionEkfac(int out, int in, boolean bias, double[] qA, double[] qS, double[] scaling,
            double[] grad, double lambda, KfacWorkspace ws, double[] delta) {
        checkPreconditionEkfac(out, in, bias, qA, qS, scaling, grad, lambda, ws, delta);
        preconditionEkfacKernel(out, KfacKernels.factorDim(in, bias), qA, qS, scaling, grad, lambda, ws, delta);
    }

    // ------------------------------------------------------------------ kernels (checked arguments)

    /** {@link #updateFactor}, checked, {@code batch >= 1}, {@code epsilon < 1}. */
    protected abstract void updateFactorKernel(int batch, int dim, boolean bias, float[] x, double epsilon,
            KfacWorkspace ws, float[] factor);

    /** {@link #updateFactor}, checked, {@code batch >= 1}, {@code epsilon < 1}. */
    protected abstract void updateFactorKernel(int batch, int dim, boolean bias, double[] x, double epsilon,
            KfacWorkspace ws, double[] factor);

    /** {@link #pi}, checked. */
    protected abstract double piKernel(int nA, float[] a, int nS, float[] s);

    /** {@link #pi}, checked. */
    protected abstract double piKernel(int nA, double[] a, int nS, double[] s);

    /** {@link #precondition}, checked; {@code nA} is the factor order ({@code in + bias}). */
    protected abstract double preconditionKernel(int out, int nA, float[] a, float[] s, float[] grad, double lambda,
            KfacWorkspace ws, float[] delta);

    /** {@link #precondition}, checked; {@code nA} is the factor order ({@code in + bias}). */
    protected abstract double preconditionKernel(int out, int nA, double[] a, double[] s, double[] grad,
            double lambda, KfacWorkspace ws, double[] delta);

    /** {@link #eigenBasis}, checked. */
    protected abstract void eigenBasisKernel(int n, float[] factor, KfacWorkspace ws, float[] q, float[] eigenvalues);

    /** {@link #eigenBasis}, checked. */
    protected abstract void eigenBasisKernel(int n, double[] factor, KfacWorkspace ws, double[] q,
            double[] eigenvalues);

    /** {@link #preconditionEigen}, checked; {@code nA = in + bias}. */
    protected abstract void preconditionEigenKernel(int out, int nA, float[] qA, float[] lambdaA, float[] qS,
            float[] lambdaS, float[] grad, double lambda, KfacWorkspace ws, float[] delta);

    /** {@link #preconditionEigen}, checked; {@code nA = in + bias}. */
    protected abstract void preconditionEigenKernel(int out, int nA, double[] qA, double[] lambdaA, double[] qS,
            double[] lambdaS, double[] grad, double lambda, KfacWorkspace ws, double[] delta);

    /** {@link #updateEkfacScaling}, checked, {@code batch >= 1}, {@code epsilon < 1}. */
    protected abstract void updateEkfacScalingKernel(int batch, int out, int in, boolean bias, float[] a, float[] g,
            float[] qA, float[] qS, double epsilon, KfacWorkspace ws, float[] scaling);

    /** {@link #updateEkfacScaling}, checked, {@code batch >= 1}, {@code epsilon < 1}. */
    protected abstract void updateEkfacScalingKernel(int batch, int out, int in, boolean bias, double[] a,
            double[] g, double[] qA, double[] qS, double epsilon, KfacWorkspace ws, double[] scaling);

    /** {@link #preconditionEkfac}, checked; {@code nA = in + bias}. */
    protected abstract void preconditionEkfacKernel(int out, int nA, float[] qA, float[] qS, float[] scaling,
            float[] grad, double lambda, KfacWorkspace ws, float[] delta);

    /** {@link #preconditionEkfac}, checked; {@code nA = in + bias}. */
    protected abstract void preconditionEkfacKernel(int out, int nA, double[] qA, double[] qS, double[] scaling,
            double[] grad, double lambda, KfacWorkspace ws, double[] delta);
}
