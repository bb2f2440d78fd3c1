package dev.pgkernels.linalg;

/**
 * A Cholesky factorisation met a pivot that is not strictly positive: the matrix is not
 * (numerically) positive definite. Carries the failing pivot's index and value.
 *
 * <p>The pivot of column {@code j} is {@code d_j = a_jj - Σ_{k<j} l_jk²}, the quantity whose
 * square root would become {@code l_jj}. The factorisation fails at the first {@code j} where
 * {@code !(d_j > 0)}, i.e. {@code d_j <= 0} or {@code d_j} is NaN (a NaN anywhere in the
 * lower triangle that reaches a pivot is reported this way).
 *
 * <p>It is an {@link ArithmeticException}: the arguments were well-formed, the numbers did not
 * admit the operation.
 */
public class NotPositiveDefiniteException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    private final int pivotIndex;
    private final double pivotValue;
    private final int order;

    /**
     * @param order      the matrix order {@code n}
     * @param pivotIndex the failing column {@code j}, {@code 0 <= j < n}
     * @param pivotValue the pivot {@code d_j} (zero, negative or NaN)
     */
    public NotPositiveDefiniteException(int order, int pivotIndex, double pivotValue) {
        this(order, pivotIndex, pivotValue, "matrix of order " + order + " is not positive definite: pivot "
                + pivotIndex + " is " + pivotValue);
    }

    /** For subclasses that write their own message. */
    protected NotPositiveDefiniteException(int order, int pivotIndex, double pivotValue, String message) {
        super(message);
        this.order = order;
        this.pivotIndex = pivotIndex;
        this.pivotValue = pivotValue;
    }

    /** The order {@code n} of the matrix that failed. */
    public int order() {
        return order;
    }

    /** The 0-based index {@code j} of the failing pivot. */
    public int pivotIndex() {
        return pivotIndex;
    }

    /** The failing pivot {@code d_j = a_jj - Σ_{k<j} l_jk²}: {@code <= 0} or NaN. */
    public double pivotValue() {
        return pivotValue;
    }
}
