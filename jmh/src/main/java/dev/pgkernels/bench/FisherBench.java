package dev.pgkernels.bench;

import dev.pgkernels.Backends;
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
 * Family 4 (SPEC §4): one damped fp32 Fisher-vector product {@code (F + λI) v}, λ = 0.1, every row
 * used (stride 1), for two TRPO-sized categorical policies:
 * <ul>
 *   <li>{@code linear}: linear-softmax, B = 4096, D = 256, A = 18 (P = 4626);</li>
 *   <li>{@code mlp}: MLP-softmax, B = 4096, obs D = 64, hidden 64-64, A = 18 (P = 9554).</li>
 * </ul>
 * θ uniform in [-0.1, 0.1] (an initialisation-sized policy), X uniform in [-1, 1], v uniform in
 * [-1, 1], seeded by {@link BenchConfig#SEED}.
 *
 * <p>{@code precision}: {@code fp32} by default; {@code fp64} measures the double overload on the same
 * (fp32-valued) inputs. It is not in the default list (it would double the run): measure it with
 * {@code -p precision=fp32,fp64}. Warmup is four 1 s iterations: with two, a loaded machine sometimes
 * still measured C1-compiled simd code (boxed vectors, 40 KB and 10x the time per product).
 * 2 policies × 7 s ≈ 15 s per implementation with the fork.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = BenchConfig.VECTOR_MODULE)
public class FisherBench {

    @Param({"reference", "simd", "jblas"})
    public String impl;

    /** {@code linear} (B 4096, D 256, A 18) or {@code mlp} (B 4096, 64-64-64, A 18). */
    @Param({"linear", "mlp"})
    public String policy;

    /** {@code fp32} or {@code fp64} (the double overload of the same product); see the class comment. */
    @Param({"fp32"})
    public String precision;

    /** Damping of the product: OpenAI baselines trpo_mpi's {@code cg_damping = 0.1}. */
    static final double DAMPING = 0.1;

    private FisherKernels kernels;
    FisherShape shape;
    float[] theta;
    float[] x;
    float[] v;
    float[] out;
    double[] thetaD, xD, vD, outD;
    FisherWorkspace ws;

    /** The benchmark shape of a policy name. */
    static FisherShape shapeOf(String policy) {
        return switch (policy) {
            case "linear" -> new LinearSoftmaxShape(4096, 256, 18);
            case "mlp" -> new MlpSoftmaxShape(4096, 64, 64, 64, 18);
            default -> throw new IllegalArgumentException("unknown policy " + policy);
        };
    }

    static float[] uniform(Random r, int n, double lim) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((2 * r.nextDouble() - 1) * lim);
        }
        return a;
    }

    static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** One double product {@code out = (F + λI) v} with the given kernels and workspace. */
    static void product(FisherKernels k, FisherShape s, double[] theta, double[] x, double[] v, double[] out,
            FisherWorkspace ws) {
        switch (s) {
            case LinearSoftmaxShape ls -> k.linearSoftmaxFvp(ls, theta, x, v, DAMPING, FisherKernels.ALL_ROWS, out, ws);
            case MlpSoftmaxShape ms -> k.mlpSoftmaxFvp(ms, theta, x, v, DAMPING, FisherKernels.ALL_ROWS, out, ws);
            default -> throw new IllegalArgumentException("not benchmarked: " + s);
        }
    }

    /** One product {@code out = (F + λI) v} with the given kernels and workspace. */
    static void product(FisherKernels k, FisherShape s, float[] theta, float[] x, float[] v, float[] out,
            FisherWorkspace ws) {
        switch (s) {
            case LinearSoftmaxShape ls -> k.linearSoftmaxFvp(ls, theta, x, v, DAMPING, FisherKernels.ALL_ROWS, out, ws);
            case MlpSoftmaxShape ms -> k.mlpSoftmaxFvp(ms, theta, x, v, DAMPING, FisherKernels.ALL_ROWS, out, ws);
            default -> throw new IllegalArgumentException("not benchmarked: " + s);
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        kernels = BenchConfig.backend(impl).fisher()
                .orElseThrow(() -> new IllegalStateException("backend " + impl + " has no fisher family"));
        shape = shapeOf(policy);
        int p = shape.paramCount();
        int d = shape instanceof LinearSoftmaxShape ls ? ls.features() : ((MlpSoftmaxShape) shape).features();
        Random r = new Random(BenchConfig.SEED);
        theta = uniform(r, p, 0.1);
        x = uniform(r, shape.batch() * d, 1.0);
        v = uniform(r, p, 1.0);
        out = new float[p];
        ws = kernels.workspace(shape);
        // one output of the implementation under test against the reference before measuring
        FisherKernels ref = Backends.reference().fisher().orElseThrow();
        float[] refOut = new float[p];
        product(ref, shape, theta, x, v, refOut, ref.workspace(shape));
        switch (precision) {
            case "fp32" -> {
                product(kernels, shape, theta, x, v, out, ws);
                BenchConfig.checkAgainstReference("fvp " + policy, refOut, out, p, 1e-5, 1e-6);
            }
            case "fp64" -> {
                thetaD = widen(theta);
                xD = widen(x);
                vD = widen(v);
                outD = new double[p];
                double[] refD = new double[p];
                product(ref, shape, thetaD, xD, vD, refD, ref.workspace(shape));
                product(kernels, shape, thetaD, xD, vD, outD, ws);
                // double sums of a few thousand terms: far inside the fp32 check's bounds, which are applied to
                // the narrowed values (their own rounding is 2^-24 relative)
                float[] narrowRef = new float[p], narrow = new float[p];
                for (int i = 0; i < p; i++) {
                    narrowRef[i] = (float) refD[i];
                    narrow[i] = (float) outD[i];
                }
                BenchConfig.checkAgainstReference("fvp fp64 " + policy, narrowRef, narrow, p, 1e-7, 1e-8);
            }
            default -> throw new IllegalArgumentException("precision must be fp32 or fp64, got " + precision);
        }
    }

    /** One product in the chosen precision (its output array is returned so it is consumed). */
    @Benchmark
    public Object fvp() {
        if (outD != null) {
            product(kernels, shape, thetaD, xD, vD, outD, ws);
            return outD;
        }
        product(kernels, shape, theta, x, v, out, ws);
        return out;
    }

    /**
     * Flops of one product (an FMA counts 2, exp and tanh 1 each), every row used:
     * <ul>
     *   <li>linear: logits {@code q = X Wᵀ + b} 2BDA (the kernel computes pi from θ), tangent
     *       {@code u = X Vᵀ + c} 2BDA, softmax ~4BA (max, exp, sum, divide), {@code w = M u} 4BA
     *       (dot, subtract, multiply), backward {@code wᵀX} 2BDA and {@code Σ w} BA, finish 3P
     *       ({@code acc/n + λv}): {@code 6BDA + 9BA + 3P}.</li>
     *   <li>mlp, per row: layer 1 value and tangent 2·2·D·H1, tanh and its derivative ~4·H1; layer 2
     *       value 2·H1·H2 and tangent 4·H1·H2 (V2 h1 + W2 dh1), ~4·H2; output value 2·H2·A, tangent
     *       4·H2·A; softmax + M ~8A; backward: W3 gradient and W3ᵀw 4·H2·A, W2 gradient and W2ᵀg
     *       4·H1·H2, W1 gradient 2·D·H1, tanh' products 2(H1 + H2), bias sums A + H1 + H2:
     *       {@code B(6·D·H1 + 10·H1·H2 + 10·H2·A + 9A + 7(H1+H2)) + 3P}.</li>
     * </ul>
     * Bytes (compulsory, fp32): X once ({@code 4BD}), θ, v and out once each ({@code 3·4P}); twice that
     * in fp64.
     */
    public static Work work(String method, Map<String, String> params) {
        FisherShape s = shapeOf(params.getOrDefault("policy", "linear"));
        Work w = fvpWork(s);
        return "fp64".equals(params.get("precision")) ? new Work(2 * w.bytes(), w.flops()) : w;
    }

    /** The work of one FVP of shape {@code s} (see {@link #work}). */
    static Work fvpWork(FisherShape s) {
        double b = s.batch(), p = s.paramCount();
        return switch (s) {
            case LinearSoftmaxShape ls -> {
                double d = ls.features(), a = ls.actions();
                yield new Work(4 * b * d + 12 * p, 6 * b * d * a + 9 * b * a + 3 * p);
            }
            case MlpSoftmaxShape ms -> {
                double d = ms.features(), h1 = ms.hidden1(), h2 = ms.hidden2(), a = ms.actions();
                yield new Work(4 * b * d + 12 * p,
                        b * (6 * d * h1 + 10 * h1 * h2 + 10 * h2 * a + 9 * a + 7 * (h1 + h2)) + 3 * p);
            }
            default -> throw new IllegalArgumentException("not benchmarked: " + s);
        };
    }
}
