package dev.pgkernels.simd;

import dev.pgkernels.cg.AbstractCgKernels;
import dev.pgkernels.cg.CgKernels;
import dev.pgkernels.cg.CgResult;
import dev.pgkernels.cg.CgStatus;
import dev.pgkernels.cg.CgWorkspace;
import dev.pgkernels.cg.DoubleObjective;
import dev.pgkernels.cg.DoubleOperator;
import dev.pgkernels.cg.FloatObjective;
import dev.pgkernels.cg.FloatOperator;
import dev.pgkernels.cg.TrpoParams;
import dev.pgkernels.cg.TrpoResult;
import dev.pgkernels.reference.ReferenceCg;
import java.util.Arrays;

/**
 * {@code simd} conjugate gradient (SPEC §5; the algorithm and stopping rules are {@link CgKernels}'):
 * the vector work of an iteration is the Vector API's DOT ({@link SimdBlasF#dot}) and fused update
 * loops, so a solve costs its operator applications plus five passes over {@code n}-vectors per
 * iteration ({@code p·Ap}, the two AXPYs, {@code r·r}, {@code p = r + βp}). The fp32 overload sums
 * its dot products in fp32 (reassociated by SIMD, error {@code <= γ_n Σ|x_i y_i|}) and keeps α, β, {@code r·r} in double as the reference does.
 *
 * <p>The TRPO step is not a vector kernel (one operator application, then objective evaluations that
 * dominate its cost): it is the reference algorithm, called through {@link ReferenceCg} (whose
 * public method re-runs the same argument checks). Allocates only the result record and its history.
 */
public final class SimdCg extends AbstractCgKernels implements CgKernels {
    private static final CgKernels REF = new ReferenceCg();

    /** Public for the backend and for tests. */
    public SimdCg() {}

    private static boolean stop(double rr, double tol) {
        return rr < tol || rr == 0.0;
    }

    @Override
    protected CgResult<float[]> solveKernel(FloatOperator op, int n, float[] g, float[] x, int maxIterations,
            double tol, CgWorkspace ws) {
        float[] r = ws.floats(0), p = ws.floats(1), ap = ws.floats(2);
        double[] history = new double[maxIterations + 1];
        System.arraycopy(g, 0, r, 0, n);
        System.arraycopy(g, 0, p, 0, n);
        Arrays.fill(x, 0, n, 0f);
        double rr = n == 0 ? 0 : SimdBlasF.dot(n, r, 0, r, 0);
        history[0] = rr;
        int it = 0;
        CgStatus status = null;
        while (it < maxIterations) {
            if (stop(rr, tol)) {
                status = CgStatus.CONVERGED;
                break;
            }
            op.apply(p, ap);
            double pAp = SimdBlasF.dot(n, p, 0, ap, 0);
            if (pAp <= 0) {
                status = CgStatus.NON_POSITIVE_CURVATURE;
                break;
            }
            double alpha = rr / pAp;
            SimdBlasF.axpy(n, (float) alpha, p, 0, x, 0);
            SimdBlasF.axpy(n, (float) -alpha, ap, 0, r, 0);
            double rrNew = SimdBlasF.dot(n, r, 0, r, 0);
            double beta = rrNew / rr;
            SimdBlasF.xpby(n, r, 0, (float) beta, p, 0); // p = r + β p
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
        System.arraycopy(g, 0, r, 0, n);
        System.arraycopy(g, 0, p, 0, n);
        Arrays.fill(x, 0, n, 0.0);
        double rr = n == 0 ? 0 : SimdBlasD.dot(n, r, 0, r, 0);
        history[0] = rr;
        int it = 0;
        CgStatus status = null;
        while (it < maxIterations) {
            if (stop(rr, tol)) {
                status = CgStatus.CONVERGED;
                break;
            }
            op.apply(p, ap);
            double pAp = SimdBlasD.dot(n, p, 0, ap, 0);
            if (pAp <= 0) {
                status = CgStatus.NON_POSITIVE_CURVATURE;
                break;
            }
            double alpha = rr / pAp;
            SimdBlasD.axpy(n, alpha, p, 0, x, 0);
            SimdBlasD.axpy(n, -alpha, ap, 0, r, 0);
            double rrNew = SimdBlasD.dot(n, r, 0, r, 0);
            double beta = rrNew / rr;
            SimdBlasD.xpby(n, r, 0, beta, p, 0);
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
    protected TrpoResult<float[]> trpoStepKernel(FloatOperator fvp, int n, float[] theta, float[] x, TrpoParams params,
            FloatObjective objective, float[] step, CgWorkspace ws) {
        return REF.trpoStep(fvp, n, theta, x, params, objective, step, ws);
    }

    @Override
    protected TrpoResult<double[]> trpoStepKernel(DoubleOperator fvp, int n, double[] theta, double[] x,
            TrpoParams params, DoubleObjective objective, double[] step, CgWorkspace ws) {
        return REF.trpoStep(fvp, n, theta, x, params, objective, step, ws);
    }
}
