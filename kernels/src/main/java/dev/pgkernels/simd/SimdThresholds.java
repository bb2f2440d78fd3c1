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
     * T = 20000, E = 8: 218 vs 343. Since the along-time scans became one pass with the carry in a
     * register (GAE) and a two-loop block pass (V-trace), they also beat the chunked strategy at
     * every length, which is therefore no longer chosen by shape (only forced). Measured (best of
     * 300-3000 calls in one JVM, µs, along vs chunked, GAE then V-trace): 2048×1: 0.9 vs 4.7, 4.4
     * vs 5.7; 8192×1: 2.7 vs 6.7, 9.9 vs 11.5; 65536×1: 19.9 vs 41.1, 68.6 vs 89.8; 2048×8: 5.0 vs
     * 13.0, 22.4 vs 30.3; 10^6×1: 314 vs 770, 1386 vs 1329 with 32-vector V-trace blocks, 1063-1080
     * with 512 ({@link #SCAN_VTRACE_BLOCK_VECTORS}).
     */
    public static final int SCAN_ALONG_TIME_MAX_E = 8;

    /** Scans: the along-time strategy needs at least this many time steps to pay for its setup. */
    public static final int SCAN_ALONG_TIME_MIN_T = 64;

    /**
     * Scans, V-trace along time: the terms of this many vectors ({@code exp}, the clips, d and c,
     * written to a scratch block) are computed in one loop, then composed in a second (see
     * {@code SimdScans.vtraceAlongFull}); the blocks run from the last to the first. Larger blocks
     * give the hardware prefetchers longer forward runs in the terms loop before each backward jump,
     * until the scratch ({@code 3·512·L} floats = 96 KB at 16 lanes) leaves L2. Measured (V-trace
     * 10^6×1, best of 2000 calls, µs; shared machine): 32 → 1218-1232, 128 → 1121-1151, 256 →
     * 1085-1110, 512 → 1063-1080, 1024 → 1064-1066; 65536×1: 32 → 70.5, 512 → 66.8.
     */
    public static final int SCAN_VTRACE_BLOCK_VECTORS = 512;

    /**
     * Scans, chunked strategy: a chunk is this many vectors per environment, i.e. {@code 64·L}
     * time steps; a tile ({@code L/E} chunks) is {@code 64·L²} elements (16384 fp32 on AVX-512, its
     * scratch 128 KB in L2). Measured at GAE 10^6×1 (best of 300, ms): 16 → 1.09, 32 → 1.04,
     * 64 → 0.82-0.94, 128 → 1.07, 256 → 0.93: larger tiles amortise the hardware prefetchers' ramp
     * at each backward jump from one tile to the previous, until the scratch leaves L2.
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
