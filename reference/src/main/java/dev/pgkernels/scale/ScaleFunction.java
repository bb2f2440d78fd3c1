package dev.pgkernels.scale;

import dev.pgkernels.Checks;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One gradient scale function {@code f(x, y)} of SPEC.md §1 (Gummadi, Kumar, Wen, Schuurmans,
 * ICML 2022), where {@code x = dO} is the log importance ratio {@code log pi(a|s) - log mu(a|s)}
 * and {@code y = dR} the prediction / Bellman error {@code target - q(s,a)}.
 *
 * <table>
 *   <caption>The kinds</caption>
 *   <tr><th>factory</th><th>f(x, y)</th></tr>
 *   <tr><td>{@link #mse()}</td><td>{@code y}</td></tr>
 *   <tr><td>{@link #sq()}</td><td>{@code exp(x) * y}</td></tr>
 *   <tr><td>{@link #ml()}</td><td>{@code exp(x) * expm1(y)}</td></tr>
 *   <tr><td>{@link #sil()}</td><td>{@code exp(x) * max(y, 0)}</td></tr>
 *   <tr><td>{@link #mla()}</td><td>{@code -(1+x)^2/2} if {@code 1+x+y <= 0 < 1+x}, else {@code y * max(1+x+y/2, 0)}</td></tr>
 *   <tr><td>{@link #mla(double, double)}</td><td>{@code y * max(1 + ao*x + ar*y, max(1 + ao*x, 0)/2)}</td></tr>
 *   <tr><td>{@link #ppoClip(double)}</td><td>{@code exp(x) * y}, except {@code 0} when
 *       ({@code y > 0} and {@code exp(x) > 1+eps}) or ({@code y < 0} and {@code exp(x) < 1-eps})</td></tr>
 * </table>
 *
 * <p>Every kind may carry an optional log-ratio clip {@code c} ({@link #withLogRatioClip(double)}):
 * {@code x = min(x, c)} is applied before {@code f}, which guards {@code exp} against overflow.
 * Without a clip, {@code exp(x)} may overflow and the resulting {@code +Inf} is returned, never
 * silently changed.
 *
 * <p>An immutable value; {@link #equals(Object)} compares kind and parameters. Parameters are
 * validated by the factories, which throw {@link IllegalArgumentException} naming the parameter.
 */
public final class ScaleFunction {

    /** PPO's default clip range epsilon (Schulman et al. 2017, "Proximal Policy Optimization Algorithms", §6.1). */
    public static final double DEFAULT_PPO_EPS = 0.2;

    /** The kinds of scale function of SPEC §1. */
    public enum Kind {
        /** {@code f = y} (Q-learning's squared-error gradient). */
        MSE,
        /** {@code f = exp(x) y}. */
        SQ,
        /** {@code f = exp(x) expm1(y)} (maximum likelihood). */
        ML,
        /** {@code f = exp(x) max(y, 0)} (self-imitation learning). */
        SIL,
        /** The paper's MLA with its two branches. */
        MLA,
        /** The parametric MLA(αo, αr) family. */
        MLA_PARAMETRIC,
        /** The clipped PPO objective's gradient scale with clip range eps. */
        PPO_CLIP
    }

    private static final ScaleFunction MSE = new ScaleFunction(Kind.MSE, 0, 0, 0, Double.POSITIVE_INFINITY);
    private static final ScaleFunction SQ = new ScaleFunction(Kind.SQ, 0, 0, 0, Double.POSITIVE_INFINITY);
    private static final ScaleFunction ML = new ScaleFunction(Kind.ML, 0, 0, 0, Double.POSITIVE_INFINITY);
    private static final ScaleFunction SIL = new ScaleFunction(Kind.SIL, 0, 0, 0, Double.POSITIVE_INFINITY);
    private static final ScaleFunction MLA = new ScaleFunction(Kind.MLA, 0, 0, 0, Double.POSITIVE_INFINITY);

    private final Kind kind;
    private final double alphaO;
    private final double alphaR;
    private final double eps;
    /** {@code +Inf} when there is no clip ({@code min(x, +Inf) = x}, NaN still propagates). */
    private final double clip;

    private ScaleFunction(Kind kind, double alphaO, double alphaR, double eps, double clip) {
        this.kind = kind;
        this.alphaO = alphaO;
        this.alphaR = alphaR;
        this.eps = eps;
        this.clip = clip;
    }

    /** {@code f(x, y) = y}. */
    public static ScaleFunction mse() {
        return MSE;
    }

    /** {@code f(x, y) = exp(x) * y}. */
    public static ScaleFunction sq() {
        return SQ;
    }

    /** {@code f(x, y) = exp(x) * expm1(y)}; kernels must use {@code expm1} (no cancellation for tiny {@code y}). */
    public static ScaleFunction ml() {
        return ML;
    }

    /** {@code f(x, y) = exp(x) * max(y, 0)}. */
    public static ScaleFunction sil() {
        return SIL;
    }

    /** {@code f = -(1+x)^2/2} if {@code 1+x+y <= 0 < 1+x}, else {@code y * max(1+x+y/2, 0)}. */
    public static ScaleFunction mla() {
        return MLA;
    }

    /**
     * Parametric {@code f(x, y) = y * max(1 + ao*x + ar*y, max(1 + ao*x, 0)/2)}. {@code (0,0)} is
     * MSE, {@code (1,0)} ≈ importance-weighted PG, {@code (1,1)} ≈ the max-likelihood IW variant.
     *
     * @throws IllegalArgumentException if {@code alphaO} or {@code alphaR} is not finite
     */
    public static ScaleFunction mla(double alphaO, double alphaR) {
        Checks.finite("alphaO", alphaO);
        Checks.finite("alphaR", alphaR);
        return new ScaleFunction(Kind.MLA_PARAMETRIC, alphaO, alphaR, 0, Double.POSITIVE_INFINITY);
    }

    /**
     * The clipped PPO objective's scale: {@code exp(x) * y}, or {@code 0} where the clipped
     * objective is flat ({@code y > 0} and {@code exp(x) > 1+eps}, or {@code y < 0} and
     * {@code exp(x) < 1-eps}).
     *
     * @param eps the clip range, {@code > 0} ({@code +Inf} never clips; {@code eps >= 1} never clips below)
     * @throws IllegalArgumentException if {@code eps} is not {@code > 0} (NaN included)
     */
    public static ScaleFunction ppoClip(double eps) {
        Checks.positive("eps", eps);
        return new ScaleFunction(Kind.PPO_CLIP, 0, 0, eps, Double.POSITIVE_INFINITY);
    }

    /** {@link #ppoClip(double)} with {@link #DEFAULT_PPO_EPS}. */
    public static ScaleFunction ppoClip() {
        return ppoClip(DEFAULT_PPO_EPS);
    }

    /**
     * This function with the log-ratio clip {@code c}: {@code x = min(x, c)} before {@code f}.
     *
     * @throws IllegalArgumentException if {@code c} is not finite
     */
    public ScaleFunction withLogRatioClip(double c) {
        Checks.finite("logRatioClip", c);
        return new ScaleFunction(kind, alphaO, alphaR, eps, c);
    }

    /** This function without a log-ratio clip. */
    public ScaleFunction withoutLogRatioClip() {
        return new ScaleFunction(kind, alphaO, alphaR, eps, Double.POSITIVE_INFINITY);
    }

    /** The kind. */
    public Kind kind() {
        return kind;
    }

    /** αo of {@link Kind#MLA_PARAMETRIC}; 0 for every other kind. */
    public double alphaO() {
        return alphaO;
    }

    /** αr of {@link Kind#MLA_PARAMETRIC}; 0 for every other kind. */
    public double alphaR() {
        return alphaR;
    }

    /** eps of {@link Kind#PPO_CLIP}; 0 for every other kind. */
    public double eps() {
        return eps;
    }

    /** The log-ratio clip {@code c}, if any. */
    public OptionalDouble logRatioClip() {
        return clip == Double.POSITIVE_INFINITY ? OptionalDouble.empty() : OptionalDouble.of(clip);
    }

    /**
     * The clip as a number for kernels: {@code c}, or {@code +Inf} when there is none, so that
     * {@code x = Math.min(x, clipOrInfinity())} is always the right first step.
     */
    public double clipOrInfinity() {
        return clip;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScaleFunction f && f.kind == kind
                && Double.compare(f.alphaO, alphaO) == 0 && Double.compare(f.alphaR, alphaR) == 0
                && Double.compare(f.eps, eps) == 0 && Double.compare(f.clip, clip) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, alphaO, alphaR, eps, clip);
    }

    /** E.g. {@code MSE}, {@code MLA(1.0, 0.5)}, {@code PPO_CLIP(0.2) clip 20.0}. */
    @Override
    public String toString() {
        String s = switch (kind) {
            case MLA_PARAMETRIC -> "MLA(" + alphaO + ", " + alphaR + ")";
            case PPO_CLIP -> "PPO_CLIP(" + eps + ")";
            default -> kind.name();
        };
        return clip == Double.POSITIVE_INFINITY ? s : s + " clip " + clip;
    }
}
