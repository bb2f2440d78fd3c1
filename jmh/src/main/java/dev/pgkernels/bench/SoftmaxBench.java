package dev.pgkernels.bench;

import dev.pgkernels.Backends;
import dev.pgkernels.scale.ScaleFunction;
import dev.pgkernels.softmax.SoftmaxKernels;
import dev.pgkernels.softmax.UpdateForm;
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
 * Family 2 (SPEC §2) at two shapes: Atari-like {@code B = 4096, A = 18} and LLM-vocabulary-like
 * {@code B = 64, A = 32768}. {@link #update} takes the form from its own state ({@link FormParam}),
 * so only it is multiplied by the three forms: 2 shapes × (3 forms + logSoftmax + entropy + kl)
 * = 12 trials of about 9 s per {@code impl} ({@code opencl}: arrays in/out; {@code opencl-resident}:
 * device buffers, see {@link OpenClBenchSupport}). The warm-up is 6 s because the simd code runs
 * its first calls in interpreted or C1-compiled Vector API code, orders of magnitude slower than
 * C2's (the inline polynomial {@code exp} is some 25 vector operations there, each a lane loop:
 * 400 ms per U_P call at 4096 × 18), and reaches C2 only after seconds on a loaded machine (a
 * 4 s warm-up with the machine's load average at 8.7 on 2 cores still caught that phase for U_P
 * at A = 18; a 2.5 s one already did for KL and U_P before the inline {@code exp}). Logits uniform in [-5, 5] with about 1% masked ({@code -Inf}, never the
 * taken action), seeded by {@link BenchConfig#SEED}; the scale function is SQ with log-ratio clip 20.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = BenchConfig.VECTOR_MODULE)
public class SoftmaxBench {

    /** {@code opencl}: arrays in and out (transfers included); {@code opencl-resident}: device buffers (excluded). */
    @Param({"reference", "simd", "opencl", "opencl-resident"})
    public String impl;

    /** {@code BxA}: rows × actions. */
    @Param({"4096x18", "64x32768"})
    public String shape;

    /** The update form, a parameter of {@link #update} only. */
    @State(Scope.Benchmark)
    public static class FormParam {
        @Param({"U_Q", "U_V", "U_P"})
        public String form;
    }

    private static final ScaleFunction F = ScaleFunction.sq().withLogRatioClip(20);

    private SoftmaxKernels kernels;
    private int b;
    private int a;
    private float[] logits;
    private int[] actions;
    private float[] logMu;
    private float[] target;
    private float[] logpOld;
    private float[] logpNew;
    private float[] outRows;
    private float[] outB;
    private boolean resident;
    private dev.pgkernels.opencl.OpenClBackend cl;
    private dev.pgkernels.opencl.DeviceBuffer qb, actb, mub, tgb, lob, lnb, rowsb, bb;

    static int rows(String shape) {
        return Integer.parseInt(shape.substring(0, shape.indexOf('x')));
    }

    static int cols(String shape) {
        return Integer.parseInt(shape.substring(shape.indexOf('x') + 1));
    }

    @Setup(Level.Trial)
    public void setup() {
        kernels = OpenClBenchSupport.backend(impl).softmax()
                .orElseThrow(() -> new IllegalStateException("backend " + impl + " has no softmax family"));
        b = rows(shape);
        a = cols(shape);
        int n = b * a;
        Random r = new Random(BenchConfig.SEED);
        logits = new float[n];
        float[] logitsNew = new float[n];
        actions = new int[b];
        logMu = new float[b];
        target = new float[b];
        for (int i = 0; i < n; i++) {
            logits[i] = r.nextDouble() < 0.01 ? Float.NEGATIVE_INFINITY : (float) (10 * r.nextDouble() - 5);
            logitsNew[i] = logits[i] == Float.NEGATIVE_INFINITY ? logits[i] : logits[i] + (float) (0.1 * r.nextGaussian());
        }
        for (int i = 0; i < b; i++) {
            actions[i] = r.nextInt(a);
            logits[i * a + actions[i]] = (float) r.nextGaussian(); // the taken action is never masked
            logitsNew[i * a + actions[i]] = logits[i * a + actions[i]];
            logMu[i] = (float) (-Math.log(a) + r.nextGaussian());
            target[i] = (float) (3 * r.nextGaussian());
        }
        logpOld = new float[n];
        logpNew = new float[n];
        outRows = new float[n];
        outB = new float[b];
        SoftmaxKernels ref = Backends.reference().softmax().orElseThrow();
        ref.logSoftmax(b, a, logits, logpOld);
        ref.logSoftmax(b, a, logitsNew, logpNew);
        // one output of the implementation under test against the reference before measuring
        float[] refG = new float[n];
        ref.update(UpdateForm.U_P, F, b, a, logits, actions, logMu, target, refG);
        resident = OpenClBenchSupport.resident(impl);
        if (resident) {
            cl = OpenClBenchSupport.openCl(impl);
            dev.pgkernels.opencl.OpenClContext ctx = cl.context();
            qb = ctx.upload(logits);
            actb = ctx.upload(actions);
            mub = ctx.upload(logMu);
            tgb = ctx.upload(target);
            lob = ctx.upload(logpOld);
            lnb = ctx.upload(logpNew);
            rowsb = ctx.floats(n);
            bb = ctx.floats(b);
            cl.openClSoftmax().update(UpdateForm.U_P, F, b, a, qb, actb, mub, tgb, rowsb);
            rowsb.read(outRows, 0, n);
        } else {
            kernels.update(UpdateForm.U_P, F, b, a, logits, actions, logMu, target, outRows);
        }
        BenchConfig.checkAgainstReference("softmax update U_P " + shape, refG, outRows, n, 1e-5, 1e-6);
    }

    /** Releases the device buffers of the resident variant. */
    @org.openjdk.jmh.annotations.TearDown(Level.Trial)
    public void tearDown() {
        if (resident) {
            for (dev.pgkernels.opencl.DeviceBuffer d : new dev.pgkernels.opencl.DeviceBuffer[] {qb, actb, mub, tgb, lob, lnb, rowsb, bb}) {
                d.close();
            }
        }
    }

    @Benchmark
    public float[] update(FormParam p) {
        if (resident) {
            cl.openClSoftmax().update(UpdateForm.valueOf(p.form), F, b, a, qb, actb, mub, tgb, rowsb);
            cl.context().finish();
            return outRows;
        }
        kernels.update(UpdateForm.valueOf(p.form), F, b, a, logits, actions, logMu, target, outRows);
        return outRows;
    }

    @Benchmark
    public float[] logSoftmax() {
        if (resident) {
            cl.openClSoftmax().logSoftmax(b, a, qb, rowsb);
            cl.context().finish();
            return outRows;
        }
        kernels.logSoftmax(b, a, logits, outRows);
        return outRows;
    }

    @Benchmark
    public float[] entropy() {
        if (resident) {
            cl.openClSoftmax().entropy(b, a, qb, bb);
            cl.context().finish();
            return outB;
        }
        kernels.entropy(b, a, logits, outB);
        return outB;
    }

    @Benchmark
    public float[] kl() {
        if (resident) {
            cl.openClSoftmax().kl(b, a, lob, lnb, bb);
            cl.context().finish();
            return outB;
        }
        kernels.kl(b, a, logpOld, logpNew, outB);
        return outB;
    }

    /**
     * Work of one call, for {@code n = B*A} logits. Bytes: each input read once and each output
     * written once, 4 per fp32 or int element. Flops count the algorithm once per element
     * (pi computed once, although the reference recomputes it), with exp, log and expm1 as 1 flop
     * each and a max as 1:
     * <ul>
     *   <li>update: row max 1, Z (sub, exp, add) 3 → 4n, plus per row log Z, dO, dR, f ≈ 6;
     *       U_V adds pi (sub, exp, div) and s (e_a - pi) (sub, mul): +5n;
     *       U_P adds further {@code <pi,q>} (mul, add) and {@code pi (q - <pi,q>)} (sub, mul, add): +5n.
     *       Bytes 8n (logits in, G out) + 12B (actions, logMu, target).</li>
     *   <li>logSoftmax: max 1, Z 3, two subs 2 → 6n + B (log). Bytes 8n.</li>
     *   <li>entropy: max 1, Z 3, pi (div) 1, log pi (two subs) 2, p log p (mul, add) 2 → 9n + B. Bytes 4n + 4B.</li>
     *   <li>kl: exp, sub, mul, add → 4n. Bytes 8n + 4B.</li>
     * </ul>
     */
    public static Work work(String method, Map<String, String> params) {
        String s = params.get("shape");
        double rows = rows(s), n = rows * cols(s);
        return switch (method) {
            case "update" -> {
                double perElement = switch (params.getOrDefault("form", "U_P")) {
                    case "U_Q" -> 4;
                    case "U_V" -> 9;
                    case "U_P" -> 14;
                    default -> throw new IllegalArgumentException("unknown form " + params.get("form"));
                };
                yield new Work(8 * n + 12 * rows, perElement * n + 6 * rows);
            }
            case "logSoftmax" -> new Work(8 * n, 6 * n + rows);
            case "entropy" -> new Work(4 * n + 4 * rows, 9 * n + rows);
            case "kl" -> new Work(8 * n + 4 * rows, 4 * n);
            default -> throw new IllegalArgumentException("unknown method " + method);
        };
    }
}
