package dev.pgkernels.cg;

/**
 * A symmetric linear operator {@code v -> (F + λI) v} on fp32 vectors of length {@code n}, e.g. a
 * damped Fisher-vector product ({@link FvpOperators}).
 */
@FunctionalInterface
public interface FloatOperator {
    /**
     * Writes {@code (F + λI) v} into {@code out[0..n)}.
     *
     * @param v   the vector, {@code v[0..n)}. Not modified (the operator must neither modify nor keep it).
     * @param out the product, {@code out[0..n)}, a different array from {@code v}. Modified (fully written).
     */
    void apply(float[] v, float[] out);
}
