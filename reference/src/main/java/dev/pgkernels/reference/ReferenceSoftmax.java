package dev.pgkernels.reference;

import dev.pgkernels.scale.ScaleFunction;
import dev.pgkernels.softmax.AbstractSoftmaxKernels;
import dev.pgkernels.softmax.UpdateForm;

/**
 * Family 2 of the reference backend: SPEC.md §2 row by row, in {@code double}, each output
 * rounded to {@code float} once on store. Per row {@code i}: {@code m = max_j q_ij},
 * {@code Z = Σ_j exp(q_ij - m)}, {@code log pi_ij = (q_ij - m) - log Z},
 * {@code pi_ij = exp(q_ij - m) / Z} (exactly 0 for a {@code -Inf} logit). No scratch is needed:
 * the row's quantities are recomputed in a few passes over it.
 */
public final class ReferenceSoftmax extends AbstractSoftmaxKernels {

    /** Loaded through {@link ReferenceBackend}. */
    public ReferenceSoftmax() {}

    /** {@code max_j q[off+j]}. */
    private static double rowMax(float[] q, int off, int a) {
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < a; j++) {
            m = Math.max(m, q[off + j]);
        }
        return m;
    }

    /** {@code Z = Σ_j exp(q[off+j] - m)}. */
    private static double rowSumExp(float[] q, int off, int a, double m) {
        double z = 0;
        for (int j = 0; j < a; j++) {
            z += Math.exp(q[off + j] - m);
        }
        return z;
    }

    @Override
    protected void logSoftmaxKernel(int b, int a, float[] logits, float[] out) {
        for (int i = 0; i < b; i++) {
            int off = i * a;
            double m = rowMax(logits, off, a);
            double logZ = Math.log(rowSumExp(logits, off, a, m));
            for (int j = 0; j < a; j++) {
                out[off + j] = (float) ((logits[off + j] - m) - logZ);
            }
        }
    }

    @Override
    protected void softmaxKernel(int b, int a, float[] logits, float[] out) {
        for (int i = 0; i < b; i++) {
            int off = i * a;
            double m = rowMax(logits, off, a);
            double z = rowSumExp(logits, off, a, m);
            for (int j = 0; j < a; j++) {
                out[off + j] = (float) (Math.exp(logits[off + j] - m) / z);
            }
        }
    }

    @Override
    protected void entropyKernel(int b, int a, float[] logits, float[] out) {
        for (int i = 0; i < b; i++) {
            int off = i * a;
            double m = rowMax(logits, off, a);
            double z = rowSumExp(logits, off, a, m);
            double logZ = Math.log(z);
            double h = 0;
            for (int j = 0; j < a; j++) {
                double p = Math.exp(logits[off + j] - m) / z;
                if (p != 0) { // pi = 0 (masked or underflowed) contributes 0, not 0 * -Inf; NaN passes
                    h -= p * ((logits[off + j] - m) - logZ);
                }
            }
            out[i] = (float) h;
        }
    }

    @Override
    protected void klKernel(int b, int a, float[] logpOld, float[] logpNew, float[] out) {
        for (int i = 0; i < b; i++) {
            int off = i * a;
            double kl = 0;
            for (int j = 0; j < a; j++) {
                double lo = logpOld[off + j], ln = logpNew[off + j];
                double term;
                if (lo == Double.NEGATIVE_INFINITY) {
                    term = 0; // p_old = 0
                } else if (ln == Double.NEGATIVE_INFINITY && !Double.isNaN(lo)) {
                    term = Double.POSITIVE_INFINITY; // p_old > 0 where p_new = 0
                } else {
                    term = Math.exp(lo) * (lo - ln);
                }
                kl += term;
            }
            out[i] = (float) kl;
        }
    }

    @Override
    protected double surrogateKernel(int b, int a, float[] logitsNew, int[] actions, float[] logpOldAtAction,
            float[] advantages) {
        double sum = 0;
        for (int i = 0; i < b; i++) {
            int off = i * a;
            double m = rowMax(logitsNew, off, a);
            double logZ = Math.log(rowSumExp(logitsNew, off, a, m));
            double logpNewAtAction = (logitsNew[off + actions[i]] - m) - logZ;
            sum += Math.exp(logpNewAtAction - logpOldAtAction[i]) * advantages[i];
        }
        return sum / b;
    }

    @Override
    protected void updateKernel(UpdateForm form, ScaleFunction f, int b, int a, float[] logits, int[] actions,
            float[] logMu, float[] target, float[] g, float[] dO, float[] dR, float[] s) {
        for (int i = 0; i < b; i++) {
            int off = i * a;
            int act = actions[i];
            double m = rowMax(logits, off, a);
            double z = rowSumExp(logits, off, a, m);
            double qa = logits[off + act];
            double dOi = ((qa - m) - Math.log(z)) - logMu[i];
            double dRi = target[i] - qa;
            double si = ReferenceScale.evaluate(f, dOi, dRi);
            if (dO != null) dO[i] = (float) dOi;
            if (dR != null) dR[i] = (float) dRi;
            if (s != null) s[i] = (float) si;

            switch (form) {
                case U_Q -> {
                    for (int j = 0; j < a; j++) {
                        g[off + j] = j == act ? (float) si : 0f;
                    }
                }
                case U_V -> {
                    for (int j = 0; j < a; j++) {
                        double pi = Math.exp(logits[off + j] - m) / z;
                        double ea = j == act ? 1 : 0;
                        g[off + j] = (float) (si * (ea - pi));
                    }
                }
                case U_P -> {
                    // <pi, q>, over the entries with pi > 0 only (a masked -Inf logit has pi = 0).
                    double piDotQ = 0;
                    for (int j = 0; j < a; j++) {
                        double pi = Math.exp(logits[off + j] - m) / z;
                        if (pi != 0) {
                            piDotQ += pi * logits[off + j];
                        }
                    }
                    for (int j = 0; j < a; j++) {
                        double pi = Math.exp(logits[off + j] - m) / z;
                        double ea = j == act ? 1 : 0;
                        double last = pi != 0 ? pi * (logits[off + j] - piDotQ) : 0;
                        g[off + j] = (float) (si * (ea - pi) + last);
                    }
                }
            }
        }
    }

    @Override
    protected void linearPolicyGradientKernel(int b, int a, int d, float[] g, float[] x, float[] dW) {
        for (int k = 0; k < a; k++) {
            for (int c = 0; c < d; c++) {
                double sum = 0;
                for (int i = 0; i < b; i++) {
                    sum += (double) g[i * a + k] * x[i * d + c];
                }
                dW[k * d + c] = b == 0 ? 0f : (float) (sum / b);
            }
        }
    }
}
