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
}
