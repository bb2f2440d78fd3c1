package dev.pgkernels.opencl;

/**
 * Switch-over sizes and launch shapes of the {@code opencl} backend, in one place (ARCHITECTURE.md
 * "Thresholds"). First estimates, checked on PoCL (a CPU device) only; a GPU wants larger groups
 * and more work-items, and the benchmarks are where to tune them.
 */
public final class OpenClThresholds {
    private OpenClThresholds() {}

    /** Rows at least this wide get a work-group each (local-memory reductions); narrower rows a work-item each. */
    public static final int SOFTMAX_WIDE_MIN_A = 32;

    /** The largest work-group for a wide row (a power of 2; capped by the device and kernel limits). */
    public static final int SOFTMAX_MAX_GROUP = 256;

    /** Work-group size of elementwise and one-item-per-row launches (capped by the device). */
    public static final int ELEMENTWISE_GROUP = 64;

    /** Scans with fewer environments than this, and at least {@link #SCAN_CHUNKED_MIN_T} steps, use the chunked scan. */
    public static final int SCAN_CHUNKED_MAX_E = 64;

    /** The shortest horizon for which the chunked scan is used. */
    public static final int SCAN_CHUNKED_MIN_T = 256;

    /** The chunked scan aims at about this many (chunk, environment) work-items. */
    public static final int SCAN_TARGET_ITEMS = 4096;

    /** The shortest chunk of the chunked scan. */
    public static final int SCAN_MIN_CHUNK = 16;
}
