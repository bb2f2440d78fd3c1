package dev.pgkernels.cg;

import dev.pgkernels.Checks;
import dev.pgkernels.fisher.EmpiricalShape;
import dev.pgkernels.fisher.FisherKernels;
import dev.pgkernels.fisher.FisherWorkspace;
import dev.pgkernels.fisher.GaussianShape;
import dev.pgkernels.fisher.LinearSoftmaxShape;
import dev.pgkernels.fisher.MlpSoftmaxShape;

/**
 * Adapters from family 4's Fisher-vector products to CG operators {@code v -> (F + λI) v}. Each
 * captures its arguments (θ, X or G, damping, stride, workspace) by reference: the arrays must
 * stay unchanged while the operator is in use, and the operator shares its {@link FisherWorkspace},
 * so it serves one solve at a time. The product's argument checks run on every application; the
 * adapters check for null and nothing else when built.
 */
public final class FvpOperators {
    private FvpOperators() {}

    /** {@code v -> (F + λI) v} for a linear-softmax policy (fp32). */
    public static FloatOperator linearSoftmax(FisherKernels fisher, LinearSoftmaxShape shape, float[] theta, float[] x,
            double damping, int stride, FisherWorkspace ws) {
        Checks.notNull("fisher", fisher);
        return (v, out) -> fisher.linearSoftmaxFvp(shape, theta, x, v, damping, stride, out, ws);
    }

    /** {@code v -> (F + λI) v} for a linear-softmax policy (double). */
    public static DoubleOperator linearSoftmax(FisherKernels fisher, LinearSoftmaxShape shape, double[] theta,
            double[] x, double damping, int stride, FisherWorkspace ws) {
        Checks.notNull("fisher", fisher);
        return (v, out) -> fisher.linearSoftmaxFvp(shape, theta, x, v, damping, stride, out, ws);
    }

    /** {@code v -> (F + λI) v} for an MLP-softmax policy (fp32). */
    public static FloatOperator mlpSoftmax(FisherKernels fisher, MlpSoftmaxShape shape, float[] theta, float[] x,
            double damping, int stride, FisherWorkspace ws) {
        Checks.notNull("fisher", fisher);
        return (v, out) -> fisher.mlpSoftmaxFvp(shape, theta, x, v, damping, stride, out, ws);
    }

    /** {@code v -> (F + λI) v} for an MLP-softmax policy (double). */
    public static DoubleOperator mlpSoftmax(FisherKernels fisher, MlpSoftmaxShape shape, double[] theta, double[] x,
            double damping, int stride, FisherWorkspace ws) {
        Checks.notNull("fisher", fisher);
        return (v, out) -> fisher.mlpSoftmaxFvp(shape, theta, x, v, damping, stride, out, ws);
    }

    /** {@code v -> (F + λI) v} for a diagonal-Gaussian policy (fp32). */
    public static FloatOperator gaussian(FisherKernels fisher, GaussianShape shape, float[] theta, float[] x,
            double damping, int stride, FisherWorkspace ws) {
        Checks.notNull("fisher", fisher);
        return (v, out) -> fisher.gaussianFvp(shape, theta, x, v, damping, stride, out, ws);
    }

    /** {@code v -> (F + λI) v} for a diagonal-Gaussian policy (double). */
    public static DoubleOperator gaussian(FisherKernels fisher, GaussianShape shape, double[] theta, double[] x,
            double damping, int stride, FisherWorkspace ws) {
        Checks.notNull("fisher", fisher);
        return (v, out) -> fisher.gaussianFvp(shape, theta, x, v, damping, stride, out, ws);
    }

    /** {@code v -> (F + λI) v} for the empirical Fisher of score rows {@code g} (fp32). */
    public static FloatOperator empirical(FisherKernels fisher, EmpiricalShape shape, float[] g, double damping,
            int stride, FisherWorkspace ws) {
        Checks.notNull("fisher", fisher);
        return (v, out) -> fisher.empiricalFvp(shape, g, v, damping, stride, out, ws);
    }

    /** {@code v -> (F + λI) v} for the empirical Fisher of score rows {@code g} (double). */
    public static DoubleOperator empirical(FisherKernels fisher, EmpiricalShape shape, double[] g, double damping,
            int stride, FisherWorkspace ws) {
        Checks.notNull("fisher", fisher);
        return (v, out) -> fisher.empiricalFvp(shape, g, v, damping, stride, out, ws);
    }
}
