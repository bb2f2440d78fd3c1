package dev.pgkernels.bench;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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
 * In-run ceiling for the {@code exp}-bound scale functions ({@link ScaleBench} SQ, ML, SIL,
 * PPO_CLIP): a bare lanewise {@code out[i] = exp(x[i])} with the preferred fp32 species over the
 * same {@code n} and the same {@code dO} inputs (uniform in [-2, 2], seed {@link BenchConfig#SEED}),
 * masked tail. A scale function's throughput divided by this one is the fraction of the bare
 * vector-{@code exp} throughput it reaches (the target: at least 70%). Note that SQ reads
 * two arrays where this reads one, so at sizes past the caches the comparison also charges the
 * kernel for its extra 4 bytes per element.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = BenchConfig.VECTOR_MODULE)
public class ExpBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Only the Vector API: this is a ceiling, not a backend. */
    @Param({"simd"})
    public String impl;

    @Param({"2^20", "2^12"})
    public String n;

    private int size;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setup() {
        size = BenchConfig.size(n);
        Random r = new Random(BenchConfig.SEED);
        x = new float[size];
        out = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (4 * r.nextDouble() - 2);
        }
        exp();
        check("EXP");
        expInline();
        check("inline exp");
    }

    private void check(String what) {
        for (int i = 0; i < size; i++) {
            double ref = Math.exp(x[i]);
            if (Math.abs(out[i] - ref) > 1e-6 * ref) {
                throw new IllegalStateException(what + "(" + x[i] + "): " + out[i] + " vs " + ref + "; not measuring");
            }
        }
    }

    @Benchmark
    public float[] exp() {
        int i = 0, len = size;
        for (int ub = S.loopBound(len); i < ub; i += S.length()) {
            FloatVector.fromArray(S, x, i).lanewise(VectorOperators.EXP).intoArray(out, i);
        }
        if (i < len) {
            VectorMask<Float> m = S.indexInRange(i, len);
            FloatVector.fromArray(S, x, i, m).lanewise(VectorOperators.EXP).intoArray(out, i, m);
        }
        return out;
    }

    /**
     * The same loop with the inline polynomial {@code exp} the {@code simd} scale and softmax kernels
     * use ({@link dev.pgkernels.simd.SimdExp#expCore}, within 2 ulp), the ceiling of those kernels'
     * own {@code exp}: on this machine it is about twice as fast as {@link #exp()}'s
     * {@code VectorOperators.EXP} (a call into the JDK's native vector math library).
     */
    @Benchmark
    public float[] expInline() {
        int i = 0, len = size;
        for (int ub = S.loopBound(len); i < ub; i += S.length()) {
            dev.pgkernels.simd.SimdExp.expCore(FloatVector.fromArray(S, x, i)).intoArray(out, i);
        }
        if (i < len) {
            VectorMask<Float> m = S.indexInRange(i, len);
            dev.pgkernels.simd.SimdExp.expCore(FloatVector.fromArray(S, x, i, m)).intoArray(out, i, m);
        }
        return out;
    }

    /** 8 bytes per element (read x, write out) and 1 flop (exp counted as 1, as {@link ScaleBench} does). */
    public static Work work(String method, Map<String, String> params) {
        double count = BenchConfig.size(params.get("n"));
        return new Work(8 * count, count);
    }
}
