package dev.pgkernels.cg;

import dev.pgkernels.Checks;
import dev.pgkernels.fisher.LinearSoftmaxShape;
import dev.pgkernels.fisher.MlpSoftmaxShape;
import dev.pgkernels.softmax.SoftmaxKernels;

/**
 * TRPO line-search objectives ({@link FloatObjective}) for the categorical policies of family 4,
 * built on family 2's {@link SoftmaxKernels#logSoftmax}, {@link SoftmaxKernels#kl} and
 * {@link SoftmaxKernels#surrogate}. At a candidate θ an objective computes the logits
 * {@code q = policy(θ, X)} (θ in the layout of {@link LinearSoftmaxShape} / {@link MlpSoftmaxShape};
 * the forward pass in double, rounded to fp32 logits), then
 * <ul>
 *   <li>{@code meanKl = (1/B) Σ_i KL(pi_old,i || softmax(q_i))} (0 when {@code B = 0}), and</li>
 *   <li>{@code surrogate = (1/B) Σ_i exp(logsoftmax(q_i)[a_i] - logpOld_i[a_i]) · adv_i}.</li>
 * </ul>
 * The old log-probabilities are computed once, when the objective is built, from {@code thetaOld}
 * with the same forward pass, so the objective at θ_old has KL exactly 0 and ratio 1.
 *
 * <p>An objective keeps references to {@code x}, {@code actions} and {@code advantages} (they must
 * stay unchanged while it is used) and owns its scratch (logits, log-probabilities, per-row KL and
 * hidden activations, allocated once here), so it serves one evaluation at a time (not thread-safe).
 * Family 2 is fp32-only, so these adapters exist for the fp32 TRPO step; a double-precision
 * caller writes its own {@link DoubleObjective}.
 */
public final class SoftmaxObjectives {
    private SoftmaxObjectives() {}

    /**
     * The objective of a linear-softmax policy {@code q = X Wᵀ + b}.
     *
     * @param softmax    family 2's kernels
     * @param shape      B, D, A ({@code A >= 1})
     * @param thetaOld   θ_old, length {@code >= P}. Not modified (read once, here).
     * @param x          X, {@code B×D}. Not modified; kept.
     * @param actions    taken actions {@code [B]}, {@code 0 <= a_i < A}. Not modified; kept.
     * @param advantages {@code [B]}. Not modified; kept.
     * @throws IllegalArgumentException on a null, a short array, {@code A < 1}, or an action out of range
     */
    public static FloatObjective linearSoftmax(SoftmaxKernels softmax, LinearSoftmaxShape shape, float[] thetaOld,
            float[] x, int[] actions, float[] advantages) {
        Checks.notNull("shape", shape);
        Checks.length("x", x, (long) shape.batch() * shape.features(), "B*D");
        Checks.length("thetaOld", thetaOld, shape.paramCount(), "P = A*D + A");
        Forward f = (theta, logits, hidden) -> linearLogits(shape, theta, x, logits);
        return new Objective(softmax, shape.batch(), shape.actions(), thetaOld, actions, advantages, f, 0);
    }

    /**
     * The objective of an MLP-softmax policy (two tanh hidden layers).
     *
     * @param softmax    family 2's kernels
     * @param shape      B, D, H1, H2, A ({@code A >= 1})
     * @param thetaOld   θ_old, length {@code >= P}. Not modified (read once, here).
     * @param x          X, {@code B×D}. Not modified; kept.
     * @param actions    {@code [B]}, {@code 0 <= a_i < A}. Not modified; kept.
     * @param advantages {@code [B]}. Not modified; kept.
     * @throws IllegalArgumentException on a null, a short array, {@code A < 1}, or an action out of range
     */
    public static FloatObjective mlpSoftmax(SoftmaxKernels softmax, MlpSoftmaxShape shape, float[] thetaOld,
            float[] x, int[] actions, float[] advantages) {
        Checks.notNull("shape", shape);
        Checks.length("x", x, (long) shape.batch() * shape.features(), "B*D");
        Checks.length("thetaOld", thetaOld, shape.paramCount(), "P of the MLP");
        Forward f = (theta, logits, hidden) -> mlpLogits(shape, theta, x, logits, hidden);
        return new Objective(softmax, shape.batch(), shape.actions(), thetaOld, actions, advantages, f,
                shape.hidden1() + shape.hidden2());
    }

    private interface Forward {
        void logits(float[] theta, float[] logits, double[] hidden);
    }

    /** {@code q_ij = Σ_k W_jk x_ik + b_j}, in double, rounded to fp32. */
    static void linearLogits(LinearSoftmaxShape s, float[] theta, float[] x, float[] logits) {
        int d = s.features(), a = s.actions();
        for (int i = 0; i < s.batch(); i++) {
            for (int j = 0; j < a; j++) {
                double q = theta[a * d + j];
                for (int k = 0; k < d; k++) {
                    q += (double) theta[j * d + k] * x[i * d + k];
                }
                logits[i * a + j] = (float) q;
            }
        }
    }

    /** The MLP's logits, one row at a time, hidden activations in {@code hidden[0 .. H1+H2)}. */
    static void mlpLogits(MlpSoftmaxShape s, float[] theta, float[] x, float[] logits, double[] hidden) {
        int d = s.features(), h1n = s.hidden1(), h2n = s.hidden2(), a = s.actions();
        for (int i = 0; i < s.batch(); i++) {
            for (int r = 0; r < h1n; r++) {
                double z = theta[s.offB1() + r];
                for (int k = 0; k < d; k++) {
                    z += (double) theta[s.offW1() + r * d + k] * x[i * d + k];
                }
                hidden[r] = Math.tanh(z);
            }
            for (int r = 0; r < h2n; r++) {
                double z = theta[s.offB2() + r];
                for (int k = 0; k < h1n; k++) {
                    z += theta[s.offW2() + r * h1n + k] * hidden[k];
                }
                hidden[h1n + r] = Math.tanh(z);
            }
            for (int j = 0; j < a; j++) {
                double q = theta[s.offB3() + j];
                for (int k = 0; k < h2n; k++) {
                    q += theta[s.offW3() + j * h2n + k] * hidden[h1n + k];
                }
                logits[i * a + j] = (float) q;
            }
        }
    }

    private static final class Objective implements FloatObjective {
        private final SoftmaxKernels softmax;
        private final int b;
        private final int a;
        private final int[] actions;
        private final float[] advantages;
        private final Forward forward;
        private final float[] logpOld;
        private final float[] logpOldAtAction;
        private final float[] logits;
        private final float[] logpNew;
        private final float[] klRows;
        private final double[] hidden;

        Objective(SoftmaxKernels softmax, int b, int a, float[] thetaOld, int[] actions, float[] advantages,
                Forward forward, int hiddenWidth) {
            this.softmax = Checks.notNull("softmax", softmax);
            Checks.positiveSize("actions per row A", a);
            Checks.length("actions", actions, b, "B");
            Checks.length("advantages", advantages, b, "B");
            for (int i = 0; i < b; i++) {
                Checks.index("actions[" + i + "]", actions[i], 0, a);
            }
            this.b = b;
            this.a = a;
            this.actions = actions;
            this.advantages = advantages;
            this.forward = forward;
            int ba = Math.multiplyExact(b, a);
            this.logpOld = new float[ba];
            this.logpOldAtAction = new float[b];
            this.logits = new float[ba];
            this.logpNew = new float[ba];
            this.klRows = new float[b];
            this.hidden = new double[hiddenWidth];
            forward.logits(thetaOld, logits, hidden);
            softmax.logSoftmax(b, a, logits, logpOld);
            for (int i = 0; i < b; i++) {
                logpOldAtAction[i] = logpOld[i * a + actions[i]];
            }
        }

        @Override
        public KlSurrogate evaluate(float[] theta) {
            forward.logits(theta, logits, hidden);
            softmax.logSoftmax(b, a, logits, logpNew);
            softmax.kl(b, a, logpOld, logpNew, klRows);
            double sum = 0;
            for (int i = 0; i < b; i++) {
                sum += klRows[i];
            }
            double meanKl = b == 0 ? 0.0 : sum / b;
            double surrogate = softmax.surrogate(b, a, logits, actions, logpOldAtAction, advantages);
            return new KlSurrogate(meanKl, surrogate);
        }
    }
}
