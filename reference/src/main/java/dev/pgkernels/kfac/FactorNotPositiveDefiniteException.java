package dev.pgkernels.kfac;

import dev.pgkernels.linalg.NotPositiveDefiniteException;

/**
 * A damped K-FAC factor ({@code A_d} or {@code S_d}, SPEC §6) is not positive definite: its
 * Cholesky factorisation met a pivot that is not {@code > 0}. Names the layer, which factor, and
 * the failing pivot (index and value).
 *
 * <p>Thrown by {@link KfacKernels#precondition} (a single-layer call, {@link #layer()} = -1) and
 * by {@link KfacPreconditioner#precondition} (the layer's index and name). Nothing is
 * half-written when it is thrown: the kernel's output and the preconditioner's state and outputs
 * are as before the call. The usual cure is a larger damping {@code λ}: with {@code λ > 0} both
 * damped factors of a positive semi-definite factor pair are positive definite.
 */
public final class FactorNotPositiveDefiniteException extends NotPositiveDefiniteException {
    private static final long serialVersionUID = 1L;

    private final int layer;
    private final String layerName;
    private final String factor;

    /**
     * @param layer      the layer's index in a {@link KfacPreconditioner}, or -1 for a single-layer call
     * @param layerName  the layer's name, or {@code null}
     * @param factor     {@code "A"} (activations, {@code (in+bias)×(in+bias)}) or {@code "S"} (gradients, {@code out×out})
     * @param order      the factor's order
     * @param pivotIndex the failing pivot's index
     * @param pivotValue the failing pivot's value ({@code <= 0} or NaN)
     */
    public FactorNotPositiveDefiniteException(int layer, String layerName, String factor, int order, int pivotIndex,
            double pivotValue) {
        super(order, pivotIndex, pivotValue, message(layer, layerName, factor, order, pivotIndex, pivotValue));
        this.layer = layer;
        this.layerName = layerName;
        this.factor = factor;
    }

    private static String message(int layer, String name, String factor, int order, int pivotIndex, double pivotValue) {
        String where = layer < 0 ? "single-layer call" : "layer " + layer + (name == null ? "" : " '" + name + "'");
        return "K-FAC factor " + factor + " (" + order + "x" + order + ") of " + where
                + " is not positive definite after damping: Cholesky pivot " + pivotIndex + " is " + pivotValue
                + " (increase the damping lambda)";
    }

    /** The same failure attributed to layer {@code layer} named {@code name}. */
    public FactorNotPositiveDefiniteException inLayer(int layer, String name) {
        FactorNotPositiveDefiniteException e =
                new FactorNotPositiveDefiniteException(layer, name, factor, order(), pivotIndex(), pivotValue());
        e.initCause(this);
        return e;
    }

    /** The layer's index in a {@link KfacPreconditioner}, or -1 for a single-layer kernel call. */
    public int layer() {
        return layer;
    }

    /** The layer's name, or {@code null} for a single-layer kernel call. */
    public String layerName() {
        return layerName;
    }

    /** {@code "A"} or {@code "S"}. */
    public String factor() {
        return factor;
    }
}
