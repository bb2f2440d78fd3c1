package dev.pgkernels.simd;

/**
 * Switch-over sizes of the {@code simd} backend, in one place (ARCHITECTURE.md "Thresholds").
 * Each is tuned with JMH; the evidence is in the benchmark report (`ScanBench` with
 * {@code impl=simd} against the forced strategies).
 */
public final class SimdThresholds {
    private SimdThresholds() {}

    /**
     * Scans: up to this many environments, when {@code E} divides the vector length and is smaller
     * than it, the scan runs along time (a log-step affine scan inside each vector, one carry per
     * vector) instead of across environments (one vector of environments per time step: a carry
     * chain of one FMA per row, and lanes wasted when {@code E} is below the lane count). With 16
     * fp32 lanes, {@code E = 1, 2, 4, 8} go along time. Measured (GAE, T = 2048, best of 6, one
     * core): E = 2: 6.5 µs along vs 27.7 µs across; E = 4: 8.9 vs 30.0; E = 8: 19.7 vs 34.2;
     * T = 20000, E = 8: 218 vs 343.
     */
    public static final int SCAN_ALONG_TIME_MAX_E = 8;

    /** Scans: the along-time strategy needs at least this many time steps to pay for its setup. */
    public static final int SCAN_ALONG_TIME_MIN_T = 64;

    /**
     * Softmax family: rows of at most this many logits are vectorised across rows (a transposed
     * tile of {@code L} rows, one vector per column) instead of along each row, where a row of
     * {@code A < L} logits would leave lanes idle and a row of a few vectors pays a reduction per
     * row. Atari's {@code A = 18} goes across rows; vocabulary-sized rows go along them.
     * Evidence (best of 300 calls, {@code B = 4096}, U_P / logSoftmax in µs, along vs across, on
     * a shared and noisy 2-core AVX-512 machine): A = 4: 313/153 vs 98/48; A = 18: 401/185 vs
     * 284/120; A = 32: 341/172 vs 471/196; A = 64: 467/237 vs 950/389. The crossover lies between
     * 18 and 32; re-tune with {@code SoftmaxBench} on a quiet machine.
     */
    public static final int SOFTMAX_ACROSS_ROWS_MAX_A = 24;
}
