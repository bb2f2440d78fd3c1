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
import jdk.incubator.vector.VectorShuffle;
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
 *       {@code L} consecutive rows, transposed once into an L1-resident tile of {@code A × L}
 *       (one gather per column; the last, partial group by a scalar copy), so column {@code j} of
 *       those rows is one contiguous vector load in every later pass and every lane works
 *       whatever {@code A} is. The first sweep leaves {@code q - m} and {@code exp(q - m)} in
 *       tiles, so no {@code exp} is computed twice; outputs of {@code A} per row go through an
 *       output tile copied back (logSoftmax and U_Q are written straight into the rows: U_Q as a
 *       fill and one store per row, logSoftmax as whole vectors with each lane's row maximum and
 *       {@code log Z} permuted into place). The row maximum is taken as the columns are gathered.
 *       KL needs no row maximum: a full group computes its terms on contiguous vectors, adds
 *       neighbouring terms into fp32 pairs and quads in L1 tiles, and gathers only those per row
 *       ({@code 5} gathers at {@code A = 18}; bound in {@code Tile.klPass}).
 *       (Gathering in every pass instead of once measured slower: 172 against 130 µs for
 *       logSoftmax at 4096 × 18, one noisy run.)
 *       The per-row scalars are vectors of rows, evaluated in double (two halves) by
 *       {@link SimdScale#evaluate}.</li>
 * </ul>
 * The public methods choose by {@code A} ({@link SimdThresholds#SOFTMAX_ACROSS_ROWS_MAX_A});
 * {@link #SimdSoftmax(Strategy)} forces one, for tests and benchmarks.
 *
 * <p><b>Numerics.</b> {@code exp} is the inline fp32 {@link SimdExp} (within 2 ulp, subnormal
 * results rounded once; about twice the throughput of {@code VectorOperators.EXP}, and no call
 * that spills the loop's accumulators);
 * {@code q - m} is rounded to fp32 (relative {@code 2^-24}); every row sum ({@code Z},
 * {@code Σ e (q - m)}, KL) converts its fp32 terms to double and accumulates in double (SIMD
 * reassociates the sum, which in double changes nothing visible in fp32), so the sums carry only
 * their terms' fp32 errors and are independent of {@code A} (the across-rows KL first adds its
 * terms in fp32 pairs and quads: at most {@code 2u Σ|terms|} more, derived in {@code Tile.klPass}).
 * {@code pi = e · (1/Z)} in fp32.
 * {@code <pi, q>} is formed as {@code m + Σ e (q - m) / Z}, so logits of magnitude 1e4 do not
 * cancel. Masked ({@code -Inf}) logits give {@code e = 0} exactly, probability 0 and log-probability
 * {@code -Inf}; products with them are selected to 0 (never {@code 0 · Inf}).
 *
 * <p><b>Rows that leave the fast path.</b> Where the reference's result depends on whether a
 * probability is 0 <em>in double</em> (the update forms U_V and U_P when {@code s} is NaN,
 * infinite or beyond the fp32 range, or when a row's maximum is NaN or {@code +Inf}), the row is recomputed by a scalar
 * double routine with the reference's formulas, so special values match exactly. Such rows
 * appear only without a log-ratio clip (overflowing {@code s}) or with NaN/{@code +Inf} logits.
 *
 * <p>The linear policy's {@code dW = G^T X / B} accumulates exact fp32 products in double in the
 * reference's order, so it equals the reference bit for bit (see {@link #linearPolicyGradientKernel}).
 *
 * <p>Thread-safe. The narrow-row strategy's scratch (three tiles of {@code A × L} floats, a few
 * lane arrays and {@code A} shuffles, about 6.5 KB at {@code A = 18, L = 16}) is kept per thread in a
 * {@link ThreadLocal} and reused by the next call on that thread with the same {@code A}; a call
 * with another {@code A} replaces it. Nothing is allocated in a loop, and nothing per call once the
 * thread's tile exists.
 */
public final class SimdSoftmax extends AbstractSoftmaxKernels {
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    static final int L = FS.length();
    static final VectorSpecies<Float> FH = SimdScale.FH;
    static final int H = FH.length();
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
        /** {@code L} rows at a time, a vector per column of a transposed tile (narrow rows). */
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

    /**
     * Row maximum (Math.max semantics: NaN propagates; the maximum of a set does not depend on the
     * order). Four accumulators: {@code FloatVector.max}'s NaN- and zero-aware sequence has a long
     * latency, and two chains left the pass latency-bound (harness, 64 × 32768: 298 µs with two,
     * 150 µs with four).
     */
    private static float rowMax(float[] q, int off, int a) {
        FloatVector m0 = FloatVector.broadcast(FS, NEG_INF), m1 = m0, m2 = m0, m3 = m0;
        int j = 0;
        for (; j + 4 * L <= a; j += 4 * L) {
            m0 = m0.max(FloatVector.fromArray(FS, q, off + j));
            m1 = m1.max(FloatVector.fromArray(FS, q, off + j + L));
            m2 = m2.max(FloatVector.fromArray(FS, q, off + j + 2 * L));
            m3 = m3.max(FloatVector.fromArray(FS, q, off + j + 3 * L));
        }
        m0 = m0.max(m2);
        m1 = m1.max(m3);
        for (; j + L <= a; j += L) {
            m0 = m0.max(FloatVector.fromArray(FS, q, off + j));
        }
        if (j < a) {
            VectorMask<Float> m = FS.indexInRange(j, a);
            m1 = m1.lanewise(VectorOperators.MAX, FloatVector.fromArray(FS, q, off + j, m), m);
        }
        return m0.max(m1).reduceLanes(VectorOperators.MAX);
    }

    /*
     * Hot loops use the Vector API directly and no vector-taking or vector-returning helper of
     * ours except SimdExp's, called first in a loop body: C2 inlines the Vector API's methods
     * unconditionally (@ForceInline) but ours only while the compiled graph is below
     * NodeCountInliningCutoff, and a helper left out of line boxes its vectors on every iteration.
     * (With small helpers for loads, conversions and the KL term, calls from a JVM that had run
     * several kernels allocated up to 50 MB per call and ran 3-4x slower.) Helpers between passes
     * take and return arrays and scalars only.
     */

    /** {@code Z = Σ exp(q_j - m)}, fp32 terms summed in double (two accumulators; SIMD reassociates the sum). */
    private static double rowZ(float[] q, int off, int a, float mx) {
        DoubleVector z0 = DoubleVector.zero(DS), z1 = z0;
        int j = 0;
        for (int ub = FS.loopBound(a); j < ub; j += L) {
            FloatVector e = SimdExp.expNonPositive(FloatVector.fromArray(FS, q, off + j).sub(mx));
            z0 = z0.add((DoubleVector) e.convertShape(VectorOperators.F2D, DS, 0));
            z1 = z1.add((DoubleVector) e.convertShape(VectorOperators.F2D, DS, 1));
        }
        double z = z0.add(z1).reduceLanes(VectorOperators.ADD);
        if (j < a) {
            VectorMask<Float> m = FS.indexInRange(j, a);
            z += sumAsDouble(SimdExp.expNonPositive(FloatVector.fromArray(FS, q, off + j, m).blend(NEG_INF, m.not()).sub(mx)));
        }
        return z;
    }

    /**
     * {@code Z} into {@code zs[0]} and {@code S = Σ_{e_j > 0} e_j (q_j - m)} into {@code zs[1]}, in
     * double (four accumulators; SIMD reassociates the sums).
     */
    private static void rowZS(float[] q, int off, int a, float mx, double[] zs) {
        DoubleVector z0 = DoubleVector.zero(DS), z1 = z0, s0 = z0, s1 = z0;
        int j = 0;
        for (int ub = FS.loopBound(a); j < ub; j += L) {
            FloatVector d = FloatVector.fromArray(FS, q, off + j).sub(mx);
            FloatVector e = SimdExp.expNonPositive(d);
            FloatVector ed = e.mul(d).blend(0f, e.compare(VectorOperators.EQ, 0f));
            z0 = z0.add((DoubleVector) e.convertShape(VectorOperators.F2D, DS, 0));
            z1 = z1.add((DoubleVector) e.convertShape(VectorOperators.F2D, DS, 1));
            s0 = s0.add((DoubleVector) ed.convertShape(VectorOperators.F2D, DS, 0));
            s1 = s1.add((DoubleVector) ed.convertShape(VectorOperators.F2D, DS, 1));
        }
        zs[0] = z0.add(z1).reduceLanes(VectorOperators.ADD);
        zs[1] = s0.add(s1).reduceLanes(VectorOperators.ADD);
        if (j < a) {
            rowZSTail(q, off, j, a, mx, zs);
        }
    }

    /** Adds the masked last vector of a row to {@link #rowZS}'s sums: missing lanes read {@code -Inf}, so their {@code e} is 0. */
    private static void rowZSTail(float[] q, int off, int j, int a, float mx, double[] zs) {
        VectorMask<Float> m = FS.indexInRange(j, a);
        FloatVector d = FloatVector.fromArray(FS, q, off + j, m).blend(NEG_INF, m.not()).sub(mx);
        FloatVector e = SimdExp.expNonPositive(d);
        FloatVector ed = e.mul(d).blend(0f, e.compare(VectorOperators.EQ, 0f));
        zs[0] += sumAsDouble(e);
        zs[1] += sumAsDouble(ed);
    }

    private static double sumAsDouble(FloatVector v) {
        return ((DoubleVector) v.convertShape(VectorOperators.F2D, DS, 0))
                .add((DoubleVector) v.convertShape(VectorOperators.F2D, DS, 1)).reduceLanes(VectorOperators.ADD);
    }

    // ------------------------------------------------------------------ logSoftmax, softmax, entropy

    @Override
    protected void logSoftmaxKernel(int b, int a, float[] logits, float[] out) {
        if (strategyFor(a) == Strategy.ACROSS_ROWS) {
            Tile t = Tile.of(b, a);
            while (t.next()) {
                t.loadMax(logits, null);
                t.zOnly(t.tin);
                t.writeLogSoftmaxRows(logits, out);
            }
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
            Tile t = Tile.of(b, a);
            while (t.next()) {
                t.loadMax(logits, null);
                t.zPass(t.tin, false);
                t.writeSoftmax();
                t.store(out);
            }
            return;
        }
        for (int i = 0; i < b; i++) {
            int off = i * a;
            float mx = rowMax(logits, off, a);
            float inv = (float) (1.0 / rowZ(logits, off, a, mx));
            int j = 0;
            for (int ub = FS.loopBound(a); j < ub; j += L) {
                SimdExp.expNonPositive(FloatVector.fromArray(FS, logits, off + j).sub(mx)).mul(inv).intoArray(out, off + j);
            }
            if (j < a) {
                VectorMask<Float> m = FS.indexInRange(j, a);
                SimdExp.expNonPositive(FloatVector.fromArray(FS, logits, off + j, m).sub(mx)).mul(inv).intoArray(out, off + j, m);
            }
        }
    }

    /** {@code H = log Z - S / Z} with {@code S = Σ e_j (q_j - m)}: equal to {@code -Σ pi log pi}, both terms {@code >= 0}. */
    @Override
    protected void entropyKernel(int b, int a, float[] logits, float[] out) {
        if (strategyFor(a) == Strategy.ACROSS_ROWS) {
            Tile t = Tile.of(b, a);
            while (t.next()) {
                t.loadMax(logits, null);
                t.zPass(t.tin, true);
                t.entropy(out);
            }
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

    // ------------------------------------------------------------------ KL

    /*
     * The KL term exp(lo) (lo - ln), with the reference's special cases: lo = -Inf gives 0 (a
     * select on every vector: masked actions are common); the other cases (ln = -Inf with lo not
     * NaN gives +Inf, ln = +Inf with finite lo gives -Inf, also where fp32 exp(lo) underflows to 0
     * while the double one does not) are the only ones that leave a NaN in a lane where the
     * reference has none, so they are selected only in a vector whose terms hold a NaN (rare),
     * tested once per vector.
     */

    @Override
    protected void klKernel(int b, int a, float[] logpOld, float[] logpNew, float[] out) {
        if (strategyFor(a) == Strategy.ACROSS_ROWS) {
            Tile t = Tile.of(b, a);
            while (t.next()) {
                if (t.rows == L) {
                    t.klRows(logpOld, logpNew, out);
                } else {
                    t.load(logpOld, t.tin);
                    t.load(logpNew, t.tin2);
                    t.klPass(t.tin, t.tin2, out);
                }
            }
            return;
        }
        for (int i = 0; i < b; i++) {
            out[i] = (float) klRow(logpOld, logpNew, i * a, a);
        }
    }

    /** One row's KL, terms summed in double (two accumulators; SIMD reassociates the sum). */
    private static double klRow(float[] lpo, float[] lpn, int off, int a) {
        DoubleVector k0 = DoubleVector.zero(DS), k1 = k0;
        int j = 0;
        for (int ub = FS.loopBound(a); j < ub; j += L) {
            FloatVector lo = FloatVector.fromArray(FS, lpo, off + j);
            FloatVector e = SimdExp.exp(lo);
            FloatVector ln = FloatVector.fromArray(FS, lpn, off + j);
            FloatVector t = e.mul(lo.sub(ln)).blend(0f, lo.compare(VectorOperators.EQ, NEG_INF));
            if (t.compare(VectorOperators.NE, t).anyTrue()) {
                t = t.blend(Float.POSITIVE_INFINITY, ln.compare(VectorOperators.EQ, NEG_INF)
                                .and(lo.compare(VectorOperators.EQ, lo)).andNot(lo.compare(VectorOperators.EQ, NEG_INF)))
                        .blend(NEG_INF, ln.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY)
                                .and(lo.abs().compare(VectorOperators.LT, Float.POSITIVE_INFINITY)));
            }
            k0 = k0.add((DoubleVector) t.convertShape(VectorOperators.F2D, DS, 0));
            k1 = k1.add((DoubleVector) t.convertShape(VectorOperators.F2D, DS, 1));
        }
        double k = k0.add(k1).reduceLanes(VectorOperators.ADD);
        return j < a ? k + klTail(lpo, lpn, off, j, a) : k;
    }

    /** The masked last vector of a KL row: missing lanes read {@code lo = -Inf}, so their term is 0. */
    private static double klTail(float[] lpo, float[] lpn, int off, int j, int a) {
        VectorMask<Float> m = FS.indexInRange(j, a);
        FloatVector lo = FloatVector.fromArray(FS, lpo, off + j, m).blend(NEG_INF, m.not());
        FloatVector e = SimdExp.exp(lo);
        FloatVector ln = FloatVector.fromArray(FS, lpn, off + j, m);
        FloatVector t = e.mul(lo.sub(ln)).blend(0f, lo.compare(VectorOperators.EQ, NEG_INF));
        t = t.blend(Float.POSITIVE_INFINITY, ln.compare(VectorOperators.EQ, NEG_INF)
                        .and(lo.compare(VectorOperators.EQ, lo)).andNot(lo.compare(VectorOperators.EQ, NEG_INF)))
                .blend(NEG_INF, ln.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY)
                        .and(lo.abs().compare(VectorOperators.LT, Float.POSITIVE_INFINITY)));
        return sumAsDouble(t);
    }

    // ------------------------------------------------------------------ surrogate

    @Override
    protected double surrogateKernel(int b, int a, float[] logitsNew, int[] actions, float[] logpOldAtAction,
            float[] advantages) {
        double sum = 0;
        if (strategyFor(a) == Strategy.ACROSS_ROWS) {
            Tile t = Tile.of(b, a);
            while (t.next()) {
                t.loadMax(logitsNew, actions);
                t.zPass(t.tin, false);
                sum += t.surrogate(logpOldAtAction, advantages);
            }
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
            Tile t = Tile.of(b, a);
            while (t.next()) {
                t.loadMax(logits, actions);
                if (form == UpdateForm.U_Q) {
                    t.zOnly(t.tin);
                } else {
                    t.zPass(t.tin, form == UpdateForm.U_P);
                }
                t.rowScalars(f, logMu, target, dO, dR, s);
                if (form == UpdateForm.U_Q) {
                    t.writeUq(actions, g);
                } else {
                    t.writeG(form, t.tin, actions);
                    t.store(g);
                }
                if (form != UpdateForm.U_Q) {
                    for (int r = 0; r < t.rows; r++) {
                        if (!Float.isFinite(t.mx[r]) || !Float.isFinite(t.sf[r])) {
                            int i = t.r0 + r;
                            slowRow(form, f, a, logits, i * a, actions[i], logMu[i], target[i], g, dO, dR, s, i);
                        }
                    }
                }
            }
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
            writeRowG(q, off, a, mx, inv, sf, dm, up, g);
            // the taken action, in double: s (1 - pi_a) [+ pi_a (q_a - <pi, q>)]
            double pa = Math.exp(qa - mx) / z;
            double ga = si * (1 - pa) + (up ? pa * ((qa - mx) - dMean) : 0);
            g[off + act] = (float) ga;
        }
    }

    /**
     * One wide row of U_V ({@code -s pi}) or U_P ({@code pi (d - D) - s pi}), exactly 0 where
     * {@code pi = 0}; the taken action is overwritten by the caller.
     */
    private static void writeRowG(float[] q, int off, int a, float mx, float inv, float sf, float dm, boolean up, float[] g) {
        int j = 0;
        float ns = -sf, dms = dm + sf;
        for (int ub = FS.loopBound(a); j < ub; j += L) {
            FloatVector d = FloatVector.fromArray(FS, q, off + j).sub(mx);
            FloatVector e = SimdExp.expNonPositive(d);
            FloatVector pi = e.mul(inv);
            FloatVector gv = up ? d.sub(dms).mul(pi) : pi.mul(ns);   // pi (d - D) - s pi = pi (d - (D + s)), or -s pi
            gv.blend(0f, e.compare(VectorOperators.EQ, 0f)).intoArray(g, off + j);
        }
        if (j < a) {
            VectorMask<Float> m = FS.indexInRange(j, a);
            FloatVector d = FloatVector.fromArray(FS, q, off + j, m).blend(NEG_INF, m.not()).sub(mx);
            FloatVector e = SimdExp.expNonPositive(d);
            FloatVector pi = e.mul(inv);
            FloatVector gv = up ? d.sub(dms).mul(pi) : pi.mul(ns);
            gv.blend(0f, e.compare(VectorOperators.EQ, 0f)).intoArray(g, off + j, m);
        }
    }

    // ------------------------------------------------------------------ narrow rows

    /**
     * The across-rows strategy: {@code L} consecutive rows at a time ({@code r0 .. r0+rows}),
     * transposed into a tile so that column {@code j} of them is one vector. Each pass is a small method whose vectors live only inside it; what passes carry
     * from one to the next (row max, {@code Z}, ...) goes through these per-tile arrays of
     * {@code L} lanes, so no vector crosses a call and C2's inlining decisions cannot box one.
     * Tail groups mask the missing rows (their lanes read {@code -Inf} and are never stored).
     */
    private static final class Tile {
        /**
         * One tile per thread, kept for the next call with the same {@code A} (a call with another
         * {@code A} replaces it): the narrow-row methods allocate nothing per call once it exists.
         * A tile is used only inside one kernel call on its own thread, and no kernel calls
         * another while it holds one, so sharing it between calls of one thread is safe.
         */
        private static final ThreadLocal<Tile> CACHE = new ThreadLocal<>();

        /** This thread's tile for rows of {@code a} logits, positioned before the first of {@code b} rows. */
        static Tile of(int b, int a) {
            Tile t = CACHE.get();
            if (t == null || t.a != a) {
                t = new Tile(a);
                CACHE.set(t);
            }
            t.b = b;
            t.r0 = -L;
            return t;
        }

        final int a;
        int b;
        /** Transposed tiles of {@code A × L}: input, second input (KL), output. */
        final float[] tin, tin2, tout;
        /** {@code r·A}: the gather index map of a full group. */
        final int[] rowIdx;
        /**
         * Per vector {@code v} of a full group's {@code A} vectors, lane {@code l} to row
         * {@code (v·L + l) / A}: built once per tile (a shuffle made inside the loop was allocated
         * on every use), unboxed from this array in the loop.
         */
        @SuppressWarnings("unchecked")
        final VectorShuffle<Float>[] rowOfLane;
        final float[] mx = new float[L], qa = new float[L], sf = new float[L], inv = new float[L], dm = new float[L];
        final double[] z = new double[L], sd = new double[L];
        int r0 = -L, rows, base;

        private Tile(int a) {
            this.a = a;
            this.rowIdx = new int[L];
            for (int r = 0; r < L; r++) {
                rowIdx[r] = r * a;
            }
            this.rowOfLane = (VectorShuffle<Float>[]) new VectorShuffle<?>[a];
            int[] rowOf = new int[L];
            for (int v = 0; v < a; v++) {
                for (int l = 0; l < L; l++) {
                    rowOf[l] = (v * L + l) / a;
                }
                rowOfLane[v] = VectorShuffle.fromArray(FS, rowOf, 0);
            }
            // KL's row layout reads up to 3 floats past A·L (lanes whose sums are never used); tout[A·L] stays 0
            this.tin = new float[a * L + L];
            this.tin2 = new float[a * L + L];
            this.tout = new float[a * L + L];
        }

        /** Moves to the next group of rows; false past the last. */
        boolean next() {
            r0 += L;
            if (r0 >= b) return false;
            rows = Math.min(L, b - r0);
            base = r0 * a;
            return true;
        }

        /**
         * {@link #load} of {@code q} into {@code tin} and {@link #maxPass}; a full group takes each
         * gathered column's maximum as it arrives (two accumulators, even and odd columns: the
         * maximum of a set does not depend on the order, NaN included).
         */
        void loadMax(float[] q, int[] actions) {
            if (rows < L) {
                load(q, tin);
                maxPass(tin, actions);
                return;
            }
            FloatVector m0 = FloatVector.broadcast(FS, NEG_INF), m1 = m0;
            int j = 0;
            if (actions == null) {
                for (; j + 2 <= a; j += 2) {
                    FloatVector c0 = FloatVector.fromArray(FS, q, base + j, rowIdx, 0);
                    FloatVector c1 = FloatVector.fromArray(FS, q, base + j + 1, rowIdx, 0);
                    c0.intoArray(tin, j * L);
                    c1.intoArray(tin, j * L + L);
                    m0 = m0.max(c0);
                    m1 = m1.max(c1);
                }
                if (j < a) {
                    FloatVector c0 = FloatVector.fromArray(FS, q, base + j, rowIdx, 0);
                    c0.intoArray(tin, j * L);
                    m0 = m0.max(c0);
                }
            } else {
                IntVector act = IntVector.fromArray(IS, actions, r0);
                FloatVector v = FloatVector.zero(FS);
                for (; j + 2 <= a; j += 2) {
                    FloatVector c0 = FloatVector.fromArray(FS, q, base + j, rowIdx, 0);
                    FloatVector c1 = FloatVector.fromArray(FS, q, base + j + 1, rowIdx, 0);
                    c0.intoArray(tin, j * L);
                    c1.intoArray(tin, j * L + L);
                    m0 = m0.max(c0);
                    m1 = m1.max(c1);
                    v = v.blend(c0, act.compare(VectorOperators.EQ, j).cast(FS)).blend(c1, act.compare(VectorOperators.EQ, j + 1).cast(FS));
                }
                if (j < a) {
                    FloatVector c0 = FloatVector.fromArray(FS, q, base + j, rowIdx, 0);
                    c0.intoArray(tin, j * L);
                    m0 = m0.max(c0);
                    v = v.blend(c0, act.compare(VectorOperators.EQ, j).cast(FS));
                }
                v.intoArray(qa, 0);
            }
            m0.max(m1).intoArray(mx, 0);
        }

        /**
         * Transposes rows {@code r0 .. r0+rows} of {@code q} into {@code tile} ({@code tile[j·L + r]
         * = q[(r0 + r)·A + j]}), {@code -Inf} in the lanes past the last row: the logits are read
         * from memory once, every pass after that reads the L1-resident tile. A full group is one
         * gather per column; the partial last group is copied in scalar code (its missing lanes
         * have no valid index to gather from).
         */
        void load(float[] q, float[] tile) {
            if (rows == L) {
                for (int j = 0; j < a; j++) {
                    FloatVector.fromArray(FS, q, base + j, rowIdx, 0).intoArray(tile, j * L);
                }
                return;
            }
            for (int r = 0; r < rows; r++) {
                int src = base + r * a;
                for (int j = 0, dst = r; j < a; j++, dst += L) {
                    tile[dst] = q[src + j];
                }
            }
            if (rows < L) {
                for (int r = rows; r < L; r++) {
                    for (int j = 0, dst = r; j < a; j++, dst += L) {
                        tile[dst] = NEG_INF;
                    }
                }
            }
        }

        /** Writes {@code tout} (transposed) back to rows {@code r0 .. r0+rows} of {@code out}. */
        void store(float[] out) {
            for (int r = 0; r < rows; r++) {
                int dst = base + r * a;
                for (int j = 0, src = r; j < a; j++, src += L) {
                    out[dst + j] = tout[src];
                }
            }
        }

        /** Row maxima into {@code mx}; with {@code actions}, the taken action's logit into {@code qa}. */
        void maxPass(float[] q, int[] actions) {
            FloatVector m = FloatVector.broadcast(FS, NEG_INF);
            if (actions == null) {
                FloatVector m1 = m;
                int j = 0;
                for (; j + 2 <= a; j += 2) {   // two accumulators: Math.max's compare-and-blend sequence has a long latency
                    m = m.max(FloatVector.fromArray(FS, q, j * L));
                    m1 = m1.max(FloatVector.fromArray(FS, q, j * L + L));
                }
                if (j < a) {
                    m = m.max(FloatVector.fromArray(FS, q, j * L));
                }
                m = m.max(m1);
            } else {
                IntVector act = IntVector.fromArray(IS, actions, r0, IS.indexInRange(0, rows));
                FloatVector v = FloatVector.zero(FS);
                for (int j = 0; j < a; j++) {
                    FloatVector c = FloatVector.fromArray(FS, q, j * L);
                    m = m.max(c);
                    v = v.blend(c, act.compare(VectorOperators.EQ, j).cast(FS));
                }
                v.intoArray(qa, 0);
            }
            m.intoArray(mx, 0);
        }

        /**
         * {@code Z} (and {@code S = Σ e d}) per row, fp32 terms summed in double. Leaves
         * {@code d = q - m} in {@code q}'s tile and {@code e = exp(d)} in {@code tin2}, so the
         * writing pass needs no second {@code exp}.
         */
        void zPass(float[] q, boolean withS) {
            if (withS) {
                zsPass(q);
                return;
            }
            zKeep(q);
        }

        /** {@code Z} per row only (logSoftmax and U_Q need nothing else per logit): no tile is written. */
        void zOnly(float[] q) {
            FloatVector m = FloatVector.fromArray(FS, mx, 0);
            DoubleVector z0 = DoubleVector.zero(DS), z1 = z0;
            for (int j = 0; j < a; j++) {
                FloatVector e = SimdExp.expNonPositive(FloatVector.fromArray(FS, q, j * L).sub(m));
                z0 = z0.add((DoubleVector) e.convertShape(VectorOperators.F2D, DS, 0));
                z1 = z1.add((DoubleVector) e.convertShape(VectorOperators.F2D, DS, 1));
            }
            z0.intoArray(z, 0);
            z1.intoArray(z, L / 2);
        }

        private void zKeep(float[] q) {
            FloatVector m = FloatVector.fromArray(FS, mx, 0);
            DoubleVector z0 = DoubleVector.zero(DS), z1 = z0;
            for (int j = 0; j < a; j++) {
                FloatVector d = FloatVector.fromArray(FS, q, j * L).sub(m);
                FloatVector e = SimdExp.expNonPositive(d);
                d.intoArray(q, j * L);
                e.intoArray(tin2, j * L);
                z0 = z0.add((DoubleVector) e.convertShape(VectorOperators.F2D, DS, 0));
                z1 = z1.add((DoubleVector) e.convertShape(VectorOperators.F2D, DS, 1));
            }
            z0.intoArray(z, 0);
            z1.intoArray(z, L / 2);
        }

        private void zsPass(float[] q) {
            FloatVector m = FloatVector.fromArray(FS, mx, 0);
            DoubleVector z0 = DoubleVector.zero(DS), z1 = z0, s0 = z0, s1 = z0;
            for (int j = 0; j < a; j++) {
                FloatVector d = FloatVector.fromArray(FS, q, j * L).sub(m);
                FloatVector e = SimdExp.expNonPositive(d);
                d.intoArray(q, j * L);
                e.intoArray(tin2, j * L);
                FloatVector ed = e.mul(d).blend(0f, e.compare(VectorOperators.EQ, 0f));
                z0 = z0.add((DoubleVector) e.convertShape(VectorOperators.F2D, DS, 0));
                z1 = z1.add((DoubleVector) e.convertShape(VectorOperators.F2D, DS, 1));
                s0 = s0.add((DoubleVector) ed.convertShape(VectorOperators.F2D, DS, 0));
                s1 = s1.add((DoubleVector) ed.convertShape(VectorOperators.F2D, DS, 1));
            }
            z0.intoArray(z, 0);
            z1.intoArray(z, L / 2);
            s0.intoArray(sd, 0);
            s1.intoArray(sd, L / 2);
        }

        /**
         * {@code out = (q - m) - log Z} straight into the rows (no transpose back): each row's
         * {@code m} and fp32 {@code log Z} are per-row constants, the loop over the row is plain
         * contiguous code (the same two fp32 operations per element as the along-rows strategy).
         */
        void writeLogSoftmaxRows(float[] q, float[] out) {
            ((FloatVector) DoubleVector.fromArray(DS, z, 0).lanewise(VectorOperators.LOG).convertShape(VectorOperators.D2F, FH, 0)).intoArray(inv, 0);
            ((FloatVector) DoubleVector.fromArray(DS, z, H).lanewise(VectorOperators.LOG).convertShape(VectorOperators.D2F, FH, 0)).intoArray(inv, H);
            if (rows == L) {
                // a full group is A whole vectors of contiguous logits; lane l of vector v belongs to
                // row (v·L + l) / A, whose m and log Z one permutation of the per-row vectors brings
                FloatVector m = FloatVector.fromArray(FS, mx, 0), lz = FloatVector.fromArray(FS, inv, 0);
                for (int v = 0; v < a; v++) {
                    VectorShuffle<Float> rowOf = rowOfLane[v];
                    FloatVector.fromArray(FS, q, base + v * L).sub(m.rearrange(rowOf)).sub(lz.rearrange(rowOf))
                            .intoArray(out, base + v * L);
                }
                return;
            }
            for (int r = 0; r < rows; r++) {
                int off = base + r * a;
                float m = mx[r], lz = inv[r];
                for (int j = 0; j < a; j++) {
                    out[off + j] = (q[off + j] - m) - lz;
                }
            }
        }

        /** U_Q: the rows are zero but for {@code s} at the taken action: a contiguous fill and one store per row. */
        void writeUq(int[] actions, float[] g) {
            int n = rows * a, i = 0;
            FloatVector zero = FloatVector.zero(FS);
            for (int ub = FS.loopBound(n); i < ub; i += L) {
                zero.intoArray(g, base + i);
            }
            if (i < n) {
                zero.intoArray(g, base + i, FS.indexInRange(i, n));
            }
            for (int r = 0; r < rows; r++) {
                g[base + r * a + actions[r0 + r]] = sf[r];
            }
        }

        /** From the {@code e} tile {@link #zPass} left. */
        void writeSoftmax() {
            ((FloatVector) DoubleVector.broadcast(DS, 1.0).div(DoubleVector.fromArray(DS, z, 0)).convertShape(VectorOperators.D2F, FH, 0)).intoArray(inv, 0);
            ((FloatVector) DoubleVector.broadcast(DS, 1.0).div(DoubleVector.fromArray(DS, z, H)).convertShape(VectorOperators.D2F, FH, 0)).intoArray(inv, H);
            FloatVector iz = FloatVector.fromArray(FS, inv, 0);
            for (int j = 0; j < a; j++) {
                FloatVector.fromArray(FS, tin2, j * L).mul(iz).intoArray(tout, j * L);
            }
        }

        void entropy(float[] out) {
            DoubleVector z0 = DoubleVector.fromArray(DS, z, 0), z1 = DoubleVector.fromArray(DS, z, H);
            ((FloatVector) z0.lanewise(VectorOperators.LOG).sub(DoubleVector.fromArray(DS, sd, 0).div(z0)).convertShape(VectorOperators.D2F, FH, 0))
                    .intoArray(out, r0, FH.indexInRange(0, rows));
            ((FloatVector) z1.lanewise(VectorOperators.LOG).sub(DoubleVector.fromArray(DS, sd, H).div(z1)).convertShape(VectorOperators.D2F, FH, 0))
                    .intoArray(out, r0 + H, FH.indexInRange(H, rows));
        }

        /**
         * KL of a full group in row layout: the group's {@code A·L} terms are {@code A} whole
         * contiguous vectors of both inputs (no gather of the inputs), written to the L1 tile
         * {@code tout}. The row sums then gather from partial sums instead of single terms: pairs
         * {@code P_k = t_k + t_(k+1)} (tile {@code tin}) and quads {@code Q_k = P_k + P_(k+2)} (tile
         * {@code tin2}), both formed by unaligned loads of the tile, so a row of {@code A} terms takes
         * {@code ceil(A/4)}-ish gathers ({@code 5} at {@code A = 18}: 4 quads and a pair) instead of
         * {@code A}; see {@link #klSums} for the order and the error.
         */
        void klRows(float[] lpo, float[] lpn, float[] out) {
            for (int v = 0; v < a; v++) {
                FloatVector lo = FloatVector.fromArray(FS, lpo, base + v * L);
                FloatVector e = SimdExp.exp(lo);
                FloatVector ln = FloatVector.fromArray(FS, lpn, base + v * L);
                FloatVector t = e.mul(lo.sub(ln)).blend(0f, lo.compare(VectorOperators.EQ, NEG_INF));
                if (t.compare(VectorOperators.NE, t).anyTrue()) {
                    t = t.blend(Float.POSITIVE_INFINITY, ln.compare(VectorOperators.EQ, NEG_INF)
                                    .and(lo.compare(VectorOperators.EQ, lo)).andNot(lo.compare(VectorOperators.EQ, NEG_INF)))
                            .blend(NEG_INF, ln.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY)
                                    .and(lo.abs().compare(VectorOperators.LT, Float.POSITIVE_INFINITY)));
                }
                t.intoArray(tout, v * L);
            }
            // lane k of a pair/quad vector sums flat positions k..k+1 / k..k+3 of the group; lanes
            // whose span crosses a row end (or the group end, where tout[A·L] = 0) are never gathered
            for (int v = 0; v < a; v++) {
                FloatVector.fromArray(FS, tout, v * L).add(FloatVector.fromArray(FS, tout, v * L + 1)).intoArray(tin, v * L);
            }
            for (int v = 0; v < a; v++) {
                FloatVector.fromArray(FS, tin, v * L).add(FloatVector.fromArray(FS, tin, v * L + 2)).intoArray(tin2, v * L);
            }
            DoubleVector k0 = DoubleVector.zero(DS), k1 = k0;
            int j = 0;
            for (; j + 4 <= a; j += 4) {
                FloatVector c = FloatVector.fromArray(FS, tin2, j, rowIdx, 0);
                k0 = k0.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 0));
                k1 = k1.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 1));
            }
            if (j + 2 <= a) {
                FloatVector c = FloatVector.fromArray(FS, tin, j, rowIdx, 0);
                k0 = k0.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 0));
                k1 = k1.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 1));
                j += 2;
            }
            if (j < a) {
                FloatVector c = FloatVector.fromArray(FS, tout, j, rowIdx, 0);
                k0 = k0.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 0));
                k1 = k1.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 1));
            }
            if (!k0.add(k1).test(VectorOperators.IS_FINITE).allTrue()) {
                // a row with an Inf or NaN term, or an fp32 partial sum that overflowed: the plain double sum of its terms
                DoubleVector p0 = DoubleVector.zero(DS), p1 = p0;
                for (j = 0; j < a; j++) {
                    FloatVector c = FloatVector.fromArray(FS, tout, j, rowIdx, 0);
                    p0 = p0.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 0));
                    p1 = p1.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 1));
                }
                k0 = k0.blend(p0, k0.test(VectorOperators.IS_FINITE).not());
                k1 = k1.blend(p1, k1.test(VectorOperators.IS_FINITE).not());
            }
            ((FloatVector) k0.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, r0);
            ((FloatVector) k1.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, r0 + H);
        }

        /**
         * KL per row of a partial group from the two transposed tiles: the terms into {@code tout}
         * (column {@code j} at {@code j·L}; tail lanes have {@code logpOld = -Inf}, term 0), then
         * summed exactly as {@link #klRows} sums a full group's row, so a row's KL does not depend
         * on the group it falls in: quads {@code (t_j + t_(j+1)) + (t_(j+2) + t_(j+3))} for
         * {@code j = 0, 4, ...} while {@code j + 4 <= A}, then a pair, then a single term, each
         * fp32 partial sum converted to double and added in that order; where a row's sum is not
         * finite, the plain double sum of its terms in column order (chosen per row, as in {@link #klRows}).
         *
         * <p>Error of the fp32 partial sums: each term passes through at most two fp32 additions, so
         * a quad or pair is within {@code 2u} (u = 2^-24) of its exact value relative to the sum of
         * its terms' magnitudes (no cancellation assumed), and the row's KL moves by at most
         * {@code 2u · Σ|terms|}. With each term's own {@code 6u}, that is {@code 8u · Σ|terms|},
         * inside SPEC's {@code 1e-6 · Σ|terms|} ({@code ≈ 16.8u}). (Subnormal partial sums add
         * exactly.) An fp32 partial sum can overflow where the double sum of its terms would not
         * (terms near {@code 1e38}, only for log-probabilities far above 0): the result is then not
         * finite and the fallback recomputes the row in double.
         */
        void klPass(float[] logpOld, float[] logpNew, float[] out) {
            for (int j = 0; j < a; j++) {
                FloatVector lo = FloatVector.fromArray(FS, logpOld, j * L);
                FloatVector e = SimdExp.exp(lo);
                FloatVector ln = FloatVector.fromArray(FS, logpNew, j * L);
                FloatVector t = e.mul(lo.sub(ln)).blend(0f, lo.compare(VectorOperators.EQ, NEG_INF));
                if (t.compare(VectorOperators.NE, t).anyTrue()) {
                    t = t.blend(Float.POSITIVE_INFINITY, ln.compare(VectorOperators.EQ, NEG_INF)
                                    .and(lo.compare(VectorOperators.EQ, lo)).andNot(lo.compare(VectorOperators.EQ, NEG_INF)))
                            .blend(NEG_INF, ln.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY)
                                    .and(lo.abs().compare(VectorOperators.LT, Float.POSITIVE_INFINITY)));
                }
                t.intoArray(tout, j * L);
            }
            DoubleVector k0 = DoubleVector.zero(DS), k1 = k0;
            int j = 0;
            for (; j + 4 <= a; j += 4) {
                FloatVector c = FloatVector.fromArray(FS, tout, j * L).add(FloatVector.fromArray(FS, tout, j * L + L))
                        .add(FloatVector.fromArray(FS, tout, j * L + 2 * L).add(FloatVector.fromArray(FS, tout, j * L + 3 * L)));
                k0 = k0.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 0));
                k1 = k1.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 1));
            }
            if (j + 2 <= a) {
                FloatVector c = FloatVector.fromArray(FS, tout, j * L).add(FloatVector.fromArray(FS, tout, j * L + L));
                k0 = k0.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 0));
                k1 = k1.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 1));
                j += 2;
            }
            if (j < a) {
                FloatVector c = FloatVector.fromArray(FS, tout, j * L);
                k0 = k0.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 0));
                k1 = k1.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 1));
            }
            if (!k0.add(k1).test(VectorOperators.IS_FINITE).allTrue()) {
                DoubleVector p0 = DoubleVector.zero(DS), p1 = p0;
                for (j = 0; j < a; j++) {
                    FloatVector c = FloatVector.fromArray(FS, tout, j * L);
                    p0 = p0.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 0));
                    p1 = p1.add((DoubleVector) c.convertShape(VectorOperators.F2D, DS, 1));
                }
                k0 = k0.blend(p0, k0.test(VectorOperators.IS_FINITE).not());
                k1 = k1.blend(p1, k1.test(VectorOperators.IS_FINITE).not());
            }
            ((FloatVector) k0.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, r0, FH.indexInRange(0, rows));
            ((FloatVector) k1.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, r0 + H, FH.indexInRange(H, rows));
        }

        /** {@code Σ_rows exp(((qa - m) - log Z) - lpo) adv}, in double. */
        double surrogate(float[] lpo, float[] adv) {
            double sum = 0;
            for (int h = 0; h < L; h += H) {
                VectorMask<Float> m = FH.indexInRange(r0 + h, b);
                DoubleVector t = widen(qa, h).sub(widen(mx, h)).sub(DoubleVector.fromArray(DS, z, h).lanewise(VectorOperators.LOG))
                        .sub(widen(lpo, r0 + h, m)).lanewise(VectorOperators.EXP).mul(widen(adv, r0 + h, m));
                sum += t.blend(0.0, m.cast(DS).not()).reduceLanes(VectorOperators.ADD);
            }
            return sum;
        }

        /**
         * Per row, in double with the reference's formulas: {@code dO = ((qa - m) - log Z) - logMu},
         * {@code dR = target - qa}, {@code s = f(dO, dR)}; fp32 {@code s}, {@code 1/Z} and
         * {@code D = S/Z} into the lane arrays; the per-sample outputs stored when not null.
         */
        void rowScalars(ScaleFunction f, float[] logMu, float[] target, float[] dO, float[] dR, float[] s) {
            for (int h = 0; h < L; h += H) {
                VectorMask<Float> m = FH.indexInRange(r0 + h, b);
                DoubleVector q = widen(qa, h), zz = DoubleVector.fromArray(DS, z, h);
                DoubleVector o = q.sub(widen(mx, h)).sub(zz.lanewise(VectorOperators.LOG)).sub(widen(logMu, r0 + h, m));
                DoubleVector r = widen(target, r0 + h, m).sub(q);
                DoubleVector sc = SimdScale.evaluate(f, o, r);
                sc.convertShape(VectorOperators.D2F, FH, 0).reinterpretAsFloats().intoArray(sf, h);
                DoubleVector.broadcast(DS, 1.0).div(zz).convertShape(VectorOperators.D2F, FH, 0).reinterpretAsFloats().intoArray(inv, h);
                DoubleVector.fromArray(DS, sd, h).div(zz).convertShape(VectorOperators.D2F, FH, 0).reinterpretAsFloats().intoArray(dm, h);
                if (dO != null) o.convertShape(VectorOperators.D2F, FH, 0).reinterpretAsFloats().intoArray(dO, r0 + h, m);
                if (dR != null) r.convertShape(VectorOperators.D2F, FH, 0).reinterpretAsFloats().intoArray(dR, r0 + h, m);
                if (s != null) sc.convertShape(VectorOperators.D2F, FH, 0).reinterpretAsFloats().intoArray(s, r0 + h, m);
            }
        }

        /** {@code G} column by column from the {@code d} and {@code e} tiles of {@link #zPass}; rows needing the double routine are overwritten afterwards by the caller. */
        void writeG(UpdateForm form, float[] q, int[] actions) {
            IntVector act = IntVector.fromArray(IS, actions, r0, IS.indexInRange(0, rows));
            FloatVector s = FloatVector.fromArray(FS, sf, 0), zero = FloatVector.zero(FS);
            FloatVector iz = FloatVector.fromArray(FS, inv, 0);
            FloatVector dmv = FloatVector.fromArray(FS, dm, 0);
            boolean up = form == UpdateForm.U_P;
            for (int j = 0; j < a; j++) {
                VectorMask<Float> isA = act.compare(VectorOperators.EQ, j).cast(FS);
                FloatVector d = FloatVector.fromArray(FS, q, j * L), e = FloatVector.fromArray(FS, tin2, j * L);   // left by zPass
                VectorMask<Float> zeroP = e.compare(VectorOperators.EQ, 0f);
                FloatVector pi = e.mul(iz);
                FloatVector gv = s.mul(zero.blend(1f, isA).sub(pi));         // s (e_a - pi)
                if (up) {
                    gv = gv.add(pi.mul(d.sub(dmv)).blend(0f, zeroP));        // + pi (d - D)
                }
                gv.blend(0f, zeroP.andNot(isA)).intoArray(tout, j * L);     // pi = 0 off the action: exactly 0
            }
        }
    }

    private static DoubleVector widen(float[] a, int off) {
        return (DoubleVector) FloatVector.fromArray(FH, a, off).convertShape(VectorOperators.F2D, DS, 0);
    }

    private static DoubleVector widen(float[] a, int off, VectorMask<Float> m) {
        return (DoubleVector) FloatVector.fromArray(FH, a, off, m).convertShape(VectorOperators.F2D, DS, 0);
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
                    DoubleVector x0 = (DoubleVector) xv.convertShape(VectorOperators.F2D, DS, 0),
                            x1 = (DoubleVector) xv.convertShape(VectorOperators.F2D, DS, 1);
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
