package dev.pgkernels.scale;

/**
 * Family 1 (SPEC.md §1): the per-sample gradient scale {@code out[i] = f(dO[i], dR[i])} for a
 * {@link ScaleFunction} {@code f}, elementwise over {@code n} fp32 samples.
 *
 * <p>Obtain an implementation from a {@link dev.pgkernels.Backend}. Implementations extend
 * {@link AbstractScaleKernels}, which runs every argument check before any output is written.
 * Implementations are stateless and thread-safe.
 *
 * <p>Special values: {@code NaN} in an argument that {@code f} reads propagates to {@code out}
 * (IEEE arithmetic; {@link ScaleFunction#mse()} does not read {@code dO}, so a NaN there does
 * not reach {@code out}); {@code exp} overflow gives {@code +Inf} (and {@code 0 * Inf = NaN}, as
 * IEEE says), never silently changed — use a log-ratio clip
 * ({@link ScaleFunction#withLogRatioClip(double)}) to avoid it. Callers who want non-finite
 * inputs rejected pass {@code requireFinite = true}.
 *
 * <p>Array rule: arrays must be at least as long as {@code offset + n}; elements outside the
 * range are neither read nor written. {@code out} may be the same array as {@code dO} or
 * {@code dR} <em>at the same offset</em> (the computation is elementwise); other overlaps are
 * unspecified.
 */
public interface ScaleKernels {

    /**
     * {@code out[i] = f(dO[i], dR[i])} for {@code 0 <= i < n} (SPEC §1).
     *
     * @param f  the scale function (with its optional log-ratio clip). Not null.
     * @param n  the number of samples, {@code >= 0}; {@code n = 0} does nothing
     * @param dO log importance ratios {@code log pi - log mu}, length {@code >= n}. Not modified.
     * @param dR prediction errors {@code target - q}, length {@code >= n}. Not modified.
     * @param out the scales, length {@code >= n}. Modified.
     * @throws IllegalArgumentException if {@code f} or an array is null, {@code n < 0}, or an array is too short
     */
    void scale(ScaleFunction f, int n, float[] dO, float[] dR, float[] out);

    /**
     * {@code out[outOffset+i] = f(dO[dOOffset+i], dR[dROffset+i])} for {@code 0 <= i < n} (SPEC §1),
     * for callers that slice.
     *
     * @param f  the scale function. Not null.
     * @param n  the number of samples, {@code >= 0}
     * @param dO log importance ratios; {@code dO[dOOffset .. dOOffset+n)} is read. Not modified.
     * @param dOOffset first element of {@code dO}, {@code >= 0}
     * @param dR prediction errors; {@code dR[dROffset .. dROffset+n)} is read. Not modified.
     * @param dROffset first element of {@code dR}, {@code >= 0}
     * @param out the scales; {@code out[outOffset .. outOffset+n)} is written. Modified.
     * @param outOffset first element of {@code out}, {@code >= 0}
     * @param requireFinite if true, every read element of {@code dO} and {@code dR} must be
     *                      finite, checked before anything is written (SPEC "Bad input"); outputs
     *                      that overflow to {@code +Inf} are still returned
     * @throws IllegalArgumentException if {@code f} or an array is null, {@code n < 0}, an offset is
     *         negative, a slice runs past its array, or ({@code requireFinite}) an input element is
     *         NaN or infinite — the message names the argument (and the element)
     */
    void scale(ScaleFunction f, int n, float[] dO, int dOOffset, float[] dR, int dROffset,
            float[] out, int outOffset, boolean requireFinite);
}
