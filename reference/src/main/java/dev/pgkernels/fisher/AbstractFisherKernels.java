package dev.pgkernels.fisher;

import dev.pgkernels.Checks;

/**
 * The one place where Fisher-vector-product arguments are checked (netlib's {@code AbstractBLAS}
 * pattern): every public method is final, runs every check of {@link FisherKernels}' contract,
 * and only then calls the backend's protected {@code ...Kernel} method, which computes and need
 * not check anything. No output element is written before every check has passed.
 */
public abstract class AbstractFisherKernels implements FisherKernels {

    /** For subclasses. */
    protected AbstractFisherKernels() {}

    /** The backend's name, stamped on its workspaces. */
    protected abstract String backendName();

    /** A workspace for {@code shape} (not null), sized as this backend's kernels need. */
    protected abstract FisherWorkspace newWorkspace(FisherShape shape);

    @Override
    public final FisherWorkspace workspace(FisherShape shape) {
        Checks.notNull("shape", shape);
        return newWorkspace(shape);
    }

    private void common(FisherShape shape, double damping, int stride, FisherWorkspace ws) {
        Checks.nonNegativeFinite("damping", damping);
        Checks.positiveSize("stride", stride);
        Checks.notNull("ws", ws);
        if (!ws.backend().equals(backendName())) {
            throw new IllegalArgumentException("argument 'ws': made by backend " + ws.backend() + ", expected "
                    + backendName());
        }
        if (!ws.fits(shape)) {
            throw new IllegalArgumentException("argument 'ws': sized for " + ws.shape() + ", does not fit " + shape);
        }
    }

    // fixed arities, not varargs: a check on every product allocates nothing
    private static void distinct(Object out, Object a, Object b, Object c) {
        distinct(out, a, b);
        distinct(out, c, c);
    }

    private static void distinct(Object out, Object a, Object b) {
        if (a == out || b == out) {
            throw new IllegalArgumentException("argument 'out' must not be the same array as an input");
        }
    }

    // ---------------- linear softmax ----------------

    @Override
    public final void linearSoftmaxFvp(LinearSoftmaxShape shape, float[] theta, float[] x, float[] v, double damping,
            int stride, float[] out, FisherWorkspace ws) {
        Checks.notNull("shape", shape);
        int p = shape.paramCount();
        Checks.length("theta", theta, p, "P = A*D + A");
        Checks.length("x", x, (long) shape.batch() * shape.features(), "B*D");
        Checks.length("v", v, p, "P = A*D + A");
        Checks.length("out", out, p, "P = A*D + A");
        common(shape, damping, stride, ws);
        distinct(out, theta, x, v);
        linearSoftmaxKernel(shape, theta, x, v, damping, stride, out, ws);
    }

    @Override
    public final void linearSoftmaxFvp(LinearSoftmaxShape shape, double[] theta, double[] x, double[] v, double damping,
            int stride, double[] out, FisherWorkspace ws) {
        Checks.notNull("shape", shape);
        int p = shape.paramCount();
        Checks.length("theta", theta, p, "P = A*D + A");
        Checks.length("x", x, (long) shape.batch() * shape.features(), "B*D");
        Checks.length("v", v, p, "P = A*D + A");
        Checks.length("out", out, p, "P = A*D + A");
        common(shape, damping, stride, ws);
        distinct(out, theta, x, v);
        linearSoftmaxKernel(shape, theta, x, v, damping, stride, out, ws);
    }

    /** Computes the checked linear-softmax product (see the interface). */
    protected abstract void linearSoftmaxKernel(LinearSoftmaxShape shape, float[] theta, float[] x, float[] v,
            double damping, int stride, float[] out, FisherWorkspace ws);

    /** Computes the checked linear-softmax product in double. */
    protected abstract void linearSoftmaxKernel(LinearSoftmaxShape shape, double[] theta, double[] x, double[] v,
            double damping, int stride, double[] out, FisherWorkspace ws);

    // ---------------- MLP softmax ----------------

    @Override
    public final void mlpSoftmaxFvp(MlpSoftmaxShape shape, float[] theta, float[] x, float[] v, double damping,
            int stride, float[] out, FisherWorkspace ws) {
        Checks.notNull("shape", shape);
        int p = shape.paramCount();
        Checks.length("theta", theta, p, "P of the MLP");
        Checks.length("x", x, (long) shape.batch() * shape.features(), "B*D");
        Checks.length("v", v, p, "P of the MLP");
        Checks.length("out", out, p, "P of the MLP");
        common(shape, damping, stride, ws);
        distinct(out, theta, x, v);
        mlpSoftmaxKernel(shape, theta, x, v, damping, stride, out, ws);
    }

    @Override
    public final void mlpSoftmaxFvp(MlpSoftmaxShape shape, double[] theta, double[] x, double[] v, double damping,
            int stride, double[] out, FisherWorkspace ws) {
        Checks.notNull("shape", shape);
        int p = shape.paramCount();
        Checks.length("theta", theta, p, "P of the MLP");
        Checks.length("x", x, (long) shape.batch() * shape.features(), "B*D");
        Checks.length("v", v, p, "P of the MLP");
        Checks.length("out", out, p, "P of the MLP");
        common(shape, damping, stride, ws);
        distinct(out, theta, x, v);
        mlpSoftmaxKernel(shape, theta, x, v, damping, stride, out, ws);
    }

    /** Computes the checked MLP-softmax product. */
    protected abstract void mlpSoftmaxKernel(MlpSoftmaxShape shape, float[] theta, float[] x, float[] v,
            double damping, int stride, float[] out, FisherWorkspace ws);

    /** Computes the checked MLP-softmax product in double. */
    protected abstract void mlpSoftmaxKernel(MlpSoftmaxShape shape, double[] theta, double[] x, double[] v,
            double damping, int stride, double[] out, FisherWorkspace ws);

    // ---------------- diagonal Gaussian ----------------

    @Override
    public final void gaussianFvp(GaussianShape shape, float[] theta, float[] x, float[] v, double damping, int stride,
            float[] out, FisherWorkspace ws) {
        Checks.notNull("shape", shape);
        int p = shape.paramCount();
        Checks.length("theta", theta, p, "P = A*D + A");
        Checks.length("x", x, (long) shape.batch() * shape.features(), "B*D");
        Checks.length("v", v, p, "P = A*D + A");
        Checks.length("out", out, p, "P = A*D + A");
        common(shape, damping, stride, ws);
        distinct(out, theta, x, v);
        gaussianKernel(shape, theta, x, v, damping, stride, out, ws);
    }

    @Override
    public final void gaussianFvp(GaussianShape shape, double[] theta, double[] x, double[] v, double damping,
            int stride, double[] out, FisherWorkspace ws) {
        Checks.notNull("shape", shape);
        int p = shape.paramCount();
        Checks.length("theta", theta, p, "P = A*D + A");
        Checks.length("x", x, (long) shape.batch() * shape.features(), "B*D");
        Checks.length("v", v, p, "P = A*D + A");
        Checks.length("out", out, p, "P = A*D + A");
        common(shape, damping, stride, ws);
        distinct(out, theta, x, v);
        gaussianKernel(shape, theta, x, v, damping, stride, out, ws);
    }

    /** Computes the checked diagonal-Gaussian product. */
    protected abstract void gaussianKernel(GaussianShape shape, float[] theta, float[] x, float[] v, double damping,
            int stride, float[] out, FisherWorkspace ws);

    /** Computes the checked diagonal-Gaussian product in double. */
    protected abstract void gaussianKernel(GaussianShape shape, double[] theta, double[] x, double[] v, double damping,
            int stride, double[] out, FisherWorkspace ws);

    // ---------------- empirical ----------------

    @Override
    public final void empiricalFvp(EmpiricalShape shape, float[] g, float[] v, double damping, int stride, float[] out,
            FisherWorkspace ws) {
        Checks.notNull("shape", shape);
        int p = shape.paramCount();
        Checks.length("g", g, (long) shape.batch() * p, "B*P");
        Checks.length("v", v, p, "P");
        Checks.length("out", out, p, "P");
        common(shape, damping, stride, ws);
        distinct(out, g, v);
        empiricalKernel(shape, g, v, damping, stride, out, ws);
    }

    @Override
    public final void empiricalFvp(EmpiricalShape shape, double[] g, double[] v, double damping, int stride,
            double[] out, FisherWorkspace ws) {
        Checks.notNull("shape", shape);
        int p = shape.paramCount();
        Checks.length("g", g, (long) shape.batch() * p, "B*P");
        Checks.length("v", v, p, "P");
        Checks.length("out", out, p, "P");
        common(shape, damping, stride, ws);
        distinct(out, g, v);
        empiricalKernel(shape, g, v, damping, stride, out, ws);
    }

    /** Computes the checked empirical-Fisher product. */
    protected abstract void empiricalKernel(EmpiricalShape shape, float[] g, float[] v, double damping, int stride,
            float[] out, FisherWorkspace ws);

    /** Computes the checked empirical-Fisher product in double. */
    protected abstract void empiricalKernel(EmpiricalShape shape, double[] g, double[] v, double damping, int stride,
            double[] out, FisherWorkspace ws);
}
