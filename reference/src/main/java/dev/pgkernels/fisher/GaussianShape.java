package dev.pgkernels.fisher;

import dev.pgkernels.Checks;

/**
 * A diagonal-Gaussian policy with mean {@code mu = X Wᵀ} (no bias) and a state-independent
 * log-standard-deviation {@code s} ({@code sigma_a = exp(s_a)}) (SPEC §4).
 *
 * <p>θ layout ({@code P = A*D + A}): {@code θ[a*D + d] = W[a][d]} (W row-major {@code A×D}), then
 * {@code θ[A*D + a] = s[a]}. {@code X} is {@code B×D} row-major.
 *
 * @param batch    {@code B >= 0}
 * @param features {@code D >= 0}
 * @param actions  {@code A >= 0}, the action dimension
 * @throws IllegalArgumentException if a size is negative or {@code P} or {@code B*D} overflows an int
 */
public record GaussianShape(int batch, int features, int actions) implements FisherShape {
    public GaussianShape {
        Checks.size("batch", batch);
        Checks.size("features", features);
        Checks.size("actions", actions);
        Checks.product("X size B*D", batch, features);
        FisherShape.sum("paramCount A*D + A", (long) actions * features, actions);
    }

    @Override
    public int paramCount() {
        return actions * features + actions;
    }

    @Override
    public GaussianShape withBatch(int batch) {
        return new GaussianShape(batch, features, actions);
    }
}
