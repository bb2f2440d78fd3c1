package dev.pgkernels.kfac;

import dev.pgkernels.Checks;
import java.util.ArrayList;
import java.util.List;

/**
 * A multi-layer, block-diagonal K-FAC preconditioner (SPEC §6) with ACKTR's KL clip, usable as a
 * library on top of any backend's {@link KfacKernels}. fp32 in and out; the running averages are
 * kept in fp32 as well (the kernels compute in the backend's precision, double for the reference).
 *
 * <p>Use:
 * <pre>{@code
 * var p = new KfacPreconditioner(kernels,
 *         List.of(new Layer("fc1", 64, 64, true), new Layer("pi", 64, 6, true)),
 *         Settings.acktr());
 * p.observe(0, B, a0, g0);            // activations B×in, per-sample gradients w.r.t. s, B×out
 * p.observe(1, B, a1, g1);
 * double nu = p.precondition(grads, updates);   // grads[l], updates[l]: out×(in+bias)
 * }</pre>
 * With {@link Variant#EIGEN} or {@link Variant#EKFAC}, call {@link #refreshEigenbases()} every
 * {@code k} steps (and once before the first {@link #precondition}); preconditioning runs every
 * step with the cached bases.
 *
 * <p>Layer {@code l} has {@code W_l} of shape {@code out×in}; with a bias its gradient and update
 * are {@code out×(in+1)}, the bias as the last column, and its activation factor is
 * {@code (in+1)×(in+1)} (see {@link KfacKernels}). The block-diagonal update is
 * {@code ΔW_l = ν · P_l(∇W_l)} with {@code P_l} the variant's per-layer preconditioner and
 * {@code ν = min(1, sqrt(κ / (η² Σ_l <P_l(∇W_l), ∇W_l>)))} ({@link KfacKernels#klClip}).
 *
 * <p>Failure: a damped factor that is not positive definite ({@link Variant#KFAC}) throws
 * {@link FactorNotPositiveDefiniteException} naming the layer (index and name), the factor and
 * the failing pivot; every layer is preconditioned into internal scratch first and the caller's
 * update arrays are written only when all layers succeeded, so on failure they, and the
 * preconditioner's state, are exactly as before the call.
 *
 * <p>Not thread-safe (it owns one workspace and mutable statistics).
 */
public final class KfacPreconditioner {

    /** ACKTR's learning rate η: OpenAI baselines, {@code acktr/acktr.py}, {@code Model(lr=0.25)}. */
    public static final double ACKTR_LEARNING_RATE = 0.25;
    /** ACKTR's KL clip κ: OpenAI baselines, {@code acktr/acktr.py}, {@code Model(kfac_clip=0.001)}. */
    public static final double ACKTR_KL_CLIP = 0.001;
    /** ACKTR's damping λ: OpenAI baselines, {@code acktr/acktr.py}, {@code KfacOptimizer(epsilon=0.01)}. */
    public static final double ACKTR_DAMPING = 0.01;
    /** ACKTR's statistics decay ε: OpenAI baselines, {@code acktr/acktr.py}, {@code KfacOptimizer(stats_decay=0.99)}. */
    public static final double ACKTR_STATS_DECAY = 0.99;

    /**
     * One dense layer {@code s = W a + b}: {@code W} is {@code out×in}.
     *
     * @param name a label used in messages and exceptions (not null)
     * @param in   input width, {@code >= 0}
     * @param out  output width, {@code >= 0}
     * @param bias whether a bias is folded in (gradient and factor {@code A} get the extra column)
     */
    public record Layer(String name, int in, int out, boolean bias) {
        /** @throws IllegalArgumentException on a null name, a negative size, or an oversized layer */
        public Layer {
            Checks.notNull("name", name);
            Checks.size("in", in);
            Checks.size("out", out);
            if (bias && in == Integer.MAX_VALUE) {
                throw new IllegalArgumentException("in + 1 (bias) overflows an int: in = " + in);
            }
            int nA = KfacKernels.factorDim(in, bias);
            Checks.product("nA*nA", nA, nA);
            Checks.product("out*out", out, out);
            Checks.product("out*nA", out, nA);
        }

        /** The activation factor's order, {@code in + (bias ? 1 : 0)}. */
        public int nA() {
            return KfacKernels.factorDim(in, bias);
        }

        /** Elements of the gradient and update, {@code out * nA}. */
        public int gradientSize() {
            return out * nA();
        }
    }

    /** Which per-layer preconditioner {@link #precondition} applies. */
    public enum Variant {
        /** π-damped K-FAC by Cholesky solves: {@code S_d⁻¹ ∇W A_d⁻¹} ({@link KfacKernels#precondition}). */
        KFAC,
        /** Eigenbasis form with undamped eigenvalues: {@link KfacKernels#preconditionEigen}. */
        EIGEN,
        /** EKFAC: eigenbases with the re-estimated scaling: {@link KfacKernels#preconditionEkfac}. */
        EKFAC
    }

    /**
     * @param variant the per-layer preconditioner
     * @param lambda  damping {@code λ >= 0}, finite
     * @param epsilon decay {@code ε} of the running averages, in {@code [0, 1]}
     * @param kappa   KL clip {@code κ > 0} ({@code +Inf} disables the clip: {@code ν = 1})
     * @param eta     learning rate {@code η > 0}, finite
     */
    public record Settings(Variant variant, double lambda, double epsilon, double kappa, double eta) {
        /** @throws IllegalArgumentException on a parameter outside its range */
        public Settings {
            Checks.notNull("variant", variant);
            Checks.nonNegativeFinite("lambda", lambda);
            Checks.unitInterval("epsilon", epsilon);
            Checks.positive("kappa", kappa);
            Checks.positive("eta", eta);
            Checks.finite("eta", eta);
        }

        /** ACKTR's defaults (OpenAI baselines): π-damped K-FAC, λ = 0.01, ε = 0.99, κ = 0.001, η = 0.25. */
        public static Settings acktr() {
            return new Settings(Variant.KFAC, ACKTR_DAMPING, ACKTR_STATS_DECAY, ACKTR_KL_CLIP, ACKTR_LEARNING_RATE);
        }

        /** These settings with another variant. */
        public Settings withVariant(Variant v) {
            return new Settings(v, lambda, epsilon, kappa, eta);
        }

        /** These settings with another damping. */
        public Settings withLambda(double l) {
            return new Settings(variant, l, epsilon, kappa, eta);
        }
    }

    private final KfacKernels kernels;
    private final List<Layer> layers;
    private final Settings settings;
    private final KfacWorkspace ws;
    private final float[][] a, s, qA, lambdaA, qS, lambdaS, scaling, pending;
    private final boolean[] observed, scalingObserved;
    private boolean haveBases;

    /**
     * @param kernels  the backend's kernels
     * @param layers   the layers, in order (at least one); indexed from 0
     * @param settings variant, damping, decay, KL clip, learning rate
     * @throws IllegalArgumentException on a null argument or an empty layer list
     */
    public KfacPreconditioner(KfacKernels kernels, List<Layer> layers, Settings settings) {
        this.kernels = Checks.notNull("kernels", kernels);
        Checks.notNull("layers", layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("argument 'layers': expected at least one layer, got 0");
        }
        for (int l = 0; l < layers.size(); l++) {
            Checks.notNull("layers[" + l + "]", layers.get(l));
        }
        this.layers = List.copyOf(layers);
        this.settings = Checks.notNull("settings", settings);
        int n = this.layers.size();
        int maxDim = 0;
        a = new float[n][];
        s = new float[n][];
        qA = new float[n][];
        lambdaA = new float[n][];
        qS = new float[n][];
        lambdaS = new float[n][];
        scaling = new float[n][];
        pending = new float[n][];
        observed = new boolean[n];
        scalingObserved = new boolean[n];
        for (int l = 0; l < n; l++) {
            Layer y = this.layers.get(l);
            int nA = y.nA(), out = y.out();
            maxDim = Math.max(maxDim, Math.max(nA, out));
            a[l] = new float[nA * nA];
            s[l] = new float[out * out];
            pending[l] = new float[out * nA];
            if (settings.variant() != Variant.KFAC) {
                qA[l] = new float[nA * nA];
                lambdaA[l] = new float[nA];
                qS[l] = new float[out * out];
                lambdaS[l] = new float[out];
                scaling[l] = new float[out * nA];
            }
        }
        ws = kernels.workspace(maxDim);
    }

    /** The layers, in order. */
    public List<Layer> layers() {
        return layers;
    }

    /** The settings. */
    public Settings settings() {
        return settings;
    }

    private Layer layer(int l) {
        Checks.index("layer", l, 0, layers.size());
        return layers.get(l);
    }

    /**
     * Feeds one batch of layer {@code l}: updates its factors {@code A ← ε A + (1-ε) ãᵀã/B} and
     * {@code S ← ε S + (1-ε) gᵀg/B}, and, with {@link Variant#EKFAC} once bases exist, the scaling
     * {@code s} in the current bases. The first batch a statistic sees initialises it (as if
     * {@code ε = 0}), so the average is not biased toward its zero start. {@code B = 0} does nothing.
     *
     * @param layer       the layer's index
     * @param batch       {@code B >= 0}
     * @param activations {@code B×in} inputs of the layer. Not modified.
     * @param gradients   {@code B×out} per-sample gradients of the loss w.r.t. the layer's output
     *                    {@code s} (for the true Fisher: sampled from the model). Not modified.
     * @throws IllegalArgumentException on a bad index, size or array, before any state changes
     */
    public void observe(int layer, int batch, float[] activations, float[] gradients) {
        Layer y = layer(layer);
        Checks.size("batch", batch);
        Checks.length("activations", activations, Checks.product("batch*in", batch, y.in()),
                "batch*in = " + batch + "*" + y.in());
        Checks.length("gradients", gradients, Checks.product("batch*out", batch, y.out()),
                "batch*out = " + batch + "*" + y.out());
        if (batch == 0) {
            return;
        }
        double eps = observed[layer] ? settings.epsilon() : 0.0;
        kernels.updateFactor(batch, y.in(), y.bias(), activations, eps, ws, a[layer]);
        kernels.updateFactor(batch, y.out(), false, gradients, eps, ws, s[layer]);
        observed[layer] = true;
        if (settings.variant() == Variant.EKFAC && haveBases) {
            double epsS = scalingObserved[layer] ? settings.epsilon() : 0.0;
            kernels.updateEkfacScaling(batch, y.out(), y.in(), y.bias(), activations, gradients, qA[layer], qS[layer],
                    epsS, ws, scaling[layer]);
            scalingObserved[layer] = true;
        }
    }

    /**
     * Recomputes every layer's eigenbases {@code A = Q_A Λ_A Q_Aᵀ}, {@code S = Q_S Λ_S Q_Sᵀ}
     * from the current factors (for {@link Variant#EIGEN} and {@link Variant#EKFAC}; a no-op for
     * {@link Variant#KFAC}). With EKFAC the scaling restarts in the new bases at the K-FAC
     * eigenvalues {@code s = λ_S λ_Aᵀ} (what K-FAC's Kronecker approximation gives in that basis)
     * and is then re-estimated by {@link #observe} with the running average.
     */
    public void refreshEigenbases() {
        if (settings.variant() == Variant.KFAC) {
            return;
        }
        for (int l = 0; l < layers.size(); l++) {
            Layer y = layers.get(l);
            int nA = y.nA(), out = y.out();
            kernels.eigenBasis(nA, a[l], ws, qA[l], lambdaA[l]);
            kernels.eigenBasis(out, s[l], ws, qS[l], lambdaS[l]);
            if (settings.variant() == Variant.EKFAC) {
                for (int i = 0; i < out; i++) {
                    for (int j = 0; j < nA; j++) {
                        scaling[l][i * nA + j] = lambdaS[l][i] * lambdaA[l][j];
                    }
                }
                scalingObserved[l] = true;
            }
        }
        haveBases = true;
    }

    /**
     * The clipped block-diagonal update: {@code updates[l] = ν · P_l(grads[l])} for every layer,
     * {@code ν} from ACKTR's KL clip over all layers (returned).
     *
     * @param grads   one gradient per layer, {@code out×(in+bias)} each. Not modified.
     * @param updates one output per layer, same shapes; may be the same arrays as {@code grads}.
     *                Modified only on success.
     * @return {@code ν}
     * @throws FactorNotPositiveDefiniteException naming the layer and pivot ({@link Variant#KFAC});
     *         nothing is written and the state is unchanged
     * @throws IllegalStateException with {@link Variant#EIGEN}/{@link Variant#EKFAC} before the
     *         first {@link #refreshEigenbases()}
     * @throws IllegalArgumentException on a wrong number of arrays or a short array
     */
    public double precondition(float[][] grads, float[][] updates) {
        Checks.notNull("grads", grads);
        Checks.notNull("updates", updates);
        int n = layers.size();
        if (grads.length != n || updates.length != n) {
            throw new IllegalArgumentException("expected " + n + " gradient and update arrays (one per layer), got "
                    + grads.length + " and " + updates.length);
        }
        for (int l = 0; l < n; l++) {
            Layer y = layers.get(l);
            String because = "layer " + l + " '" + y.name() + "': out*(in+bias) = " + y.out() + "*" + y.nA();
            Checks.length("grads[" + l + "]", grads[l], y.gradientSize(), because);
            Checks.length("updates[" + l + "]", updates[l], y.gradientSize(), because);
        }
        if (settings.variant() != Variant.KFAC && !haveBases) {
            throw new IllegalStateException("variant " + settings.variant()
                    + " needs eigenbases: call refreshEigenbases() before precondition()");
        }
        double lambda = settings.lambda();
        double vFv = 0.0;
        for (int l = 0; l < n; l++) {
            Layer y = layers.get(l);
            try {
                switch (settings.variant()) {
                    case KFAC -> kernels.precondition(y.out(), y.in(), y.bias(), a[l], s[l], grads[l], lambda, ws,
                            pending[l]);
                    case EIGEN -> kernels.preconditionEigen(y.out(), y.in(), y.bias(), qA[l], lambdaA[l], qS[l],
                            lambdaS[l], grads[l], lambda, ws, pending[l]);
                    case EKFAC -> kernels.preconditionEkfac(y.out(), y.in(), y.bias(), qA[l], qS[l], scaling[l],
                            grads[l], lambda, ws, pending[l]);
                }
            } catch (FactorNotPositiveDefiniteException e) {
                throw e.inLayer(l, y.name());
            }
            for (int k = 0; k < y.gradientSize(); k++) {
                vFv += (double) pending[l][k] * grads[l][k]; // <ΔW_l, ∇W_l>
            }
        }
        double nu = KfacKernels.klClip(settings.kappa(), settings.eta(), vFv);
        for (int l = 0; l < n; l++) {
            for (int k = 0; k < layers.get(l).gradientSize(); k++) {
                updates[l][k] = (float) (nu * pending[l][k]);
            }
        }
        return nu;
    }

    /** A copy of layer {@code l}'s activation factor {@code A}, {@code nA×nA}. */
    public float[] factorA(int l) {
        layer(l);
        return a[l].clone();
    }

    /** A copy of layer {@code l}'s gradient factor {@code S}, {@code out×out}. */
    public float[] factorS(int l) {
        layer(l);
        return s[l].clone();
    }

    /** A copy of layer {@code l}'s EKFAC scaling, {@code out×nA} (EKFAC only, else empty). */
    public float[] scaling(int l) {
        layer(l);
        return scaling[l] == null ? new float[0] : scaling[l].clone();
    }

    /** Whether eigenbases have been computed ({@link #refreshEigenbases()}). */
    public boolean hasEigenbases() {
        return haveBases;
    }

    /** For messages: the layer names in order. */
    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        for (Layer y : layers) {
            names.add(y.name() + "[" + y.out() + "x" + y.nA() + "]");
        }
        return "KfacPreconditioner" + names + " " + settings;
    }
}
