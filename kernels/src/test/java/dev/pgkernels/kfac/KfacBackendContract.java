package dev.pgkernels.kfac;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.Backends;
import dev.pgkernels.kfac.FactorNotPositiveDefiniteException;
import dev.pgkernels.kfac.KfacKernels;
import dev.pgkernels.kfac.KfacPreconditioner;
import dev.pgkernels.kfac.KfacPreconditioner.Layer;
import dev.pgkernels.kfac.KfacPreconditioner.Settings;
import dev.pgkernels.kfac.KfacWorkspace;
import dev.pgkernels.linalg.DenseReference;
import dev.pgkernels.reference.ReferenceKfac;
import dev.pgkernels.testsupport.BadInput;
import dev.pgkernels.testsupport.EdgeValues;
import dev.pgkernels.testsupport.Shapes;
import dev.pgkernels.testsupport.Tolerance;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The properties every fast K-FAC backend must have (SPEC §6), run against the reference by
 * {@code KfacSimdTest} and {@code KfacJblasTest} (each supplies {@link #fast()} and its block sizes):
 * factor statistics, π, Cholesky
 * preconditioning (agreement, residual, failing pivots), eigenbases (reconstruction, eigenvalues),
 * eigen and EKFAC preconditioning and the EKFAC scaling, in fp32 and double, with and without a
 * bias, shapes 0, 1, primes and sizes just off the Cholesky and solve blocks (64), the SYRK panel
 * (128; {@link #syrkPanel()}) and the simd GEMM tiles (MR = 6, NR = 2 vectors, KC = 128), rank-deficient factors
 * ({@code B < in}), sentinels past every output; and {@link KfacPreconditioner} on these kernels
 * keeping its state on failure.
 *
 * <p>Error model used in every bound (Higham, Accuracy and Stability, §2-3): each operation
 * {@code fl(x op y) = (x op y)(1 + δ) + η}, {@code |δ| <= u} ({@code u = 2^-24} fp32,
 * {@code 2^-53} double), {@code |η| <= } half the smallest subnormal (gradual underflow, only
 * additive); a sum of {@code k} products in any order (blocked GEMMs reorder: KC blocks, SIMD lanes, BLAS blocks) is within
 * {@code γ_k Σ|terms| ≈ k u Σ|terms|} of the exact sum. The reference computes in double from the
 * same fp32 inputs, so for fp32 its error ({@code ≤ k 2^-53 Σ|terms|}) is far below the fast
 * kernel's and is absorbed by the factor 2 or the extra {@code +2} in each {@code k} below.
 */
public abstract class KfacBackendContract {
    private static final KfacKernels REF = new ReferenceKfac();
    private static final double U32 = 0x1p-24;
    private static final double U64 = 0x1p-53;

    /** The backend under test (a test may skip here when its natives are missing). */
    protected abstract KfacKernels fast();

    /** The backend's SYRK panel width (factor statistics are tested just off it). */
    protected abstract int syrkPanel();

    /** The largest {@code maxDim} the backend's workspace accepts. */
    protected abstract int maxWorkspaceDim();

    @Provide
    public Arbitrary<Integer> dims() {
        // mostly small; sometimes just off the GEMM's NR (32 fp32 lanes·2 on AVX-512), the Cholesky and
        // solve blocks (64) and MR multiples
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, Shapes.sizes(0, 19)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(31, 33, 63, 64, 65, 67, 97)));
    }

    @Provide
    public Arbitrary<Integer> batches() {
        return Shapes.sizes(0, 33);
    }

    /** Batches that cross the GEMM's KC (128) blocks of depth. */
    @Provide
    public Arbitrary<Integer> deepBatches() {
        return Arbitraries.oneOf(Shapes.sizes(0, 33), Arbitraries.of(127, 128, 129, 257, 300));
    }

    /** Batches that cross the EKFAC chunk ({@code max(maxDim, 256)} samples) at these small dims. */
    @Provide
    public Arbitrary<Integer> longBatches() {
        return Arbitraries.oneOf(Shapes.sizes(0, 33), Arbitraries.of(255, 256, 257, 513, 600));
    }

    @Provide
    public Arbitrary<Integer> eigenDims() {
        return Shapes.sizes(0, 70);
    }

    @Provide
    public Arbitrary<Double> lambdas() {
        return Arbitraries.of(1e-4, 1e-2, 0.25, 1.0, 10.0);
    }

    @Provide
    public Arbitrary<Double> epsilons() {
        return Arbitraries.oneOf(Arbitraries.of(0.0, 1.0, 0.5, 0.99), Arbitraries.doubles().between(0, 1));
    }

    // =================================================================== helpers

    protected double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** {@code n} useful elements followed by {@code TAIL} sentinels. */
    private static final int TAIL = 3;

    protected float[] withTail(float[] f, int n) {
        float[] r = BadInput.sentinel(n + TAIL);
        System.arraycopy(f, 0, r, 0, n);
        return r;
    }

    protected double[] withTail(double[] f, int n) {
        double[] r = BadInput.sentinelDouble(n + TAIL);
        System.arraycopy(f, 0, r, 0, n);
        return r;
    }

    protected void assertTail(String what, float[] f, int n) {
        for (int k = n; k < f.length; k++) assertEquals(BadInput.SENTINEL, f[k], what + ": element past the shape written");
    }

    protected void assertTail(String what, double[] f, int n) {
        double s = BadInput.sentinelDouble(1)[0];
        for (int k = n; k < f.length; k++) assertEquals(s, f[k], what + ": element past the shape written");
    }

    /** A symmetric positive semi-definite {@code n×n} matrix {@code R Rᵀ / n} (+ {@code shift I}). */
    protected double[] spd(long seed, int n, double shift) {
        float[] r = EdgeValues.uniform(seed, n * n, -1, 1);
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = 0;
                for (int k = 0; k < n; k++) v += (double) r[i * n + k] * r[j * n + k];
                v = (float) (v / Math.max(1, n)) + (i == j ? shift : 0);
                m[i * n + j] = v;
                m[j * n + i] = v;
            }
        }
        return m;
    }

    protected float[] narrow(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    protected double frob(double[] x, int n) {
        double s = 0;
        for (int k = 0; k < n; k++) s += x[k] * x[k];
        return Math.sqrt(s);
    }

    /** Random data of one layer: activations, per-sample gradients, a gradient (as the reference test). */
    private record Data(int out, int in, boolean bias, int batch, float[] a, float[] g, float[] grad) {
        int nA() {
            return KfacKernels.factorDim(in, bias);
        }
    }

    protected Data data(long seed, int out, int in, boolean bias, int batch) {
        int nA = KfacKernels.factorDim(in, bias);
        return new Data(out, in, bias, batch, EdgeValues.uniform(seed, batch * in, -2f, 2f),
                EdgeValues.uniform(seed + 1, batch * out, -0.5f, 0.5f), EdgeValues.uniform(seed + 2, out * nA, -1f, 1f));
    }

    // =================================================================== factor statistics

    /**
     * {@code F ← ε F + (1-ε) x̃ᵀx̃/B} against the reference (fp32 and double). Element (i, j) is
     * {@code α Σ_b x̃_bi x̃_bj + β F_ij} with {@code α = (1-ε)/B} and {@code β = ε} each rounded once
     * to the working precision; the GEMM sums the B products in KC blocks and SIMD lanes. Error:
     * {@code ≤ γ_{B+2}((1-ε)/B Σ_b|x̃_bi x̃_bj| + ε|F_ij|) + u|result|} plus B underflow terms
     * {@code η}, so scale = {@code (1-ε)/B Σ|terms| + ε|F_ij| + B·MIN_VALUE/(atolPerScale)} with
     * {@code atolPerScale = (B + 4) u} and rtol = {@code 2u} (the result's rounding and the
     * reference's own). The bias row/column are double column sums rounded once (within the same bound).
     * Also: ε = 0 never reads the old factor (NaN there), the result is exactly symmetric, nothing past
     * {@code n²} is written.
     */
    @Property(tries = 150)
    public void factorMatchesReference(@ForAll("deepBatches") int batch, @ForAll("dims") int dim, @ForAll boolean bias,
            @ForAll("epsilons") double eps, @ForAll long seed) {
        checkFactor(batch, dim, bias, eps, seed);
    }

    /** Past the SYRK-by-GEMM panel width (128): 1, 2 and 3 panels (the last one partial), as factorMatchesReference. */
    @Example
    public void factorAcrossPanels() {
        int p = syrkPanel();
        for (int dim : new int[] {p - 1, p, p + 1, 2 * p + 45}) {
            checkFactor(37, dim, dim % 2 == 1, 0.0, dim);
            checkFactor(5, dim, true, 0.5, dim + 1);
        }
    }

    protected void checkFactor(int batch, int dim, boolean bias, double eps, long seed) {
        KfacKernels k = fast();
        int n = KfacKernels.factorDim(dim, bias);
        float[] x = EdgeValues.array(seed, batch * dim, 3f, 0.1, false);
        float[] old = narrow(spd(seed + 1, n, 0.5));
        if (eps == 0.0) Arrays.fill(old, Float.NaN); // must not be read
        double[] scale = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double mag = 0;
                for (int b = 0; b < batch; b++) {
                    double xi = i < dim ? x[b * dim + i] : 1, xj = j < dim ? x[b * dim + j] : 1;
                    mag += Math.abs(xi * xj);
                }
                scale[i * n + j] = (batch == 0 ? 0 : (1 - eps) * mag / batch) + (eps == 0 ? 0 : eps * Math.abs(old[i * n + j]));
            }
        }
        KfacWorkspace ws = k.workspace(n), rws = REF.workspace(n);
        // fp32
        float[] want = old.clone(), got = withTail(old, n * n);
        REF.updateFactor(batch, dim, bias, x, eps, rws, want);
        k.updateFactor(batch, dim, bias, x, eps, ws, got);
        double atol = (batch + 4) * U32;
        double[] s32 = scale.clone();
        for (int q = 0; q < s32.length; q++) s32[q] += batch * (double) Float.MIN_VALUE / atol;
        Tolerance.of(2 * U32, atol).assertClose("fp32 factor", want, got, n * n, s32);
        assertTail("fp32 factor", got, n * n);
        // double
        double[] oldD = widen(old);
        double[] wantD = oldD.clone(), gotD = withTail(oldD, n * n);
        REF.updateFactor(batch, dim, bias, widen(x), eps, rws, wantD);
        k.updateFactor(batch, dim, bias, widen(x), eps, ws, gotD);
        Tolerance.of(2 * U64, (batch + 4) * U64).assertClose("double factor", wantD, gotD, n * n, scale);
        assertTail("double factor", gotD, n * n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(got[i * n + j], got[j * n + i], "fp32 symmetric");
                assertEquals(gotD[i * n + j], gotD[j * n + i], "double symmetric");
            }
        }
    }

    /** The checks are the shared base class's; here: a workspace of another backend, or too small, is refused untouched. */
    @Example
    public void rejectsForeignAndSmallWorkspaces() {
        KfacKernels k = fast();
        float[] f = BadInput.sentinel(4);
        BadInput.assertRejected("another backend", () -> k.updateFactor(1, 2, false, new float[2], 0.0, REF.workspace(2), f), f);
        BadInput.assertRejected("maxDim", () -> k.updateFactor(1, 2, false, new float[2], 0.0, k.workspace(1), f), f);
        BadInput.assertRejected("another backend", () -> REF.updateFactor(1, 2, false, new float[2], 0.0, k.workspace(2), f), f);
        BadInput.assertRejected("maxDim", () -> k.workspace(maxWorkspaceDim() + 1));
        k.workspace(maxWorkspaceDim()); // allowed: arrays are allocated on first use
        float[] e = BadInput.sentinel(4), q = BadInput.sentinel(4);
        BadInput.assertRejected("another backend", () -> k.eigenBasis(2, new float[4], REF.workspace(2), q, e), q);
        BadInput.assertRejected("maxDim", () -> k.eigenBasis(2, new float[4], k.workspace(1), q, e), q);
        BadInput.assertRejected("another backend", () -> k.preconditionEkfac(2, 2, false, new float[4], new float[4],
                new float[4], new float[4], 0.1, REF.workspace(2), f), f);
        double[] d = BadInput.sentinelDouble(4);
        BadInput.assertRejected("'delta'", () -> k.precondition(2, 2, false, new double[4], new double[4], new double[4], 0.1,
                k.workspace(2), new double[3]));
        BadInput.assertRejected("lambda", () -> k.precondition(2, 2, false, new double[4], new double[4], new double[4], -1,
                k.workspace(2), d), d);
    }

    // =================================================================== Cholesky route

    /**
     * π is the reference's exactly (same double sums in the same order). ΔW against the reference:
     * each route is backward stable — the computed ΔW solves (A_d + E_A) ⊗ (S_d + E_S) with
     * {@code ‖E_M‖ ≤ δ_M ‖M‖}, {@code δ_M = (4 n_M + 4) u} (Cholesky, Higham Thm 10.4, as in the
     * reference's residual test) plus {@code u} for the damped diagonal rounded to fp32 — and a
     * relative perturbation δ of M moves {@code M⁻¹} by {@code ≤ κ(M) δ / (1 - κ(M) δ)}, so
     * {@code ‖ΔW_fast - ΔW_ref‖_F ≤ 2 (κ_A δ_A + κ_S δ_S) ‖ΔW_ref‖_F} (the 2 absorbs the
     * denominators while {@code κδ ≤ 1/4}, and the reference's double error). κ from the reference's
     * eigenvalues of the damped factors. Also checks the residual (the reference test's bound with
     * fp32's u), {@code delta} aliasing {@code grad}, and the sentinels.
     */
    @Property(tries = 150)
    public void choleskyMatchesReference(@ForAll("dims") int out, @ForAll("dims") int in, @ForAll boolean bias,
            @ForAll("batches") int batch, @ForAll("lambdas") double lambda, @ForAll long seed) {
        KfacKernels k = fast();
        Data d = data(seed, out, in, bias, batch);
        int nA = d.nA(), p = out * nA;
        KfacWorkspace ws = k.workspace(Math.max(out, nA)), rws = REF.workspace(Math.max(out, nA));
        float[] a = new float[nA * nA], s = new float[out * out];
        REF.updateFactor(batch, in, bias, d.a(), 0.0, rws, a);
        REF.updateFactor(batch, out, false, d.g(), 0.0, rws, s);
        double[] want = new double[p];
        double pi = REF.precondition(out, in, bias, widen(a), widen(s), widen(d.grad()), lambda, rws, want);
        float[] got = withTail(new float[p], p);
        assertEquals(pi, k.precondition(out, in, bias, a, s, d.grad(), lambda, ws, got), "pi");
        assertEquals(pi, k.pi(nA, a, out, s));
        assertTail("fp32 delta", got, p);
        double[] gotD = withTail(new double[p], p);
        assertEquals(pi, k.precondition(out, in, bias, widen(a), widen(s), widen(d.grad()), lambda, ws, gotD));
        assertTail("double delta", gotD, p);
        float[] alias = d.grad().clone();
        k.precondition(out, in, bias, a, s, alias, lambda, ws, alias);
        assertArrayEquals(Arrays.copyOf(got, p), alias, "delta may be the grad array");
        if (p == 0) {
            return;
        }
        double sq = Math.sqrt(lambda);
        double[] ad = widen(a), sd = widen(s);
        for (int i = 0; i < nA; i++) ad[i * nA + i] += pi * sq;
        for (int i = 0; i < out; i++) sd[i * out + i] += sq / pi;
        double[] lA = new double[nA], lS = new double[out];
        DenseReference.symmetricEigen(nA, ad, lA, new double[nA * nA], new double[nA * nA]);
        DenseReference.symmetricEigen(out, sd, lS, new double[out * out], new double[out * out]);
        double kA = lA[nA - 1] / lA[0], kS = lS[out - 1] / lS[0];
        double refNorm = frob(want, p);
        double[] diff = new double[p], diffD = new double[p];
        for (int q = 0; q < p; q++) {
            diff[q] = got[q] - want[q];
            diffD[q] = gotD[q] - want[q];
        }
        double b32 = 2 * (kA * ((4 * nA + 5) * U32) + kS * ((4 * out + 5) * U32)) * refNorm;
        double b64 = 2 * (kA * ((4 * nA + 4) * U64) + kS * ((4 * out + 4) * U64)) * refNorm;
        if (kA * (4 * nA + 5) * U32 <= 0.25 && kS * (4 * out + 5) * U32 <= 0.25) {
            assertTrue(frob(diff, p) <= b32, "fp32 |diff| " + frob(diff, p) + " > " + b32 + " (kA=" + kA + ", kS=" + kS + ")");
        }
        assertTrue(frob(diffD, p) <= b64 + 1e-300, "double |diff| " + frob(diffD, p) + " > " + b64);
        assertResidual(out, nA, ad, sd, widen(d.grad()), widen(got), U32, true);
        assertResidual(out, nA, ad, sd, widen(d.grad()), gotD, U64, false);
    }

    /**
     * Past the Cholesky and solve blocks (64), the GEMM's KC (128) and NR: several blocks per factor,
     * partial last blocks of 1 and 2 rows (odd and even, the two-row triangle kernels' leftovers),
     * full four-vector column chunks; same checks and bounds as choleskyMatchesReference.
     */
    @Example
    public void choleskyAcrossBlocks() {
        choleskyMatchesReference(130, 129, true, 300, 0.01, 1);
        choleskyMatchesReference(65, 64, false, 33, 0.25, 2);
        choleskyMatchesReference(129, 63, true, 7, 1.0, 3);
        choleskyMatchesReference(1, 193, false, 200, 1e-4, 4);
    }

    /** Eigen and EKFAC preconditioning and the EKFAC scaling at sizes past the GEMM tiles, as the properties. */
    @Example
    public void eigenAndEkfacAcrossTiles() {
        eigenAndEkfacMatchReference(97, 130, true, 40, 0.01, 5);
        ekfacScalingMatchesReference(33, 129, false, 300, 0.5, 6);
        ekfacScalingMatchesReference(130, 7, true, 257, 0.0, 7);
    }

    /**
     * {@code S_d ΔW A_d = ∇W}, the bound of the reference's residual test (Higham Thm 10.4 for both
     * Cholesky solves, see KfacReferenceTest.choleskyRouteResidual) with the working precision's u:
     * {@code 2 (4 nS + 4 nA + 4) u tr(S_d) tr(A_d) ‖ΔW‖_F}; for fp32 the damped factors the solver
     * saw are the double ones rounded ({@code ≤ u32 tr} each), which adds
     * {@code 2 u32 tr(S_d) tr(A_d) ‖ΔW‖_F}, and the test's own double product is negligible.
     */
    protected void assertResidual(int out, int nA, double[] ad, double[] sd, double[] grad, double[] delta,
            double u, boolean fp32) {
        double trA = 0, trS = 0;
        for (int i = 0; i < nA; i++) trA += ad[i * nA + i];
        for (int i = 0; i < out; i++) trS += sd[i * out + i];
        double[] t = new double[out * nA], r = new double[out * nA];
        DenseReference.multiply(out, out, nA, sd, false, delta, false, t);
        DenseReference.multiply(out, nA, nA, t, false, ad, false, r);
        for (int q = 0; q < out * nA; q++) r[q] -= grad[q];
        double norm = frob(delta, out * nA);
        double bound = 2 * (4.0 * out + 4.0 * nA + 4) * u * trS * trA * norm + (fp32 ? 2 * U32 * trS * trA * norm : 0);
        assertTrue(frob(r, out * nA) <= bound + 1e-300, "residual " + frob(r, out * nA) + " > bound " + bound);
    }

    // =================================================================== failing pivots

    /**
     * A factor with a clearly negative (or NaN) pivot at a known index: {@code M = R Rᵀ/n + I} (SPD,
     * well conditioned) with {@code M[p][p]} replaced. The leading principal minors of order {@code ≤ p}
     * are M's, so every earlier pivot is {@code ≥ 1 - O(nu)} (M's smallest eigenvalue is ≥ 1) and
     * pivot p is {@code M[p][p]_new - Σ l_pk² ≤ -1}: both backends fail at p whatever their
     * rounding, with values within {@code (4n + 4) u32 ‖M‖} of each other. A NaN at (i, j), i > j in
     * the lower (read) triangle makes pivot i NaN; in the upper triangle it is not read and the call
     * succeeds. When both factors fail, A is named (the reference factors A first). The output is untouched.
     */
    @Property(tries = 80)
    public void notPositiveDefiniteFailsAtTheReferencePivot(@ForAll("pivotDims") int nA, @ForAll("pivotDims") int out,
            @ForAll("breaks") int kind, @ForAll boolean breakA, @ForAll boolean breakBoth, @ForAll boolean fp32,
            @ForAll long seed) {
        KfacKernels k = fast();
        Random r = new Random(seed);
        double[] a = spd(seed, nA, 1.0), s = spd(seed + 7, out, 1.0);
        int pa = r.nextInt(nA), ps = r.nextInt(out);
        if (breakA || breakBoth) breakFactor(a, nA, pa, kind, r);
        if (!breakA || breakBoth) breakFactor(s, out, ps, kind, r);
        double[] grad = widen(EdgeValues.uniform(seed + 3, out * nA, -1, 1));
        double lambda = kind == 3 ? 0.0 : 0.01;
        KfacWorkspace ws = k.workspace(Math.max(nA, out));
        FactorNotPositiveDefiniteException want = null;
        try {
            REF.precondition(out, nA, false, a, s, grad, lambda, REF.workspace(Math.max(nA, out)), new double[out * nA]);
        } catch (FactorNotPositiveDefiniteException e) {
            want = e;
        }
        FactorNotPositiveDefiniteException got;
        if (fp32) {
            float[] delta = BadInput.sentinel(out * nA), gf = narrow(grad);
            if (want == null) {
                k.precondition(out, nA, false, narrow(a), narrow(s), gf, lambda, ws, delta);
                return;
            }
            got = assertThrows(FactorNotPositiveDefiniteException.class,
                    () -> k.precondition(out, nA, false, narrow(a), narrow(s), gf, lambda, ws, delta));
            assertArrayEquals(BadInput.sentinel(out * nA), delta, "fp32 delta untouched");
            assertArrayEquals(narrow(grad), gf, "grad untouched");
        } else {
            double[] delta = BadInput.sentinelDouble(out * nA);
            if (want == null) {
                k.precondition(out, nA, false, a, s, grad, lambda, ws, delta);
                return;
            }
            got = assertThrows(FactorNotPositiveDefiniteException.class,
                    () -> k.precondition(out, nA, false, a, s, grad, lambda, ws, delta));
            assertArrayEquals(BadInput.sentinelDouble(out * nA), delta, "double delta untouched");
        }
        assertEquals(want.factor(), got.factor(), "factor");
        assertEquals(want.pivotIndex(), got.pivotIndex(), "pivot index");
        assertEquals(want.order(), got.order());
        assertEquals(-1, got.layer());
        if (Double.isNaN(want.pivotValue())) {
            assertTrue(Double.isNaN(got.pivotValue()), "NaN pivot");
        } else {
            int n = want.factor().equals("A") ? nA : out;
            assertEquals(want.pivotValue(), got.pivotValue(), (4 * n + 8) * U32 * (n + 2 + Math.abs(want.pivotValue())),
                    "pivot value");
        }
    }

    @Provide
    public Arbitrary<Integer> pivotDims() {
        // past the Cholesky block (64): the failing pivot may sit in a later block, the panel or the trailing update
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, Shapes.sizes(1, 40)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(63, 64, 65, 127, 129, 130)));
    }

    /** 0: negative diagonal; 1: NaN diagonal; 2: NaN below the diagonal; 3: negative, λ = 0; 4: NaN above (not read). */
    @Provide
    public Arbitrary<Integer> breaks() {
        return Arbitraries.integers().between(0, 4);
    }

    protected void breakFactor(double[] m, int n, int p, int kind, Random r) {
        switch (kind) {
            case 0, 3 -> m[p * n + p] = -1.0 - 4 * r.nextDouble();
            case 1 -> m[p * n + p] = Double.NaN;
            case 2, 4 -> {
                if (n == 1) {
                    m[0] = Double.NaN;
                } else {
                    int i = Math.max(p, 1), j = r.nextInt(i);
                    if (kind == 2) m[i * n + j] = Double.NaN; // lower: read, pivot i fails
                    else m[j * n + i] = Double.NaN;        // upper: not read
                }
            }
            default -> throw new AssertionError(kind);
        }
    }

    /**
     * Past the Cholesky blocking (64 columns; order 257): a negative pivot at 200 (fourth block), or a
     * NaN at (200, 100) below the diagonal, which enters through the panel solve of the second block
     * and the trailing updates (a NaN ON the diagonal would make tr(A), hence π and every damped
     * diagonal, NaN: pivot 0 in both backends); a second negative pivot at 230 is not reached.
     */
    @Example
    public void failingPivotInALargeFactor() {
        KfacKernels k = fast();
        int n = 257;
        for (double bad : new double[] {-2.0, Double.NaN}) {
            double[] a = spd(11, n, 1.0);
            if (Double.isNaN(bad)) a[200 * n + 100] = bad;
            else a[200 * n + 200] = bad;
            a[230 * n + 230] = -3;
            float[] delta = BadInput.sentinel(n);
            FactorNotPositiveDefiniteException e = assertThrows(FactorNotPositiveDefiniteException.class,
                    () -> k.precondition(1, n, false, narrow(a), new float[] {1}, new float[n], 0.0, k.workspace(n), delta));
            assertEquals(200, e.pivotIndex());
            assertEquals("A", e.factor());
            assertTrue(Double.isNaN(bad) ? Double.isNaN(e.pivotValue()) : e.pivotValue() < -1, "value " + e.pivotValue());
            assertArrayEquals(BadInput.sentinel(n), delta);
        }
    }

    /**
     * The reference's hand case (KfacReferenceTest.rankDeficientFactorFailsWithoutDampingAndSucceedsWithIt):
     * B = 2 < in = 3, both samples (2, 2, 0): A = [[4,4,0],[4,4,0],[0,0,0]] exactly (in fp32 too: the
     * sums are exact), pivot 1 is 4 - 2² = 0 exactly. Also with out = 0 (A is still factored).
     */
    @Example
    public void rankDeficientFactorMatchesTheReferenceExactly() {
        KfacKernels k = fast();
        KfacWorkspace ws = k.workspace(3);
        float[] a = new float[9];
        k.updateFactor(2, 3, false, new float[] {2, 2, 0, 2, 2, 0}, 0.0, ws, a);
        assertArrayEquals(new float[] {4, 4, 0, 4, 4, 0, 0, 0, 0}, a);
        float[] delta = BadInput.sentinel(3);
        for (int out : new int[] {1, 0}) {
            int o = out;
            FactorNotPositiveDefiniteException e = assertThrows(FactorNotPositiveDefiniteException.class,
                    () -> k.precondition(o, 3, false, a, new float[] {1}, new float[] {1, 2, 3}, 0.0, ws, delta));
            assertEquals("A", e.factor());
            assertEquals(1, e.pivotIndex());
            assertEquals(0.0, e.pivotValue());
            assertArrayEquals(BadInput.sentinel(3), delta);
        }
    }

    /** The reference's preconditioner scenario on the fast kernels: layer 1 fails, nothing changes. */
    @Example
    public void preconditionerKeepsItsStateOnFailure() {
        KfacKernels k = fast();
        List<Layer> layers = List.of(new Layer("fc", 2, 2, true), new Layer("pi", 3, 1, false));
        Settings noDamping = Settings.acktr().withLambda(0.0);
        KfacPreconditioner p = new KfacPreconditioner(k, layers, noDamping);
        p.observe(0, 3, new float[] {1, 0, 0, 1, 1, 1}, new float[] {1, 0, 0, 1, 1, -1});
        p.observe(1, 2, new float[] {2, 2, 0, 2, 2, 0}, new float[] {1, 1});
        float[] a0 = p.factorA(0), s0 = p.factorS(0), a1 = p.factorA(1), s1 = p.factorS(1);
        float[][] grads = {{1, 2, 3, 4, 5, 6}, {1, 2, 3}};
        float[][] updates = {BadInput.sentinel(6), BadInput.sentinel(3)};
        FactorNotPositiveDefiniteException e = assertThrows(FactorNotPositiveDefiniteException.class,
                () -> p.precondition(grads, updates));
        assertEquals(1, e.layer());
        assertEquals("pi", e.layerName());
        assertEquals("A", e.factor());
        assertEquals(1, e.pivotIndex());
        assertEquals(0.0, e.pivotValue());
        assertArrayEquals(BadInput.sentinel(6), updates[0], "layer 0 succeeded but must not be written");
        assertArrayEquals(BadInput.sentinel(3), updates[1]);
        assertArrayEquals(a0, p.factorA(0));
        assertArrayEquals(s0, p.factorS(0));
        assertArrayEquals(a1, p.factorA(1));
        assertArrayEquals(s1, p.factorS(1));
    }

    // =================================================================== eigenbases

    /**
     * {@code Q Λ Qᵀ = A}, {@code QᵀQ = I}, eigenvalues ascending and equal to the reference's.
     * simd widens to double, runs its Householder solver and rounds Q and λ once (jblas: ?syevd); the
     * bound is that of a Householder-based solver in the working precision (fp32 here covers the
     * final rounding: {@code ‖δQ‖_F ≤ u32 √n}, far below {@code 8 n² u32}, and Jacobi is at least as
     * accurate). A Householder solver is tridiagonalisation ({@code n - 2} two-sided reflections), a
     * tridiagonal eigensolver (QR or divide and conquer, both backward stable) and the back
     * transformation; applying {@code r} reflections of length {@code ≤ n} in floating point is
     * backward stable with {@code ‖ΔA‖_F ≤ r γ̃_n ‖A‖_F}, {@code γ̃_n = c n u} (Higham Lemma 19.3,
     * c a small constant), so {@code ‖QΛQᵀ - A‖_F ≤ c' n² u ‖A‖_F}; we take {@code c' = 8} (c = 2
     * for each side of the two-sided reduction and the back transformation, doubled for the
     * tridiagonal solver) plus {@code n u} for the test's own product (done in double here, so
     * negligible). Orthogonality likewise: {@code ‖QᵀQ - I‖_F ≤ 8 n² u √n}. Eigenvalues (Weyl):
     * {@code |λ_fast - λ_ref| ≤ ‖ΔA_fast‖_2 + ‖ΔA_ref‖_2 ≤ (8 n² u + 8·13 n 2^-53) ‖A‖_F} (the
     * reference's Jacobi bound from KfacReferenceTest.eigenReconstruction); fp32 and double.
     */
    @Property(tries = 100)
    public void eigenBasisReconstructsAndMatchesTheReference(@ForAll("eigenDims") int n, @ForAll boolean indefinite,
            @ForAll boolean rankDeficient, @ForAll long seed) {
        KfacKernels k = fast();
        double[] m;
        if (indefinite) {
            m = spd(seed, n, 0);
            float[] r = EdgeValues.uniform(seed + 1, n, -1, 1);
            for (int i = 0; i < n; i++) m[i * n + i] = (float) (m[i * n + i] + 2 * r[i]);
        } else if (rankDeficient) {
            Data d = data(seed, 1, n, false, Math.max(1, n / 3)); // B < in: A has rank ≤ B
            float[] f = new float[n * n];
            REF.updateFactor(d.batch(), n, false, d.a(), 0.0, REF.workspace(n), f);
            m = widen(f);
        } else {
            m = spd(seed, n, 0);
        }
        KfacWorkspace ws = k.workspace(n);
        double[] wRef = new double[n];
        REF.eigenBasis(n, m, REF.workspace(n), new double[n * n], wRef);
        double norm = frob(m, n * n);
        for (boolean fp32 : new boolean[] {true, false}) {
            double u = fp32 ? U32 : U64;
            double[] q, w;
            if (fp32) {
                float[] qf = withTail(new float[n * n], n * n), wf = withTail(new float[n], n);
                k.eigenBasis(n, narrow(m), ws, qf, wf);
                assertTail("q", qf, n * n);
                assertTail("eigenvalues", wf, n);
                q = widen(Arrays.copyOf(qf, n * n));
                w = widen(Arrays.copyOf(wf, n));
            } else {
                double[] qd = withTail(new double[n * n], n * n), wd = withTail(new double[n], n);
                k.eigenBasis(n, m, ws, qd, wd);
                assertTail("q", qd, n * n);
                assertTail("eigenvalues", wd, n);
                q = Arrays.copyOf(qd, n * n);
                w = Arrays.copyOf(wd, n);
            }
            checkEigen(n, m, q, w, u, norm);
            double bound = (8.0 * n * n * u + 8 * 13 * n * U64) * norm + 1e-300;
            for (int i = 0; i < n; i++) {
                assertTrue(Math.abs(w[i] - wRef[i]) <= bound, (fp32 ? "fp32" : "double") + " eigenvalue " + i + ": "
                        + w[i] + " vs " + wRef[i] + ", bound " + bound);
            }
        }
    }

    protected void checkEigen(int n, double[] m, double[] q, double[] w, double u, double norm) {
        double rec = 0, orth = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0) assertTrue(w[i - 1] <= w[i], "ascending");
            for (int j = 0; j < n; j++) {
                double qlq = 0, qtq = 0;
                for (int c = 0; c < n; c++) {
                    qlq += q[i * n + c] * w[c] * q[j * n + c];
                    qtq += q[c * n + i] * q[c * n + j];
                }
                rec += (qlq - m[i * n + j]) * (qlq - m[i * n + j]);
                orth += (qtq - (i == j ? 1 : 0)) * (qtq - (i == j ? 1 : 0));
            }
        }
        double c = 8.0 * n * n * u;
        assertTrue(Math.sqrt(rec) <= c * norm + 1e-300, "reconstruction " + Math.sqrt(rec) + " > " + c * norm);
        assertTrue(Math.sqrt(orth) <= c * Math.sqrt(n) + 1e-300, "orthogonality " + Math.sqrt(orth));
    }

    /** Order 257 (the divide-and-conquer path, past the blocking): reconstruction within the same bound. */
    @Example
    public void largeEigenBasis() {
        KfacKernels k = fast();
        int n = 257;
        double[] m = spd(5, n, 0);
        float[] q = new float[n * n], w = new float[n];
        k.eigenBasis(n, narrow(m), k.workspace(n), q, w);
        checkEigen(n, m, widen(q), widen(w), U32, frob(m, n * n));
    }

    /** Non-finite input (in the lower triangle, the one read) gives NaN everywhere, as the reference. */
    @Example
    public void nonFiniteEigenInputIsNaN() {
        KfacKernels k = fast();
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] q = new float[9], w = new float[3];
            k.eigenBasis(3, new float[] {1, 0, 0, bad, 1, 0, 0, 0, 1}, k.workspace(3), q, w);
            for (float v : q) assertTrue(Float.isNaN(v));
            for (float v : w) assertTrue(Float.isNaN(v));
            double[] qd = new double[9], wd = new double[3];
            k.eigenBasis(3, new double[] {1, 0, 0, 0, bad, 0, 0, 0, 1}, k.workspace(3), qd, wd);
            for (double v : qd) assertTrue(Double.isNaN(v));
            for (double v : wd) assertTrue(Double.isNaN(v));
        }
        // 1×1: Q = [1], λ = the entry.
        float[] q = new float[1], w = new float[1];
        k.eigenBasis(1, new float[] {-2.5f}, k.workspace(1), q, w);
        assertArrayEquals(new float[] {1}, q);
        assertArrayEquals(new float[] {-2.5f}, w);
    }

    // =================================================================== eigen and EKFAC preconditioning

    /**
     * Given the same (fp32) bases, eigenvalues/scaling and gradient, the eigen and EKFAC updates
     * against the reference, element by element. Running error bound (Higham §3.5) through the
     * four products and the division: with {@code |·|} taken elementwise,
     * {@code T1 = Q_Sᵀ G} errs by {@code ≤ γ_out |Q_S|ᵀ|G|}, {@code T2 = T1 Q_A} by
     * {@code ≤ γ_nA |T1||Q_A|} plus T1's error carried through {@code |Q_A|}, the division adds
     * {@code u} relative, and so on: the final error is {@code ≤ γ_{2 out + 2 nA + 2} C} with the
     * chain {@code C = |Q_S| ((|Q_S|ᵀ|G||Q_A|) ⊘ |D|) |Q_A|ᵀ}; scale = C, atolPerScale =
     * {@code (2 out + 2 nA + 4) u} (the +2 for the rounded output and the denominator's rounding),
     * rtol the SPEC default. Also: {@code delta} may alias {@code grad}, sentinels untouched.
     */
    @Property(tries = 150)
    public void eigenAndEkfacMatchReference(@ForAll("dims") int out, @ForAll("dims") int in, @ForAll boolean bias,
            @ForAll("batches") int batch, @ForAll("lambdas") double lambda, @ForAll long seed) {
        KfacKernels k = fast();
        Data d = data(seed, out, in, bias, batch);
        int nA = d.nA(), p = out * nA;
        KfacWorkspace rws = REF.workspace(Math.max(out, nA)), ws = k.workspace(Math.max(out, nA));
        float[] fa = new float[nA * nA], fs = new float[out * out];
        REF.updateFactor(batch, in, bias, d.a(), 0.0, rws, fa);
        REF.updateFactor(batch, out, false, d.g(), 0.0, rws, fs);
        float[] qA = new float[nA * nA], lA = new float[nA], qS = new float[out * out], lS = new float[out];
        REF.eigenBasis(nA, fa, rws, qA, lA);
        REF.eigenBasis(out, fs, rws, qS, lS);
        float[] sc = EdgeValues.uniform(seed + 4, p, 0, 1);
        double[] dEig = new double[p], dEk = new double[p];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < nA; j++) {
                dEig[i * nA + j] = (double) lS[i] * lA[j] + lambda;
                dEk[i * nA + j] = sc[i * nA + j] + lambda;
            }
        }
        for (int variant = 0; variant < 2; variant++) {
            double[] den = variant == 0 ? dEig : dEk;
            double[] chain = chain(out, nA, widen(qA), widen(qS), widen(d.grad()), den);
            float[] want = new float[p];
            double[] wantD = new double[p];
            float[] got = withTail(new float[p], p), alias = d.grad().clone();
            double[] gotD = withTail(new double[p], p);
            if (variant == 0) {
                REF.preconditionEigen(out, in, bias, qA, lA, qS, lS, d.grad(), lambda, rws, want);
                REF.preconditionEigen(out, in, bias, widen(qA), widen(lA), widen(qS), widen(lS), widen(d.grad()), lambda,
                        rws, wantD);
                k.preconditionEigen(out, in, bias, qA, lA, qS, lS, d.grad(), lambda, ws, got);
                k.preconditionEigen(out, in, bias, qA, lA, qS, lS, alias, lambda, ws, alias);
                k.preconditionEigen(out, in, bias, widen(qA), widen(lA), widen(qS), widen(lS), widen(d.grad()), lambda,
                        ws, gotD);
            } else {
                REF.preconditionEkfac(out, in, bias, qA, qS, sc, d.grad(), lambda, rws, want);
                REF.preconditionEkfac(out, in, bias, widen(qA), widen(qS), widen(sc), widen(d.grad()), lambda, rws, wantD);
                k.preconditionEkfac(out, in, bias, qA, qS, sc, d.grad(), lambda, ws, got);
                k.preconditionEkfac(out, in, bias, qA, qS, sc, alias, lambda, ws, alias);
                k.preconditionEkfac(out, in, bias, widen(qA), widen(qS), widen(sc), widen(d.grad()), lambda, ws, gotD);
            }
            String v = variant == 0 ? "eigen" : "ekfac";
            Tolerance.of(Tolerance.SPEC_RTOL, (2.0 * out + 2 * nA + 4) * U32).assertClose("fp32 " + v, want, got, p, chain);
            Tolerance.of(4 * U64, (2.0 * out + 2 * nA + 4) * U64).assertClose("double " + v, wantD, gotD, p, chain);
            assertArrayEquals(Arrays.copyOf(got, p), alias, v + ": delta may be the grad array");
            assertTail(v, got, p);
            assertTail(v, gotD, p);
        }
    }

    /** {@code |Q_S| ((|Q_S|ᵀ|G||Q_A|) ⊘ |D|) |Q_A|ᵀ}, the magnitude chain of the rotate-divide-rotate. */
    protected double[] chain(int out, int nA, double[] qA, double[] qS, double[] g, double[] den) {
        int p = out * nA;
        double[] aqA = abs(qA), aqS = abs(qS), t1 = new double[p], t2 = new double[p];
        DenseReference.multiply(out, out, nA, aqS, true, abs(g), false, t1);
        DenseReference.multiply(out, nA, nA, t1, false, aqA, false, t2);
        for (int q = 0; q < p; q++) t2[q] /= Math.abs(den[q]);
        DenseReference.multiply(out, out, nA, aqS, false, t2, false, t1);
        DenseReference.multiply(out, nA, nA, t1, false, aqA, true, t2);
        return t2;
    }

    protected double[] abs(double[] x) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) r[i] = Math.abs(x[i]);
        return r;
    }

    /**
     * The EKFAC scaling against the reference, with batches that cross the chunk of
     * {@code max(maxDim, 256)} samples. Bound: {@code u_b = Q_Sᵀ g_b} errs by
     * {@code ≤ γ_out ũ_b} with {@code ũ_b = |Q_S|ᵀ|g_b|} (≥ |u_b|), so
     * {@code |fl(u²) - u²| ≤ (2|u| + |δu|)|δu| + u·u² ≤ (2γ_out + γ_out² + u) ũ²}; likewise v with
     * {@code ṽ_b = |Q_A|ᵀ|ã_b|} and γ_nA. The product and the sum over B samples add {@code γ_{B+1}}
     * and the running average ε s + ... two roundings: element error
     * {@code ≤ (3 out + 3 nA + B + 5) u · scale}, scale =
     * {@code (1-ε)/B Σ_b ũ_bi² ṽ_bj² + ε|s_ij|}, plus underflow terms (B·MIN_VALUE, added to the scale
     * as in the factor test); rtol the SPEC default.
     */
    @Property(tries = 100)
    public void ekfacScalingMatchesReference(@ForAll("dims") int out, @ForAll("dims") int in, @ForAll boolean bias,
            @ForAll("longBatches") int batch, @ForAll("epsilons") double eps, @ForAll long seed) {
        KfacKernels k = fast();
        Data d = data(seed, out, in, bias, batch);
        int nA = d.nA(), p = out * nA;
        KfacWorkspace rws = REF.workspace(Math.max(out, nA)), ws = k.workspace(Math.max(out, nA));
        float[] qA = narrow(orthogonal(seed + 5, nA)), qS = narrow(orthogonal(seed + 6, out));
        float[] old = EdgeValues.uniform(seed + 7, p, 0, 1);
        if (eps == 0.0) Arrays.fill(old, Float.NaN);
        double[] scale = new double[p];
        for (int b = 0; b < batch; b++) {
            double[] ut = new double[out], vt = new double[nA];
            for (int i = 0; i < out; i++) {
                for (int c = 0; c < out; c++) ut[i] += Math.abs(qS[c * out + i] * d.g()[b * out + c]);
            }
            for (int j = 0; j < nA; j++) {
                for (int c = 0; c < nA; c++) vt[j] += Math.abs(qA[c * nA + j] * (c < in ? d.a()[b * in + c] : 1));
            }
            for (int i = 0; i < out; i++) {
                for (int j = 0; j < nA; j++) scale[i * nA + j] += (1 - eps) / batch * ut[i] * ut[i] * vt[j] * vt[j];
            }
        }
        for (int q = 0; q < p; q++) scale[q] += eps == 0 ? 0 : eps * Math.abs(old[q]);
        float[] want = old.clone(), got = withTail(old, p);
        REF.updateEkfacScaling(batch, out, in, bias, d.a(), d.g(), qA, qS, eps, rws, want);
        k.updateEkfacScaling(batch, out, in, bias, d.a(), d.g(), qA, qS, eps, ws, got);
        double atol = (3.0 * out + 3 * nA + batch + 5) * U32;
        double[] s32 = scale.clone();
        for (int q = 0; q < p; q++) s32[q] += batch * (double) Float.MIN_VALUE / atol;
        Tolerance.of(Tolerance.SPEC_RTOL, atol).assertClose("fp32 scaling", want, got, p, s32);
        assertTail("fp32 scaling", got, p);
        double[] wantD = widen(old), gotD = withTail(widen(old), p);
        REF.updateEkfacScaling(batch, out, in, bias, widen(d.a()), widen(d.g()), widen(qA), widen(qS), eps, rws, wantD);
        k.updateEkfacScaling(batch, out, in, bias, widen(d.a()), widen(d.g()), widen(qA), widen(qS), eps, ws, gotD);
        Tolerance.of(4 * U64, (3.0 * out + 3 * nA + batch + 5) * U64).assertClose("double scaling", wantD, gotD, p, scale);
        assertTail("double scaling", gotD, p);
    }

    /** A Householder reflection {@code I - 2vvᵀ/vᵀv}: orthogonal, dense, symmetric. */
    protected double[] orthogonal(long seed, int n) {
        float[] v = EdgeValues.uniform(seed, n, -1, 1);
        double vv = 0;
        for (float x : v) vv += (double) x * x;
        double[] q = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) q[i * n + j] = (i == j ? 1 : 0) - (vv == 0 ? 0 : 2.0 * v[i] * v[j] / vv);
        }
        return q;
    }

    // =================================================================== routes agree

    /**
     * On the fast kernels: Cholesky with π-damping equals the eigen variant given the eigenpairs
     * of {@code A_d}, {@code S_d} (computed by the backend) and λ = 0 — both are
     * {@code (A_d ⊗ S_d)⁻¹ vec ∇W}. Bound as in the reference test (KfacReferenceTest
     * .choleskyEqualsEigenWithTheDampedFactors): {@code 2 (κ_A δ_A + κ_S δ_S) ‖ΔW‖_F} with the
     * backward errors {@code δ = (4n + 4) u} (Cholesky) {@code + 8 n² u} (the eigensolver, see
     * eigenBasisReconstructsAndMatchesTheReference) {@code + (2 out + 2 nA + 4) u} (the products).
     * In double (fp32 would need κ·δ small, which these damped factors do not always give).
     */
    @Property(tries = 100)
    public void choleskyAndEigenRoutesAgree(@ForAll("dims") int out, @ForAll("dims") int in, @ForAll boolean bias,
            @ForAll("batches") int batch, @ForAll("lambdas") double lambda, @ForAll long seed) {
        KfacKernels k = fast();
        Data d = data(seed, out, in, bias, batch);
        int nA = d.nA(), p = out * nA;
        KfacWorkspace ws = k.workspace(Math.max(out, nA));
        double[] a = new double[nA * nA], s = new double[out * out];
        k.updateFactor(batch, in, bias, widen(d.a()), 0.0, ws, a);
        k.updateFactor(batch, out, false, widen(d.g()), 0.0, ws, s);
        double[] chol = new double[p];
        double pi = k.precondition(out, in, bias, a, s, widen(d.grad()), lambda, ws, chol);
        if (p == 0) {
            return;
        }
        double[] ad = a.clone(), sd = s.clone();
        for (int i = 0; i < nA; i++) ad[i * nA + i] += pi * Math.sqrt(lambda);
        for (int i = 0; i < out; i++) sd[i * out + i] += Math.sqrt(lambda) / pi;
        double[] qA = new double[nA * nA], lA = new double[nA], qS = new double[out * out], lS = new double[out];
        k.eigenBasis(nA, ad, ws, qA, lA);
        k.eigenBasis(out, sd, ws, qS, lS);
        double[] eig = new double[p];
        k.preconditionEigen(out, in, bias, qA, lA, qS, lS, widen(d.grad()), 0.0, ws, eig);
        double kA = lA[nA - 1] / lA[0], kS = lS[out - 1] / lS[0];
        double extra = (2.0 * out + 2 * nA + 4) * U64;
        double dA = (4.0 * nA + 4 + 8.0 * nA * nA) * U64 + extra, dS = (4.0 * out + 4 + 8.0 * out * out) * U64 + extra;
        double[] diff = new double[p];
        for (int q = 0; q < p; q++) diff[q] = chol[q] - eig[q];
        double bound = 2 * (kA * dA + kS * dS) * frob(chol, p);
        assertTrue(frob(diff, p) <= bound + 1e-300, "diff " + frob(diff, p) + " > " + bound + " (kA=" + kA + ", kS=" + kS + ")");
    }
}
