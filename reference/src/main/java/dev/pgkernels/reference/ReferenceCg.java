package dev.pgkernels.reference;

import dev.pgkernels.cg.AbstractCgKernels;
import dev.pgkernels.cg.CgKernels;
import dev.pgkernels.cg.CgResult;
import dev.pgkernels.cg.CgStatus;
import dev.pgkernels.cg.CgWorkspace;
import dev.pgkernels.cg.DoubleObjective;
import dev.pgkernels.cg.DoubleOperator;
import dev.pgkernels.cg.FloatObjective;
import dev.pgkernels.cg.FloatOperator;
import dev.pgkernels.cg.KlSurrogate;
import dev.pgkernels.cg.TrpoParams;
import dev.pgkernels.cg.TrpoResult;
import dev.pgkernels.cg.TrpoStatus;
import java.util.Arrays;

/**
 * Reference conjugate gradient and TRPO step (SPEC §5), written as the algorithm in
 * {@link CgKernels}' class comment: scalar loops, dot products and scalars in double. The fp32
 * and double versions are the same code on different element types.
 *
 * <p>Workspace use: vectors 0, 1, 2 are CG's {@code r, p, Ap}; the TRPO step uses 0 for the full
 * step {@code βx}, 1 for {@code Fx} and then 2 for the candidate θ.
 */
public final class ReferenceCg extends AbstractCgKernels implements CgKernels {

    /** Public for {@link dev.pgkernels.Backends}' loading by name and for tests. */
    public ReferenceCg() {}

    private static boolean stop(double rr, double tol) {
        return rr < tol || rr == 0.0;
    }

    @Override
    protected CgResult<float[]> solveKernel(FloatOperator op, int n, float[] g, float[] x, int maxIterations,
            double tol, CgWorkspace ws) {
        float[] r = ws.floats(0), p = ws.floats(1), ap = ws.floats(2);
        double[] history = new double[maxIterations + 1];
        double rr = 0;
        for (int i = 0; i < n; i++) {
            r[i] = g[i];
            p[i] = g[i];
            x[i] = 0f;
            rr += (double) r[i] * r[i];
        }
        history[0] = rr;
        int it = 0;
        CgStatus status = null;
        while (it < maxIterations) {
            if (stop(rr, tol)) {
                status = CgStatus.CONVERGED;
                break;
            }
            op.apply(p, ap);
            double pAp = 0;
            for (int i = 0; i < n; i++) {
                pAp += (double) p[i] * ap[i];
            }
            if (pAp <= 0) {
                status = CgStatus.NON_POSITIVE_CURVATURE;
                break;
            }
            double alpha = rr / pAp;
            double rrNew = 0;
            for (int i = 0; i < n; i++) {
                x[i] = (float) (x[i] + alpha * p[i]);
                r[i] = (float) (r[i] - alpha * ap[i]);
                rrNew += (double) r[i] * r[i];
            }
            double beta = rrNew / rr;
            for (int i = 0; i < n; i++) {
                p[i] = (float) (r[i] + beta * p[i]);
            }
            rr = rrNew;
            it++;
            history[it] = rr;
        }
        if (status == null) {
            status = stop(rr, tol) ? CgStatus.CONVERGED : CgStatus.MAX_ITERATIONS;
        }
        return new CgResult<>(x, it, Arrays.copyOf(history, it + 1), status);
    }

    @Override
    protected CgResult<double[]> solveKernel(DoubleOperator op, int n, double[] g, double[] x, int maxIterations,
            double tol, CgWorkspace ws) {
        double[] r = ws.doubles(0), p = ws.doubles(1), ap = ws.doubles(2);
        double[] history = new double[maxIterations + 1];
        double rr = 0;
        for (int i = 0; i < n; i++) {
            r[i] = g[i];
            p[i] = g[i];
            x[i] = 0.0;
            rr += r[i] * r[i];
        }
        history[0] = rr;
        int it = 0;
        CgStatus status = null;
        while (it < maxIterations) {
            if (stop(rr, tol)) {
                status = CgStatus.CONVERGED;
                break;
            }
            op.apply(p, ap);
            double pAp = 0;
            for (int i = 0; i < n; i++) {
                pAp += p[i] * ap[i];
            }
            if (pAp <= 0) {
                status = CgStatus.NON_POSITIVE_CURVATURE;
                break;
            }
            double alpha = rr / pAp;
            double rrNew = 0;
            for (int i = 0; i < n; i++) {
                x[i] += alpha * p[i];
                r[i] -= alpha * ap[i];
                rrNew += r[i] * r[i];
            }
            double beta = rrNew / rr;
            for (int i = 0; i < n; i++) {
                p[i] = r[i] + beta * p[i];
            }
            rr = rrNew;
            it++;
            history[it] = rr;
        }
        if (status == null) {
            status = stop(rr, tol) ? CgStatus.CONVERGED : CgStatus.MAX_ITERATIONS;
        }
        return new CgResult<>(x, it, Arrays.copyOf(history, it + 1), status);
    }

    /** Whether a try is accepted: finite, KL within the bound, surrogate strictly improved. */
    private static boolean acceptable(KlSurrogate e, double before, TrpoParams params) {
        return Double.isFinite(e.meanKl()) && Double.isFinite(e.surrogate())
                && e.meanKl() <= params.klFactor() * params.maxKl()
                && e.surrogate() - before > 0;
    }

    @Override
    protected TrpoResult<float[]> trpoStepKernel(FloatOperator fvp, int n, float[] theta, float[] x,
            TrpoParams params, FloatObjective objective, float[] step, CgWorkspace ws) {
        float[] full = ws.floats(0), fx = ws.floats(1), cand = ws.floats(2);
        System.arraycopy(x, 0, full, 0, n); // the operator gets a workspace copy, never the caller's x
        fvp.apply(full, fx);
        double xFx = 0;
        for (int i = 0; i < n; i++) {
            xFx += (double) x[i] * fx[i];
        }
        if (!(xFx > 0) || !Double.isFinite(xFx)) {
            Arrays.fill(step, 0, n, 0f);
            return new TrpoResult<>(step, 0, 0, 0, 0, Double.NaN, TrpoStatus.NON_POSITIVE_CURVATURE);
        }
        double scale = Math.sqrt(2 * params.maxKl() / xFx); // β = sqrt(2δ / x·Fx)
        for (int i = 0; i < n; i++) {
            full[i] = (float) (scale * x[i]);
        }
        System.arraycopy(theta, 0, cand, 0, n);
        double before = objective.evaluate(cand).surrogate();
        double fraction = 1.0;
        for (int t = 0; t < params.maxTries(); t++) {
            for (int i = 0; i < n; i++) {
                cand[i] = (float) (theta[i] + fraction * full[i]);
            }
            KlSurrogate e = objective.evaluate(cand);
            if (acceptable(e, before, params)) {
                for (int i = 0; i < n; i++) {
                    step[i] = (float) (fraction * full[i]);
                }
                return new TrpoResult<>(step, fraction, t, e.meanKl(), e.surrogate() - before, scale,
                        TrpoStatus.ACCEPTED);
            }
            fraction *= params.shrink();
        }
        Arrays.fill(step, 0, n, 0f);
        return new TrpoResult<>(step, 0, params.maxTries(), 0, 0, scale, TrpoStatus.LINE_SEARCH_FAILED);
    }

    @Override
    protected TrpoResult<double[]> trpoStepKernel(DoubleOperator fvp, int n, double[] theta, double[] x,
            TrpoParams params, DoubleObjective objective, double[] step, CgWorkspace ws) {
        double[] full = ws.doubles(0), fx = ws.doubles(1), cand = ws.doubles(2);
        System.arraycopy(x, 0, full, 0, n);
        fvp.apply(full, fx);
        double xFx = 0;
        for (int i = 0; i < n; i++) {
            xFx += x[i] * fx[i];
        }
        if (!(xFx > 0) || !Double.isFinite(xFx)) {
            Arrays.fill(step, 0, n, 0.0);
            return new TrpoResult<>(step, 0, 0, 0, 0, Double.NaN, TrpoStatus.NON_POSITIVE_CURVATURE);
        }
        double scale = Math.sqrt(2 * params.maxKl() / xFx);
        for (int i = 0; i < n; i++) {
            full[i] = scale * x[i];
        }
        System.arraycopy(theta, 0, cand, 0, n);
        double before = objective.evaluate(cand).surrogate();
        double fraction = 1.0;
        for (int t = 0; t < params.maxTries(); t++) {
            for (int i = 0; i < n; i++) {
                cand[i] = theta[i] + fraction * full[i];
            }
            KlSurrogate e = objective.evaluate(cand);
            if (acceptable(e, before, params)) {
                for (int i = 0; i < n; i++) {
                    step[i] = fraction * full[i];
                }
                return new TrpoResult<>(step, fraction, t, e.meanKl(), e.surrogate() - before, scale,
                        TrpoStatus.ACCEPTED);
            }
            fraction *= params.shrink();
        }
        Arrays.fill(step, 0, n, 0.0);
        return new TrpoResult<>(step, 0, params.maxTries(), 0, 0, scale, TrpoStatus.LINE_SEARCH_FAILED);
    }
}
