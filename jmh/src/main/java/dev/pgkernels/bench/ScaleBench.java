package dev.pgkernels.bench;

import dev.pgkernels.Backends;
import dev.pgkernels.scale.ScaleFunction;
import dev.pgkernels.scale.ScaleKernels;
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
 * Family 1 (SPEC §1): {@code out[i] = f(dO[i], dR[i])} over {@code n} fp32 samples, for each
 * scale function kind. Inputs: {@code dO} uniform in [-2, 2] (no {@code exp} overflow), {@code dR}
 * uniform in [-3, 3], from {@link BenchConfig#SEED}. 5 kinds × 2 sizes = 10 trials of about 4.5 s per {@code impl}. The {@code opencl} impls
 * ({@link OpenClBenchSupport}: arrays in/out, and device-resident) fail their setup with the reason
 * when OpenCL cannot load. {@link ExpBench} is the in-run ceiling for the {@code exp}-bound kinds
 * (a bare lanewise {@code exp} over the same n): {@code ExpBench.exp} with the JDK's
 * {@code VectorOperators.EXP}, and {@code ExpBench.expInline} with the inline polynomial the
 * {@code simd} kernels use (about twice as fast; ML evaluates two such polynomials per sample).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = BenchConfig.VECTOR_MODULE)
public class ScaleBench {

    /** {@code opencl}: arrays in and out (transfers included); {@code opencl-resident}: device buffers (excluded). */
    @Param({"reference", "simd", "opencl", "opencl-resident"})
    public String impl;

    /** The scale function: MSE, SQ, ML, SIL, MLA, MLA_PARAMETRIC (αo = 1, αr = 0.5) or PPO_CLIP (eps = 0.2). */
    /**
     * The default run times the kinds the targets name plus PPO's; {@code MSE} (a copy) and
     * {@code MLA} are left to {@code -p fn=MSE,MLA} to keep the suite within its 20 minutes.
     */
    @Param({"SQ", "ML", "SIL", "MLA_PARAMETRIC", "PPO_CLIP"})
    public String fn;

    @Param({"2^20", "2^12"})
    public String n;

    private ScaleKernels kernels;
    private ScaleFunction f;
    private int size;
    private float[] dO;
    private float[] dR;
    private float[] out;
    private boolean resident;
    private dev.pgkernels.opencl.OpenClBackend cl;
    private dev.pgkernels.opencl.DeviceBuffer dOb, dRb, outb;

    /** The benchmarked function of a {@code fn} parameter. */
    static ScaleFunction function(String fn) {
        return switch (fn) {
            case "MSE" -> ScaleFunction.mse();
            case "SQ" -> ScaleFunction.sq();
            case "ML" -> ScaleFunction.ml();
            case "SIL" -> ScaleFunction.sil();
            case "MLA" -> ScaleFunction.mla();
            case "MLA_PARAMETRIC" -> ScaleFunction.mla(1, 0.5);
            case "PPO_CLIP" -> ScaleFunction.ppoClip(0.2);
            default -> throw new IllegalArgumentException("unknown fn " + fn);
        };
    }

    @Setup(Level.Trial)
    public void setup() {
        kernels = OpenClBenchSupport.backend(impl).scale()
                .orElseThrow(() -> new IllegalStateException("backend " + impl + " has no scale family"));
        f = function(fn);
        size = BenchConfig.size(n);
        Random r = new Random(BenchConfig.SEED);
        dO = new float[size];
        dR = new float[size];
        out = new float[size];
        for (int i = 0; i < size; i++) {
            dO[i] = (float) (4 * r.nextDouble() - 2);
            dR[i] = (float) (6 * r.nextDouble() - 3);
        }
        float[] ref = new float[size];
        Backends.reference().scale().orElseThrow().scale(f, size, dO, dR, ref);
        resident = OpenClBenchSupport.resident(impl);
        if (resident) {
            cl = OpenClBenchSupport.openCl(impl);
            dOb = cl.context().upload(dO);
            dRb = cl.context().upload(dR);
            outb = cl.context().floats(size);
            cl.openClScale().scale(f, size, dOb, 0, dRb, 0, outb, 0);
            outb.read(out, 0, size);
        } else {
            kernels.scale(f, size, dO, dR, out);
        }
        BenchConfig.checkAgainstReference("scale " + fn, ref, out, size, 1e-5, 1e-6);
    }

    /** Releases the device buffers of the resident variant. */
    @org.openjdk.jmh.annotations.TearDown(Level.Trial)
    public void tearDown() {
        if (resident) {
            dOb.close();
            dRb.close();
            outb.close();
        }
    }

    @Benchmark
    public float[] scale() {
        if (resident) {
            cl.openClScale().scale(f, size, dOb, 0, dRb, 0, outb, 0);
            cl.context().finish();
            return out;
        }
        kernels.scale(f, size, dO, dR, out);
        return out;
    }

    /**
     * Work of one {@link #scale()} call: 12 bytes per sample (read dO and dR, write out, fp32) and
     * the flops of {@code f} per sample, counting exp and expm1 as 1 flop each and a max or a
     * comparison as 1: MSE 0; SQ 2 (exp, mul); ML 3 (exp, expm1, mul); SIL 3 (exp, max, mul);
     * MLA 6 (1+x, +y, y/2, add, max, mul — the usual branch); MLA_PARAMETRIC 8 (ao*x, 1+, ar*y, +,
     * max(1 + ao*x, 0) reusing 1 + ao*x, /2, max, mul); PPO_CLIP 4 (exp, two comparisons, mul).
     */
    public static Work work(String method, Map<String, String> params) {
        double count = BenchConfig.size(params.get("n"));
        double perElement = switch (params.get("fn")) {
            case "MSE" -> 0;
            case "SQ" -> 2;
            case "ML", "SIL" -> 3;
            case "MLA" -> 6;
            case "MLA_PARAMETRIC" -> 8;
            case "PPO_CLIP" -> 4;
            default -> throw new IllegalArgumentException("unknown fn " + params.get("fn"));
        };
        return new Work(12 * count, perElement * count);
    }
}
