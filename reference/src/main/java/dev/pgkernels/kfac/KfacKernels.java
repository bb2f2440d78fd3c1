package dev.pgkernels.kfac;

/**
 * Family 6: Kronecker-factored (K-FAC) preconditioning of one dense layer (SPEC §6), in
 * {@code float} (fp32 data and results) and in {@code double}, with the same names. A layer
 * {@code s = W a} has {@code W} of shape {@code out×in}; {@link KfacPreconditioner} combines
 * layers into the block-diagonal preconditioner with ACKTR's KL clip.
 *
 * <h2>Bias</h2>
 * A bias folds in as a trailing 1 in {@code a}: with {@code bias = true} the activation factor
 * is {@code (in+1)×(in+1)}, its last row and column are {@code mean_b a_b} and its corner is 1,
 * and the gradient (and update) is {@code out×(in+1)}: {@code [∇W | ∇b]}, the bias gradient as
 * the last column. The caller never materialises the column of ones. {@link #factorDim} gives
 * the size {@code nA = in + (bias ? 1 : 0)}.
 *
 * <h2>Layout</h2>
 * Flat row-major: activations {@code a} are {@code B×in} (sample-major), per-sample gradients
 * {@code g} w.r.t. {@code s} are {@code B×out}, factors {@code n×n} (symmetric, both triangles
 * written; implementations may read either triangle), gradients and updates {@code out×nA},
 * eigenbases {@code n×n} with the eigenvectors as COLUMNS, eigenvalues ascending.
 *
 * <h2>Contract</h2>
 * Sizes are explicit; arrays must be at least as long as they require and elements past that are
 * neither read nor written. Every check runs before any output is written and throws
 * {@link IllegalArgumentException} naming the argument (see {@link AbstractKfac}). Empty inputs
 * ({@code B = 0}, a zero dimension) are valid. NaN in data propagates into the outputs, except
 * through a Cholesky factorisation, which reports a NaN pivot with
 * {@link FactorNotPositiveDefiniteException}. Scratch lives in a {@link KfacWorkspace} from
 * {@link #workspace(int)}; kernels are otherwise stateless and thread-safe. The reference computes
 * everything in {@code double} and rounds a {@code float} result once, at the end.
 */
public interface KfacKernels {

    /** The activation factor's order: {@code in + 1} with a folded-in bias, else {@code in}. */
    static int factorDim(int in, boolean bias) {
        return bias ? in + 1 : in;
    }

    /**
     * A workspace for calls whose matrices have order at most {@code maxDim} (every factor side,
     * and both sides of the gradient {@code out×nA}). The workspace of another backend is rejected.
     *
     * @throws IllegalArgumentException if {@code maxDim < 0} or {@code maxDim²} overflows an array
     */
    KfacWorkspace workspace(int maxDim);

    // ---------------------------------------------------------------- factor statistics

    /**
     * Factor statistics with a running average (SPEC §6):
     * {@code F ← ε F + (1-ε) xᵀx / B}, where {@code x} is {@code x} with a trailing column of ones
     * if {@code bias}. Used for {@code A} (activations {@code a}, {@code bias} as the layer) and
     * for {@code S} (gradients {@code g}, {@code bias = false}). {@code ε = 0} stores the batch
     * statistic and does not read {@code factor} (so its previous contents, even NaN, do not
     * matter); {@code ε = 1} leaves it unchanged. {@code B = 0} does nothing.
     *
     * @param batch   {@code B >= 0}
     * @param dim     columns of {@code x}, {@code >= 0}
     * @param bias    fold in a trailing 1: {@code factor} is {@code (dim+1)×(dim+1)}
     * @param x       {@code B×dim}. Not modified.
     * @param epsilon the decay {@code ε} in {@code [0, 1]}
     * @param ws      a workspace with {@code maxDim >= dim + bias}
     * @param factor  {@code n×n}, {@code n = dim + bias}: the running average, read (unless {@code ε = 0}) and
     *                written, both triangles. Modified.
     */
    void updateFactor(int batch, int dim, boolean bias, float[] x, double epsilon, KfacWorkspace ws, float[] factor);

    /** As {@link #updateFactor(int, int, boolean, float[], double, KfacWorkspace, float[])}, in double. */
    void updateFactor(int batch, int dim, boolean bias, double[] x, double epsilon, KfacWorkspace ws, double[] factor);

    // ---------------------------------------------------------------- π-damping

    /**
     * The π of π-damping (SPEC §6): {@code π = sqrt((tr(A)/nA) / (tr(S)/nS))}, and {@code π = 1}
     * when either trace is 0 (or negative) or either order is 0. {@code nA} is the factor's order,
     * so with a folded-in bias it is {@code in + 1} (the bias row is part of {@code A}). NaN
     * propagates.
     *
     * @param a {@code nA×nA}; only the diagonal is read. Not modified.
     * @param s {@code nS×nS}; only the diagonal is read. Not modified.
     */
    double pi(int nA, float[] a, int nS, float[] s);

    /** As {@link #pi(int, float[], int, float[])}, in double. */
    double pi(int nA, double[] a, int nS, double[] s);

    // ---------------------------------------------------------------- Cholesky preconditioning

    /**
     * The π-damped K-FAC update (SPEC §6) by Cholesky solves:
     * {@code A_d = A + π√λ I}, {@code S_d = S + (√λ/π) I}, {@code ΔW = S_d⁻¹ ∇W A_d⁻¹}, with
     * {@code π} from {@link #pi}. Equivalently {@code (A_d ⊗ S_d) vec(ΔW) = vec(∇W)}.
     *
     * @param out    rows of the gradient, order of {@code S}, {@code >= 0}
     * @param in     layer inputs, {@code >= 0}; {@code A} has order {@code nA = in + bias}
     * @param bias   whether the bias is folded into {@code A} and the gradient's last column
     * @param a      {@code nA×nA} activation factor. Not modified.
     * @param s      {@code out×out} gradient factor. Not modified.
     * @param grad   {@code out×nA} gradient {@code ∇W} (bias gradient as the last column). Not modified.
     * @param lambda damping {@code λ >= 0}, finite
     * @param ws     a workspace with {@code maxDim >= max(out, nA)}
     * @param delta  {@code out×nA} output {@code ΔW}; may be the same array as {@code grad}. Modified
     *               only on success.
     * @return the {@code π} used
     * @throws FactorNotPositiveDefiniteException (layer -1) if {@code A_d} or {@code S_d} is not
     *         positive definite; {@code delta} is then untouched
     */
    double precondition(int out, int in, boolean bias, float[] a, float[] s, float[] grad, double lambda,
            KfacWorkspace ws, float[] delta);

    /** As {@link #precondition(int, int, boolean, float[], float[], float[], double, KfacWorkspace, float[])}, in double. */
    double precondition(int out, int in, boolean bias, double[] a, double[] s, double[] grad, double lambda,
            KfacWorkspace ws, double[] delta);

    // ---------------------------------------------------------------- eigenbases

    /**
     * Symmetric eigendecomposition of a factor, {@code F = Q diag(λ) Qᵀ}, eigenvalues ascending,
     * eigenvectors as the columns of {@code Q} (the reference uses cyclic Jacobi). Non-finite input
     * gives NaN everywhere.
     *
     * @param n           order, {@code >= 0}
     * @param factor      {@code n×n}, symmetric. Not modified.
     * @param ws          a workspace with {@code maxDim >= n}
     * @param q           {@code n×n} output, orthonormal columns. Modified.
     * @param eigenvalues length {@code >= n} output, ascending. Modified.
     */
    void eigenBasis(int n, float[] factor, KfacWorkspace ws, float[] q, float[] eigenvalues);

    /** As {@link #eigenBasis(int, float[], KfacWorkspace, float[], float[])}, in double. */
    void eigenBasis(int n, double[] factor, KfacWorkspace ws, double[] q, double[] eigenvalues);

    /**
     * The eigen variant of K-FAC (SPEC §6), with the UNDAMPED eigenvalues and a plain damping:
     * {@code ΔW = Q_S [(Q_Sᵀ ∇W Q_A) ⊘ (λ_S λ_Aᵀ + λ)] Q_Aᵀ}, i.e. {@code (A ⊗ S + λI)⁻¹ vec ∇W}.
     * This differs from the π-damped {@link #precondition} by design; given the eigenpairs of
     * {@code A_d} and {@code S_d} and {@code λ = 0} it equals it. A zero denominator (only
     * possible with {@code λ = 0}) divides by zero as IEEE does (±Inf or NaN).
     *
     * @param qA      {@code nA×nA} eigenvectors (columns) of {@code A}. Not modified.
     * @param lambdaA length {@code >= nA}, eigenvalues of {@code A}. Not modified.
     * @param qS      {@code out×out} eigenvectors of {@code S}. Not modified.
     * @param lambdaS length {@code >= out}, eigenvalues of {@code S}. Not modified.
     * @param grad    {@code out×nA}. Not modified.
     * @param lambda  damping {@code λ >= 0}, finite
     * @param delta   {@code out×nA} output; may be the same array as {@code grad}. Modified.
     */
    void preconditionEigen(int out, int in, boolean bias, float[] qA, float[] lambdaA, float[] qS, float[] lambdaS,
            float[] grad, double lambda, KfacWorkspace ws, float[] delta);

    /** As the float overload, in double. */
    void preconditionEigen(int out, int in, boolean bias, double[] qA, double[] lambdaA, double[] qS,
            double[] lambdaS, double[] grad, double lambda, KfacWorkspace ws, double[] delta);

    // ---------------------------------------------------------------- EKFAC

    /**
     * The EKFAC scaling (George et al. 2018, SPEC §6) with a running average:
     * {@code s ← ε s + (1-ε) (1/B) Σ_b (Q_Sᵀ g_b a_bᵀ Q_A)²} (elementwise square), where
     * {@code a_b} has the trailing 1 if {@code bias}. Since {@code Q_Sᵀ g_b a_bᵀ Q_A = u_b v_bᵀ}
     * with {@code u_b = Q_Sᵀ g_b}, {@code v_b = Q_Aᵀ a_b}, the batch term is
     * {@code (1/B) Σ_b u_b² (v_b²)ᵀ}. {@code ε = 0} does not read {@code scaling}; {@code B = 0}
     * and {@code ε = 1} leave it unchanged. For a single sample and {@code ε = 0}, {@code s} is the diagonal of the
     * sample's Fisher {@code vec(g aᵀ) vec(g aᵀ)ᵀ} in the Kronecker eigenbasis {@code Q_A ⊗ Q_S}.
     *
     * @param a       {@code B×in} activations. Not modified.
     * @param g       {@code B×out} per-sample gradients w.r.t. {@code s}. Not modified.
     * @param qA      {@code nA×nA} eigenbasis of {@code A}. Not modified.
     * @param qS      {@code out×out} eigenbasis of {@code S}. Not modified.
     * @param epsilon the decay {@code ε} in {@code [0, 1]}
     * @param scaling {@code out×nA} running average. Modified.
     */
    void updateEkfacScaling(int batch, int out, int in, boolean bias, float[] a, float[] g, float[] qA, float[] qS,
            double epsilon, KfacWorkspace ws, float[] scaling);

    /** As the float overload, in double. */
    void updateEkfacScaling(int batch, int out, int in, boolean bias, double[] a, double[] g, double[] qA,
            double[] qS, double epsilon, KfacWorkspace ws, double[] scaling);

    /**
     * The EKFAC update (SPEC §6): {@code ΔW = Q_S [(Q_Sᵀ ∇W Q_A) ⊘ (s + λ)] Q_Aᵀ}. A zero
     * denominator divides by zero as IEEE does.
     *
     * @param qA      {@code nA×nA}. Not modified.
     * @param qS      {@code out×out}. Not modified.
     * @param scaling {@code out×nA}, the EKFAC scaling {@code s}. Not modified.
     * @param grad    {@code out×nA}. Not modified.
     * @param lambda  damping {@code λ >= 0}, finite
     * @param delta   {@code out×nA} output; may be the same array as {@code grad}. Modified.
     */
    void preconditionEkfac(int out, int in, boolean bias, float[] qA, float[] qS, float[] scaling, float[] grad,
            double lambda, KfacWorkspace ws, float[] delta);

    /** As the float overload, in double. */
    void preconditionEkfac(int out, int in, boolean bias, double[] qA, double[] qS, double[] scaling,
            double[] grad, double lambda, KfacWorkspace ws, double[] delta);

    // ---------------------------------------------------------------- ACKTR KL clip

    /**
     * ACKTR's KL clip (Wu et al. 2017; OpenAI baselines {@code acktr/kfac.py}):
     * {@code ν = min(1, sqrt(κ / (η² vFv)))} with {@code vFv = Σ_l <ΔW_l, ∇W_l>}, the factor every
     * layer's update is scaled by. A non-positive {@code vFv} (a zero gradient) gives {@code ν = 1};
     * NaN propagates.
     *
     * @param kappa the KL clip {@code κ > 0}
     * @param eta   the learning rate {@code η > 0}
     * @param vFv   {@code Σ_l <ΔW_l, ∇W_l>}
     * @throws IllegalArgumentException if {@code κ} or {@code η} is not {@code > 0}
     */
    static double klClip(double kappa, double eta, double vFv) {
        dev.pgkernels.Checks.positive("kappa", kappa);
        dev.pgkernels.Checks.positive("eta", eta);
        if (Double.isNaN(vFv)) {
            return Double.NaN;
        }
        if (vFv <= 0.0) {
            return 1.0;
        }
        return Math.min(1.0, Math.sqrt(kappa / (eta * eta * vFv)));
    }
}
