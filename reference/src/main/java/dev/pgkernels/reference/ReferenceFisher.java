package dev.pgkernels.reference;

import dev.pgkernels.fisher.AbstractFisherKernels;
import dev.pgkernels.fisher.EmpiricalShape;
import dev.pgkernels.fisher.FisherKernels;
import dev.pgkernels.fisher.FisherShape;
import dev.pgkernels.fisher.FisherWorkspace;
import dev.pgkernels.fisher.GaussianShape;
import dev.pgkernels.fisher.LinearSoftmaxShape;
import dev.pgkernels.fisher.MlpSoftmaxShape;

/**
 * Reference Fisher-vector products (SPEC §4): plain scalar loops, one row at a time, every sum in
 * double, following SPEC line by line. The float and double overloads share one computation: an
 * input is read through {@code at(floatArray, doubleArray, i)} (exactly one of the pair is
 * non-null) and the product is accumulated in the workspace's double scratch, then written to the
 * caller's {@code out} once as {@code acc / n + λ v}.
 *
 * <p>Workspace layout (doubles): {@code acc[P]} followed by per-row vectors — linear:
 * {@code pi[A], u[A]}; MLP: {@code h1, dh1, g1 [H1]}, {@code h2, dh2, g2 [H2]}, {@code pi, dq [A]};
 * Gaussian: {@code t[A]}; empirical: nothing more.
 *
 * <p>Stateless and thread-safe (a workspace serves one call at a time).
 */
public final class ReferenceFisher extends AbstractFisherKernels implements FisherKernels {

    /** Public for {@link dev.pgkernels.Backends}' loading by name and for tests. */
    public ReferenceFisher() {}

    @Override
    protected String backendName() {
        return "reference";
    }

    @Override
    protected FisherWorkspace newWorkspace(FisherShape shape) {
        int p = shape.paramCount();
        int extra = switch (shape) {
            case LinearSoftmaxShape s -> 2 * s.actions();
            case MlpSoftmaxShape s -> 3 * s.hidden1() + 3 * s.hidden2() + 2 * s.actions();
            case GaussianShape s -> s.actions();
            case EmpiricalShape s -> 0;
        };
        return new FisherWorkspace(shape, backendName(), FisherShape.sum("workspace doubles", p, extra), 0);
    }

    private static double at(float[] f, double[] d, int i) {
        return f != null ? f[i] : d[i];
    }

    /** out = acc / n + λ v, for n rows used (n = 0: λ v). */
    private static void finish(double[] acc, int p, int n, double damping, float[] vf, double[] vd, float[] outF,
            double[] outD) {
        for (int j = 0; j < p; j++) {
            double fv = n == 0 ? 0.0 : acc[j] / n;
            double r = fv + damping * at(vf, vd, j);
            if (outF != null) {
                outF[j] = (float) r;
            } else {
                outD[j] = r;
            }
        }
    }

    /** pi = softmax(q) in place over q[off .. off+a), with the row max subtracted. */
    private static void softmaxInPlace(double[] q, int off, int a) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < a; j++) {
            max = Math.max(max, q[off + j]);
        }
        double sum = 0;
        for (int j = 0; j < a; j++) {
            double e = Math.exp(q[off + j] - max);
            q[off + j] = e;
            sum += e;
        }
        for (int j = 0; j < a; j++) {
            q[off + j] /= sum;
        }
    }

    /** w = M u = pi ⊙ u - pi <pi, u>, in place over u. */
    private static void applyM(double[] s, int piOff, int uOff, int a) {
        double dot = 0;
        for (int j = 0; j < a; j++) {
            dot += s[piOff + j] * s[uOff + j];
        }
        for (int j = 0; j < a; j++) {
            s[uOff + j] = s[piOff + j] * (s[uOff + j] - dot);
        }
    }

    // ------------------------------------------------------------ linear softmax

    @Override
    protected void linearSoftmaxKernel(LinearSoftmaxShape shape, float[] theta, float[] x, float[] v, double damping,
            int stride, float[] out, FisherWorkspace ws) {
        linear(shape, theta, null, x, null, v, null, damping, stride, out, null, ws);
    }

    @Override
    protected void linearSoftmaxKernel(LinearSoftmaxShape shape, double[] theta, double[] x, double[] v,
            double damping, int stride, double[] out, FisherWorkspace ws) {
        linear(shape, null, theta, null, x, null, v, damping, stride, null, out, ws);
    }

    private static void linear(LinearSoftmaxShape shape, float[] thF, double[] thD, float[] xF, double[] xD,
            float[] vF, double[] vD, double damping, int stride, float[] outF, double[] outD, FisherWorkspace ws) {
        int bN = shape.batch(), d = shape.features(), a = shape.actions(), p = shape.paramCount();
        int bOff = a * d; // offset of b (and of c in v) in θ's layout
        double[] s = ws.doubles();
        int pi = p, u = p + a; // scratch offsets
        java.util.Arrays.fill(s, 0, p, 0.0);
        int n = 0;
        for (int i = 0; i < bN; i += stride) {
            n++;
            int xi = i * d;
            for (int j = 0; j < a; j++) {
                double q = at(thF, thD, bOff + j); // q_ij = W_j·x_i + b_j
                double uj = at(vF, vD, bOff + j); // u_ij = V_j·x_i + c_j
                for (int k = 0; k < d; k++) {
                    double xk = at(xF, xD, xi + k);
                    q += at(thF, thD, j * d + k) * xk;
                    uj += at(vF, vD, j * d + k) * xk;
                }
                s[pi + j] = q;
                s[u + j] = uj;
            }
            softmaxInPlace(s, pi, a);
            applyM(s, pi, u, a); // s[u..] = w_i
            for (int j = 0; j < a; j++) {
                double w = s[u + j];
                for (int k = 0; k < d; k++) {
                    s[j * d + k] += w * at(xF, xD, xi + k); // (wᵀX)_jk
                }
                s[bOff + j] += w; // Σ_i w_i
            }
        }
        finish(s, p, n, damping, vF, vD, outF, outD);
    }

    // ------------------------------------------------------------ MLP softmax

    @Override
    protected void mlpSoftmaxKernel(MlpSoftmaxShape shape, float[] theta, float[] x, float[] v, double damping,
            int stride, float[] out, FisherWorkspace ws) {
        mlp(shape, theta, null, x, null, v, null, damping, stride, out, null, ws);
    }

    @Override
    protected void mlpSoftmaxKernel(MlpSoftmaxShape shape, double[] theta, double[] x, double[] v, double damping,
            int stride, double[] out, FisherWorkspace ws) {
        mlp(shape, null, theta, null, x, null, v, damping, stride, null, out, ws);
    }

    private static void mlp(MlpSoftmaxShape shape, float[] thF, double[] thD, float[] xF, double[] xD, float[] vF,
            double[] vD, double damping, int stride, float[] outF, double[] outD, FisherWorkspace ws) {
        int bN = shape.batch(), d = shape.features(), h1n = shape.hidden1(), h2n = shape.hidden2();
        int a = shape.actions(), p = shape.paramCount();
        int oW1 = shape.offW1(), oB1 = shape.offB1(), oW2 = shape.offW2(), oB2 = shape.offB2();
        int oW3 = shape.offW3(), oB3 = shape.offB3();
        double[] s = ws.doubles();
        // scratch offsets after acc[P]
        int h1 = p, dh1 = h1 + h1n, g1 = dh1 + h1n;
        int h2 = g1 + h1n, dh2 = h2 + h2n, g2 = dh2 + h2n;
        int pi = g2 + h2n, dq = pi + a;
        java.util.Arrays.fill(s, 0, p, 0.0);
        int n = 0;
        for (int i = 0; i < bN; i += stride) {
            n++;
            int xi = i * d;
            // forward and tangent, layer 1: z1 = W1 x + b1, dz1 = V1 x + c1; h1 = tanh z1, dh1 = (1-h1²) dz1
            for (int r = 0; r < h1n; r++) {
                double z = at(thF, thD, oB1 + r), dz = at(vF, vD, oB1 + r);
                for (int k = 0; k < d; k++) {
                    double xk = at(xF, xD, xi + k);
                    z += at(thF, thD, oW1 + r * d + k) * xk;
                    dz += at(vF, vD, oW1 + r * d + k) * xk;
                }
                double t = Math.tanh(z);
                s[h1 + r] = t;
                s[dh1 + r] = (1 - t * t) * dz;
            }
            // layer 2: z2 = W2 h1 + b2, dz2 = V2 h1 + W2 dh1 + c2
            for (int r = 0; r < h2n; r++) {
                double z = at(thF, thD, oB2 + r), dz = at(vF, vD, oB2 + r);
                for (int k = 0; k < h1n; k++) {
                    double w = at(thF, thD, oW2 + r * h1n + k);
                    z += w * s[h1 + k];
                    dz += at(vF, vD, oW2 + r * h1n + k) * s[h1 + k] + w * s[dh1 + k];
                }
                double t = Math.tanh(z);
                s[h2 + r] = t;
                s[dh2 + r] = (1 - t * t) * dz;
            }
            // output: q = W3 h2 + b3, dq = V3 h2 + W3 dh2 + c3 (= (J v)_i)
            for (int j = 0; j < a; j++) {
                double q = at(thF, thD, oB3 + j), dqj = at(vF, vD, oB3 + j);
                for (int k = 0; k < h2n; k++) {
                    double w = at(thF, thD, oW3 + j * h2n + k);
                    q += w * s[h2 + k];
                    dqj += at(vF, vD, oW3 + j * h2n + k) * s[h2 + k] + w * s[dh2 + k];
                }
                s[pi + j] = q;
                s[dq + j] = dqj;
            }
            softmaxInPlace(s, pi, a);
            applyM(s, pi, dq, a); // s[dq..] = w_i = M_i (J v)_i
            // backward J_iᵀ w_i: W3, b3, then g2 = (1-h2²) ⊙ W3ᵀ w
            for (int k = 0; k < h2n; k++) {
                s[g2 + k] = 0;
            }
            for (int j = 0; j < a; j++) {
                double w = s[dq + j];
                for (int k = 0; k < h2n; k++) {
                    s[oW3 + j * h2n + k] += w * s[h2 + k];
                    s[g2 + k] += at(thF, thD, oW3 + j * h2n + k) * w;
                }
                s[oB3 + j] += w;
            }
            for (int k = 0; k < h2n; k++) {
                double t = s[h2 + k];
                s[g2 + k] *= 1 - t * t;
            }
            // W2, b2, then g1 = (1-h1²) ⊙ W2ᵀ g2
            for (int k = 0; k < h1n; k++) {
                s[g1 + k] = 0;
            }
            for (int r = 0; r < h2n; r++) {
                double gr = s[g2 + r];
                for (int k = 0; k < h1n; k++) {
                    s[oW2 + r * h1n + k] += gr * s[h1 + k];
                    s[g1 + k] += at(thF, thD, oW2 + r * h1n + k) * gr;
                }
                s[oB2 + r] += gr;
            }
            for (int k = 0; k < h1n; k++) {
                double t = s[h1 + k];
                s[g1 + k] *= 1 - t * t;
            }
            // W1, b1
            for (int r = 0; r < h1n; r++) {
                double gr = s[g1 + r];
                for (int k = 0; k < d; k++) {
                    s[oW1 + r * d + k] += gr * at(xF, xD, xi + k);
                }
                s[oB1 + r] += gr;
            }
        }
        finish(s, p, n, damping, vF, vD, outF, outD);
    }

    // ------------------------------------------------------------ diagonal Gaussian

    @Override
    protected void gaussianKernel(GaussianShape shape, float[] theta, float[] x, float[] v, double damping, int stride,
            float[] out, FisherWorkspace ws) {
        gaussian(shape, theta, null, x, null, v, null, damping, stride, out, null, ws);
    }

    @Override
    protected void gaussianKernel(GaussianShape shape, double[] theta, double[] x, double[] v, double damping,
            int stride, double[] out, FisherWorkspace ws) {
        gaussian(shape, null, theta, null, x, null, v, damping, stride, null, out, ws);
    }

    private static void gaussian(GaussianShape shape, float[] thF, double[] thD, float[] xF, double[] xD, float[] vF,
            double[] vD, double damping, int stride, float[] outF, double[] outD, FisherWorkspace ws) {
        int bN = shape.batch(), d = shape.features(), a = shape.actions(), p = shape.paramCount();
        int sOff = a * d;
        double[] s = ws.doubles();
        int t = p;
        java.util.Arrays.fill(s, 0, p, 0.0);
        int n = 0;
        for (int i = 0; i < bN; i += stride) {
            n++;
            int xi = i * d;
            for (int j = 0; j < a; j++) { // t_j = V_j · x_i
                double dot = 0;
                for (int k = 0; k < d; k++) {
                    dot += at(vF, vD, j * d + k) * at(xF, xD, xi + k);
                }
                s[t + j] = dot;
            }
            for (int j = 0; j < a; j++) { // acc_W[j] += t_j x_iᵀ  (Σ_i (V x_i) x_iᵀ = V XᵀX)
                for (int k = 0; k < d; k++) {
                    s[j * d + k] += s[t + j] * at(xF, xD, xi + k);
                }
                s[sOff + j] += 2 * at(vF, vD, sOff + j); // Fisher of log-std: 2 per row
            }
        }
        // σ_j⁻² = exp(-2 s_j) scales row j of the W block; the s block is already Σ 2 v_s
        for (int j = 0; j < a; j++) {
            double invVar = Math.exp(-2 * at(thF, thD, sOff + j));
            for (int k = 0; k < d; k++) {
                s[j * d + k] *= invVar;
            }
        }
        finish(s, p, n, damping, vF, vD, outF, outD);
    }

    // ------------------------------------------------------------ empirical

    @Override
    protected void empiricalKernel(EmpiricalShape shape, float[] g, float[] v, double damping, int stride, float[] out,
            FisherWorkspace ws) {
        empirical(shape, g, null, v, null, damping, stride, out, null, ws);
    }

    @Override
    protected void empiricalKernel(EmpiricalShape shape, double[] g, double[] v, double damping, int stride,
            double[] out, FisherWorkspace ws) {
        empirical(shape, null, g, null, v, damping, stride, null, out, ws);
    }

    private static void empirical(EmpiricalShape shape, float[] gF, double[] gD, float[] vF, double[] vD,
            double damping, int stride, float[] outF, double[] outD, FisherWorkspace ws) {
        int bN = shape.batch(), p = shape.paramCount();
        double[] s = ws.doubles();
        java.util.Arrays.fill(s, 0, p, 0.0);
        int n = 0;
        for (int i = 0; i < bN; i += stride) {
            n++;
            int gi = i * p;
            double dot = 0; // (G v)_i
            for (int j = 0; j < p; j++) {
                dot += at(gF, gD, gi + j) * at(vF, vD, j);
            }
            for (int j = 0; j < p; j++) {
                s[j] += at(gF, gD, gi + j) * dot; // Gᵀ (G v)
            }
        }
        finish(s, p, n, damping, vF, vD, outF, outD);
    }
}
