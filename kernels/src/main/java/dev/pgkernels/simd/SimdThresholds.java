package dev.pgkernels.simd;

/**
 * Switch-over sizes of the {@code simd} backend, in one place (ARCHITECTURE.md "Thresholds").
 * Each is tuned with JMH; the evidence is in the benchmark report (`ScanBench` with
 * {@code impl=simd} against the forced strategies).
 */
public final class SimdThresholds {
    private SimdThresholds() {}

    /**
     * Scans: below this many environments, and when {@code E} divides the vector length, the
     * scan runs along time (a log-step affine scan inside each vector, one carry per vector)
     * instead of across environments (one vector of environments per time step, whose carry
     * chain is latency-bound at one FMA per row). With 16 fp32 lanes, {@code E = 1, 2, 4} go
     * along time and {@code E >= 8} across environments.
     */
    public static final int SCAN_ALONG_TIME_MAX_E = 4;

    /** Scans: the along-time strategy needs at least this many time steps to pay for its setup. */
    public static final int SCAN_ALONG_TIME_MIN_T = 64;
}
