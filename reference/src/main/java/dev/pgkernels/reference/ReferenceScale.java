package dev.pgkernels.reference;

import dev.pgkernels.scale.AbstractScaleKernels;
import dev.pgkernels.scale.ScaleFunction;

/**
 * Family 1 of the reference backend: SPEC.md §1 line by line, in {@code double}, each result
 * rounded to {@code float} once on store. A result whose magnitude exceeds the fp32 range
 * (e.g. {@code exp(x) y} with large {@code x}) is stored as {@code ±Inf}.
 */
public final class ReferenceScale extends AbstractScaleKernels {

    /** Loaded through {@link ReferenceBackend}. */
    public ReferenceScale() {}

    @Override
    protected void scaleKernel(ScaleFunction f, int n, float[] dO, int dOOffset, float[] dR, int dROffset,
            float[] out, int outOffset) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = (float) evaluate(f, dO[dOOffset + i], dR[dROffset + i]);
        }
    }

    /**
     * {@code f(min(x, c), y)} in double precision, exactly the table of SPEC §1 (see
     * {@link ScaleFunction}); {@code c} is the optional log-ratio clip. NaN propagates through
     * every comparison (all of them are false for NaN, so the arithmetic branch is taken).
     */
    public static double evaluate(ScaleFunction f, double x, double y) {
        x = Math.min(x, f.clipOrInfinity());
        return switch (f.kind()) {
            case MSE -> y;
            case SQ -> Math.exp(x) * y;
            case ML -> Math.exp(x) * Math.expm1(y);
            case SIL -> Math.exp(x) * Math.max(y, 0.0);
            case MLA -> {
                // Tie-breaking as in SPEC: the quadratic branch needs 1+x+y <= 0 < 1+x.
                if (1 + x + y <= 0 && 0 < 1 + x) {
                    yield -(1 + x) * (1 + x) / 2;
                }
                yield y * Math.max(1 + x + y / 2, 0.0);
            }
            case MLA_PARAMETRIC -> {
                double ao = f.alphaO(), ar = f.alphaR();
                yield y * Math.max(1 + ao * x + ar * y, Math.max(1 + ao * x, 0.0) / 2);
            }
            case PPO_CLIP -> {
                double ratio = Math.exp(x);
                double eps = f.eps();
                boolean flat = (y > 0 && ratio > 1 + eps) || (y < 0 && ratio < 1 - eps);
                yield flat ? 0.0 : ratio * y;
            }
        };
    }
}
