package dev.pgkernels.cg;

/** The double-precision {@link FloatOperator}: {@code v -> (F + λI) v} on vectors of length {@code n}. */
@FunctionalInterface
public interface DoubleOperator {
    /**
     * Writes {@code (F + λI) v} into {@code out[0..n)}.
     *
     * @param v   {@code v[0..n)}. Not modified (the operator must neither modify nor keep it).
     * @param out {@code out[0..n)}, a different array from {@code v}. Modified (fully written).
     */
    void apply(double[] v, double[] out);
}
