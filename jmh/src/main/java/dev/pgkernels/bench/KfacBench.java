package dev.pgkernels.bench;

import dev.pgkernels.kfac.KfacKernels;
import dev.pgkernels.kfac.KfacWorkspace;
import dev.pgkernels.reference.ReferenceKfac;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * K-FAC (SPEC §6) on one square layer, {@code in = out = n} (no bias), batch {@code B = 4096},
 * {@code impl = reference, simd, jblas}:
 * <ul>
 *   <li>{@code factorStatistics} — both factors {@code A ← εA + (1-ε)aᵀa/B}, {@code S ← εS + (1-ε)gᵀg/B};</li>
 *   <li>{@code choleskyPrecondition} — π-damping, two Cholesky factorisations, four triangular
 *       solves with {@code n} right-hand sides;</li>
 *   <li>{@code eigenPrecondition} — the eigen variant with cached eigenbases (four {@code n×n} products);</li>
 *   <li>{@code eigenBasis} — one symmetric eigendecomposition by the fast backends ({@link EigenShape},
 *       n ∈ {256, 1024}); {@code eigenBasisReference} — the reference's cyclic Jacobi, at n = 256 only
 *       ({@link ReferenceEigenShape}: at 1024 it takes minutes per operation).</li>
 * </ul>
 * Every operation is O(n³) or O(B n²): from about a millisecond (fast backends at n = 256) to
 * seconds (the reference at 1024). The class uses {@link Mode#AverageTime} with 1 s iterations (2
 * warm-up, 3 measured): an iteration always completes at least one operation, so the reference
 * runs at least 5 operations per configuration and the fast backends hundreds at n = 256, where
 * single shots (the earlier mode) were at the mercy of the JIT and the scheduler (simd Cholesky at
 * 256: 8.9 ± 142 ms as single shots, about 1 ms per call best-of). Default run: 18 layer
 * configurations (3 methods × 3 impls × n ∈ {256, 1024}), 4 fast eigendecompositions and the
 * reference one at 256. Each trial's
 * setup checks a non-reference backend against the reference on the method it is about to measure
 * (on a cheaper slice of the shape where the full reference would take seconds, see
 * {@link LayerShape#setup}). Select methods with a regex, e.g. {@code KfacBench.eigenBasis$}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = BenchConfig.VECTOR_MODULE)
public class KfacBench {

    /** Decay of the running averages in the benchmark (ACKTR's stats_decay, OpenAI baselines acktr.py). */
    static final double EPSILON = 0.99;
    /** Damping in the benchmark (ACKTR's KfacOptimizer epsilon, OpenAI baselines acktr.py). */
    static final double LAMBDA = 0.01;
    /**
     * Jacobi sweeps assumed by the work model of {@code eigenBasis}: {@code log2(n) + 2}, an empirical
     * fit — the reference needs 8, 9 and 10 sweeps on these factors at n = 64, 128 and 256 (cyclic
     * Jacobi converges quadratically once the off-diagonal part is small, and the number of sweeps
     * grows about like log n; Golub and Van Loan §8.5).
     */
    static double jacobiSweepsModel(double n) {
        return n <= 1 ? 0 : Math.log(n) / Math.log(2) + 2;
    }
    /** Rows of the batch used to build the (SPD) factors the preconditioning benchmarks solve with. */
    static final int FACTOR_ROWS = 512;

    /** One square layer {@code in = out = n}, batch {@code B}: inputs built once per trial. */
    @State(Scope.Benchmark)
    public static class LayerShape {
        @Param({"reference", "simd", "jblas"})
        public String impl;

        @Param({"256", "1024"})
        public String n;

        @Param({"4096"})
        public String batch;

        KfacKernels kfac;
        KfacWorkspace ws;
        int dim, rows;
        float[] a, g, grad, factorA, factorS, qA, lambdaA, qS, lambdaS;

        /**
         * Builds the inputs from {@link BenchConfig#SEED}; a non-reference backend is then checked
         * against the reference on the method about to be measured: factor statistics on the first
         * {@link #CHECK_ROWS} samples, the Cholesky route on the full shape, the eigen route with
         * {@code out = min(n, }{@link #CHECK_ROWS}{@code )} rows of the gradient (the full {@code nA = n}
         * side, a Householder {@code Q_S} of that order) — the reference's full-size products would
         * cost seconds per trial.
         */
        @Setup(Level.Trial)
        public void setup(BenchmarkParams params) {
            kfac = BenchConfig.backend(impl).kfac().orElseThrow(
                    () -> new IllegalStateException("backend " + impl + " has no kfac family"));
            dim = BenchConfig.size(n);
            rows = BenchConfig.size(batch);
            ws = kfac.workspace(dim);
            Random r = new Random(BenchConfig.SEED);
            a = new float[rows * dim];
            g = new float[rows * dim];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextGaussian();
                g[i] = (float) (0.01 * r.nextGaussian());
            }
            grad = new float[dim * dim];
            for (int i = 0; i < grad.length; i++) {
                grad[i] = (float) (0.01 * r.nextGaussian());
            }
            // Factors for the preconditioning benchmarks, from the first FACTOR_ROWS samples (the cost of
            // a Cholesky or a product does not depend on the values; a full-batch SYRK here would cost
            // as much as the factorStatistics benchmark in every fork). With λ > 0 they are PD after damping.
            KfacKernels ref = new ReferenceKfac();
            KfacWorkspace refWs = ref.workspace(dim);
            factorA = new float[dim * dim];
            factorS = new float[dim * dim];
            ref.updateFactor(Math.min(FACTOR_ROWS, rows), dim, false, a, 0.0, refWs, factorA);
            ref.updateFactor(Math.min(FACTOR_ROWS, rows), dim, false, g, 0.0, refWs, factorS);
            // Cached "eigenbases": a Householder reflection I - 2vvᵀ/vᵀv per factor — orthogonal, so the
            // eigen variant does the same arithmetic as with true bases, without an O(n³) Jacobi in
            // setup (tens of seconds for the reference at n = 1024); eigenvalues: the factors' diagonals.
            qA = householder(r, dim);
            qS = householder(r, dim);
            lambdaA = new float[dim];
            lambdaS = new float[dim];
            for (int i = 0; i < dim; i++) {
                lambdaA[i] = factorA[i * dim + i];
                lambdaS[i] = factorS[i * dim + i];
            }
            if (!impl.equals("reference")) {
                String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
                check(method, ref, refWs, r);
                for (int i = 0; i < JIT_WARMUP_CALLS; i++) {
                    warmUp(method);
                }
            }
        }

        /** One call of the measured operation, so that the JIT has compiled the fast kernels before JMH's iterations. */
        private void warmUp(String method) {
            float[] f = factorA.clone(), delta = new float[dim * dim];
            switch (method) {
                case "factorStatistics" -> kfac.updateFactor(rows, dim, false, a, EPSILON, ws, f);
                case "choleskyPrecondition" -> kfac.precondition(dim, dim, false, factorA, factorS, grad, LAMBDA, ws, delta);
                case "eigenPrecondition" ->
                        kfac.preconditionEigen(dim, dim, false, qA, lambdaA, qS, lambdaS, grad, LAMBDA, ws, delta);
                default -> throw new IllegalStateException("no warm-up for KfacBench." + method);
            }
        }

        private void check(String method, KfacKernels ref, KfacWorkspace refWs, Random r) {
            switch (method) {
                case "factorStatistics" -> {
                    int b = Math.min(CHECK_ROWS, rows);
                    float[] want = factorA.clone(), got = factorA.clone();
                    ref.updateFactor(b, dim, false, a, EPSILON, refWs, want);
                    kfac.updateFactor(b, dim, false, a, EPSILON, ws, got);
                    BenchConfig.checkAgainstReference("factorStatistics", want, got, dim * dim, 1e-4, 1e-5);
                }
                case "choleskyPrecondition" -> {
                    float[] want = new float[dim * dim], got = new float[dim * dim];
                    ref.precondition(dim, dim, false, factorA, factorS, grad, LAMBDA, refWs, want);
                    kfac.precondition(dim, dim, false, factorA, factorS, grad, LAMBDA, ws, got);
                    BenchConfig.checkAgainstReference("choleskyPrecondition", want, got, dim * dim, 1e-4, 1e-5);
                }
                case "eigenPrecondition" -> {
                    int out = Math.min(dim, CHECK_ROWS);
                    float[] qs = householder(r, out), ls = java.util.Arrays.copyOf(lambdaS, out);
                    float[] want = new float[out * dim], got = new float[out * dim];
                    ref.preconditionEigen(out, dim, false, qA, lambdaA, qs, ls, grad, LAMBDA, refWs, want);
                    kfac.preconditionEigen(out, dim, false, qA, lambdaA, qs, ls, grad, LAMBDA, ws, got);
                    BenchConfig.checkAgainstReference("eigenPrecondition", want, got, out * dim, 1e-4, 1e-5);
                }
                default -> throw new IllegalStateException("no reference check for KfacBench." + method);
            }
        }
    }

    /**
     * Calls of the measured operation in the setup of a fast backend, after its check (kept from
     * the single-shot mode this class used before: with one JMH warm-up operation, the first measured
     * shots of a Vector API kernel otherwise still ran partly in the interpreter or C1) (simd eigenPrecondition at
     * n = 256 measured 197 ms against jblas's 5.5 ms on a loaded machine). The reference is not
     * warmed this way: its operations take seconds, and a JIT warm-up is a small part of them.
     */
    static final int JIT_WARMUP_CALLS = 5;

    /** Samples (factor statistics) and gradient rows (eigen route) of the setup's reference checks. */
    static final int CHECK_ROWS = 128;

    static float[] householder(Random r, int n) {
        double[] v = new double[n];
        double vv = 0;
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
            vv += v[i] * v[i];
        }
        float[] q = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                q[i * n + j] = (float) ((i == j ? 1.0 : 0.0) - 2.0 * v[i] * v[j] / vv);
            }
        }
        return q;
    }

    /** Both factors' running averages; the factors are in/out, so fresh copies are updated. */
    @Benchmark
    public float[][] factorStatistics(LayerShape s) {
        float[] fa = s.factorA.clone(), fs = s.factorS.clone();
        s.kfac.updateFactor(s.rows, s.dim, false, s.a, EPSILON, s.ws, fa);
        s.kfac.updateFactor(s.rows, s.dim, false, s.g, EPSILON, s.ws, fs);
        return new float[][] {fa, fs};
    }

    /** ΔW = S_d⁻¹ ∇W A_d⁻¹ with π-damping, by Cholesky (factor + solve). */
    @Benchmark
    public float[] choleskyPrecondition(LayerShape s) {
        float[] delta = new float[s.dim * s.dim];
        s.kfac.precondition(s.dim, s.dim, false, s.factorA, s.factorS, s.grad, LAMBDA, s.ws, delta);
        return delta;
    }

    /** ΔW = Q_S [(Q_Sᵀ ∇W Q_A) ⊘ (λ_S λ_Aᵀ + λ)] Q_Aᵀ with cached bases. */
    @Benchmark
    public float[] eigenPrecondition(LayerShape s) {
        float[] delta = new float[s.dim * s.dim];
        s.kfac.preconditionEigen(s.dim, s.dim, false, s.qA, s.lambdaA, s.qS, s.lambdaS, s.grad, LAMBDA, s.ws, delta);
        return delta;
    }

    /** The symmetric factor of the eigendecomposition benchmarks, order {@code dim}, from {@link BenchConfig#SEED}. */
    static float[] eigenFactor(int dim) {
        Random r = new Random(BenchConfig.SEED);
        int rows = Math.min(FACTOR_ROWS, 2 * dim);
        float[] x = new float[rows * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] factor = new float[dim * dim];
        new ReferenceKfac().updateFactor(rows, dim, false, x, 0.0, new ReferenceKfac().workspace(dim), factor);
        return factor;
    }

    /**
     * The fast backends' eigendecomposition, n ∈ {256, 1024}. The setup checks the eigenvalues against
     * the reference's at n = 256 only (the reference's Jacobi takes minutes at 1024); at every order it
     * checks the reconstruction {@code ‖QΛQᵀ - A‖_F ≤ 1e-3 ‖A‖_F} (a loose fp32 bound: the tests
     * derive the tight one) — eigenvectors are unique only up to sign, so Q is not compared directly.
     */
    @State(Scope.Benchmark)
    public static class EigenShape {
        @Param({"simd", "jblas"})
        public String impl;

        @Param({"256", "1024"})
        public String eigenN;

        KfacKernels kfac;
        KfacWorkspace ws;
        int dim;
        float[] factor;

        @Setup(Level.Trial)
        public void setup() {
            kfac = BenchConfig.backend(impl).kfac().orElseThrow(
                    () -> new IllegalStateException("backend " + impl + " has no kfac family"));
            dim = BenchConfig.size(eigenN);
            ws = kfac.workspace(dim);
            factor = eigenFactor(dim);
            float[] q = new float[dim * dim], w = new float[dim];
            for (int i = 0; i < 3; i++) { // the first call checks; all three warm up the JIT (see JIT_WARMUP_CALLS)
                kfac.eigenBasis(dim, factor, ws, q, w);
            }
            if (!impl.equals("reference") && dim <= 256) {
                KfacKernels ref = new ReferenceKfac();
                float[] wantW = new float[dim];
                ref.eigenBasis(dim, factor, ref.workspace(dim), new float[dim * dim], wantW);
                BenchConfig.checkAgainstReference("eigenBasis eigenvalues", wantW, w, dim, 1e-4, 1e-5);
            }
            // reconstruction, in double: Q Λ Qᵀ vs the factor
            double err = 0, norm = 0;
            double[] qd = new double[dim * dim];
            for (int i = 0; i < qd.length; i++) {
                qd[i] = q[i];
            }
            for (int i = 0; i < dim; i++) {
                for (int j = 0; j < dim; j++) {
                    double v = 0;
                    for (int c = 0; c < dim; c++) {
                        v += qd[i * dim + c] * w[c] * qd[j * dim + c];
                    }
                    double e = v - factor[i * dim + j];
                    err += e * e;
                    norm += (double) factor[i * dim + j] * factor[i * dim + j];
                }
            }
            if (!(Math.sqrt(err) <= 1e-3 * Math.sqrt(norm))) {
                throw new IllegalStateException("eigenBasis: |QΛQᵀ - A| = " + Math.sqrt(err) + " > 1e-3 |A| = "
                        + 1e-3 * Math.sqrt(norm) + " — not measuring " + impl);
            }
        }
    }

    /** A = Q diag(λ) Qᵀ by a fast backend. */
    @Benchmark
    public float[] eigenBasis(EigenShape s) {
        float[] q = new float[s.dim * s.dim];
        float[] w = new float[s.dim];
        s.kfac.eigenBasis(s.dim, s.factor, s.ws, q, w);
        return q;
    }

    /**
     * The reference's eigendecomposition, CAPPED at n = 256: cyclic Jacobi at n = 1024 takes about
     * 12 sweeps × 9n³ ≈ 1.2·10¹¹ flops, minutes per operation in scalar Java (n = 512 measured 34-39 s
     * per op on this shared machine). No {@code impl} parameter, so {@code -p impl=...} does not turn
     * it into another backend; its own order is {@code -p referenceEigenN=...}.
     */
    @State(Scope.Benchmark)
    public static class ReferenceEigenShape {
        @Param({"256"})
        public String referenceEigenN;

        KfacKernels kfac;
        KfacWorkspace ws;
        int dim;
        float[] factor;

        @Setup(Level.Trial)
        public void setup() {
            kfac = BenchConfig.backend("reference").kfac().orElseThrow();
            dim = BenchConfig.size(referenceEigenN);
            ws = kfac.workspace(dim);
            factor = eigenFactor(dim);
        }
    }

    /** A = Q diag(λ) Qᵀ by the reference (cyclic Jacobi). */
    @Benchmark
    public float[] eigenBasisReference(ReferenceEigenShape s) {
        float[] q = new float[s.dim * s.dim];
        float[] w = new float[s.dim];
        s.kfac.eigenBasis(s.dim, s.factor, s.ws, q, w);
        return q;
    }

    /**
     * Work per operation (bytes: 4 per fp32 element read or written once; flops: an FMA counts 2).
     * <ul>
     *   <li>factorStatistics: two SYRKs, each B·n(n+1)/2 FMAs ≈ B·n² flops (symmetric half), plus
     *       the average (3 flops per element): 2·B·n² + 6n²; bytes: a and g read (2·B·n·4), both
     *       factors read and written (4·n²·4).</li>
     *   <li>choleskyPrecondition: two Cholesky factorisations n³/3 flops each, four triangular solves
     *       with n right-hand sides, n³ flops each (n²/2 FMAs per column): 2n³/3 + 4n³; bytes: A, S,
     *       ∇W read, ΔW written (4·n²·4).</li>
     *   <li>eigenPrecondition: four n×n products, 2n³ each: 8n³ + 2n² (denominators and division);
     *       bytes: Q_A, Q_S, ∇W read, ΔW written (4·n²·4) + eigenvalues (2·n·4).</li>
     *   <li>eigenBasis (fast backends): the textbook count of a symmetric eigendecomposition with
     *       eigenvectors, {@code 9n³} (Golub and Van Loan §8.3: tridiagonalisation 4n³/3, its
     *       accumulation 4n³/3, implicit QR with vectors about 6n³), the same for every backend so that
     *       their rates compare; bytes: A read, Q and λ written (2·n²·4 + n·4).</li>
     *   <li>eigenBasisReference (cyclic Jacobi, its actual arithmetic): per rotation three pairs of length-n vectors (rows and
     *       columns of W, columns of Q), 6 flops per pair element: 18n; n(n-1)/2 rotations per sweep;
     *       {@code log2(n) + 2} sweeps ({@link #jacobiSweepsModel}): sweeps·9n²(n-1) flops; bytes: A read, Q and λ written
     *       (2·n²·4 + n·4).</li>
     * </ul>
     */
    public static Work work(String method, Map<String, String> params) {
        String nKey = method.equals("eigenBasis") ? "eigenN" : method.equals("eigenBasisReference") ? "referenceEigenN" : "n";
        double nn = BenchConfig.size(params.getOrDefault(nKey, params.getOrDefault("n", "256")));
        double b = BenchConfig.size(params.getOrDefault("batch", "4096"));
        return switch (method) {
            case "factorStatistics" -> new Work(2 * b * nn * 4 + 4 * nn * nn * 4, 2 * b * nn * nn + 6 * nn * nn);
            case "choleskyPrecondition" -> new Work(4 * nn * nn * 4, 2 * nn * nn * nn / 3 + 4 * nn * nn * nn);
            case "eigenPrecondition" -> new Work(4 * nn * nn * 4 + 2 * nn * 4, 8 * nn * nn * nn + 2 * nn * nn);
            case "eigenBasis" -> new Work(2 * nn * nn * 4 + nn * 4, 9 * nn * nn * nn);
            case "eigenBasisReference" -> new Work(2 * nn * nn * 4 + nn * 4, jacobiSweepsModel(nn) * 9 * nn * nn * (nn - 1));
            default -> throw new IllegalArgumentException("unknown KfacBench method " + method);
        };
    }
}
