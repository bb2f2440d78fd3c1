package dev.pgkernels.jblas;
// GENERATED from simd/SimdFisher.java by kernels/gen-variants.sh: edit that file and rerun the script.

import dev.pgkernels.fisher.AbstractFisherKernels;
import dev.pgkernels.fisher.EmpiricalShape;
import dev.pgkernels.fisher.FisherKernels;
import dev.pgkernels.fisher.FisherShape;
import dev.pgkernels.fisher.FisherWorkspace;
import dev.pgkernels.fisher.GaussianShape;
import dev.pgkernels.fisher.LinearSoftmaxShape;
import dev.pgkernels.fisher.MlpSoftmaxShape;

/**
 * {@code jblas} Fisher-vector products (SPEC §4; the contract is {@link FisherKernels}), batched
 * GEMMs on native sgemm/dgemm plus scalar row loops ({@link JblasRowsF}): {@link JblasFvpF} (fp32) and
 * {@link JblasFvpD} (double), whose class comment gives the algorithm and the workspace layout. θ's
 * flattening order is the one each shape record documents (the same as the reference).
 *
 * <p>A workspace holds both the fp32 and the double scratch for its shape (so either overload can
 * use it); a product allocates nothing. Stateless and thread-safe (one workspace per concurrent call).
 */
public final class JblasFisher extends AbstractFisherKernels implements FisherKernels {

    /** Public for the backend and for tests. */
    public JblasFisher() {}

    @Override
    protected String backendName() {
        return "jblas";
    }

    @Override
    protected FisherWorkspace newWorkspace(FisherShape shape) {
        return new FisherWorkspace(shape, backendName(), JblasFvpD.workspaceSize(shape), JblasFvpF.workspaceSize(shape));
    }

    @Override
    protected void linearSoftmaxKernel(LinearSoftmaxShape shape, float[] theta, float[] x, float[] v, double damping,
            int stride, float[] out, FisherWorkspace ws) {
        JblasFvpF.linear(shape, theta, x, v, (float) damping, stride, out, ws.floats());
    }

    @Override
    protected void linearSoftmaxKernel(LinearSoftmaxShape shape, double[] theta, double[] x, double[] v,
            double damping, int stride, double[] out, FisherWorkspace ws) {
        JblasFvpD.linear(shape, theta, x, v, damping, stride, out, ws.doubles());
    }

    @Override
    protected void mlpSoftmaxKernel(MlpSoftmaxShape shape, float[] theta, float[] x, float[] v, double damping,
            int stride, float[] out, FisherWorkspace ws) {
        JblasFvpF.mlp(shape, theta, x, v, (float) damping, stride, out, ws.floats());
    }

    @Override
    protected void mlpSoftmaxKernel(MlpSoftmaxShape shape, double[] theta, double[] x, double[] v, double damping,
            int stride, double[] out, FisherWorkspace ws) {
        JblasFvpD.mlp(shape, theta, x, v, damping, stride, out, ws.doubles());
    }

    @Override
    protected void gaussianKernel(GaussianShape shape, float[] theta, float[] x, float[] v, double damping, int stride,
            float[] out, FisherWorkspace ws) {
        JblasFvpF.gaussian(shape, theta, x, v, (float) damping, stride, out, ws.floats());
    }

    @Override
    protected void gaussianKernel(GaussianShape shape, double[] theta, double[] x, double[] v, double damping,
            int stride, double[] out, FisherWorkspace ws) {
        JblasFvpD.gaussian(shape, theta, x, v, damping, stride, out, ws.doubles());
    }

    @Override
    protected void empiricalKernel(EmpiricalShape shape, float[] g, float[] v, double damping, int stride, float[] out,
            FisherWorkspace ws) {
        JblasFvpF.empirical(shape, g, v, (float) damping, stride, out, ws.floats());
    }

    @Override
    protected void empiricalKernel(EmpiricalShape shape, double[] g, double[] v, double damping, int stride,
            double[] out, FisherWorkspace ws) {
        JblasFvpD.empirical(shape, g, v, damping, stride, out, ws.doubles());
    }
}
