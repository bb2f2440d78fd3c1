package dev.pgkernels.bench;

import dev.pgkernels.fisher.FisherKernels;
import dev.pgkernels.fisher.FisherShape;
import dev.pgkernels.fisher.FisherWorkspace;
import dev.pgkernels.fisher.LinearSoftmaxShape;
import java.util.Random;

/**
 * A noise-robust companion of {@link FisherBench} for a shared machine: in one JVM, round after round,
 * one fp32 product of each implementation ({@code reference}, {@code simd}, {@code jblas}) on the same
 * inputs, and the best (minimum) time of each over the rounds, with the ratios of the bests and the
 * simd product's share of the FMA peak given as an argument (flops as {@link FisherBench#work}). On a
 * contended machine the averages of a JMH run mix in other processes' time slices; the minimum of
 * many calls, taken in the same stretch of time for all three, does not.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp jmh/target/benchmarks.jar dev.pgkernels.bench.FisherBestOf linear 60 223
 * </pre>
 * Arguments: {@code policy rounds peakGflops} ({@code policy} {@code linear} or {@code mlp}); each round
 * runs the reference once and simd and jblas ten times each; the first fifth of the rounds is warmup.
 */
public final class FisherBestOf {
    private FisherBestOf() {}

    public static void main(String[] args) {
        String policy = args.length > 0 ? args[0] : "linear";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        double peak = args.length > 2 ? Double.parseDouble(args[2]) : 223;
        String[] impls = {"reference", "simd", "jblas"};
        FisherShape shape = FisherBench.shapeOf(policy);
        int p = shape.paramCount();
        int d = shape instanceof LinearSoftmaxShape ls ? ls.features()
                : ((dev.pgkernels.fisher.MlpSoftmaxShape) shape).features();
        Random r = new Random(BenchConfig.SEED);
        float[] theta = FisherBench.uniform(r, p, 0.1);
        float[] x = FisherBench.uniform(r, shape.batch() * d, 1.0);
        float[] v = FisherBench.uniform(r, p, 1.0);
        FisherKernels[] k = new FisherKernels[impls.length];
        FisherWorkspace[] ws = new FisherWorkspace[impls.length];
        float[][] out = new float[impls.length][p];
        for (int i = 0; i < impls.length; i++) {
            String impl = impls[i];
            k[i] = BenchConfig.backend(impl).fisher()
                    .orElseThrow(() -> new IllegalStateException(impl + " has no fisher family"));
            ws[i] = k[i].workspace(shape);
        }
        long[] best = new long[impls.length];
        java.util.Arrays.fill(best, Long.MAX_VALUE);
        int warm = rounds / 5;
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < impls.length; i++) {
                int reps = i == 0 ? 1 : 10;
                for (int rep = 0; rep < reps; rep++) {
                    long t0 = System.nanoTime();
                    FisherBench.product(k[i], shape, theta, x, v, out[i], ws[i]);
                    long t = System.nanoTime() - t0;
                    if (round >= warm) {
                        best[i] = Math.min(best[i], t);
                    }
                }
            }
        }
        for (int i = 1; i < impls.length; i++) {
            BenchConfig.checkAgainstReference("fvp " + policy + " " + impls[i], out[0], out[i], p, 1e-5, 1e-6);
        }
        double flops = FisherBench.fvpWork(shape).flops();
        System.out.printf("%s FVP, best of %d rounds: reference %.3f ms, simd %.3f ms, jblas %.3f ms%n", policy,
                rounds - warm, best[0] / 1e6, best[1] / 1e6, best[2] / 1e6);
        System.out.printf("  simd: %.2fx reference, %.2fx jblas, %.1f GFLOP/s = %.1f%% of %.0f GFLOP/s peak%n",
                (double) best[0] / best[1], (double) best[2] / best[1], flops / best[1], 100 * flops / best[1] / peak,
                peak);
    }
}
