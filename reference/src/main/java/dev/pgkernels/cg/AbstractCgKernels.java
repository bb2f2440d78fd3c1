package dev.pgkernels.cg;

import dev.pgkernels.Checks;

/**
 * The one place where CG and TRPO-step arguments are checked (netlib's {@code AbstractBLAS}
 * pattern): public final methods check everything, then call the backend's protected
 * {@code ...Kernel} method. No output element is written before every check has passed.
 */
public abstract class AbstractCgKernels implements CgKernels {

    /** For subclasses. */
    protected AbstractCgKernels() {}

    @Override
    public final CgWorkspace floatWorkspace(int n) {
        return CgWorkspace.ofFloat(n);
    }

    @Override
    public final CgWorkspace doubleWorkspace(int n) {
        return CgWorkspace.ofDouble(n);
    }

    private static void workspace(CgWorkspace ws, int n, boolean isDouble) {
        Checks.notNull("ws", ws);
        if (ws.isDouble() != isDouble) {
            throw new IllegalArgumentException("argument 'ws': a " + (ws.isDouble() ? "double" : "float")
                    + " workspace, expected a " + (isDouble ? "double" : "float") + " one");
        }
        if (ws.capacity() < n) {
            throw new IllegalArgumentException("argument 'ws': expected capacity >= n = " + n + ", got " + ws.capacity());
        }
    }

    private static void distinct(String outName, Object out, Object... inputs) {
        for (Object in : inputs) {
            if (in == out) {
                throw new IllegalArgumentException("argument '" + outName + "' must not be the same array as an input");
            }
        }
    }

    private static void cgParams(int maxIterations, double tol) {
        Checks.positiveSize("maxIterations", maxIterations);
        Checks.nonNegativeFinite("tol", tol);
    }

    @Override
    public final CgResult<float[]> solve(FloatOperator op, int n, float[] g, float[] x, int maxIterations, double tol,
            CgWorkspace ws) {
        Checks.notNull("op", op);
        Checks.size("n", n);
        Checks.length("g", g, n, "n");
        Checks.length("x", x, n, "n");
        cgParams(maxIterations, tol);
        workspace(ws, n, false);
        distinct("x", x, g);
        return solveKernel(op, n, g, x, maxIterations, tol, ws);
    }

    @Override
    public final CgResult<double[]> solve(DoubleOperator op, int n, double[] g, double[] x, int maxIterations,
            double tol, CgWorkspace ws) {
        Checks.notNull("op", op);
        Checks.size("n", n);
        Checks.length("g", g, n, "n");
        Checks.length("x", x, n, "n");
        cgParams(maxIterations, tol);
        workspace(ws, n, true);
        distinct("x", x, g);
        return solveKernel(op, n, g, x, maxIterations, tol, ws);
    }

    /** Computes the checked fp32 CG solve. */
    protected abstract CgResult<float[]> solveKernel(FloatOperator op, int n, float[] g, float[] x, int maxIterations,
            double tol, CgWorkspace ws);

    /** Computes the checked double CG solve. */
    protected abstract CgResult<double[]> solveKernel(DoubleOperator op, int n, double[] g, double[] x,
            int maxIterations, double tol, CgWorkspace ws);

    @Override
    public final TrpoResult<float[]> trpoStep(FloatOperator fvp, int n, float[] theta, float[] x, TrpoParams params,
            FloatObjective objective, float[] step, CgWorkspace ws) {
        Checks.notNull("fvp", fvp);
        Checks.size("n", n);
        Checks.length("theta", theta, n, "n");
        Checks.length("x", x, n, "n");
        Checks.notNull("params", params);
        Checks.notNull("objective", objective);
        Checks.length("step", step, n, "n");
        workspace(ws, n, false);
        distinct("step", step, theta, x);
        return trpoStepKernel(fvp, n, theta, x, params, objective, step, ws);
    }

    @Override
    public final TrpoResult<double[]> trpoStep(DoubleOperator fvp, int n, double[] theta, double[] x,
            TrpoParams params, DoubleObjective objective, double[] step, CgWorkspace ws) {
        Checks.notNull("fvp", fvp);
        Checks.size("n", n);
        Checks.length("theta", theta, n, "n");
        Checks.length("x", x, n, "n");
        Checks.notNull("params", params);
        Checks.notNull("objective", objective);
        Checks.length("step", step, n, "n");
        workspace(ws, n, true);
        distinct("step", step, theta, x);
        return trpoStepKernel(fvp, n, theta, x, params, objective, step, ws);
    }

    /** Computes the checked fp32 TRPO step. */
    protected abstract TrpoResult<float[]> trpoStepKernel(FloatOperator fvp, int n, float[] theta, float[] x,
            TrpoParams params, FloatObjective objective, float[] step, CgWorkspace ws);

    /** Computes the checked double TRPO step. */
    protected abstract TrpoResult<double[]> trpoStepKernel(DoubleOperator fvp, int n, double[] theta, double[] x,
            TrpoParams params, DoubleObjective objective, double[] step, CgWorkspace ws);
}
