package dev.pgkernels.bench;

import dev.pgkernels.Backends;
import dev.pgkernels.linalg.DenseLinalg;
import dev.pgkernels.linalg.LinalgWorkspace;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dense core: one fp32 GEMM {@code C = op(A) op(B)} (α = 1, β = 0, row-major, packed leading
 * dimensions) per operation, for the square sizes of the issue and the Fisher-vector products'
 * skinny shapes:
 * <ul>
 *   <li>{@code 256}, {@code 1024}: {@code n×n · n×n};</li>
 *   <li>{@code lin-fwd}: {@code X [W;V]ᵀ}, {@code 4096×256 · (36×256)ᵀ} (the linear FVP's value and tangent, A = 18);</li>
 *   <li>{@code lin-bwd}: {@code wᵀ X}, {@code (4096×18)ᵀ · 4096×256};</li>
 *   <li>{@code mlp}: {@code h [W2;V2]ᵀ}, {@code 4096×64 · (128×64)ᵀ} (the 64-64 MLP's middle layer).</li>
 * </ul>
 * Inputs uniform in [-1, 1] from {@link BenchConfig#SEED}. The reference is scalar double (about 6 s
 * per 1024 product on the 2-core development machine): it is measured like the others, so at
 * {@code 1024} each of its iterations holds a single operation (JMH runs at least one per iteration)
 * and its trial takes about 30 s of the class's roughly 2 minutes at the defaults. {@code @Setup} compares the first rows of C with the
 * reference (a reference GEMM over those rows only) before measuring.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = BenchConfig.VECTOR_MODULE)
public class GemmBench {

    @Param({"reference", "simd", "jblas"})
    public String impl;

    @Param({"256", "1024", "lin-fwd", "lin-bwd", "mlp"})
    public String shape;

    /** {transA, transB, m, n, k} of a shape name. */
    static int[] dims(String shape) {
        return switch (shape) {
            case "lin-fwd" -> new int[] {0, 1, 4096, 36, 256};
            case "lin-bwd" -> new int[] {1, 0, 18, 256, 4096};
            case "mlp" -> new int[] {0, 1, 4096, 128, 64};
            default -> {
                int n = BenchConfig.size(shape);
                yield new int[] {0, 0, n, n, n};
            }
        };
    }

    private DenseLinalg linalg;
    private LinalgWorkspace ws;
    private boolean ta, tb;
    private int m, n, k, lda, ldb;
    private float[] a, b, c;

    @Setup(Level.Trial)
    public void setup() {
        linalg = BenchConfig.backend(impl).linalg()
                .orElseThrow(() -> new IllegalStateException("backend " + impl + " has no linalg family"));
        int[] d = dims(shape);
        ta = d[0] == 1;
        tb = d[1] == 1;
        m = d[2];
        n = d[3];
        k = d[4];
        lda = ta ? m : k;
        ldb = tb ? k : n;
        Random r = new Random(BenchConfig.SEED);
        a = FisherBench.uniform(r, m * k, 1.0);
        b = FisherBench.uniform(r, k * n, 1.0);
        c = new float[m * n];
        ws = new LinalgWorkspace();
        linalg.gemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n, ws);
        // the first rows against the reference (rows i < r of C need rows (or columns, transposed) i < r of A)
        int rows = Math.min(m, 8);
        float[] ref = new float[rows * n];
        DenseLinalg refL = Backends.reference().linalg().orElseThrow();
        refL.gemm(ta, tb, rows, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, ref, 0, n, null);
        // fp32 dot of length k: |err| <= γ_k Σ|a b| <= γ_k k (inputs in ±1), and the check's atol is per unit of
        // max(max|ref|, 1) >= 1, so atol = γ_k k covers it; rtol 2u for the reference's own rounding
        double u = 0x1p-24, gammaK = k * u / (1 - k * u);
        BenchConfig.checkAgainstReference("gemm " + shape, ref, c, rows * n, 2 * u, gammaK * k);
    }

    @Benchmark
    public float[] gemm() {
        linalg.gemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n, ws);
        return c;
    }

    /** {@code 2mnk} flops (an FMA counts 2); bytes: A, B read and C written once, fp32 ({@code 4(mk + kn + mn)}). */
    public static Work work(String method, Map<String, String> params) {
        int[] d = dims(params.getOrDefault("shape", "256"));
        double m = d[2], n = d[3], k = d[4];
        return new Work(4 * (m * k + k * n + m * n), 2 * m * n * k);
    }
}
