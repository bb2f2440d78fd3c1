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
 *
 * <p>{@code precision}: {@code fp32} by default; {@code fp64} measures the double GEMM of the same shape
 * (the FVP, CG and K-FAC families' double paths run on it). It is not in the default list, which would
 * double the run (the scalar reference's 1024 product alone is another 30 s): measure it with
 * {@code -p precision=fp32,fp64 -p shape=1024 -p impl=simd,jblas} (about 40 s).
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

    /** {@code fp32} or {@code fp64} (the double overload of the same GEMM); see the class comment. */
    @Param({"fp32"})
    public String precision;

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
    private double[] ad, bd, cd;

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
        int rows = Math.min(m, 8);
        float[] ref = new float[rows * n];
        DenseLinalg refL = Backends.reference().linalg().orElseThrow();
        if (fp64()) {
            // the same (fp32-valued) inputs in double; checked in double, then C narrowed for the common check
            ad = widen(a);
            bd = widen(b);
            cd = new double[m * n];
            linalg.gemm(ta, tb, m, n, k, 1.0, ad, 0, lda, bd, 0, ldb, 0.0, cd, 0, n, ws);
            double[] refD = new double[rows * n];
            refL.gemm(ta, tb, rows, n, k, 1.0, ad, 0, lda, bd, 0, ldb, 0.0, refD, 0, n, null);
            // double dot of length k: |err| <= γ_k k (inputs in ±1, u = 2^-53), far below the fp32 rounding of the
            // narrowed values (2^-24 relative) that the float check below then allows (rtol 2^-23)
            for (int i = 0; i < rows * n; i++) {
                double gk = k * 0x1p-53 / (1 - k * 0x1p-53);
                if (!(Math.abs(cd[i] - refD[i]) <= gk * k)) {
                    throw new IllegalStateException("gemm fp64 " + shape + ": element " + i + " reference=" + refD[i]
                            + " fast=" + cd[i] + " — the implementation under test disagrees with the reference");
                }
            }
            return;
        }
        linalg.gemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n, ws);
        // the first rows against the reference (rows i < r of C need rows (or columns, transposed) i < r of A)
        refL.gemm(ta, tb, rows, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, ref, 0, n, null);
        // fp32 dot of length k: |err| <= γ_k Σ|a b| <= γ_k k (inputs in ±1), and the check's atol is per unit of
        // max(max|ref|, 1) >= 1, so atol = γ_k k covers it; rtol 2u for the reference's own rounding
        double u = 0x1p-24, gammaK = k * u / (1 - k * u);
        BenchConfig.checkAgainstReference("gemm " + shape, ref, c, rows * n, 2 * u, gammaK * k);
    }

    private boolean fp64() {
        return switch (precision) {
            case "fp32" -> false;
            case "fp64" -> true;
            default -> throw new IllegalArgumentException("precision must be fp32 or fp64, got " + precision);
        };
    }

    private static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** One GEMM in the chosen precision (the result array is returned so it is consumed). */
    @Benchmark
    public Object gemm() {
        if (cd != null) {
            linalg.gemm(ta, tb, m, n, k, 1.0, ad, 0, lda, bd, 0, ldb, 0.0, cd, 0, n, ws);
            return cd;
        }
        linalg.gemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n, ws);
        return c;
    }

    /**
     * {@code 2mnk} flops (an FMA counts 2); bytes: A, B read and C written once, 4 bytes per element in fp32 and
     * 8 in fp64 ({@code 4(mk + kn + mn)} or {@code 8(...)}).
     */
    public static Work work(String method, Map<String, String> params) {
        int[] d = dims(params.getOrDefault("shape", "256"));
        double m = d[2], n = d[3], k = d[4];
        double bytesPerElement = "fp64".equals(params.get("precision")) ? 8 : 4;
        return new Work(bytesPerElement * (m * k + k * n + m * n), 2 * m * n * k);
    }
}
