package dev.pgkernels.bench;

import dev.pgkernels.Backends;
import dev.pgkernels.scan.ScanKernels;
import dev.pgkernels.scan.ScanWorkspace;
import dev.pgkernels.simd.SimdExp;
import dev.pgkernels.simd.SimdScans;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A noise-robust companion of {@link ScanBench} for a shared machine: in one JVM, the best (minimum)
 * time of many calls of GAE and V-trace for the reference, the shape-chosen simd scans and each
 * forced simd strategy, next to the best time of a Vector API stream triad over arrays of the same
 * total footprint as GAE's declared bytes ({@code 22·T·E}). On a contended machine the averages
 * of a JMH run mix in other processes' time slices; the minimum of short calls does not.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp jmh/target/benchmarks.jar dev.pgkernels.bench.ScanBestOf 2048 64 2000
 * </pre>
 * Arguments: {@code T E calls}. Inputs as in {@link ScanBench} (seed {@link BenchConfig#SEED}).
 * The last line times V-trace's exp alone ({@link SimdExp#expClipped} over the log-ratios into an
 * array) as a multiple of the simd GAE: where the data sit in cache and both scans are compute-bound,
 * V-trace pays that on top of a scan like GAE's, so it bounds how close V-trace can come to GAE.
 */
public final class ScanBestOf {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private ScanBestOf() {}

    /** {@code a = b + s·c}, the Vector API triad of {@link TriadBench} ({@code n} a multiple of the lanes). */
    static void triad(float[] a, float[] b, float[] c) {
        for (int i = 0; i < a.length; i += S.length()) {
            FloatVector.fromArray(S, c, i).mul(1.0001f).add(FloatVector.fromArray(S, b, i)).intoArray(a, i);
        }
    }

    /** {@code out = min(1, e^x)} over {@code x} by V-trace's {@link SimdExp#expClipped} (ceiling for ρ̄ = c̄ = 1): its exp alone. */
    static void clippedExp(float[] x, float[] out, float ceil) {
        int i = 0;
        for (; i <= x.length - S.length(); i += S.length()) {
            SimdExp.expClipped(FloatVector.fromArray(S, x, i), ceil).intoArray(out, i);
        }
        for (; i < x.length; i++) {
            out[i] = (float) Math.exp(Math.min(x[i], ceil));
        }
    }

    /**
     * The best of {@code reps} calls of {@link #clippedExp}. Its own small method: timed inline in
     * {@code main}, the loop was OSR-compiled inside that large method, where the Vector API calls
     * were not all inlined and every vector was boxed (measured: 117 µs instead of 6 at 40000×1).
     */
    static long bestClippedExp(float[] x, float[] out, int reps) {
        float ceil = SimdExp.ratioCeiling(1f);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            clippedExp(x, out, ceil);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best;
    }

    public static void main(String[] args) {
        int T = Integer.parseInt(args[0]), E = Integer.parseInt(args[1]), calls = Integer.parseInt(args[2]);
        int n = T * E;
        Random r = new Random(BenchConfig.SEED);
        float[] reward = new float[n], value = new float[n + E], nextValue = new float[n], logRho = new float[n];
        boolean[] terminated = new boolean[n], done = new boolean[n];
        for (int i = 0; i < n + E; i++) {
            value[i] = 2 * r.nextFloat() - 1;
        }
        for (int i = 0; i < n; i++) {
            reward[i] = 2 * r.nextFloat() - 1;
            logRho[i] = r.nextFloat() - 0.5f;
            done[i] = r.nextDouble() < 0.01;
            terminated[i] = done[i] && r.nextBoolean();
            nextValue[i] = value[i + E];
        }
        float[] o1 = new float[n], o2 = new float[n];
        int tn = (int) (22L * n / 12) / S.length() * S.length();
        float[] ta = new float[tn], tb = new float[tn], tc = new float[tn];
        long bestTriad = Long.MAX_VALUE;
        for (int i = 0; i < 3 * calls + 20000; i++) { // past C2's compilation of the triad loop
            long t0 = System.nanoTime();
            triad(ta, tb, tc);
            bestTriad = Math.min(bestTriad, System.nanoTime() - t0);
        }
        System.out.printf("T=%d E=%d: triad %.1f us (%.1f GB/s at %d KiB)%n", T, E, bestTriad / 1e3,
                12.0 * tn / bestTriad, 12L * tn / 1024);
        // V-trace's exp alone over the same log-ratios, to set against GAE's whole time: in the
        // compute-bound shapes (data in L2/L3) V-trace pays it on top of a GAE-like scan
        long bestExp = bestClippedExp(logRho, o1, calls + 2000);
        long simdGae = 0;
        String[] names = {"reference", "simd", "simd-across", "simd-along", "simd-chunked"};
        for (String name : names) {
            ScanKernels s = switch (name) {
                case "reference" -> Backends.reference().scans().orElseThrow();
                case "simd" -> new SimdScans();
                case "simd-across" -> new SimdScans(SimdScans.Strategy.ACROSS_ENVS);
                case "simd-along" -> new SimdScans(SimdScans.Strategy.ALONG_TIME);
                default -> new SimdScans(SimdScans.Strategy.CHUNKED);
            };
            String strategy = s instanceof SimdScans ss ? ss.strategyFor(T, E).toString() : "-";
            ScanWorkspace ws = s.workspace();
            int reps = name.equals("reference") ? Math.max(3, calls / 10) : calls;
            long bestGae = Long.MAX_VALUE, bestVt = Long.MAX_VALUE;
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                s.gae(T, E, reward, value, nextValue, terminated, done, 0.99f, 0.95f, o1, o2, ws);
                long t1 = System.nanoTime();
                s.vtrace(T, E, logRho, reward, value, nextValue, terminated, done, 0.99f, 1f, 1f, 1f, o1, o2, ws);
                long t2 = System.nanoTime();
                bestGae = Math.min(bestGae, t1 - t0);
                bestVt = Math.min(bestVt, t2 - t1);
            }
            if (name.equals("simd")) {
                simdGae = bestGae;
            }
            System.out.printf("  %-13s %-12s gae %9.1f us (%5.1f GB/s, %3.0f%% of triad)   vtrace %9.1f us (%.2f x gae)%n",
                    name, strategy, bestGae / 1e3, 22.0 * n / bestGae, 100.0 * bestTriad * 22.0 * n / (12.0 * tn) / bestGae,
                    bestVt / 1e3, (double) bestVt / bestGae);
        }
        System.out.printf("  exp alone (SimdExp.expClipped over logRho, 8 B/element): %.1f us = %.2f x simd gae%n",
                bestExp / 1e3, (double) bestExp / simdGae);
    }
}
