package dev.pgkernels.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Machine calibration: peak FMA throughput of one core with the preferred vector species.
 * Twelve independent accumulator chains hide the FMA latency (latency 4 × 2 ports needs at
 * least 8 chains on current x86); the operands live in registers, so nothing is memory-bound.
 * The report divides compute-bound kernels' GFLOP/s by this figure. An FMA counts 2 flops.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = BenchConfig.VECTOR_MODULE)
public class FmaBench {
    /** FMA rounds per operation, per chain. */
    static final int ROUNDS = 4096;
    /** Independent accumulator chains. */
    static final int CHAINS = 12;

    @Param({"simd"})
    public String impl;

    /** fp32 ({@code float}) or fp64 ({@code double}). */
    @Param({"float", "double"})
    public String precision;

    /**
     * Vector width in bits. Each width is its own species constant, so the declared flops are
     * exact whatever the host; the machine's peak is the largest figure over the widths (a width
     * the CPU lacks is emulated and simply comes out slower).
     */
    @Param({"128", "256", "512"})
    public int bits;

    public float xf = 0.999999f, yf = 1e-7f;
    public double xd = 0.999999, yd = 1e-7;

    private static final VectorSpecies<Float> F128 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Double> D128 = DoubleVector.SPECIES_128;
    private static final VectorSpecies<Double> D256 = DoubleVector.SPECIES_256;
    private static final VectorSpecies<Double> D512 = DoubleVector.SPECIES_512;

    @Benchmark
    public void fma(Blackhole bh) {
        boolean f = precision.equals("float");
        switch (bits) {
            case 128 -> bh.consume(f ? float128() : double128());
            case 256 -> bh.consume(f ? float256() : double256());
            case 512 -> bh.consume(f ? float512() : double512());
            default -> throw new IllegalStateException("bits must be 128, 256 or 512, got " + bits);
        }
    }

    // One method per species, each naming its species constant directly, so C2 sees a constant
    // species and keeps the twelve accumulators in registers (a species passed as an argument
    // defeats that and the loop allocates).

    private float float128() {
        FloatVector x = FloatVector.broadcast(F128, xf), y = FloatVector.broadcast(F128, yf);
        FloatVector a0 = FloatVector.broadcast(F128, 1f), a1 = a0.add(1f), a2 = a0.add(2f), a3 = a0.add(3f),
                a4 = a0.add(4f), a5 = a0.add(5f), a6 = a0.add(6f), a7 = a0.add(7f), a8 = a0.add(8f),
                a9 = a0.add(9f), a10 = a0.add(10f), a11 = a0.add(11f);
        for (int r = 0; r < ROUNDS; r++) {
            a0 = a0.fma(x, y); a1 = a1.fma(x, y); a2 = a2.fma(x, y); a3 = a3.fma(x, y);
            a4 = a4.fma(x, y); a5 = a5.fma(x, y); a6 = a6.fma(x, y); a7 = a7.fma(x, y);
            a8 = a8.fma(x, y); a9 = a9.fma(x, y); a10 = a10.fma(x, y); a11 = a11.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    private float float256() {
        FloatVector x = FloatVector.broadcast(F256, xf), y = FloatVector.broadcast(F256, yf);
        FloatVector a0 = FloatVector.broadcast(F256, 1f), a1 = a0.add(1f), a2 = a0.add(2f), a3 = a0.add(3f),
                a4 = a0.add(4f), a5 = a0.add(5f), a6 = a0.add(6f), a7 = a0.add(7f), a8 = a0.add(8f),
                a9 = a0.add(9f), a10 = a0.add(10f), a11 = a0.add(11f);
        for (int r = 0; r < ROUNDS; r++) {
            a0 = a0.fma(x, y); a1 = a1.fma(x, y); a2 = a2.fma(x, y); a3 = a3.fma(x, y);
            a4 = a4.fma(x, y); a5 = a5.fma(x, y); a6 = a6.fma(x, y); a7 = a7.fma(x, y);
            a8 = a8.fma(x, y); a9 = a9.fma(x, y); a10 = a10.fma(x, y); a11 = a11.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    private float float512() {
        FloatVector x = FloatVector.broadcast(F512, xf), y = FloatVector.broadcast(F512, yf);
        FloatVector a0 = FloatVector.broadcast(F512, 1f), a1 = a0.add(1f), a2 = a0.add(2f), a3 = a0.add(3f),
                a4 = a0.add(4f), a5 = a0.add(5f), a6 = a0.add(6f), a7 = a0.add(7f), a8 = a0.add(8f),
                a9 = a0.add(9f), a10 = a0.add(10f), a11 = a0.add(11f);
        for (int r = 0; r < ROUNDS; r++) {
            a0 = a0.fma(x, y); a1 = a1.fma(x, y); a2 = a2.fma(x, y); a3 = a3.fma(x, y);
            a4 = a4.fma(x, y); a5 = a5.fma(x, y); a6 = a6.fma(x, y); a7 = a7.fma(x, y);
            a8 = a8.fma(x, y); a9 = a9.fma(x, y); a10 = a10.fma(x, y); a11 = a11.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    private double double128() {
        DoubleVector x = DoubleVector.broadcast(D128, xd), y = DoubleVector.broadcast(D128, yd);
        DoubleVector a0 = DoubleVector.broadcast(D128, 1), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3),
                a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8),
                a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (int r = 0; r < ROUNDS; r++) {
            a0 = a0.fma(x, y); a1 = a1.fma(x, y); a2 = a2.fma(x, y); a3 = a3.fma(x, y);
            a4 = a4.fma(x, y); a5 = a5.fma(x, y); a6 = a6.fma(x, y); a7 = a7.fma(x, y);
            a8 = a8.fma(x, y); a9 = a9.fma(x, y); a10 = a10.fma(x, y); a11 = a11.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    private double double256() {
        DoubleVector x = DoubleVector.broadcast(D256, xd), y = DoubleVector.broadcast(D256, yd);
        DoubleVector a0 = DoubleVector.broadcast(D256, 1), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3),
                a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8),
                a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (int r = 0; r < ROUNDS; r++) {
            a0 = a0.fma(x, y); a1 = a1.fma(x, y); a2 = a2.fma(x, y); a3 = a3.fma(x, y);
            a4 = a4.fma(x, y); a5 = a5.fma(x, y); a6 = a6.fma(x, y); a7 = a7.fma(x, y);
            a8 = a8.fma(x, y); a9 = a9.fma(x, y); a10 = a10.fma(x, y); a11 = a11.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    private double double512() {
        DoubleVector x = DoubleVector.broadcast(D512, xd), y = DoubleVector.broadcast(D512, yd);
        DoubleVector a0 = DoubleVector.broadcast(D512, 1), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3),
                a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8),
                a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (int r = 0; r < ROUNDS; r++) {
            a0 = a0.fma(x, y); a1 = a1.fma(x, y); a2 = a2.fma(x, y); a3 = a3.fma(x, y);
            a4 = a4.fma(x, y); a5 = a5.fma(x, y); a6 = a6.fma(x, y); a7 = a7.fma(x, y);
            a8 = a8.fma(x, y); a9 = a9.fma(x, y); a10 = a10.fma(x, y); a11 = a11.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    /** Declared work: 2 flops per lane per FMA; no memory traffic. Pure in the params (no Vector API here). */
    public static Work work(String method, Map<String, String> params) {
        int bits = Integer.parseInt(params.get("bits"));
        int lanes = bits / ("double".equals(params.get("precision")) ? 64 : 32);
        return new Work(0, 2.0 * lanes * CHAINS * ROUNDS);
    }
}
