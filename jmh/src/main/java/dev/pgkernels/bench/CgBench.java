package dev.pgkernels.bench;

import dev.pgkernels.cg.CgKernels;
import dev.pgkernels.cg.CgResult;
import dev.pgkernels.cg.CgStatus;
import dev.pgkernels.cg.CgWorkspace;
import dev.pgkernels.cg.FloatOperator;
import dev.pgkernels.cg.FvpOperators;
import dev.pgkernels.fisher.FisherKernels;
import dev.pgkernels.fisher.FisherShape;
import dev.pgkernels.fisher.FisherWorkspace;
import dev.pgkernels.fisher.LinearSoftmaxShape;
import dev.pgkernels.fisher.MlpSoftmaxShape;
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
 * Family 5 (SPEC §5): one fp32 conjugate-gradient solve of exactly 10 iterations (TRPO's default;
 * {@code tol = 0}, so none stops early) on the damped FVP operator of {@link FisherBench}'s two
 * policies ({@code linear}: B 4096, D 256, A 18; {@code mlp}: B 4096, 64-64-64, A 18), with the
 * FVP and the CG from the same backend {@code impl}. The right-hand side is uniform in [-1, 1].
 *
 * <p>{@code fvps} applies the same operator ten times (the solve's products alone, through the same
 * {@link FloatOperator} call), so {@code solve / fvps} from one run is the CG's own overhead (its dot
 * products and updates, the result record); on the shared machine the JMH error of the two exceeds
 * that overhead, so {@link CgBestOf} measures the ratio robustly (paired rounds in one JVM, the
 * solve's own FVPs timed inside it). Warmup is two iterations (the simd code must reach C2
 * before measuring; one was not always enough on the loaded machine): 2 methods × 2 policies × 5
 * iterations of at least one solve each (reference: about 2 minutes in all).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = BenchConfig.VECTOR_MODULE)
public class CgBench {

    @Param({"reference", "simd", "jblas"})
    public String impl;

    /** {@code linear} or {@code mlp}, as in {@link FisherBench}. */
    @Param({"linear", "mlp"})
    public String policy;

    /** CG iterations per solve (TRPO's default, {@link CgKernels#DEFAULT_MAX_ITERATIONS}). */
    static final int ITERATIONS = CgKernels.DEFAULT_MAX_ITERATIONS;

    private CgKernels cg;
    private FloatOperator op;
    private float[] g;
    private float[] x;
    private float[] ap;
    private CgWorkspace ws;
    private int n;

    @Setup(Level.Trial)
    public void setup() {
        var backend = BenchConfig.backend(impl);
        cg = backend.cg().orElseThrow(() -> new IllegalStateException("backend " + impl + " has no cg family"));
        FisherKernels fisher = backend.fisher()
                .orElseThrow(() -> new IllegalStateException("backend " + impl + " has no fisher family"));
        FisherShape shape = FisherBench.shapeOf(policy);
        n = shape.paramCount();
        int d = shape instanceof LinearSoftmaxShape ls ? ls.features() : ((MlpSoftmaxShape) shape).features();
        Random r = new Random(BenchConfig.SEED);
        float[] theta = FisherBench.uniform(r, n, 0.1);
        float[] xs = FisherBench.uniform(r, shape.batch() * d, 1.0);
        g = FisherBench.uniform(r, n, 1.0);
        FisherWorkspace fws = fisher.workspace(shape);
        op = switch (shape) {
            case LinearSoftmaxShape ls -> FvpOperators.linearSoftmax(fisher, ls, theta, xs, FisherBench.DAMPING,
                    FisherKernels.ALL_ROWS, fws);
            case MlpSoftmaxShape ms -> FvpOperators.mlpSoftmax(fisher, ms, theta, xs, FisherBench.DAMPING,
                    FisherKernels.ALL_ROWS, fws);
            default -> throw new IllegalStateException();
        };
        x = new float[n];
        ap = new float[n];
        ws = cg.floatWorkspace(n);
        CgResult<float[]> res = cg.solve(op, n, g, x, ITERATIONS, 0.0, ws);
        if (res.iterations() != ITERATIONS || res.status() != CgStatus.MAX_ITERATIONS) {
            throw new IllegalStateException("expected " + ITERATIONS + " full iterations, got " + res);
        }
    }

    @Benchmark
    public CgResult<float[]> solve() {
        return cg.solve(op, n, g, x, ITERATIONS, 0.0, ws);
    }

    /** The solve's ten operator applications alone (same operator, same call), for the CG overhead ratio. */
    @Benchmark
    public float[] fvps() {
        for (int i = 0; i < ITERATIONS; i++) {
            op.apply(g, ap);
        }
        return ap;
    }

    /**
     * Ten iterations, each one FVP ({@link FisherBench#fvpWork}) plus the CG vector work: two dot
     * products ({@code p·Ap}, {@code r·r}: 4P flops) and three updates ({@code x, r, p}: 6P flops);
     * the start copies g and computes {@code g·g} (2P). Bytes: each FVP's compulsory bytes (X is
     * read again by every product) plus per iteration the CG vectors read and written
     * ({@code x, r, p, Ap}: 7 vector passes of 4P bytes). {@code fvps}: ten FVPs' work.
     */
    public static Work work(String method, Map<String, String> params) {
        FisherShape s = FisherBench.shapeOf(params.getOrDefault("policy", "linear"));
        Work fvp = FisherBench.fvpWork(s);
        if (method.equals("fvps")) {
            return new Work(ITERATIONS * fvp.bytes(), ITERATIONS * fvp.flops());
        }
        double p = s.paramCount();
        return new Work(ITERATIONS * (fvp.bytes() + 7 * 4 * p) + 3 * 4 * p,
                ITERATIONS * (fvp.flops() + 10 * p) + 2 * p);
    }
}
