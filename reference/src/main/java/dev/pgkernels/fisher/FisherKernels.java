package dev.pgkernels.fisher;

/**
 * Family 4: Fisher-vector products (SPEC §4). Each product returns {@code (F + λI) v} for the
 * Fisher of the policy's action distribution averaged over the rows used,
 * {@code F = (1/n) Σ_{i used} J_iᵀ M_i J_i}, without ever forming {@code F}.
 *
 * <p><b>Common contract of every product.</b>
 * <ul>
 *   <li>{@code damping} {@code λ >= 0}, finite.</li>
 *   <li>{@code stride} {@code k >= 1}: F is estimated from rows {@code i = 0, k, 2k, ...} with
 *       {@code i < B} only, that is {@code n = ceil(B/k)} rows ({@link FisherShape#rowsUsed}), and the
 *       average divides by that {@code n} (not by {@code B}). {@code k = 1} ({@link #ALL_ROWS}) uses
 *       every row; OpenAI baselines' TRPO uses {@code k = 5} ({@link #BASELINES_TRPO_STRIDE}).</li>
 *   <li>{@code B = 0} (so {@code n = 0}): {@code F = 0} and the product is exactly {@code λ v}.</li>
 *   <li>Categorical policies take θ and X and compute {@code pi = softmax(q)} themselves at θ (so the
 *       probabilities always belong to the θ the Jacobian is taken at; the MLP needs its forward
 *       activations anyway). Logits are shifted by their row maximum.</li>
 *   <li>Arrays follow {@link dev.pgkernels.Checks}' rule: at least the required length, elements past
 *       it neither read nor written. {@code out} must be a different array from every input
 *       (checked); {@code out[0..P)} is fully written, no earlier content is read.</li>
 *   <li>The {@code float} overloads take and return fp32, the {@code double} overloads double; the
 *       reference accumulates in double in both. NaN or Inf in the inputs propagates (not checked).</li>
 *   <li>{@code ws} must come from {@link #workspace} of this backend for a shape that
 *       {@link FisherWorkspace#fits fits} the call's; it is overwritten (Modified.).</li>
 *   <li>Every violation throws {@link IllegalArgumentException} naming the argument, before any
 *       output element is written.</li>
 * </ul>
 * Implementations are stateless and thread-safe; all scratch is in the workspace.
 */
public interface FisherKernels {

    /** Stride that uses every row. */
    int ALL_ROWS = 1;

    /** OpenAI baselines' TRPO (trpo_mpi) estimates the Fisher from every 5th sample ({@code fvpargs = [arr[::5] ...]}). */
    int BASELINES_TRPO_STRIDE = 5;

    /**
     * A workspace for products of this shape (and any smaller batch with the same widths).
     *
     * @throws IllegalArgumentException if {@code shape} is null
     */
    FisherWorkspace workspace(FisherShape shape);

    /**
     * Linear-softmax FVP (SPEC §4): with {@code q_i = W x_i + b}, {@code pi_i = softmax(q_i)},
     * {@code v = (V, c)} in θ's layout, {@code u_i = V x_i + c},
     * {@code w_i = pi_i ⊙ u_i - pi_i <pi_i, u_i>}:
     * {@code out = ( Σ_used w_i x_iᵀ / n , Σ_used w_i / n ) + λ v}.
     *
     * @param shape   B, D, A; θ layout in {@link LinearSoftmaxShape}
     * @param theta   θ = (W, b), length {@code >= P}. Not modified.
     * @param x       X, {@code B×D} row-major. Not modified.
     * @param v       the vector, length {@code >= P}, θ's layout. Not modified.
     * @param damping λ {@code >= 0}
     * @param stride  k {@code >= 1}
     * @param out     {@code (F + λI) v}, length {@code >= P}. Modified.
     * @param ws      workspace. Modified.
     * @throws IllegalArgumentException on a null, a short array, {@code λ < 0} or not finite, {@code k < 1},
     *         {@code out} aliasing an input, or a workspace that does not fit
     */
    void linearSoftmaxFvp(LinearSoftmaxShape shape, float[] theta, float[] x, float[] v, double damping, int stride,
            float[] out, FisherWorkspace ws);

    /** Double-precision {@link #linearSoftmaxFvp(LinearSoftmaxShape, float[], float[], float[], double, int, float[], FisherWorkspace)}. */
    void linearSoftmaxFvp(LinearSoftmaxShape shape, double[] theta, double[] x, double[] v, double damping, int stride,
            double[] out, FisherWorkspace ws);

    /**
     * MLP-softmax FVP (SPEC §4): {@code out = J_usedᵀ M J_used v / n + λ v}, by a forward pass of
     * the tangent {@code Jv} (through both tanh layers), the row-wise {@code w_i = M_i (Jv)_i} with
     * {@code M_i = diag(pi_i) - pi_i pi_iᵀ}, and a backward pass {@code Jᵀ w}.
     *
     * @param shape   B, D, H1, H2, A; θ layout in {@link MlpSoftmaxShape}
     * @param theta   θ = (W1, b1, W2, b2, W3, b3), length {@code >= P}. Not modified.
     * @param x       X, {@code B×D} row-major. Not modified.
     * @param v       length {@code >= P}, θ's layout. Not modified.
     * @param damping λ {@code >= 0}
     * @param stride  k {@code >= 1}
     * @param out     {@code (F + λI) v}, length {@code >= P}. Modified.
     * @param ws      workspace. Modified.
     * @throws IllegalArgumentException as {@link #linearSoftmaxFvp(LinearSoftmaxShape, float[], float[], float[], double, int, float[], FisherWorkspace)}
     */
    void mlpSoftmaxFvp(MlpSoftmaxShape shape, float[] theta, float[] x, float[] v, double damping, int stride,
            float[] out, FisherWorkspace ws);

    /** Double-precision {@link #mlpSoftmaxFvp(MlpSoftmaxShape, float[], float[], float[], double, int, float[], FisherWorkspace)}. */
    void mlpSoftmaxFvp(MlpSoftmaxShape shape, double[] theta, double[] x, double[] v, double damping, int stride,
            double[] out, FisherWorkspace ws);

    /**
     * Diagonal-Gaussian FVP (SPEC §4), mean {@code X Wᵀ}, {@code sigma_a = exp(s_a)}, {@code v = (V, v_s)}:
     * {@code out_W[a][:] = sigma_a⁻² V[a][:] (Σ_used x_i x_iᵀ / n) + λ V[a][:]} (computed as
     * {@code Σ_used (V[a]·x_i) x_i / n}, never forming {@code XᵀX}) and {@code out_s = 2 v_s + λ v_s}.
     * The {@code s} block is the average over the rows used of the constant 2, so it is 2 when
     * {@code n >= 1} and 0 when {@code B = 0} (the product is then {@code λ v}, as SPEC says).
     *
     * @param shape   B, D, A; θ layout in {@link GaussianShape}
     * @param theta   θ = (W, s), length {@code >= P} (only s is read: the Fisher does not depend on W). Not modified.
     * @param x       X, {@code B×D} row-major. Not modified.
     * @param v       length {@code >= P}. Not modified.
     * @param damping λ {@code >= 0}
     * @param stride  k {@code >= 1}
     * @param out     length {@code >= P}. Modified.
     * @param ws      workspace. Modified.
     * @throws IllegalArgumentException as {@link #linearSoftmaxFvp(LinearSoftmaxShape, float[], float[], float[], double, int, float[], FisherWorkspace)}
     */
    void gaussianFvp(GaussianShape shape, float[] theta, float[] x, float[] v, double damping, int stride,
            float[] out, FisherWorkspace ws);

    /** Double-precision {@link #gaussianFvp(GaussianShape, float[], float[], float[], double, int, float[], FisherWorkspace)}. */
    void gaussianFvp(GaussianShape shape, double[] theta, double[] x, double[] v, double damping, int stride,
            double[] out, FisherWorkspace ws);

    /**
     * Empirical-Fisher FVP (SPEC §4): {@code out = Σ_used g_i (g_i·v) / n + λ v}, i.e.
     * {@code Gᵀ(G v)/B} when {@code k = 1}.
     *
     * @param shape   B, P
     * @param g       score rows G, {@code B×P} row-major. Not modified.
     * @param v       length {@code >= P}. Not modified.
     * @param damping λ {@code >= 0}
     * @param stride  k {@code >= 1}
     * @param out     length {@code >= P}. Modified.
     * @param ws      workspace. Modified.
     * @throws IllegalArgumentException as {@link #linearSoftmaxFvp(LinearSoftmaxShape, float[], float[], float[], double, int, float[], FisherWorkspace)}
     */
    void empiricalFvp(EmpiricalShape shape, float[] g, float[] v, double damping, int stride, float[] out,
            FisherWorkspace ws);

    /** Double-precision {@link #empiricalFvp(EmpiricalShape, float[], float[], double, int, float[], FisherWorkspace)}. */
    void empiricalFvp(EmpiricalShape shape, double[] g, double[] v, double damping, int stride, double[] out,
            FisherWorkspace ws);
}
