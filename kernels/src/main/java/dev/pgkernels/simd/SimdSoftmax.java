package dev.pgkernels.simd;

import dev.pgkernels.reference.ReferenceScale;
import dev.pgkernels.scale.ScaleFunction;
import dev.pgkernels.softmax.AbstractSoftmaxKernels;
import dev.pgkernels.softmax.UpdateForm;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@code simd} softmax-logit family (SPEC §2) in the Vector API: preferred fp32 species for
 * the logits, the preferred double species (half the lanes) for every row sum. Two strategies:
 *
 * <ul>
 *   <li>{@link Strategy#ALONG_ROWS} — wide rows (vocabulary-sized {@code A}): each row is swept
 *       by whole vectors with a masked tail; pass 1 takes the maximum {@code m}, pass 2 sums
 *       {@code e_j = exp(q_j - m)} (and, where needed, {@code e_j (q_j - m)}), pass 3 (only where
 *       an output has {@code A} entries) recomputes {@code e_j} and writes. The per-row scalars
 *       ({@code log Z}, {@code dO}, {@code dR}, {@code s = f(dO, dR)}) are computed once per row in
 *       double with the reference's formulas.</li>
 *   <li>{@link Strategy#ACROSS_ROWS} — narrow rows (Atari's {@code A = 18}): one vector holds
 *       {@code L} consecutive rows; column {@code j} of those rows is one gather (index map
 *       {@code r·A}) and an output column one scatter, so no lane is idle whatever {@code A} is.
 *       The per-row scalars are vectors of rows, evaluated in double (two halves) by
 *       {@link SimdScale#evaluate}.</li>
 * </ul>
 * The public methods choose by {@code A} ({@link SimdThresholds#SOFTMAX_ACROSS_ROWS_MAX_A});
 * {@link #SimdSoftmax(Strategy)} forces one, for tests and benchmarks.
 *
 * <p><b>Numerics.</b> {@code exp} is the fp32 {@link VectorOperators#EXP} (within 0.57 ulp);
 * {@code q - m} is rounded to fp32 (relative {@code 2^-24}); every row sum ({@code Z},
 * {@code Σ e (q - m)}, KL) converts its fp32 terms to double and accumulates in double (SIMD
 * reassociates the sum, which in double changes nothing visible in fp32), so the sums carry only
 * their terms' fp32 errors and are independent of {@code A}. {@code pi = e · (1/Z)} in fp32.
 * {@code <pi, q>} is formed as {@code m + Σ e (q - m) / Z}, so logits of magnitude 1e4 do not
 * cancel. Masked ({@code -Inf}) logits give {@code e = 0} exactly, probability 0 and log-probability
 * {@code -Inf}; products with them are selected to 0 (never {@code 0 · Inf}).
 *
 * <p><b>Rows that leave the fast path.</b> Where the reference's result depends on whether a
 * probability is 0 <em>in double</em> (the update forms U_V and U_P when {@code s} is NaN or
 * infinite, or when a row's maximum is NaN or {@code +Inf}), the row is recomputed by a scalar
 * double routine with the reference's formulas, so special values match exactly. Such rows
 * appear only without a log-ratio clip (overflowing {@code s}) or with NaN/{@code +Inf} logits.
 *
 * <p>Stateless and thread-safe; each call allocates only two {@code int[L]} index maps (narrow rows)
 * — nothing in a loop.
 */
public final class SimdSoftmax extends AbstractSoftmaxKernels {
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    static final int L = FS.length();
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    static {
        if (DS.length() * 2 != L || IS.length() != L) {
            throw new IllegalStateException("preferred species differ in bit size: " + FS + ", " + DS + ", " + IS);
        }
    }

    /** How rows are vectorised. */
    public enum Strategy {
        /** One row at a time, vectors along the row (wide rows). */
        ALONG_ROWS,
        /** {@code L} rows at a time, a vector per column through gathers and scatters (narrow rows). */
        ACROSS_ROWS
    }

    private final Strategy forced;

    /** Chooses the strategy by shape. */
    public SimdSoftmax() {
        this.forced = null;
    }

    /** Always uses {@code strategy} (tests and benchmarks). */
    public SimdSoftmax(Strategy strategy) {
        this.forced = java.util.Objects.requireNonNull(strategy, "strategy");
    }

    /** The strategy used for rows of {@code a} logits. */
    public Strategy strategyFor(int a) {
        if (forced != null) {
            return forced;
        }
        return a <= SimdThresholds.SOFTMAX_ACROSS_ROWS_MAX_A ? Strategy.ACROSS_ROWS : Strategy.ALONG_ROWS;
    }

    /** The fp32 lane count. */
    public static int lanes() {
        return L;
    }

    // ------------------------------------------------------------------ small helpers

    private static DoubleVector lo(FloatVector v) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, DS, 0);
    }

    private static DoubleVector hi(FloatVector v) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, DS, 1);
    }

    /**
     * The gather/scatter index map of {@code L} consecutive rows: {@code r·a} for the first
     * {@code rows} lanes, 0 (a valid index, never used: those lanes are masked) for the others —
     * the Vector API checks every lane's index, masked or not.
     */
    private static int[] rowIndex(int a, int rows) {
        int[] idx = new int[L];
        for (int r = 0; r < rows; r++) {
            idx[r] = r * a;
        }
        return idx;
    }

    /** Lanes where {@code v} is NaN or {@code ±Inf}. */
    private static VectorMask<Float> nonFinite(FloatVector v) {
        return v.abs().compare(VectorOperators.LT, Float.POSITIVE_INFINITY).not();
    }

    /** Column {@code j} of the rows at {@code base} (lanes outside {@code m} read nothing and hold {@code -Inf}). */
    private static FloatVector column(float[] q, int base, int j, int[] map, VectorMask<Float> m, boolean full) {
        return full ? FloatVector.fromArray(FS, q, base + j, map, 0)
                : FloatVector.fromArray(FS, q, base + j, map, 0, m).blend(NEG_INF, m.not());
    }

    /** Row maximum (Math.max semantics: NaN propagates). */
    private static float rowMax(float[] q, int off, int a) {
        FloatVector m0 = FloatVector.broadcast(FS, NEG_INF), m1 = m0;
        int j = 0;
        for (; j + 2 * L <= a; j += 2 * L) {
            m0 = m0.max(FloatVector.fromArray(FS, q, off + j));
            m1 = m1.max(FloatVector.fromArray(FS, q, off + j + L));
        }
        for (; j + L <= a; j += L) {
            m0 = m0.max(FloatVector.fromArray(FS, q, off + j));
        }
        if (j < a) {
            VectorMask<Float> m = FS.indexInRange(j, a);
            m1 = m1.lanewise(VectorOperators.MAX, FloatVector.fromArray(FS, q, off + j, m), m);
        }
        return m0.max(m1).reduceLanes(VectorOperators.MAX);
    }

    /** One vector of logits at {@code off + j}, {@code -Inf} past the row ({@code exp} gives 0 there). */
    private static FloatVector load(float[] q, int off, int j, int a) {
        if (j + L <= a) {
            return FloatVector.fromArray(FS, q, off + j);
        }
        VectorMask<Float> m = FS.indexInRange(j, a);
        return FloatVector.fromArray(FS, q, off + j, m).blend(NEG_INF, m.not());
    }

    /** {@code Z = Σ exp(q_j - m)}, fp32 terms summed in double (two accumulators; SIMD reassociates the sum). */
    private static double rowZ(float[] q, int off, int a, float mx) {
        DoubleVector z0 = DoubleVector.zero(DS), z1 = z0;
        for (int j = 0; j < a; j += L) {
            FloatVector e = load(q, off, j, a).sub(mx).lanewise(VectorOperators.EXP);
            z0 = z0.add(lo(e));
            z1 = z1.add(hi(e));
        }
        return z0.add(z1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * {@code Z} into {@code zs[0]} and {@code S = Σ_{e_j > 0} e_j (q_j - m)} into {@code zs[1]}, in
     * double (four accumulators; SIMD reassociates the sums).
     */
    private static void rowZS(float[] q, int off, int a, float mx, double[] zs) {
        DoubleVector z0 = DoubleVector.zero(DS), z1 = z0, s0 = z0, s1 = z0;
        for (int j = 0; j < a; j += L) {
            FloatVector d = load(q, off, j, a).sub(mx);
            FloatVector e = d.lanewise(VectorOperators.EXP);
            FloatVector ed = e.mul(d).blend(0f, e.compare(VectorOperators.EQ, 0f));
            z0 = z0.add(lo(e));
            z1 = z1.add(hi(e));
            s0 = s0.add(lo(ed));
            s1 = s1.add(hi(ed));
        }
        zs[0] = z0.add(z1).reduceLanes(VectorOperators.ADD);
        zs[1] = s0.add(s1).reduceLanes(VectorOperators.ADD);
    }

    // ------------------------------------------------------------------ logSoftmax, softmax, entropy

    @Override
    protected void logSoftmaxKernel(int b, int a, float[] logits, float[] out) {
        if (strategyFor(a) == Strategy.ACROSS_ROWS) {
            logSoftmaxAcross(b, a, logits, out);
            return;
        }
        for (int i = 0; i < b; i++) {
            int off = i * a;
            float mx = rowMax(logits, off, a);
            float lz = (float) Math.log(rowZ(logits, off, a, mx));
            int j = 0;
            for (int ub = FS.loopBound(a); j < ub; j += L) {
                FloatVector.fromArray(FS, logits, off + j).sub(mx).sub(lz).intoArray(out, off + j);
            }
            if (j < a) {
                VectorMask<Float> m = FS.indexInRange(j, a);
                FloatVector.fromArray(FS, logits, off + j, m).sub(mx).sub(lz).intoArray(out, off + j, m);
            }
        }
    }

    @Override
    protected void softmaxKernel(int b, int a, float[] logits, float[] out) {
        if (strategyFor(a) == Strategy.ACROSS_ROWS) {
            softmaxAcross(b, a, logits, out);
            return;
        }
        for (int i = 0; i < b; i++) {
            int off = i * a;
            float mx = rowMax(logits, off, a);
            float inv = (float) (1.0 / rowZ(logits, off, a, mx));
            int j = 0;
            for (int ub = FS.loopBound(a); j < ub; j += L) {
                FloatVector.fromArray(FS, logits, off + j).sub(mx).lanewise(VectorOperators.EXP).mul(inv)
                        .intoArray(out, off + j);
            }
            if (j < a) {
                VectorMask<Float> m = FS.indexInRange(j, a);
                FloatVector.fromArray(FS, logits, off + j, m).sub(mx).lanewise(VectorOperators.EXP).mul(inv)
                        .intoArray(out, off + j, m);
            }
        }
    }

    /** {@code H = log Z - S / Z} with {@code S = Σ e_j (q_j - m)}: equal to {@code -Σ pi log pi}, both terms {@code >= 0}. */
    @Override
    protected void entropyKernel(int b, int a, float[] logits, float[] out) {
        if (strategyFor(a) == Strategy.ACROSS_ROWS) {
            entropyAcross(b, a, logits, out);
            return;
        }
        double[] zs = new double[2];
        for (int i = 0; i < b; i++) {
            int off = i * a;
            float mx = rowMax(logits, off, a);
            rowZS(logits, off, a, mx, zs);
            out[i] = (float) (Math.log(zs[0]) - zs[1] / zs[0]);
        }
    }

    private static void logSoftmaxAcross(int b, int a, float[] q, float[] out) {
        int[] idx = rowIndex(a, L), idxT = rowIndex(a, b % L);
        for (int r0 = 0; r0 < b; r0 += L) {
            VectorMask<Float> rm = FS.indexInRange(r0, b);
            boolean full = r0 + L <= b;
            int[] map = full ? idx : idxT;
            int base = r0 * a;
            FloatVector mx = FloatVector.broadcast(FS, NEG_INF);
            for (int j = 0; j < a; j++) {
                mx = mx.max(column(q, base, j, map, rm, full));
            }
            DoubleVector z0 = DoubleVector.zero(DS), z1 = z0;
            for (int j = 0; j < a; j++) {
                FloatVector e = column(q, base, j, map, rm, full).sub(mx).lanewise(VectorOperators.EXP);
                z0 = z0.add(lo(e));
                z1 = z1.add(hi(e));
            }
            FloatVector lz = SimdScale.toFloat(z0.lanewise(VectorOperators.LOG), z1.lanewise(VectorOperators.LOG));
            for (int j = 0; j < a; j++) {
                FloatVector v = column(q, base, j, map, rm, full).sub(mx).sub(lz);
                if (full) {
                    v.intoArray(out, base + j, map, 0);
                } else {
                    v.intoArray(out, base + j, map, 0, rm);
                }
            }
        }
    }

    private static void softmaxAcross(int b, int a, float[] q, float[] out) {
        int[] idx = rowIndex(a, L), idxT = rowIndex(a, b % L);
        for (int r0 = 0; r0 < b; r0 += L) {
            VectorMask<Float> rm = FS.indexInRange(r0, b);
            boolean full = r0 + L <= b;
            int[] map = full ? idx : idxT;
            int base = r0 * a;
            FloatVector mx = FloatVector.broadcast(FS, NEG_INF);
            for (int j = 0; j < a; j++) {
                mx = mx.max(column(q, base, j, map, rm, full));
            }
            DoubleVector z0 = DoubleVector.zero(DS), z1 = z0;
            for (int j = 0; j < a; j++) {
                FloatVector e = column(q, base, j, map, rm, full).sub(mx).lanewise(VectorOperators.EXP);
                z0 = z0.add(lo(e));
                z1 = z1.add(hi(e));
            }
            FloatVector inv = SimdScale.toFloat(DoubleVector.broadcast(DS, 1.0).div(z0), DoubleVector.broadcast(DS, 1.0).div(z1));
            for (int j = 0; j < a; j++) {
                FloatVector v = column(q, base, j, map, rm, full).sub(mx).lanewise(VectorOperators.EXP).mul(inv);
                if (full) {
                    v.intoArray(out, base + j, map, 0);
                } else {
                    v.intoArray(out, base + j, map, 0, rm);
                }
            }
        }
    }

    private static void entropyAcross(int b, int a, float[] q, float[] out) {
        int[] idx = rowIndex(a, L), idxT = rowIndex(a, b % L);
        for (int r0 = 0; r0 < b; r0 += L) {
            VectorMask<Float> rm = FS.indexInRange(r0, b);
            boolean full = r0 + L <= b;
            int[] map = full ? idx : idxT;
            int base = r0 * a;
            FloatVector mx = FloatVector.broadcast(FS, NEG_INF);
            for (int j = 0; j < a; j++) {
                mx = mx.max(column(q, base, j, map, rm, full));
            }
            DoubleVector z0 = DoubleVector.zero(DS), z1 = z0, s0 = z0, s1 = z0;
            for (int j = 0; j < a; j++) {
                FloatVector d = column(q, base, j, map, rm, full).sub(mx);
                FloatVector e = d.lanewise(VectorOperators.EXP);
                FloatVector ed = e.mul(d).blend(0f, e.compare(VectorOperators.EQ, 0f));
                z0 = z0.add(lo(e));
                z1 = z1.add(hi(e));
                s0 = s0.add(lo(ed));
                s1 = s1.add(hi(ed));
            }
            FloatVector h = SimdScale.toFloat(z0.lanewise(VectorOperators.LOG).sub(s0.div(z0)),
                    z1.lanewise(VectorOperators.LOG).sub(s1.div(z1)));
            h.intoArray(out, r0, rm);
        }
    }

    // ------------------------------------------------------------------ KL

    /**
     * The KL term {@code exp(lo) (lo - ln)} with the reference's special cases as selects:
     * {@code lo = -Inf} gives 0; {@code ln = -Inf} with {@code lo} not NaN gives {@code +Inf};
     * {@code ln = +Inf} with finite {@code lo} gives {@code -Inf} (also where fp32 {@code exp(lo)}
     * underflows to 0 but the double one does not).
     */
    private static FloatVector klTerm(FloatVector lo, FloatVector ln) {
        FloatVector t = lo.lanewise(VectorOperators.EXP).mul(lo.sub(ln));
        VectorMask<Float> loNotNaN = lo.compare(VectorOperators.EQ, lo);
        t = t.blend(Float.POSITIVE_INFINITY, ln.compare(VectorOperators.EQ, NEG_INF).and(loNotNaN));
        t = t.blend(NEG_INF, ln.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY).and(nonFinite(lo).not()));
        return t.blend(0f, lo.compare(VectorOperators.EQ, NEG_INF));
    }

    @Override
    protected void klKernel(int b, int a, float[] logpOld, float[] logpNew, float[] out) {
        if (strategyFor(a) == Strategy.ACROSS_ROWS) {
            int[] idx = rowIndex(a, L), idxT = rowIndex(a, b % L);
            for (int r0 = 0; r0 < b; r0 += L) {
                VectorMask<Float> rm = FS.indexInRange(r0, b);
                boolean full = r0 + L <= b;
                int[] map = full ? idx : idxT;
                int base = r0 * a;
                DoubleVector k0 = DoubleVector.zero(DS), k1 = k0;
                for (int j = 0; j < a; j++) {
                    // tail lanes read -Inf for logpOld: their term is 0
                    FloatVector t = klTerm(column(logpOld, base, j, map, rm, full), column(logpNew, base, j, map, rm, full));
                    k0 = k0.add(lo(t));
                    k1 = k1.add(hi(t));
                }
                SimdScale.toFloat(k0, k1).intoArray(out, r0, rm);
            }
            return;
        }
        for (int i = 0; i < b; i++) {
            int off = i * a;
            DoubleVector k0 = DoubleVector.zero(DS), k1 = k0;
            for (int j = 0; j < a; j += L) {
                FloatVector t = klTerm(load(logpOld, off, j, a), load(logpNew, off, j, a));
                k0 = k0.add(lo(t));
                k1 = k1.add(hi(t));
            }
            out[i] = (float) k0.add(k1).reduceLanes(VectorOperators.ADD);
        }
    }

    // ------------------------------------------------------------------ surrogate

    @Override
    protected double surrogateKernel(int b, int a, float[] logitsNew, int[] actions, float[] logpOldAtAction,
            float[] advantages) {
        double sum = 0;
        if (strategyFor(a) == Strategy.ACROSS_ROWS) {
            int[] idx = rowIndex(a, L), idxT = rowIndex(a, b % L);
            float[] q = logitsNew;
            DoubleVector acc = DoubleVector.zero(DS);
            for (int r0 = 0; r0 < b; r0 += L) {
                VectorMask<Float> rm = FS.indexInRange(r0, b);
                boolean full = r0 + L <= b;
                int[] map = full ? idx : idxT;
                int base = r0 * a;
                IntVector act = IntVector.fromArray(IS, actions, r0, rm.cast(IS));
                FloatVector mx = FloatVector.broadcast(FS, NEG_INF), qa = FloatVector.zero(FS);
                for (int j = 0; j < a; j++) {
                    FloatVector col = column(q, base, j, map, rm, full);
                    mx = mx.max(col);
                    qa = qa.blend(col, act.compare(VectorOperators.EQ, j).cast(FS));
                }
                DoubleVector z0 = DoubleVector.zero(DS), z1 = z0;
                for (int j = 0; j < a; j++) {
                    FloatVector e = column(q, base, j, map, rm, full).sub(mx).lanewise(VectorOperators.EXP);
                    z0 = z0.add(lo(e));
                    z1 = z1.add(hi(e));
                }
                FloatVector lpo = FloatVector.fromArray(FS, logpOldAtAction, r0, rm);
                FloatVector adv = FloatVector.fromArray(FS, advantages, r0, rm);
                // ratio_i = exp(((qa - m) - log Z) - lpo) * adv, in double; tail lanes have adv = 0 and Z > 0
                DoubleVector t0 = lo(qa).sub(lo(mx)).sub(z0.lanewise(VectorOperators.LOG)).sub(lo(lpo))
                        .lanewise(VectorOperators.EXP).mul(lo(adv));
                DoubleVector t1 = hi(qa).sub(hi(mx)).sub(z1.lanewise(VectorOperators.LOG)).sub(hi(lpo))
                        .lanewise(VectorOperators.EXP).mul(hi(adv));
                VectorMask<Double> m0 = DS.indexInRange(r0, b), m1 = DS.indexInRange(r0 + L / 2, b);
                acc = acc.add(t0.blend(0.0, m0.not())).add(t1.blend(0.0, m1.not()));
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        } else {
            for (int i = 0; i < b; i++) {
                int off = i * a;
                float mx = rowMax(logitsNew, off, a);
                double logZ = Math.log(rowZ(logitsNew, off, a, mx));
                double lpa = ((double) logitsNew[off + actions[i]] - mx) - logZ;
                sum += Math.exp(lpa - logpOldAtAction[i]) * advantages[i];
            }
        }
        return sum / b;
    }

    // ------------------------------------------------------------------ update

    @Override
    protected void updateKernel(UpdateForm form, ScaleFunction f, int b, int a, float[] logits, int[] actions,
            float[] logMu, float[] target, float[] g, float[] dO, float[] dR, float[] s) {
        if (strategyFor(a) == Strategy.ACROSS_ROWS) {
            updateAcross(form, f, b, a, logits, actions, logMu, target, g, dO, dR, s);
        } else {
            updateAlong(form, f, b, a, logits, actions, logMu, target, g, dO, dR, s);
        }
    }

    private static void updateAlong(UpdateForm form, ScaleFunction f, int b, int a, float[] q, int[] actions,
            float[] logMu, float[] target, float[] g, float[] dO, float[] dR, float[] s) {
        double[] zs = new double[2];
        FloatVector zero = FloatVector.zero(FS);
        for (int i = 0; i < b; i++) {
            int off = i * a, act = actions[i];
            float mx = rowMax(q, off, a);
            if (form != UpdateForm.U_Q && !Float.isFinite(mx)) {
                slowRow(form, f, a, q, off, act, logMu[i], target[i], g, dO, dR, s, i);
                continue;
            }
            double z, sd = 0;
            if (form == UpdateForm.U_P) {
                rowZS(q, off, a, mx, zs);
                z = zs[0];
                sd = zs[1];
            } else {
                z = rowZ(q, off, a, mx);
            }
            double qa = q[off + act];
            double dOi = ((qa - mx) - Math.log(z)) - logMu[i];
            double dRi = target[i] - qa;
            double si = ReferenceScale.evaluate(f, dOi, dRi);
            if (form != UpdateForm.U_Q && !Float.isFinite((float) si)) { // includes s beyond the fp32 range
                slowRow(form, f, a, q, off, act, logMu[i], target[i], g, dO, dR, s, i);
                continue;
            }
            if (dO != null) dO[i] = (float) dOi;
            if (dR != null) dR[i] = (float) dRi;
            if (s != null) s[i] = (float) si;
            if (form == UpdateForm.U_Q) {
                int j = 0;
                for (int ub = FS.loopBound(a); j < ub; j += L) {
                    zero.intoArray(g, off + j);
                }
                if (j < a) {
                    zero.intoArray(g, off + j, FS.indexInRange(j, a));
                }
                g[off + act] = (float) si;
                continue;
            }
            float inv = (float) (1.0 / z), sf = (float) si;
            double dMean = sd / z;   // <pi, q> - m
            float dm = (float) dMean;
            boolean up = form == UpdateForm.U_P;
            for (int j = 0; j < a; j += L) {
                boolean whole = j + L <= a;
                VectorMask<Float> m = whole ? null : FS.indexInRange(j, a);
                FloatVector d = (whole ? FloatVector.fromArray(FS, q, off + j) : FloatVector.fromArray(FS, q, off + j, m)).sub(mx);
                FloatVector e = d.lanewise(VectorOperators.EXP);
                FloatVector pi = e.mul(inv);
                FloatVector gv = up ? d.sub(dm).sub(sf).mul(pi) : pi.mul(-sf);   // pi (d - D) - s pi, or -s pi
                gv = gv.blend(0f, e.compare(VectorOperators.EQ, 0f));
                if (whole) {
                    gv.intoArray(g, off + j);
                } else {
                    gv.intoArray(g, off + j, m);
                }
            }
            // the taken action, in double: s (1 - pi_a) [+ pi_a (q_a - <pi, q>)]
            double pa = Math.exp(qa - mx) / z;
            double ga = si * (1 - pa) + (up ? pa * ((qa - mx) - dMean) : 0);
            g[off + act] = (float) ga;
        }
    }

    private static void updateAcross(UpdateForm form, ScaleFunction f, int b, int a, float[] q, int[] actions,
            float[] logMu, float[] target, float[] g, float[] dO, float[] dR, float[] s) {
        int[] idx = rowIndex(a, L), idxT = rowIndex(a, b % L);
        boolean up = form == UpdateForm.U_P;
        FloatVector zero = FloatVector.zero(FS);
        for (int r0 = 0; r0 < b; r0 += L) {
            VectorMask<Float> rm = FS.indexInRange(r0, b);
            boolean full = r0 + L <= b;
            int[] map = full ? idx : idxT;
            int base = r0 * a;
            IntVector act = IntVector.fromArray(IS, actions, r0, rm.cast(IS));
            FloatVector mx = FloatVector.broadcast(FS, NEG_INF), qa = zero;
            for (int j = 0; j < a; j++) {
                FloatVector col = column(q, base, j, map, rm, full);
                mx = mx.max(col);
                qa = qa.blend(col, act.compare(VectorOperators.EQ, j).cast(FS));
            }
            DoubleVector z0 = DoubleVector.zero(DS), z1 = z0, s0 = z0, s1 = z0;
            if (up) {
                for (int j = 0; j < a; j++) {
                    FloatVector d = column(q, base, j, map, rm, full).sub(mx);
                    FloatVector e = d.lanewise(VectorOperators.EXP);
                    FloatVector ed = e.mul(d).blend(0f, e.compare(VectorOperators.EQ, 0f));
                    z0 = z0.add(lo(e));
                    z1 = z1.add(hi(e));
                    s0 = s0.add(lo(ed));
                    s1 = s1.add(hi(ed));
                }
            } else {
                for (int j = 0; j < a; j++) {
                    FloatVector e = column(q, base, j, map, rm, full).sub(mx).lanewise(VectorOperators.EXP);
                    z0 = z0.add(lo(e));
                    z1 = z1.add(hi(e));
                }
            }
            // per-row scalars in double, the reference's formulas: dO = ((qa - m) - log Z) - logMu, dR = target - qa
            FloatVector mu = FloatVector.fromArray(FS, logMu, r0, rm), tg = FloatVector.fromArray(FS, target, r0, rm);
            DoubleVector dO0 = lo(qa).sub(lo(mx)).sub(z0.lanewise(VectorOperators.LOG)).sub(lo(mu));
            DoubleVector dO1 = hi(qa).sub(hi(mx)).sub(z1.lanewise(VectorOperators.LOG)).sub(hi(mu));
            DoubleVector dR0 = lo(tg).sub(lo(qa)), dR1 = hi(tg).sub(hi(qa));
            FloatVector sf = SimdScale.toFloat(SimdScale.evaluate(f, dO0, dR0), SimdScale.evaluate(f, dO1, dR1));
            if (dO != null) SimdScale.toFloat(dO0, dO1).intoArray(dO, r0, rm);
            if (dR != null) SimdScale.toFloat(dR0, dR1).intoArray(dR, r0, rm);
            if (s != null) sf.intoArray(s, r0, rm);
            VectorMask<Float> slow = form == UpdateForm.U_Q ? FS.maskAll(false)
                    : nonFinite(mx).or(nonFinite(sf)).and(rm);
            if (form == UpdateForm.U_Q) {
                for (int j = 0; j < a; j++) {
                    FloatVector gv = zero.blend(sf, act.compare(VectorOperators.EQ, j).cast(FS));
                    if (full) {
                        gv.intoArray(g, base + j, map, 0);
                    } else {
                        gv.intoArray(g, base + j, map, 0, rm);
                    }
                }
                continue;
            }
            FloatVector inv = SimdScale.toFloat(DoubleVector.broadcast(DS, 1.0).div(z0), DoubleVector.broadcast(DS, 1.0).div(z1));
            FloatVector dm = up ? SimdScale.toFloat(s0.div(z0), s1.div(z1)) : zero;   // <pi, q> - m
            for (int j = 0; j < a; j++) {
                VectorMask<Float> isA = act.compare(VectorOperators.EQ, j).cast(FS);
                FloatVector d = column(q, base, j, map, rm, full).sub(mx);
                FloatVector e = d.lanewise(VectorOperators.EXP);
                FloatVector pi = e.mul(inv);
                FloatVector ea = zero.blend(1f, isA);
                FloatVector gv = sf.mul(ea.sub(pi));
                if (up) {
                    gv = gv.add(pi.mul(d.sub(dm)).blend(0f, e.compare(VectorOperators.EQ, 0f)));
                }
                gv = gv.blend(0f, e.compare(VectorOperators.EQ, 0f).andNot(isA));
                if (full) {
                    gv.intoArray(g, base + j, map, 0);
                } else {
                    gv.intoArray(g, base + j, map, 0, rm);
                }
            }
            if (slow.anyTrue()) {
                for (int r = 0; r < L; r++) {
                    if (slow.laneIsSet(r)) {
                        int i = r0 + r;
                        slowRow(form, f, a, q, i * a, actions[i], logMu[i], target[i], g, dO, dR, s, i);
                    }
                }
            }
        }
    }

    /**
     * One row of U_V or U_P in scalar double with the reference's formulas (SPEC §2), for rows
     * whose special values depend on a probability being 0 in double: a NaN or infinite {@code s},
     * or a NaN or {@code +Inf} row maximum.
     */
    private static void slowRow(UpdateForm form, ScaleFunction f, int a, float[] q, int off, int act, float logMu,
            float target, float[] g, float[] dO, float[] dR, float[] s, int i) {
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < a; j++) {
            m = Math.max(m, q[off + j]);
        }
        double z = 0;
        for (int j = 0; j < a; j++) {
            z += Math.exp(q[off + j] - m);
        }
        double qa = q[off + act];
        double dOi = ((qa - m) - Math.log(z)) - logMu;
        double dRi = target - qa;
        double si = ReferenceScale.evaluate(f, dOi, dRi);
        if (dO != null) dO[i] = (float) dOi;
        if (dR != null) dR[i] = (float) dRi;
        if (s != null) s[i] = (float) si;
        double piDotQ = 0;
        if (form == UpdateForm.U_P) {
            for (int j = 0; j < a; j++) {
                double pi = Math.exp(q[off + j] - m) / z;
                if (pi != 0) {
                    piDotQ += pi * q[off + j];
                }
            }
        }
        for (int j = 0; j < a; j++) {
            double pi = Math.exp(q[off + j] - m) / z;
            double ea = j == act ? 1 : 0;
            double last = form == UpdateForm.U_P && pi != 0 ? pi * (q[off + j] - piDotQ) : 0;
            g[off + j] = j != act && pi == 0 ? 0f : (float) (si * (ea - pi) + last);
        }
    }

    // ------------------------------------------------------------------ linear policy gradient

    /**
     * {@code dW = G^T X / B}: blocks of 4 rows of {@code dW} by one vector of {@code L} columns,
     * accumulated over {@code i} in double with exact fp32 products, in the reference's order
     * (so the result is the reference's, bit for bit). {@code X} is read {@code ceil(A/4)} times.
     */
    @Override
    protected void linearPolicyGradientKernel(int b, int a, int d, float[] g, float[] x, float[] dW) {
        if (b == 0) {
            java.util.Arrays.fill(dW, 0, a * d, 0f);
            return;
        }
        for (int k = 0; k < a; k += 4) {
            int kb = Math.min(4, a - k);
            for (int c = 0; c < d; c += L) {
                VectorMask<Float> cm = FS.indexInRange(c, d);
                boolean whole = c + L <= d;
                DoubleVector a00 = DoubleVector.zero(DS), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00,
                        a30 = a00, a31 = a00;
                for (int i = 0; i < b; i++) {
                    FloatVector xv = whole ? FloatVector.fromArray(FS, x, i * d + c) : FloatVector.fromArray(FS, x, i * d + c, cm);
                    DoubleVector x0 = lo(xv), x1 = hi(xv);
                    int gi = i * a + k;
                    double g0 = g[gi];
                    a00 = x0.mul(g0).add(a00);
                    a01 = x1.mul(g0).add(a01);
                    if (kb > 1) {
                        double g1 = g[gi + 1];
                        a10 = x0.mul(g1).add(a10);
                        a11 = x1.mul(g1).add(a11);
                    }
                    if (kb > 2) {
                        double g2 = g[gi + 2];
                        a20 = x0.mul(g2).add(a20);
                        a21 = x1.mul(g2).add(a21);
                    }
                    if (kb > 3) {
                        double g3 = g[gi + 3];
                        a30 = x0.mul(g3).add(a30);
                        a31 = x1.mul(g3).add(a31);
                    }
                }
                storeRow(a00, a01, b, dW, k * d + c, cm);
                if (kb > 1) storeRow(a10, a11, b, dW, (k + 1) * d + c, cm);
                if (kb > 2) storeRow(a20, a21, b, dW, (k + 2) * d + c, cm);
                if (kb > 3) storeRow(a30, a31, b, dW, (k + 3) * d + c, cm);
            }
        }
    }

    private static void storeRow(DoubleVector s0, DoubleVector s1, int b, float[] dW, int off, VectorMask<Float> cm) {
        SimdScale.toFloat(s0.div(b), s1.div(b)).intoArray(dW, off, cm);
    }
}
