package dev.pgkernels.fisher;

import dev.pgkernels.Checks;

/**
 * A linear-softmax policy {@code q = X Wᵀ + b}, {@code pi_i = softmax(q_i)} (SPEC §4).
 *
 * <p>θ layout ({@code P = A*D + A}): {@code θ[a*D + d] = W[a][d]} for {@code 0 <= a < A},
 * {@code 0 <= d < D} (W row-major, {@code A×D}), then {@code θ[A*D + a] = b[a]}.
 * {@code X} is {@code B×D} row-major.
 *
 * @param batch    {@code B >= 0} rows
 * @param features {@code D >= 0} features per row
 * @param actions  {@code A >= 0} actions (logits per row)
 * @throws IllegalArgumentException if a size is negative or {@code P} or {@code B*D} overflows an int
 */
public record LinearSoftmaxShape(int batch, int features, int actions) implements FisherShape {
    public LinearSoftmaxShape {
        Checks.size("batch", batch);
        Checks.size("features", features);
        Checks.size("actions", actions);
        Checks.product("X size B*D", batch, features);
        Checks.product("logits size B*A", batch, actions);
        FisherShape.sum("paramCount A*D + A", (long) actions * features, actions);
    }

    @Override
    public int paramCount() {
        return actions * features + actions;
    }

    @Override
    public LinearSoftmaxShape withBatch(int batch) {
        return new LinearSoftmaxShape(batch, features, actions);
    }
}
