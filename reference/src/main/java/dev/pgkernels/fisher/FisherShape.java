package dev.pgkernels.fisher;

/**
 * The shape of one policy whose Fisher-vector product (SPEC §4) is taken: the batch size and the
 * layer widths. A shape validates its sizes once, when it is built (every size {@code >= 0}, the
 * parameter count and the batch arrays within Java's array limit), gives the length {@code P} of
 * the flat parameter vector θ, and sizes a {@link FisherWorkspace}.
 *
 * <p>Each record documents the exact flattening order of θ, which every backend follows.
 */
public sealed interface FisherShape permits LinearSoftmaxShape, MlpSoftmaxShape, GaussianShape, EmpiricalShape {

    /** {@code B}, the number of rows (samples) in the batch. */
    int batch();

    /** {@code P}, the length of the flat parameter vector θ (and of {@code v} and the product). */
    int paramCount();

    /** This shape with another batch size (every other width unchanged). */
    FisherShape withBatch(int batch);

    /**
     * The number of rows a sample stride {@code k} uses: rows {@code 0, k, 2k, ...} below {@code B},
     * that is {@code ceil(B / k)}; the Fisher is their average (divisor {@code rowsUsed}).
     *
     * @throws IllegalArgumentException if {@code stride < 1}
     */
    static int rowsUsed(int batch, int stride) {
        if (stride < 1) {
            throw new IllegalArgumentException("stride must be >= 1, got " + stride);
        }
        return batch == 0 ? 0 : (batch - 1) / stride + 1;
    }

    /** A sum of sizes as an {@code int}, refusing overflow. */
    static int sum(String what, long... parts) {
        long s = 0;
        for (long p : parts) {
            s += p;
        }
        if (s > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " = " + s + " exceeds the largest Java array ("
                    + Integer.MAX_VALUE + ")");
        }
        return (int) s;
    }
}
