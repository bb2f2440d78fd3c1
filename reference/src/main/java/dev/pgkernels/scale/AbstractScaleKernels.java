package dev.pgkernels.scale;

import dev.pgkernels.Checks;

/**
 * The one place where family 1's arguments are checked (netlib's {@code AbstractBLAS} pattern):
 * the public final methods validate everything and then call {@link #scaleKernel}, which
 * backends implement and which only computes. No output element is written before every check
 * has passed.
 */
public abstract class AbstractScaleKernels implements ScaleKernels {

    /** For subclasses. */
    protected AbstractScaleKernels() {}

    @Override
    public final void scale(ScaleFunction f, int n, float[] dO, float[] dR, float[] out) {
        scale(f, n, dO, 0, dR, 0, out, 0, false);
    }

    @Override
    public final void scale(ScaleFunction f, int n, float[] dO, int dOOffset, float[] dR, int dROffset,
            float[] out, int outOffset, boolean requireFinite) {
        Checks.notNull("f", f);
        Checks.size("n", n);
        String because = "n = " + n;
        Checks.slice("dO", dO, dOOffset, n, because);
        Checks.slice("dR", dR, dROffset, n, because);
        Checks.slice("out", out, outOffset, n, because);
        if (requireFinite) {
            Checks.allFinite("dO", dO, dOOffset, n);
            Checks.allFinite("dR", dR, dROffset, n);
        }
        if (n == 0) {
            return;
        }
        scaleKernel(f, n, dO, dOOffset, dR, dROffset, out, outOffset);
    }

    /**
     * Computes {@code out[outOffset+i] = f(dO[dOOffset+i], dR[dROffset+i])}, {@code 0 <= i < n}.
     * Called only with validated arguments and {@code n >= 1}.
     *
     * @param dO Not modified.
     * @param dR Not modified.
     * @param out Modified.
     */
    protected abstract void scaleKernel(ScaleFunction f, int n, float[] dO, int dOOffset, float[] dR, int dROffset,
            float[] out, int outOffset);
}
