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
 * H2, H1). To first order, each computed quantity carries an error of at most {@code γ_K} times the
 * magnitude of the terms it is made of, {@code K = 4(D + H1 + H2 + A) + 16} (two roundings per chain
 * element, a few per transcendental), and the sum over n rows adds {@code γ_n}. Cancellation inside
 * {@code c_i} (e.g. {@code u - <pi, u>}) means that magnitude is not {@code |c_ij|}: the test
 * recomputes each row's contribution in double with every term replaced by its absolute value
 * ({@code c̄_i}: {@code ū = |V||x| + |c|} through the layers with {@code |W|} and {@code 1 + h²} in
 * place of {@code 1 - h²}, {@code w̄ = pi ⊙ (ū + <pi, ū>)}, then the backward pass with {@code |W|},
 * {@code |h|}, {@code |x|}). {@code 1 + h²} are the terms of {@code 1 - h²}: formed from a computed
 * {@code h} with relative error δ, {@code 1 - h²} is off by {@code 2h²δ}, which the exact {@code 1 - h²}
 * as the magnitude did not cover (jqwik found it: an MLP with no features, h ≈ 0.9, 150u against the
 * old 141u bound in double).
 *
 * <p><b>The forward state's own error</b> (jqwik found it: MLPs of width 1–3, 1.1–1.7× the bound
 * without it). The fast backend computes the forward state in its precision, so a pre-activation
 * carries an absolute error up to {@code γ·Z} with {@code Z = Σ|W| hm + |b|} (layer 1: {@code hm = |x|};
 * after it {@code hm = |h| + Z} of the layer below, because {@code |δh| <= (1 - h²)|δz| + u|h| <= γ(|h| + Z)}).
 * Every later quantity is linear in v given that state, so to first order the state's error enters
 * through three factors: {@code h} (its magnitude is taken as {@code hm}); {@code 1 - h²}, whose
 * relative error is {@code 2|h||δz| <= 2γZ} (its magnitude becomes {@code (1 + h²)(1 + 2Z)}); and
 * {@code pi}, whose relative error {@code δq_j - <pi, δq>} is at most {@code 2γ Zq} ({@code Zq} the
 * largest logit magnitude), which moves {@code pi ⊙ u - pi <pi, u>} by at most {@code 4γ Zq w̄}
 * ({@code w̄} becomes {@code (1 + 4Zq) w̄}). The linear policy has only the {@code pi} term.
 *
 * <p><b>Underflow</b> (jqwik found it: a Gaussian case, reference −0.0 and jblas −2⁻¹⁴⁹). With gradual
 * underflow a product or quotient is {@code (x∘y)(1 + δ) + η} with {@code |η| <= 2⁻¹⁵⁰} in fp32
 * (in double taken as {@code 2⁻¹⁰⁷⁴}, the smallest subnormal; sums of subnormals are exact), and the relative bound above does not
 * cover η. Each of the at most {@code K + n} operations of an output element's chain adds one η,
 * reaching the output through at most {@code (depth+1)⁴} paths (at most four layers of widths up to
 * {@code depth}), each scaled by factors bounded by 1 ({@code |x|, |v| <= 1}, {@code |θ| <= 0.5},
 * {@code pi}, {@code |h|}, {@code 1 - h²}, {@code 1/n}) except {@code exp(-2θ) <= e} (at most twice):
 * {@code U = (K + n)·e²·(depth+1)⁴·η}. This is below {@code 10⁻³²} at the largest drawn shapes, so it
 * matters only where every term of an output is subnormal. So with {@code S_j = (1/n) Σ_i c̄_ij + λ|v_j|}
 * (the magnitudes widened as above): {@code |fast_j - ref_j| <= γ_{K+n} S_j + U + 2u |ref_j|}. The same
 * form with {@code u = 2⁻⁵³} for the double overloads. Inputs are bounded (θ in ±0.5, X and v in ±1 with
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
        Tolerance.of(2 * u, g).assertClose("fvp " + c, ref, out, p, withUnderflow(scale, s, n, 0x1p-150, g));
        for (int i = p; i < p + 3; i++) assertEquals(BadInput.SENTINEL, out[i], "written past P at " + i);
        // double on the same values
        double[] thd = widen(th), xd = widen(x), vd = widen(v), refd = new double[p];
        double[] outd = BadInput.sentinelDouble(p + 2);
        apply(REF, s, thd, xd, vd, c.damping(), c.stride(), refd, REF.workspace(s));
        apply(fast, s, thd, xd, vd, c.damping(), c.stride(), outd, ws);
        double ud = 0x1p-53;
        double gd = gamma(4 * depth(s) + 16 + n, ud);
        Tolerance.of(2 * ud, gd).assertClose("fvp double " + c, refd, outd, p, withUnderflow(scale, s, n, Double.MIN_VALUE, gd));
        assertEquals(BadInput.SENTINEL, outd[p], "written past P");
    }

    /**
     * {@code S_j + U/g}: the scale with the class comment's underflow term {@code U = (K + n)·e²·(depth+1)⁴·η}
     * ({@code η} half the smallest subnormal of the precision) expressed in units of the bound's factor {@code g}.
     */
    private static double[] withUnderflow(double[] scale, FisherShape s, int n, double eta, double g) {
        double paths = Math.pow(depth(s) + 1, 4), under = (4 * depth(s) + 16 + n) * Math.E * Math.E * paths * eta;
        double[] out = new double[scale.length];
        for (int j = 0; j < scale.length; j++) out[j] = scale[j] + under / g;
        return out;
    }

    private static double gamma(int k, double u) {
        return k * u / (1 - k * u);
    }

    /**
     * The scale of the class comment: {@code S_j = (1/n) Σ_i c̄_ij + λ|v_j|}, with {@code c̄_i} the
     * product of row i recomputed in double with every term replaced by its absolute value (the exact
     * {@code h = tanh z} and {@code pi} kept).
     */
    static double[] rowTermScale(FisherShape s, float[] th, float[] x, float[] v, double lambda, int stride) {
        int p = s.paramCount(), w = rowWidth(s), bN = s.batch(), n = FisherShape.rowsUsed(bN, stride);
        double[] sum = new double[p];
        for (int i = 0; i < bN; i += stride) {
            absRow(s, th, x, i * w, v, sum);
        }
        for (int j = 0; j < p; j++) {
            sum[j] = (n == 0 ? 0 : sum[j] / n) + lambda * Math.abs(v[j]);
        }
        return sum;
    }

    /** Adds c̄_i (absolute terms of row i's contribution) to acc. */
    private static void absRow(FisherShape s, float[] th, float[] x, int xo, float[] v, double[] acc) {
        switch (s) {
            case LinearSoftmaxShape ls -> {
                int d = ls.features(), a = ls.actions();
                double[] q = new double[a], ub = new double[a];
                double zq = 0;
                for (int j = 0; j < a; j++) {
                    q[j] = th[a * d + j];
                    ub[j] = Math.abs(v[a * d + j]);
                    double zj = Math.abs(th[a * d + j]);
                    for (int k = 0; k < d; k++) {
                        q[j] += (double) th[j * d + k] * x[xo + k];
                        ub[j] += Math.abs((double) v[j * d + k] * x[xo + k]);
                        zj += Math.abs((double) th[j * d + k] * x[xo + k]);
                    }
                    zq = Math.max(zq, zj);
                }
                double[] wb = absM(q, ub);
                for (int j = 0; j < a; j++) wb[j] *= 1 + 4 * zq; // π from logits off by γ·zq (class comment)
                for (int j = 0; j < a; j++) {
                    for (int k = 0; k < d; k++) acc[j * d + k] += wb[j] * Math.abs(x[xo + k]);
                    acc[a * d + j] += wb[j];
                }
            }
            case MlpSoftmaxShape ms -> {
                int d = ms.features(), h1n = ms.hidden1(), h2n = ms.hidden2(), a = ms.actions();
                int oW1 = ms.offW1(), oB1 = ms.offB1(), oW2 = ms.offW2(), oB2 = ms.offB2(), oW3 = ms.offW3(), oB3 = ms.offB3();
                // hm = |h| + Z and the derivative factor (1 + h²)(1 + 2Z): the forward state's own error (class comment)
                double[] h1 = new double[h1n], dh1 = new double[h1n], h2 = new double[h2n], dh2 = new double[h2n];
                double[] h1m = new double[h1n], f1 = new double[h1n], h2m = new double[h2n], f2 = new double[h2n];
                for (int r = 0; r < h1n; r++) {
                    double z = th[oB1 + r], dz = Math.abs(v[oB1 + r]), zb = Math.abs(th[oB1 + r]);
                    for (int k = 0; k < d; k++) {
                        z += (double) th[oW1 + r * d + k] * x[xo + k];
                        dz += Math.abs((double) v[oW1 + r * d + k] * x[xo + k]);
                        zb += Math.abs((double) th[oW1 + r * d + k] * x[xo + k]);
                    }
                    h1[r] = Math.tanh(z);
                    h1m[r] = Math.abs(h1[r]) + zb;
                    f1[r] = (1 + h1[r] * h1[r]) * (1 + 2 * zb);
                    dh1[r] = f1[r] * dz;
                }
                for (int r = 0; r < h2n; r++) {
                    double z = th[oB2 + r], dz = Math.abs(v[oB2 + r]), zb = Math.abs(th[oB2 + r]);
                    for (int k = 0; k < h1n; k++) {
                        z += th[oW2 + r * h1n + k] * h1[k];
                        dz += Math.abs(v[oW2 + r * h1n + k]) * h1m[k] + Math.abs(th[oW2 + r * h1n + k]) * dh1[k];
                        zb += Math.abs(th[oW2 + r * h1n + k]) * h1m[k];
                    }
                    h2[r] = Math.tanh(z);
                    h2m[r] = Math.abs(h2[r]) + zb;
                    f2[r] = (1 + h2[r] * h2[r]) * (1 + 2 * zb);
                    dh2[r] = f2[r] * dz;
                }
                double[] q = new double[a], ub = new double[a];
                double zq = 0;
                for (int j = 0; j < a; j++) {
                    q[j] = th[oB3 + j];
                    ub[j] = Math.abs(v[oB3 + j]);
                    double zj = Math.abs(th[oB3 + j]);
                    for (int k = 0; k < h2n; k++) {
                        q[j] += th[oW3 + j * h2n + k] * h2[k];
                        ub[j] += Math.abs(v[oW3 + j * h2n + k]) * h2m[k] + Math.abs(th[oW3 + j * h2n + k]) * dh2[k];
                        zj += Math.abs(th[oW3 + j * h2n + k]) * h2m[k];
                    }
                    zq = Math.max(zq, zj);
                }
                double[] wb = absM(q, ub), g2 = new double[h2n], g1 = new double[h1n];
                for (int j = 0; j < a; j++) wb[j] *= 1 + 4 * zq; // π from logits off by γ·zq (class comment)
                for (int j = 0; j < a; j++) {
                    for (int k = 0; k < h2n; k++) {
                        acc[oW3 + j * h2n + k] += wb[j] * h2m[k];
                        g2[k] += Math.abs(th[oW3 + j * h2n + k]) * wb[j];
                    }
                    acc[oB3 + j] += wb[j];
                }
                for (int r = 0; r < h2n; r++) {
                    g2[r] *= f2[r];
                    for (int k = 0; k < h1n; k++) {
                        acc[oW2 + r * h1n + k] += g2[r] * h1m[k];
                        g1[k] += Math.abs(th[oW2 + r * h1n + k]) * g2[r];
                    }
                    acc[oB2 + r] += g2[r];
                }
                for (int r = 0; r < h1n; r++) {
                    g1[r] *= f1[r];
                    for (int k = 0; k < d; k++) acc[oW1 + r * d + k] += g1[r] * Math.abs(x[xo + k]);
                    acc[oB1 + r] += g1[r];
                }
            }
            case GaussianShape gs -> {
                int d = gs.features(), a = gs.actions();
                for (int j = 0; j < a; j++) {
                    double t = 0, iv = Math.exp(-2.0 * th[a * d + j]);
                    for (int k = 0; k < d; k++) t += Math.abs((double) v[j * d + k] * x[xo + k]);
                    for (int k = 0; k < d; k++) acc[j * d + k] += iv * t * Math.abs(x[xo + k]);
                    acc[a * d + j] += 2 * Math.abs(v[a * d + j]);
                }
            }
            case EmpiricalShape es -> {
                int p = es.params();
                double t = 0;
                for (int k = 0; k < p; k++) t += Math.abs((double) x[xo + k] * v[k]);
                for (int k = 0; k < p; k++) acc[k] += Math.abs(x[xo + k]) * t;
            }
        }
    }

    /** w̄ = pi ⊙ (ū + <pi, ū>) with pi = softmax(q) in double: the magnitude of the terms of M u. */
    private static double[] absM(double[] q, double[] ub) {
        int a = q.length;
        double max = Double.NEGATIVE_INFINITY, sum = 0, dot = 0;
        for (double z : q) max = Math.max(max, z);
        double[] pi = new double[a], wb = new double[a];
        for (int j = 0; j < a; j++) sum += pi[j] = Math.exp(q[j] - max);
        for (int j = 0; j < a; j++) {
            pi[j] /= sum;
            dot += pi[j] * ub[j];
        }
        for (int j = 0; j < a; j++) wb[j] = pi[j] * (ub[j] + dot);
        return wb;
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
