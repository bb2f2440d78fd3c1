package dev.pgkernels.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
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
 * Machine calibration: the STREAM triad {@code a[i] = b[i] + s * c[i]} over fp32 arrays, one
 * thread, at footprints that sit in L2, in L3, and in DRAM. Its GB/s is the bandwidth limit the
 * report divides memory-bound kernels' GB/s by, taken at the footprint nearest the kernel's.
 *
 * <p>Bytes counted per operation: {@code 12 n} (read b and c, write a), STREAM's convention; the
 * write-allocate read of {@code a} that a cache makes is not counted, here or in any kernel.
 *
 * <p>{@code impl = simd} is the Vector API loop (preferred species, masked tail);
 * {@code impl = java} is the plain loop, which C2 auto-vectorises. The larger is the limit.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = BenchConfig.VECTOR_MODULE)
public class TriadBench {
    /** Total footprint of the three arrays. */
    @Param({"512KiB", "8MiB", "64MiB", "512MiB"})
    public String footprint;

    @Param({"simd", "java"})
    public String impl;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private float[] a, b, c;
    private final float s = 1.0001f;
    private FloatVector sv;

    @Setup(Level.Trial)
    public void setup() {
        int n = elements(footprint);
        a = new float[n];
        b = new float[n];
        c = new float[n];
        sv = FloatVector.broadcast(S, s);
        for (int i = 0; i < n; i++) {
            b[i] = i * 0.5f;
            c[i] = 1f - i * 0.25f;
        }
        triad();
        for (int i = 0; i < n; i += Math.max(1, n / 97)) {
            if (a[i] != b[i] + s * c[i] && Math.abs(a[i] - (b[i] + s * c[i])) > 1e-3f * Math.abs(a[i])) {
                throw new IllegalStateException("triad wrong at " + i);
            }
        }
    }

    /** Elements per array for a total footprint such as {@code 8MiB}. */
    static int elements(String footprint) {
        String f = footprint.trim();
        long unit = f.endsWith("KiB") ? 1024L : f.endsWith("MiB") ? 1024L * 1024 : f.endsWith("GiB") ? 1L << 30 : 1;
        long bytes = Long.parseLong(f.replaceAll("[^0-9]", "")) * unit;
        return Math.toIntExact(bytes / (3L * Float.BYTES));
    }

    @Benchmark
    public float[] triad() {
        float[] a = this.a, b = this.b, c = this.c;
        int n = a.length;
        if (impl.equals("simd")) {
            int i = 0;
            int bound = S.loopBound(n);
            for (; i < bound; i += S.length()) {
                FloatVector.fromArray(S, c, i).fma(sv, FloatVector.fromArray(S, b, i)).intoArray(a, i);
            }
            if (i < n) {
                var m = S.indexInRange(i, n);
                FloatVector.fromArray(S, c, i, m).fma(sv, FloatVector.fromArray(S, b, i, m)).intoArray(a, i, m);
            }
        } else {
            for (int i = 0; i < n; i++) {
                a[i] = b[i] + s * c[i];
            }
        }
        return a;
    }

    /** Declared work: 12 bytes and 2 flops per element. */
    public static Work work(String method, Map<String, String> params) {
        double n = elements(params.get("footprint"));
        return new Work(12 * n, 2 * n);
    }
}
