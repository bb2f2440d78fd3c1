package dev.pgkernels.fisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.Backends;
import dev.pgkernels.testsupport.BadInput;
import dev.pgkernels.testsupport.EdgeValues;
import dev.pgkernels.testsupport.Shapes;
import dev.pgkernels.testsupport.Tolerance;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Shared checks of a fast {@link FisherKernels} against {@code reference} (used by
 * {@code FisherSimdTest} and {@code FisherJblasTest}).
 *
 * <p><b>Tolerance, derived (norm-wise).</b> The product is {@code (1/n) Σ_i c_i + λ v} with the
 * per-row contributions {@code c_i = J_iᵀ M_i J_i v}. The reference computes every {@code c_i} and
 * the sum in double; a fast fp32 backend computes each {@code c_i} through at most three forward
 * dot products (lengths D, H1, H2, each with value and tangent), a softmax and {@code M_i} (sums of
 * length A, exp within a few ulps), tanh (within a few ulps) and three backward dot products (lengths A,
 * H2, H1), each term carrying a relative error of at most {@code γ_K} with
 * {@code K = 4(D + H1 + H2 + A) + 16} (two roundings per chain element, a few per transcendental);
 * then sums n contributions ({@code γ_n}) and adds {@code λ v} (one rounding). Cancellation inside
 * {@code c_i} (e.g. {@code u - <pi, u>}) means an element's error is bounded by the magnitude of the
 * row's terms, not by {@code |c_ij|}; we bound that magnitude norm-wise by {@code ‖c_i‖_∞}. So with
 * {@code S_j = (1/n) Σ_i |c_ij| + λ|v_j|} (the terms of the final sum, computed by the reference one
 * row at a time): {@code |fast_j - ref_j| <= γ_{K+n} (S_j + max_j S_j) + 2u |ref_j|}. The same form
 * with {@code u = 2⁻⁵³} for the double overloads. Inputs are bounded (θ in ±0.5, X and v in ±1 with
 * edge values), so nothing overflows; NaN input is not drawn (it propagates, documented).
 */
public final class FisherChecks {
    private FisherChecks() {}

    private static final FisherKernels REF = Backends.reference().fisher().orElseThrow();

    /** One product: policy kind, sizes, stride, damping, seed. */
    public record Case(int kind, int b, int d, int h1, int h2, int a, int stride, double damping, long seed) {
        FisherShape shape() {
            return switch (kind) {
                case 0 -> new LinearSoftmaxShape(b, d, a);
                case 1 -> new MlpSoftmaxShape(b, d, h1, h2, a);
                case 2 -> new GaussianShape(b, d, a);
                default -> new EmpiricalShape(b, d);
            };
        }

        @Override
        public String toString() {
            return shape() + " stride=" + stride + " λ=" + damping + " seed=" + seed;
        }
    }

    public static Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Shapes.sizes(70), Shapes.sizes(70),
                Shapes.sizes(40), Shapes.sizes(40), Shapes.sizes(1, 40), Arbitraries.of(1, 1, 2, 5),
                Combinators.combine(Arbitraries.of(0.0, 0.1, 1e-3), Arbitraries.longs()).as((l, s) -> new double[] {l, s}))
                .as((k, b, d, h1, h2, a, st, ls) -> new Case(k, b, d, h1, h2, a, st, ls[0], (long) ls[1]));
    }

    static float[] theta(Case c, int p) {
        float[] t = EdgeValues.uniform(c.seed(), p, -0.5f, 0.5f);
        return t;
    }

    private static void apply(FisherKernels k, FisherShape s, float[] th, float[] x, float[] v, double lambda,
            int stride, float[] out, FisherWorkspace ws) {
        switch (s) {
            case LinearSoftmaxShape ls -> k.linearSoftmaxFvp(ls, th, x, v, lambda, stride, out, ws);
            case MlpSoftmaxShape ms -> k.mlpSoftmaxFvp(ms, th, x, v, lambda, stride, out, ws);
            case GaussianShape gs -> k.gaussianFvp(gs, th, x, v, lambda, stride, out, ws);
            case EmpiricalShape es -> k.empiricalFvp(es, x, v, lambda, stride, out, ws);
        }
    }

    private static void apply(FisherKernels k, FisherShape s, double[] th, double[] x, double[] v, double lambda,
            int stride, double[] out, FisherWorkspace ws) {
        switch (s) {
            case LinearSoftmaxShape ls -> k.linearSoftmaxFvp(ls, th, x, v, lambda, stride, out, ws);
            case MlpSoftmaxShape ms -> k.mlpSoftmaxFvp(ms, th, x, v, lambda, stride, out, ws);
            case GaussianShape gs -> k.gaussianFvp(gs, th, x, v, lambda, stride, out, ws);
            case EmpiricalShape es -> k.empiricalFvp(es, x, v, lambda, stride, out, ws);
        }
    }

    /** Width of a row of X (or of G for the empirical Fisher). */
    private static int rowWidth(FisherShape s) {
        return switch (s) {
            case LinearSoftmaxShape ls -> ls.features();
            case MlpSoftmaxShape ms -> ms.features();
            case GaussianShape gs -> gs.features();
            case EmpiricalShape es -> es.params();
        };
    }

    private static int depth(FisherShape s) {
        return switch (s) {
            case LinearSoftmaxShape ls -> ls.features() + ls.actions();
            case MlpSoftmaxShape ms -> ms.features() + ms.hidden1() + ms.hidden2() + ms.actions();
            case GaussianShape gs -> gs.features() + gs.actions();
            case EmpiricalShape es -> es.params();
        };
    }

    private static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** The product in fp32 and in double against the reference, sentinels past P, a reused workspace. */
    public static void matchesReference(FisherKernels fast, Case c) {
        FisherShape s = c.shape();
        int p = s.paramCount(), w = rowWidth(s), bN = s.batch();
        float[] th = theta(c, p);
        float[] x = EdgeValues.array(c.seed() + 1, bN * w, 1f, 0.02, false);
        float[] v = EdgeValues.array(c.seed() + 2, p, 1f, 0.02, false);
        float[] ref = new float[p];
        apply(REF, s, th, x, v, c.damping(), c.stride(), ref, REF.workspace(s));
        FisherWorkspace ws = fast.workspace(s.withBatch(bN + 3)); // a workspace for a larger batch fits
        float[] out = BadInput.sentinel(p + 3);
        apply(fast, s, th, x, v, c.damping(), c.stride(), out, ws);
        apply(fast, s, th, x, v, c.damping(), c.stride(), out, ws); // reuse: no state carried between calls
        double[] scale = rowTermScale(s, th, x, v, c.damping(), c.stride());
        int n = FisherShape.rowsUsed(bN, c.stride());
        double u = 0x1p-24, g = gamma(4 * depth(s) + 16 + n, u);
        Tolerance.of(2 * u, g).assertClose("fvp " + c, ref, out, p, scale);
        for (int i = p; i < p + 3; i++) assertEquals(BadInput.SENTINEL, out[i], "written past P at " + i);
        // double on the same values
        double[] thd = widen(th), xd = widen(x), vd = widen(v), refd = new double[p];
        double[] outd = BadInput.sentinelDouble(p + 2);
        apply(REF, s, thd, xd, vd, c.damping(), c.stride(), refd, REF.workspace(s));
        apply(fast, s, thd, xd, vd, c.damping(), c.stride(), outd, ws);
        double ud = 0x1p-53;
        Tolerance.of(2 * ud, gamma(4 * depth(s) + 16 + n, ud)).assertClose("fvp double " + c, refd, outd, p, scale);
        assertEquals(BadInput.SENTINEL, outd[p], "written past P");
    }

    private static double gamma(int k, double u) {
        return k * u / (1 - k * u);
    }

    /** S_j + max S of the class comment, from the reference applied one used row at a time. */
    static double[] rowTermScale(FisherShape s, float[] th, float[] x, float[] v, double lambda, int stride) {
        int p = s.paramCount(), w = rowWidth(s), bN = s.batch(), n = FisherShape.rowsUsed(bN, stride);
        double[] sum = new double[p];
        FisherShape one = s.withBatch(1);
        FisherWorkspace ws = REF.workspace(one);
        float[] c = new float[p];
        for (int i = 0; i < bN; i += stride) {
            float[] xi = Arrays.copyOfRange(x, i * w, i * w + w);
            apply(REF, one, th, xi, v, 0.0, 1, c, ws);
            for (int j = 0; j < p; j++) sum[j] += Math.abs(c[j]);
        }
        double max = 0;
        for (int j = 0; j < p; j++) {
            sum[j] = (n == 0 ? 0 : sum[j] / n) + lambda * Math.abs(v[j]);
            max = Math.max(max, sum[j]);
        }
        for (int j = 0; j < p; j++) sum[j] += max;
        return sum;
    }

    /** uᵀ(Fv) = vᵀ(Fu) and vᵀ(F + λI)v >= 0, within the same bound applied to the dot products. */
    public static void symmetricAndPsd(FisherKernels fast, Case c) {
        FisherShape s = c.shape();
        int p = s.paramCount(), w = rowWidth(s), bN = s.batch();
        float[] th = theta(c, p);
        float[] x = EdgeValues.uniform(c.seed() + 1, bN * w, -1f, 1f);
        float[] v = EdgeValues.uniform(c.seed() + 2, p, -1f, 1f), uu = EdgeValues.uniform(c.seed() + 3, p, -1f, 1f);
        FisherWorkspace ws = fast.workspace(s);
        float[] fv = new float[p], fu = new float[p];
        apply(fast, s, th, x, v, c.damping(), c.stride(), fv, ws);
        apply(fast, s, th, x, uu, c.damping(), c.stride(), fu, ws);
        double ufv = 0, vfu = 0, vfv = 0, mag = 0;
        double[] sv = rowTermScale(s, th, x, v, c.damping(), c.stride());
        double[] su = rowTermScale(s, th, x, uu, c.damping(), c.stride());
        for (int j = 0; j < p; j++) {
            ufv += (double) uu[j] * fv[j];
            vfu += (double) v[j] * fu[j];
            vfv += (double) v[j] * fv[j];
            mag += Math.abs(uu[j]) * sv[j] + Math.abs(v[j]) * su[j] + Math.abs(v[j]) * sv[j];
        }
        int n = FisherShape.rowsUsed(bN, c.stride());
        double bound = gamma(4 * depth(s) + 16 + n, 0x1p-24) * mag + 1e-30;
        assertTrue(Math.abs(ufv - vfu) <= bound, "uᵀFv = " + ufv + " vs vᵀFu = " + vfu + " bound " + bound + " " + c);
        assertTrue(vfv >= -bound, "vᵀ(F+λI)v = " + vfv + " < 0 beyond the bound " + bound + " " + c);
    }

    /** The shared validator rejects a workspace of another backend and a short output, writing nothing. */
    public static void rejectsBadInput(FisherKernels fast) {
        LinearSoftmaxShape s = new LinearSoftmaxShape(3, 4, 2);
        int p = s.paramCount();
        float[] th = new float[p], x = new float[12], v = new float[p], out = BadInput.sentinel(p);
        BadInput.assertRejected("ws", () -> fast.linearSoftmaxFvp(s, th, x, v, 0.1, 1, out, REF.workspace(s)), out);
        BadInput.assertRejected("damping", () -> fast.linearSoftmaxFvp(s, th, x, v, -1, 1, out, fast.workspace(s)), out);
        BadInput.assertRejected("out", () -> fast.linearSoftmaxFvp(s, th, x, v, 0.1, 1, new float[p - 1], fast.workspace(s)));
        BadInput.assertRejected("ws", () -> fast.linearSoftmaxFvp(s.withBatch(4), th, new float[16], v, 0.1, 1, out,
                fast.workspace(s)), out);
    }
}
