package dev.pgkernels.fisher;

import dev.pgkernels.Checks;

/**
 * The empirical Fisher from per-sample score rows {@code G} ({@code B×P} row-major,
 * {@code G[i*P + j] = ∂ log pi(a_i|s_i) / ∂θ_j}) (SPEC §4): {@code F = Gᵀ G / B}.
 *
 * @param batch  {@code B >= 0}
 * @param params {@code P >= 0}
 * @throws IllegalArgumentException if a size is negative or {@code B*P} overflows an int
 */
public record EmpiricalShape(int batch, int params) implements FisherShape {
    public EmpiricalShape {
        Checks.size("batch", batch);
        Checks.size("params", params);
        Checks.product("G size B*P", batch, params);
    }

    @Override
    public int paramCount() {
        return params;
    }

    @Override
    public EmpiricalShape withBatch(int batch) {
        return new EmpiricalShape(batch, params);
    }
}
