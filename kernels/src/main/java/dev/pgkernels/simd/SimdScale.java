package dev.pgkernels.simd;

import dev.pgkernels.scale.AbstractScaleKernels;
import dev.pgkernels.scale.ScaleFunction;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@code simd} gradient scale functions (SPEC §1) in the Vector API, with the preferred float
 * species and the preferred double species (half as many lanes, same bit size).
 *
 * <p><b>Two paths.</b>
 * <ul>
 *   <li>{@link Strategy#FP32} (default) — the {@code exp}-bound kinds (SQ, ML, SIL, PPO_CLIP) run
 *       in fp32, fused: per lane one inline {@code exp(x)} ({@link SimdExp}, about 15 vector
 *       instructions, within 2 ulp of {@code Math.exp}), for ML also one inline {@code expm1(y)}
 *       (within 2 ulp of {@code Math.expm1}, including {@code |y| < 1e-6}, where it does not
 *       cancel), one fp32 product, and one integer comparison per vector that sends the rare
 *       vectors with a special or out-of-range input to the double path.
 *       MSE is a copy. MLA and parametric MLA run in fp32 too: both are continuous, so a branch
 *       decided differently near its boundary changes the result by rounding only; the absolute
 *       error is a few ulps of {@code |y| (1 + |αo x| + |αr y|)} (of {@code |y| (1 + |x| + |y|/2)
 *       + (1+x)^2} for MLA). Vectors with an input beyond {@code 1e12} (or infinite), and
 *       parametric MLA with {@code |αo|} or {@code |αr| > 1e6}, take the double path, so no fp32
 *       intermediate overflows where the double one does not.</li>
 *   <li>{@link Strategy#DOUBLE} — every lane converted to double, {@code f} evaluated with the same
 *       operations in the same order as {@code ReferenceScale.evaluate}, rounded once to fp32. For
 *       MSE, MLA and parametric MLA this is bit-identical to the reference; for the {@code exp}
 *       kinds it differs only by the double {@code exp}'s last-bit error. Slower (half the lanes,
 *       conversions): for callers who want the reference's values, and for the tests.</li>
 * </ul>
 *
 * <p><b>Overflow is judged on the rounded result</b>, as the reference does: {@code SQ(89, 0.001)
 * ≈ 4.49e35} is finite although {@code exp(89)} is not an fp32 number, and {@code SQ(100, 0) = 0}
 * (the double {@code exp(100)} is finite). In fp32, {@code exp(x)} is a normal number only for
 * {@code |x| <= 87.3}; so every vector holding a lane whose clipped {@code x} lies outside
 * {@code [-RISK, RISK]} (or is infinite or NaN) — and, for ML, whose {@code y} exceeds
 * {@code RISK} ({@code expm1(y)} could overflow where the product does not) — is evaluated by the
 * double path instead (a whole vector, no scalar code, tested once per vector by
 * {@code anyTrue}). Inside that range {@code exp(x) ∈ [1.8e-35, 5.5e34]} is a normal number, so
 * the fp32 product {@code exp(x)·y} has relative error at most {@code 2 ulp + 0.5 ulp ≈ 3e-7}
 * (ML: {@code + 2 ulp}), and it overflows or underflows exactly where the correctly rounded product
 * does, except for products within that relative distance of {@code Float.MAX_VALUE} (a branch
 * boundary in SPEC's sense). An infinite or NaN {@code x} takes the double path, which gives the
 * reference's classes ({@code exp(+Inf)·0 = NaN}, {@code exp(-Inf)·Inf = NaN}); an infinite or
 * NaN {@code y} with a normal {@code exp(x)} propagates in fp32 by IEEE as in double
 * ({@code expm1(-Inf) = -1}; ML's {@code y = +Inf} is flagged).
 *
 * <p>The optional log-ratio clip is {@code x = min(x, c)}; in the fp32 path with {@code (float) c},
 * which changes {@code exp(c)} by a relative {@code |c| 2^-24} at most ({@code 1.2e-6} at
 * {@code c = 20}) — only where {@code c} is not an fp32 number. PPO's bounds {@code 1 ± eps} are
 * compared in fp32 (SPEC lets fp32 and double choose differently within a few ulps of them).
 *
 * <p>Elementwise, allocation-free, stateless and thread-safe; tails are masked vectors.
 */
public final class SimdScale extends AbstractScaleKernels {
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    static final int L = FS.length();
    /** fp32 species of half the preferred bit size: {@code H} fp32 lanes widen to one preferred double vector. */
    static final VectorSpecies<Float> FH = VectorSpecies.of(float.class,
            jdk.incubator.vector.VectorShape.forBitSize(FS.vectorBitSize() / 2));
    static final int H = FH.length();

    /** A vector whose fp32 {@code exp} (for ML also {@code expm1}) leaves {@code [exp(-RISK), exp(RISK)]} takes the double path; fp32 {@code exp} stays normal for {@code |x| < 87.3}. */
    static final float RISK = 80f;

    /** Lanes {@code >= L/2}: where the second double half lands when converted back. */
    private static final VectorMask<Float> UPPER = FS.indexInRange(-L / 2, L / 2); // lane N set iff 0 <= N - L/2 < L/2

    /** How the functions are evaluated. */
    public enum Strategy {
        /** fp32 for the exp-bound kinds (double for lanes at risk of over/underflow), double for MLA. */
        FP32,
        /** Every kind in double, rounded once: the reference's arithmetic. */
        DOUBLE
    }

    private final Strategy strategy;

    /** The default strategy, {@link Strategy#FP32}. */
    public SimdScale() {
        this(Strategy.FP32);
    }

    /** Forces a strategy (tests and benchmarks). */
    public SimdScale(Strategy strategy) {
        this.strategy = java.util.Objects.requireNonNull(strategy, "strategy");
    }

    /** The strategy in use. */
    public Strategy strategy() {
        return strategy;
    }

    static {
        if (DS.length() * 2 != L) {
            throw new IllegalStateException("preferred species: " + FS + " and " + DS + " differ in bit size");
        }
    }

    @Override
    protected void scaleKernel(ScaleFunction f, int n, float[] dO, int dOOffset, float[] dR, int dROffset,
            float[] out, int outOffset) {
        ScaleFunction.Kind k = f.kind();
        if (k == ScaleFunction.Kind.MSE) {
            copy(n, dR, dROffset, out, outOffset);
            return;
        }
        if (k == ScaleFunction.Kind.MLA && strategy == Strategy.DOUBLE) {
            mla(f.clipOrInfinity(), n, dO, dOOffset, dR, dROffset, out, outOffset);
            return;
        }
        if (k == ScaleFunction.Kind.MLA_PARAMETRIC && (strategy == Strategy.DOUBLE
                || !(Math.abs(f.alphaO()) <= MLA_MAX_ALPHA && Math.abs(f.alphaR()) <= MLA_MAX_ALPHA))) {
            mlaParametric(f.clipOrInfinity(), f.alphaO(), f.alphaR(), n, dO, dOOffset, dR, dROffset, out, outOffset);
            return;
        }
        if (strategy == Strategy.DOUBLE) {
            allDouble(f, n, dO, dOOffset, dR, dROffset, out, outOffset);
            return;
        }
        float c = (float) f.clipOrInfinity();
        switch (k) {
            case SQ -> sq(f, c, n, dO, dOOffset, dR, dROffset, out, outOffset);
            case ML -> ml(f, c, n, dO, dOOffset, dR, dROffset, out, outOffset);
            case SIL -> sil(f, c, n, dO, dOOffset, dR, dROffset, out, outOffset);
            case PPO_CLIP -> ppo(f, c, n, dO, dOOffset, dR, dROffset, out, outOffset);
            case MLA -> mla32(f, c, n, dO, dOOffset, dR, dROffset, out, outOffset);
            case MLA_PARAMETRIC -> mlaParametric32(f, c, (float) f.alphaO(), (float) f.alphaR(), n, dO, dOOffset,
                    dR, dROffset, out, outOffset);
            default -> throw new AssertionError(k);
        }
    }

    private static void copy(int n, float[] src, int so, float[] dst, int d) {
        int i = 0;
        for (int ub = FS.loopBound(n); i < ub; i += L) {
            FloatVector.fromArray(FS, src, so + i).intoArray(dst, d + i);
        }
        if (i < n) {
            VectorMask<Float> m = FS.indexInRange(i, n);
            FloatVector.fromArray(FS, src, so + i, m).intoArray(dst, d + i, m);
        }
    }

    /*
     * The fp32 loops. C2 inlines the Vector API's own methods unconditionally (@ForceInline), but a
     * helper of ours only while the method's graph is below NodeCountInliningCutoff; a helper left
     * out of line that takes or returns a vector boxes it, on every iteration. ML's body is near
     * that size: with its risk test as a helper called after the two polynomials (or with the
     * masked tail in the same method) the test stayed out of line and its mask was boxed, 12 MB
     * per call at n = 2^20 and 4x slower. So each main loop writes its risk test out before the
     * polynomials (helpers are called while the graph is small), the tail is a separate method
     * ({@link #tail}, once per call), and the rare double path ({@link #viaDouble}) is a call
     * taken only by a vector that needs it. JMH's gc profiler shows no allocation per call.
     */
    /**
     * Bit pattern of {@code RISK}: a lane whose {@code |x|} bit pattern exceeds it is beyond
     * {@code RISK}, infinite or NaN (NaN's patterns lie above {@code +Inf}'s, which lie above
     * {@code RISK}'s). There the fp32 {@code exp(x)} may be subnormal, 0 or infinite where the
     * double one is not, and {@link SimdExp#expCore} is not defined past {@code |x| = 87}.
     */
    private static final int RISK_BITS = Float.floatToRawIntBits(RISK);
    private static final int ABS = 0x7fffffff;

    /**
     * The log-ratio clip {@code min(x, c)} as a compare and a blend: NaN stays NaN (it compares
     * false), and only the sign of a zero may differ from {@code Math.min}, which no kind can see
     * ({@code exp(±0) = 1}, {@code 1 ± 0 = 1}). {@code FloatVector.min} keeps {@code Math.min}'s
     * zero and NaN rules with a longer instruction sequence: 45 µs more per 2^20 samples of SQ.
     */
    private static FloatVector clip(FloatVector x, float c) {
        return x.blend(c, x.compare(VectorOperators.GT, c));
    }

    /**
     * SIL's {@code max(y, 0)} as a compare and a blend, like {@link #clip}: a NaN {@code y} compares
     * false and stays NaN; {@code -0} stays {@code -0} (its product's sign is the only difference from
     * {@code Math.max}, and SPEC does not compare the sign of a zero). {@code FloatVector.max} with
     * {@code Math.max}'s rules took 221 µs per 2^20 samples of SIL, the blend 202 µs (focused JMH runs,
     * 3 forks; the bare inline exp 130 µs, SQ 188–192 µs).
     */
    private static FloatVector positivePart(FloatVector y) {
        return y.blend(0f, y.compare(VectorOperators.LT, 0f));
    }

    /** Some lane's {@code |x|} is beyond {@code RISK}, infinite or NaN. */
    private static boolean atRisk(FloatVector x) {
        return x.reinterpretAsInts().and(ABS).compare(VectorOperators.GT, RISK_BITS).anyTrue();
    }

    /** ML's test: also a {@code y} above {@code RISK} ({@code +Inf}, positive-signed NaN) — as a signed integer, a negative {@code y} never is. */
    private static boolean atRiskMl(FloatVector x, FloatVector y) {
        return x.reinterpretAsInts().and(ABS).max(y.reinterpretAsInts()).compare(VectorOperators.GT, RISK_BITS).anyTrue();
    }

    private static void sq(ScaleFunction f, float c, int n, float[] dO, int xo, float[] dR, int yo, float[] out, int oo) {
        int i = 0;
        for (int ub = FS.loopBound(n); i < ub; i += L) {
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i);
            FloatVector x = clip(x0, c);
            boolean risk = x.reinterpretAsInts().and(ABS).compare(VectorOperators.GT, RISK_BITS).anyTrue();
            FloatVector r = SimdExp.expCore(x).mul(y);
            if (risk) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i);
        }
        tail(f, c, i, n, dO, xo, dR, yo, out, oo);
    }

    private static void sil(ScaleFunction f, float c, int n, float[] dO, int xo, float[] dR, int yo, float[] out, int oo) {
        int i = 0;
        for (int ub = FS.loopBound(n); i < ub; i += L) {
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i);
            FloatVector x = clip(x0, c);
            boolean risk = x.reinterpretAsInts().and(ABS).compare(VectorOperators.GT, RISK_BITS).anyTrue();
            FloatVector r = SimdExp.expCore(x).mul(positivePart(y));
            if (risk) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i);
        }
        tail(f, c, i, n, dO, xo, dR, yo, out, oo);
    }

    /**
     * ML: {@code exp(x) · expm1(y)}, one {@code exp} and one {@code expm1} per lane (two short
     * inline polynomials). {@code y > RISK} is at risk too ({@code expm1(y)} may overflow fp32
     * where the product does not); {@code y = -Inf} gives {@code expm1 = -1} in fp32 as in double.
     * The largest loop body here (see the loops' comment).
     */
    private static void ml(ScaleFunction f, float c, int n, float[] dO, int xo, float[] dR, int yo, float[] out, int oo) {
        int i = 0;
        for (int ub = FS.loopBound(n); i < ub; i += L) {
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i);
            FloatVector x = clip(x0, c);
            // risk test written out before the exps, not a helper called after them: see the loops' comment
            boolean risk = x.reinterpretAsInts().and(ABS).max(y.reinterpretAsInts()).compare(VectorOperators.GT, RISK_BITS)
                    .anyTrue();
            FloatVector r = SimdExp.expCore(x).mul(SimdExp.expm1(y));
            if (risk) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i);
        }
        tail(f, c, i, n, dO, xo, dR, yo, out, oo);
    }

    private static void ppo(ScaleFunction f, float c, int n, float[] dO, int xo, float[] dR, int yo, float[] out, int oo) {
        int hi = ppoBits(1 + f.eps()), lo = ppoBits(1 - f.eps());
        int i = 0;
        for (int ub = FS.loopBound(n); i < ub; i += L) {
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i);
            FloatVector x = clip(x0, c);
            boolean risk = x.reinterpretAsInts().and(ABS).compare(VectorOperators.GT, RISK_BITS).anyTrue();
            FloatVector r = ppoLanes(SimdExp.expCore(x), y, hi, lo);
            if (risk) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i);
        }
        tail(f, c, i, n, dO, xo, dR, yo, out, oo);
    }

    /**
     * The last {@code n - i < L} samples of any fp32 kind, as one masked vector: the same lane
     * operations as the main loops (an element's result does not depend on where it sits). The
     * masked loads fill the missing lanes with 0, which no risk test flags.
     */
    private static void tail(ScaleFunction f, float c, int i, int n, float[] dO, int xo, float[] dR, int yo,
            float[] out, int oo) {
        if (i >= n) {
            return;
        }
        VectorMask<Float> m = FS.indexInRange(i, n);
        FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i, m);
        FloatVector y = FloatVector.fromArray(FS, dR, yo + i, m);
        FloatVector x = clip(x0, c);
        FloatVector r;
        boolean risk;
        switch (f.kind()) {
            case SQ -> {
                r = SimdExp.expCore(x).mul(y);
                risk = atRisk(x);
            }
            case SIL -> {
                r = SimdExp.expCore(x).mul(positivePart(y));
                risk = atRisk(x);
            }
            case ML -> {
                r = SimdExp.expCore(x).mul(SimdExp.expm1(y));
                risk = atRiskMl(x, y);
            }
            case PPO_CLIP -> {
                r = ppoLanes(SimdExp.expCore(x), y, ppoBits(1 + f.eps()), ppoBits(1 - f.eps()));
                risk = atRisk(x);
            }
            case MLA -> {
                r = mlaLanes32(x, y);
                risk = mlaRisk(x0, y);
            }
            case MLA_PARAMETRIC -> {
                r = mlaParametricLanes32(x, y, (float) f.alphaO(), (float) f.alphaR());
                risk = mlaRisk(x0, y);
            }
            default -> throw new AssertionError(f.kind());
        }
        if (risk) {
            r = viaDouble(f, x0, y);
        }
        r.intoArray(out, oo + i, m);
    }

    /**
     * {@code ratio · y} ({@code ratio = exp(x)}), blended to 0 where the clipped objective is flat,
     * i.e. where {@code y > 0} and {@code ratio > hi} or {@code y < 0} and {@code ratio < lo}. With
     * {@code d = ratio - clip(ratio, lo, hi)} that is {@code d · y > 0}: one compare and one blend
     * instead of four compares, three mask operations and a blend. The clip and the difference are
     * taken on the bit patterns: in the fp32 path {@code ratio} is a positive normal number
     * ({@code |x| <= RISK}), and positive floats order as their bit patterns (a {@code lo <= 0}
     * has a pattern {@code <= 0}, below every positive one), so {@code di = bits(ratio) -
     * clip(bits(ratio))} is an int with the sign of {@code d}, 0 exactly inside {@code [lo, hi]},
     * and {@code |di| >= 1} outside. Its conversion {@code (float) di} keeps that sign, so
     * {@code (float) di · y} neither underflows to 0 (its magnitude is at least {@code |y| >=
     * 2^-149}) nor loses its sign on overflow; {@code y = ±0} gives 0 and a NaN {@code y} NaN (both
     * not flat, as in the reference, which returns {@code ratio · y} there); {@code y = ±Inf}
     * gives NaN inside the range (not flat: {@code ±Inf}) and {@code ±Inf} outside.
     */
    private static FloatVector ppoLanes(FloatVector ratio, FloatVector y, int hiBits, int loBits) {
        IntVector ri = ratio.reinterpretAsInts();
        FloatVector d = ri.sub(ri.max(loBits).min(hiBits)).convert(VectorOperators.I2F, 0).reinterpretAsFloats();
        return ratio.mul(y).blend(0f, d.mul(y).compare(VectorOperators.GT, 0f));
    }

    /** Bit pattern of the fp32 bound {@code (float) b}, as {@link #ppoLanes} compares it ({@code +0} for a {@code -0}). */
    private static int ppoBits(double b) {
        return Float.floatToRawIntBits((float) b + 0f);
    }

    /**
     * MLA in double, {@code FH.length()} samples per step: fp32 half-width loads widened to the
     * double species, the reference's operations, narrowed on store. Small on purpose, so C2
     * inlines every vector operation (no boxing).
     */
    private static void mla(double c, int n, float[] dO, int xo, float[] dR, int yo, float[] out, int oo) {
        int i = 0;
        for (int ub = FH.loopBound(n); i < ub; i += H) {
            mlaLanes(widen(dO, xo + i).min(c), widen(dR, yo + i)).convertShape(VectorOperators.D2F, FH, 0).reinterpretAsFloats()
                    .intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = FH.indexInRange(i, n);
            mlaLanes(widen(dO, xo + i, m).min(c), widen(dR, yo + i, m)).convertShape(VectorOperators.D2F, FH, 0).reinterpretAsFloats()
                    .intoArray(out, oo + i, m);
        }
    }

    /** Parametric MLA in double, as {@link #mla}. */
    private static void mlaParametric(double c, double ao, double ar, int n, float[] dO, int xo, float[] dR, int yo,
            float[] out, int oo) {
        int i = 0;
        for (int ub = FH.loopBound(n); i < ub; i += H) {
            mlaParametricLanes(widen(dO, xo + i).min(c), widen(dR, yo + i), ao, ar)
                    .convertShape(VectorOperators.D2F, FH, 0).reinterpretAsFloats().intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = FH.indexInRange(i, n);
            mlaParametricLanes(widen(dO, xo + i, m).min(c), widen(dR, yo + i, m), ao, ar)
                    .convertShape(VectorOperators.D2F, FH, 0).reinterpretAsFloats().intoArray(out, oo + i, m);
        }
    }

    private static DoubleVector widen(float[] a, int off) {
        return (DoubleVector) FloatVector.fromArray(FH, a, off).convertShape(VectorOperators.F2D, DS, 0);
    }

    private static DoubleVector widen(float[] a, int off, VectorMask<Float> m) {
        return (DoubleVector) FloatVector.fromArray(FH, a, off, m).convertShape(VectorOperators.F2D, DS, 0);
    }

    /*
     * Halving is a multiplication by 0.5, not a division by 2: for a power of two both are the
     * correctly rounded v/2 (bit-identical, subnormals included), and a vector double division
     * costs an order of magnitude more throughput than a multiplication.
     */

    /** MLA of the reference, lane by lane: {@code -(1+x)^2/2} if {@code 1+x+y <= 0 < 1+x}, else {@code y max(1+x+y/2, 0)}. */
    static DoubleVector mlaLanes(DoubleVector x, DoubleVector y) {
        DoubleVector t = x.add(1.0);                                  // 1 + x
        VectorMask<Double> quad = t.add(y).compare(VectorOperators.LE, 0.0)
                .and(t.compare(VectorOperators.GT, 0.0));              // 1+x+y <= 0 < 1+x
        DoubleVector lin = y.mul(t.add(y.mul(0.5)).max(0.0));          // y max(1+x+y/2, 0)
        return lin.blend(t.neg().mul(t).mul(0.5), quad);               // -(1+x)(1+x)/2
    }

    /** Parametric MLA of the reference: {@code y max(1 + ao x + ar y, max(1 + ao x, 0)/2)}. */
    static DoubleVector mlaParametricLanes(DoubleVector x, DoubleVector y, double ao, double ar) {
        DoubleVector t = x.mul(ao).add(1.0);
        return y.mul(t.add(y.mul(ar)).max(t.max(0.0).mul(0.5)));
    }

    /**
     * Above this magnitude an input sends its vector of MLA lanes to the double path: with
     * {@code |x|, |y| <= 1e12} and {@code |αo|, |αr| <= }{@link #MLA_MAX_ALPHA} every fp32
     * intermediate stays below {@code 1e31}, so none overflows where the double one does not.
     */
    private static final float MLA_BIG = 1e12f;

    /** Parametric MLA with a larger {@code |αo|} or {@code |αr|} runs in double (see {@link #MLA_BIG}). */
    private static final double MLA_MAX_ALPHA = 1e6;

    private static final int MLA_BIG_BITS = Float.floatToRawIntBits(MLA_BIG);

    /** Some lane has {@code |x|} or {@code |y|} above {@link #MLA_BIG}, infinite or NaN (NaN would propagate in fp32 as well; flagging it costs nothing). */
    private static boolean mlaRisk(FloatVector x, FloatVector y) {
        return x.reinterpretAsInts().and(ABS).max(y.reinterpretAsInts().and(ABS)).compare(VectorOperators.GT, MLA_BIG_BITS)
                .anyTrue();
    }

    /**
     * MLA in fp32 (the {@link Strategy#FP32} path). MLA is continuous across its branch
     * ({@code -(1+x)^2/2 - y max(1+x+y/2, 0) = -(1+x+y)^2/2} on the boundary {@code y = -(1+x)}),
     * so where fp32 chooses the other branch the results still agree to rounding. Vectors with an
     * input beyond {@link #MLA_BIG} take the double path, so no fp32 intermediate overflows where
     * the double one does not.
     */
    private static void mla32(ScaleFunction f, float c, int n, float[] dO, int xo, float[] dR, int yo, float[] out, int oo) {
        int i = 0;
        for (int ub = FS.loopBound(n); i < ub; i += L) {
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i);
            boolean risk = x0.reinterpretAsInts().and(ABS).max(y.reinterpretAsInts().and(ABS))
                    .compare(VectorOperators.GT, MLA_BIG_BITS).anyTrue();
            FloatVector r = mlaLanes32(clip(x0, c), y);
            if (risk) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i);
        }
        tail(f, c, i, n, dO, xo, dR, yo, out, oo);
    }

    /** Parametric MLA in fp32, as {@link #mla32} (the function is continuous: a max of two affine terms, times y). */
    private static void mlaParametric32(ScaleFunction f, float c, float ao, float ar, int n, float[] dO, int xo,
            float[] dR, int yo, float[] out, int oo) {
        int i = 0;
        for (int ub = FS.loopBound(n); i < ub; i += L) {
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i);
            boolean risk = x0.reinterpretAsInts().and(ABS).max(y.reinterpretAsInts().and(ABS))
                    .compare(VectorOperators.GT, MLA_BIG_BITS).anyTrue();
            FloatVector r = mlaParametricLanes32(clip(x0, c), y, ao, ar);
            if (risk) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i);
        }
        tail(f, c, i, n, dO, xo, dR, yo, out, oo);
    }

    private static FloatVector mlaLanes32(FloatVector x, FloatVector y) {
        FloatVector t = x.add(1f);
        VectorMask<Float> quad = t.add(y).compare(VectorOperators.LE, 0f).and(t.compare(VectorOperators.GT, 0f));
        return y.mul(t.add(y.mul(0.5f)).max(0f)).blend(t.neg().mul(t).mul(0.5f), quad);
    }

    private static FloatVector mlaParametricLanes32(FloatVector x, FloatVector y, float ao, float ar) {
        FloatVector t = x.fma(ao, 1f);                                       // 1 + ao x
        return y.mul(y.fma(y.broadcast(ar), t).max(t.max(0f).mul(0.5f)));    // y max(t + ar y, max(t, 0)/2)
    }

    private static void allDouble(ScaleFunction f, int n, float[] dO, int xo, float[] dR, int yo, float[] out, int oo) {
        int i = 0;
        for (int ub = FS.loopBound(n); i < ub; i += L) {
            FloatVector x = FloatVector.fromArray(FS, dO, xo + i);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i);
            viaDouble(f, x, y).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = FS.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(FS, dO, xo + i, m);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i, m);
            viaDouble(f, x, y).intoArray(out, oo + i, m);
        }
    }

    /** {@code f(x, y)} lane by lane in double (two halves), rounded once to fp32. */
    static FloatVector viaDouble(ScaleFunction f, FloatVector x, FloatVector y) {
        DoubleVector x0 = (DoubleVector) x.convertShape(VectorOperators.F2D, DS, 0);
        DoubleVector x1 = (DoubleVector) x.convertShape(VectorOperators.F2D, DS, 1);
        DoubleVector y0 = (DoubleVector) y.convertShape(VectorOperators.F2D, DS, 0);
        DoubleVector y1 = (DoubleVector) y.convertShape(VectorOperators.F2D, DS, 1);
        return toFloat(evaluate(f, x0, y0), evaluate(f, x1, y1));
    }

    /** Two double vectors back into one fp32 vector: {@code lo} in the lower lanes, {@code hi} in the upper. */
    static FloatVector toFloat(DoubleVector lo, DoubleVector hi) {
        FloatVector r0 = (FloatVector) lo.convertShape(VectorOperators.D2F, FS, 0);
        FloatVector r1 = (FloatVector) hi.convertShape(VectorOperators.D2F, FS, -1);
        return r0.blend(r1, UPPER);
    }

    /**
     * {@code f(min(x, c), y)} in double, lane by lane: the operations of {@code ReferenceScale.evaluate}
     * in the same order (so MSE, MLA and parametric MLA are bit-identical to it), branches as blends.
     * NaN fails every comparison, so the arithmetic branch is taken, as in the reference.
     */
    static DoubleVector evaluate(ScaleFunction f, DoubleVector x, DoubleVector y) {
        x = x.min(f.clipOrInfinity());
        switch (f.kind()) {
            case MSE:
                return y;
            case SQ:
                return x.lanewise(VectorOperators.EXP).mul(y);
            case ML:
                return x.lanewise(VectorOperators.EXP).mul(y.lanewise(VectorOperators.EXPM1));
            case SIL:
                return x.lanewise(VectorOperators.EXP).mul(y.max(0.0));
            case MLA:
                return mlaLanes(x, y);
            case MLA_PARAMETRIC:
                return mlaParametricLanes(x, y, f.alphaO(), f.alphaR());
            case PPO_CLIP: {
                DoubleVector ratio = x.lanewise(VectorOperators.EXP);
                double eps = f.eps();
                VectorMask<Double> flat = y.compare(VectorOperators.GT, 0.0).and(ratio.compare(VectorOperators.GT, 1 + eps))
                        .or(y.compare(VectorOperators.LT, 0.0).and(ratio.compare(VectorOperators.LT, 1 - eps)));
                return ratio.mul(y).blend(0.0, flat);
            }
            default:
                throw new AssertionError(f.kind());
        }
    }
}
