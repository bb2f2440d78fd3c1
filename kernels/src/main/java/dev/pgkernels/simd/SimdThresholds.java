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
     * Scans: from this many time steps on, few environments (as for along-time) take the chunked
     * associative scan. (To be tuned.)
     */
    public static final int SCAN_CHUNKED_MIN_T = 4096;

    /**
     * Scans, chunked strategy: a chunk is this many vectors per environment, i.e. {@code 16·L}
     * time steps; a tile ({@code L/E} chunks) is {@code 16·L²} elements (4096 fp32 on AVX-512).
     */
    public static final int SCAN_CHUNK_VECTORS = 64;

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

    /**
     * GEMM micro-kernel rows ({@code MR}): the register tile is {@code MR} rows × two preferred
     * vectors of columns ({@code NR = 2·lanes}: 32 fp32 columns on AVX-512, 16 on AVX2), i.e.
     * {@code 2·MR = 12} accumulators plus two B vectors and one broadcast — 15 registers, which fit the
     * 16 of AVX2 and leave room on AVX-512's 32.
     */
    public static final int GEMM_MR = 6;

    /**
     * GEMM cache blocking, depth: {@code KC} rows of {@code op(B)} per packed block, so one packed
     * B micro-panel ({@code KC × NR} fp32 = 16 KB at 32 columns) stays in a 32 KB L1 while the
     * micro-kernel walks down the rows of A (BLIS's loop order, Van Zee and van de Geijn 2015).
     */
    public static final int GEMM_KC = 128;

    /**
     * GEMM cache blocking, rows of A per block ({@code MC}, a multiple of {@link #GEMM_MR}): the
     * packed A block {@code MC × KC} fp32 = 60 KB stays in L2 (1 MB here).
     */
    public static final int GEMM_MC = 120;

    /**
     * GEMM cache blocking, columns of B per block ({@code NC}): the packed B block {@code KC × NC}
     * fp32 = 1 MB lives in L2/L3 and is reused by every row block.
     */
    public static final int GEMM_NC = 2048;

    /**
     * GEMM: A is packed into {@code MR}-row panels only when C has more than this many columns (A is
     * then reused by many column panels, which pays for the copy); below it the micro-kernel reads A
     * in place (rows of a row-major A, or contiguous runs of a transposed one), and only a partial
     * edge panel is packed. This is what keeps the FVP's skinny products ({@code B×D · D×2A},
     * A = 18) from copying X.
     */
    public static final int GEMM_PACK_A_MIN_N = 96;

    /**
     * GEMM: a non-transposed B is packed only when C has more than this many rows (each packed
     * panel is then reused by many row panels); below it full-width column panels are read in place
     * (rows of B are contiguous) and only the partial edge panel is packed. A transposed B is always
     * packed (its columns are strided). Keeps {@code wᵀX} ({@code 18×B · B×D}) from copying X.
     */
    public static final int GEMM_PACK_B_MIN_M = 48;
}
