package dev.pgkernels.bench;

import dev.pgkernels.Backends;
import dev.pgkernels.scan.ScanKernels;
import dev.pgkernels.scan.ScanWorkspace;
import dev.pgkernels.simd.SimdScans;
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
 * Family 3 (SPEC §3): GAE (general and compact forms) and V-trace over a time-major rollout
 * {@code [T][E]}. {@code shape} is {@code "TxE"}: {@code T = 2048} with {@code E} = 1, 8, 64,
 * 1024 (few to many environments), and {@code T = 10^6, E = 1} (one long horizon, where a fast
 * backend needs an associative scan across time: simd composes it inside each vector). One {@code shape} param instead of separate T and E
 * params avoids a cartesian product.
 *
 * <p>Inputs are built once per trial from {@link BenchConfig#SEED}: rewards and values uniform in
 * [-1, 1], an episode end with probability 1/100 per step (half of them terminations), and
 * {@code nextValue_t = value_{t+1}} inside an episode; {@code logRho} uniform in [-0.5, 0.5] so
 * both clips are active sometimes. No input is mutated, so nothing is copied in the measured
 * methods. 5 shapes x 3 methods x 3 s plus fork start-up: about 1.1 minutes per {@code impl}
 * ({@code opencl}: arrays in/out; {@code opencl-resident}: device buffers, see {@link OpenClBenchSupport}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = BenchConfig.VECTOR_MODULE)
public class ScanBench {

    /**
     * {@code opencl}: arrays in and out (transfers included); {@code opencl-resident}: device buffers
     * (excluded). Not in the default list: {@code simd-across}, {@code simd-along},
     * {@code simd-chunked} force one strategy of the simd scans (the evidence for their thresholds).
     * On a contended machine, {@link ScanBestOf} gives best-of-many times of all of them in one JVM.
     */
    @Param({"reference", "simd", "opencl", "opencl-resident"})
    public String impl;

    @Param({"2048x1", "2048x8", "2048x64", "2048x1024", "1000000x1"})
    public String shape;

    /** Discount and trace parameters of the benchmark (common PPO defaults: γ = 0.99, λ = 0.95). */
    private static final float GAMMA = 0.99f, LAMBDA = 0.95f;
    /** IMPALA's clips (Espeholt et al. 2018 use ρ̄ = c̄ = 1). */
    private static final float RHO_BAR = 1f, C_BAR = 1f;
    /** Probability that a step ends its episode, and that an end is a termination. */
    private static final double P_DONE = 0.01, P_TERMINAL = 0.5;

    private int T, E;
    private ScanKernels scans;
    private final ScanWorkspace ws = new ScanWorkspace();
    private float[] reward, value, nextValue, compactValue, logRho;
    private boolean[] terminated, done, dones;
    private float[] out1, out2;
    private boolean resident;
    /** True while @Setup compares with the reference (the resident variant then downloads). */
    private boolean checking;
    private dev.pgkernels.opencl.OpenClBackend cl;
    private dev.pgkernels.opencl.DeviceBuffer rb, vb, nvb, cvb, lrb, teb, db, dsb, o1b, o2b;

    @Setup(Level.Trial)
    public void setup() {
        int[] te = parseShape(shape);
        T = te[0];
        E = te[1];
        int n = T * E;
        scans = impl.startsWith("simd-") ? forcedSimd(impl)
                : OpenClBenchSupport.backend(impl).scans()
                        .orElseThrow(() -> new IllegalStateException("backend " + impl + " has no scans"));
        Random r = new Random(BenchConfig.SEED);
        reward = new float[n];
        compactValue = new float[n + E];
        value = new float[n];
        nextValue = new float[n];
        logRho = new float[n];
        terminated = new boolean[n];
        done = new boolean[n];
        dones = new boolean[n];
        for (int i = 0; i < n + E; i++) {
            compactValue[i] = 2 * r.nextFloat() - 1;
        }
        for (int i = 0; i < n; i++) {
            reward[i] = 2 * r.nextFloat() - 1;
            value[i] = compactValue[i];
            logRho[i] = r.nextFloat() - 0.5f;
            done[i] = r.nextDouble() < P_DONE;
            terminated[i] = done[i] && r.nextDouble() < P_TERMINAL;
            dones[i] = done[i];
            // inside an episode, and at the rollout's end, the next observation's value is value_{t+1};
            // after a truncation it is the value of the pre-reset observation (here: fresh noise)
            boolean truncatedInside = done[i] && !terminated[i] && i + E < n;
            nextValue[i] = truncatedInside ? 2 * r.nextFloat() - 1 : compactValue[i + E];
        }
        out1 = new float[n];
        out2 = new float[n];
        resident = OpenClBenchSupport.resident(impl);
        if (resident) {
            cl = OpenClBenchSupport.openCl(impl);
            dev.pgkernels.opencl.OpenClContext ctx = cl.context();
            rb = ctx.upload(reward);
            vb = ctx.upload(value);
            nvb = ctx.upload(nextValue);
            cvb = ctx.upload(compactValue);
            lrb = ctx.upload(logRho);
            teb = ctx.upload(terminated);
            db = ctx.upload(done);
            dsb = ctx.upload(dones);
            o1b = ctx.floats(n);
            o2b = ctx.floats(n);
        }
        if (!impl.equals("reference")) {
            checking = true;
            ScanKernels ref = Backends.reference().scans().orElseThrow();
            float[] a = new float[n], b = new float[n];
            ref.gae(T, E, reward, value, nextValue, terminated, done, GAMMA, LAMBDA, a, null, null);
            gae();
            BenchConfig.checkAgainstReference("gae " + shape, a, out1, n, 1e-4, 1e-5);
            ref.vtrace(T, E, logRho, reward, value, nextValue, terminated, done, GAMMA, 1f, RHO_BAR, C_BAR, a, b,
                    null);
            vtrace();
            BenchConfig.checkAgainstReference("vtrace vs " + shape, a, out1, n, 1e-4, 1e-5);
            BenchConfig.checkAgainstReference("vtrace pgAdv " + shape, b, out2, n, 1e-4, 1e-5);
            checking = false;
        }
    }

    /** Releases the device buffers of the resident variant. */
    @org.openjdk.jmh.annotations.TearDown(Level.Trial)
    public void tearDown() {
        if (resident) {
            for (dev.pgkernels.opencl.DeviceBuffer d : new dev.pgkernels.opencl.DeviceBuffer[] {rb, vb, nvb, cvb, lrb, teb, db, dsb, o1b, o2b}) {
                d.close();
            }
        }
    }

    /** The resident variant's outputs, downloaded (in @Setup's check only). */
    private float[] download() {
        o1b.read(out1, 0, out1.length);
        o2b.read(out2, 0, out2.length);
        return out1;
    }

    /** GAE, general form: advantages and returns. */
    @Benchmark
    public float[] gae() {
        if (resident) {
            cl.openClScans().gae(T, E, rb, vb, nvb, teb, db, GAMMA, LAMBDA, o1b, o2b);
            cl.context().finish();
            return checking ? download() : out1;
        }
        scans.gae(T, E, reward, value, nextValue, terminated, done, GAMMA, LAMBDA, out1, out2, ws);
        return out1;
    }

    /** GAE, compact form ({@code value[(T+1)*E]}, one flag array): advantages and returns. */
    @Benchmark
    public float[] gaeCompact() {
        if (resident) {
            cl.openClScans().gaeCompact(T, E, rb, cvb, dsb, GAMMA, LAMBDA, o1b, o2b);
            cl.context().finish();
            return out1;
        }
        scans.gaeCompact(T, E, reward, compactValue, dones, GAMMA, LAMBDA, out1, out2, ws);
        return out1;
    }

    /** V-trace with λ = 1 and ρ̄ = c̄ = 1: vs and pgAdv. */
    @Benchmark
    public float[] vtrace() {
        if (resident) {
            cl.openClScans().vtrace(T, E, lrb, rb, vb, nvb, teb, db, GAMMA, 1f, RHO_BAR, C_BAR, o1b, o2b);
            cl.context().finish();
            return checking ? download() : out1;
        }
        scans.vtrace(T, E, logRho, reward, value, nextValue, terminated, done, GAMMA, 1f, RHO_BAR, C_BAR, out1, out2,
                ws);
        return out1;
    }

    /**
     * {@code simd-across}, {@code simd-along}, {@code simd-chunked}: the simd scans with that strategy
     * forced (for the thresholds in {@code SimdThresholds}; a strategy that does not apply to the
     * shape falls back to across-envs, see {@code SimdScans.strategyFor}).
     */
    private ScanKernels forcedSimd(String impl) {
        SimdScans.Strategy st = switch (impl) {
            case "simd-across" -> SimdScans.Strategy.ACROSS_ENVS;
            case "simd-along" -> SimdScans.Strategy.ALONG_TIME;
            case "simd-chunked" -> SimdScans.Strategy.CHUNKED;
            default -> throw new IllegalArgumentException("unknown simd strategy in impl " + impl);
        };
        SimdScans s = new SimdScans(st);
        System.out.println("# " + impl + ": strategy " + s.strategyFor(T, E) + " for T = " + T + ", E = " + E);
        return s;
    }

    /** {@code "TxE"} to {@code {T, E}}; each side accepts {@link BenchConfig#size} forms. */
    static int[] parseShape(String shape) {
        String[] p = shape.toLowerCase().split("x");
        if (p.length != 2) {
            throw new IllegalArgumentException("shape must be TxE, got " + shape);
        }
        return new int[] {BenchConfig.size(p[0]), BenchConfig.size(p[1])};
    }

    /**
     * Work per operation, per element {@code n = T*E} (inputs read once, outputs written once; 4
     * bytes per float, 1 per flag; selects are not flops, {@code exp} and {@code min} count 1):
     * <ul>
     *   <li>{@code gae}: reads reward, value, nextValue, terminated, done (14 B), writes advantages
     *       and returns (8 B); flops: {@code γ·nv, +r, −v, γλ·A, +, A+v} = 6.</li>
     *   <li>{@code gaeCompact}: reads reward, dones and value (9 B, plus the extra value row
     *       {@code 4E} B once), writes 8 B; 6 flops.</li>
     *   <li>{@code vtrace}: reads logRho, reward, value, nextValue, two flags (18 B), writes vs
     *       and pgAdv (8 B); flops: exp 1, two mins 2, λ·min 1, delta 4, carry 3, vs 2, pgAdv 4 = 17.</li>
     * </ul>
     */
    public static Work work(String method, Map<String, String> params) {
        int[] te = parseShape(params.get("shape"));
        double n = (double) te[0] * te[1];
        return switch (method) {
            case "gae" -> new Work(n * (3 * 4 + 2 * 1 + 2 * 4), n * 6);
            case "gaeCompact" -> new Work(n * (4 + 4 + 1 + 2 * 4) + 4.0 * te[1], n * 6);
            case "vtrace" -> new Work(n * (4 * 4 + 2 * 1 + 2 * 4), n * 17);
            default -> throw new IllegalArgumentException("unknown ScanBench method " + method);
        };
    }
}
