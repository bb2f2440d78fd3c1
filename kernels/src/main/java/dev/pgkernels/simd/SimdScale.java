package dev.pgkernels.simd;

import dev.pgkernels.scale.AbstractScaleKernels;
import dev.pgkernels.scale.ScaleFunction;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
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
 *       in fp32: {@code exp(x)} and {@code expm1(y)} from {@link VectorOperators#EXP} /
 *       {@link VectorOperators#EXPM1} (measured within 0.57 ulp of {@code Math.exp}/{@code Math.expm1},
 *       including {@code |y| < 1e-6}, where {@code expm1} does not cancel), one fp32 product.
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
 * (the double {@code exp(100)} is finite). In fp32, {@code exp(x)} is a normal number whose
 * relative error is below 1 ulp only for {@code |x| <= 87.3}; so every vector holding a lane whose
 * fp32 {@code exp(x)} (after the clip) lies outside {@code [exp(-RISK), exp(RISK)] = [1.8e-35, 5.5e34]}
 * — and, for ML, whose {@code expm1(y)} exceeds {@code exp(RISK)} — is evaluated by the double
 * path instead (a whole vector, no scalar code). Inside that range {@code exp(x)} is a normal
 * number, so the fp32 product {@code exp(x)·y} has relative
 * error at most {@code 0.57 ulp + 0.5 ulp ≈ 1.1 · 2^-23 ≈ 1.3e-7} (ML: {@code + 0.57 ulp}), and it
 * overflows or underflows exactly where the correctly rounded product does, except for products
 * within that relative distance of {@code Float.MAX_VALUE} (a branch boundary in SPEC's sense).
 * An infinite or NaN {@code x} makes its vector take the double path as well (its fp32
 * {@code exp} is outside the range), which gives the reference's classes
 * ({@code exp(+Inf)·0 = NaN}, {@code exp(-Inf)·Inf = NaN}); an infinite or NaN {@code y} with a
 * normal {@code exp(x)} propagates in fp32 by IEEE as in double ({@code expm1(-Inf) = -1}; ML's
 * {@code expm1(+Inf)} is flagged).
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

    /** {@code exp(RISK)} and {@code exp(-RISK)} in fp32: normal numbers far from both ends of the range. */
    private static final float E_HI = (float) Math.exp(RISK), E_LO = (float) Math.exp(-RISK);

    /**
     * Lanes whose fp32 {@code exp} is outside {@code [exp(-RISK), exp(RISK)]}: there it may be
     * subnormal, 0 or infinite where the double one is not. Judged on the computed {@code e}
     * itself, so the fp32 path's premise (a normal {@code e} with its 0.57-ulp error) holds for
     * every lane it keeps; {@code ±Inf} and NaN inputs are flagged too (rare; the double path
     * gives the reference's class for them as well).
     */
    private static VectorMask<Float> atRisk(FloatVector e) {
        // e >= 0 or NaN: one unsigned comparison of the bit patterns tests e ∉ [E_LO, E_HI] (NaN is
        // flagged too, and the double path gives NaN as well)
        return e.reinterpretAsInts().sub(E_LO_BITS).compare(VectorOperators.UGT, E_SPAN_BITS).cast(FS);
    }

    private static final int E_LO_BITS = Float.floatToRawIntBits(E_LO);
    private static final int E_SPAN_BITS = Float.floatToRawIntBits(E_HI) - E_LO_BITS;

    private static void sq(ScaleFunction f, float c, int n, float[] dO, int xo, float[] dR, int yo, float[] out, int oo) {
        boolean clip = c != Float.POSITIVE_INFINITY;   // loop-invariant: C2 unswitches the loop on it
        int i = 0;
        for (int ub = FS.loopBound(n); i < ub; i += L) {
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i);
            FloatVector e = (clip ? x0.min(c) : x0).lanewise(VectorOperators.EXP);
            FloatVector r = e.mul(y);
            if (atRisk(e).anyTrue()) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = FS.indexInRange(i, n);
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i, m);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i, m);
            FloatVector e = x0.min(c).lanewise(VectorOperators.EXP);
            FloatVector r = e.mul(y);
            if (atRisk(e).and(m).anyTrue()) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i, m);
        }
    }

    private static void sil(ScaleFunction f, float c, int n, float[] dO, int xo, float[] dR, int yo, float[] out, int oo) {
        int i = 0;
        for (int ub = FS.loopBound(n); i < ub; i += L) {
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i);
            FloatVector x = x0.min(c);
            FloatVector e = x.lanewise(VectorOperators.EXP);
            FloatVector r = e.mul(y.max(0f));
            if (atRisk(e).anyTrue()) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = FS.indexInRange(i, n);
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i, m);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i, m);
            FloatVector x = x0.min(c);
            FloatVector e = x.lanewise(VectorOperators.EXP);
            FloatVector r = e.mul(y.max(0f));
            if (atRisk(e).and(m).anyTrue()) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i, m);
        }
    }

    /** ML: also {@code expm1(y) > exp(RISK)} is at risk ({@code expm1(y)} may overflow fp32 where the product does not). */
    private static void ml(ScaleFunction f, float c, int n, float[] dO, int xo, float[] dR, int yo, float[] out, int oo) {
        int i = 0;
        for (int ub = FS.loopBound(n); i < ub; i += L) {
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i);
            FloatVector x = x0.min(c);
            FloatVector e = x.lanewise(VectorOperators.EXP), em1 = y.lanewise(VectorOperators.EXPM1);
            FloatVector r = e.mul(em1);
            VectorMask<Float> risk = atRisk(e).or(em1.compare(VectorOperators.GT, E_HI));
            if (risk.anyTrue()) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = FS.indexInRange(i, n);
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i, m);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i, m);
            FloatVector x = x0.min(c);
            FloatVector e = x.lanewise(VectorOperators.EXP), em1 = y.lanewise(VectorOperators.EXPM1);
            FloatVector r = e.mul(em1);
            VectorMask<Float> risk = atRisk(e).or(em1.compare(VectorOperators.GT, E_HI));
            if (risk.and(m).anyTrue()) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i, m);
        }
    }

    private static void ppo(ScaleFunction f, float c, int n, float[] dO, int xo, float[] dR, int yo, float[] out, int oo) {
        float hi = (float) (1 + f.eps()), lo = (float) (1 - f.eps());
        int i = 0;
        for (int ub = FS.loopBound(n); i < ub; i += L) {
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i);
            FloatVector x = x0.min(c);
            FloatVector e = x.lanewise(VectorOperators.EXP);
            FloatVector r = ppoLanes(e, y, hi, lo);
            if (atRisk(e).anyTrue()) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = FS.indexInRange(i, n);
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i, m);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i, m);
            FloatVector x = x0.min(c);
            FloatVector e = x.lanewise(VectorOperators.EXP);
            FloatVector r = ppoLanes(e, y, hi, lo);
            if (atRisk(e).and(m).anyTrue()) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i, m);
        }
    }

    /** {@code ratio · y} ({@code ratio = exp(x)}), blended to 0 where the clipped objective is flat. */
    private static FloatVector ppoLanes(FloatVector ratio, FloatVector y, float hi, float lo) {
        VectorMask<Float> flat = y.compare(VectorOperators.GT, 0f).and(ratio.compare(VectorOperators.GT, hi))
                .or(y.compare(VectorOperators.LT, 0f).and(ratio.compare(VectorOperators.LT, lo)));
        return ratio.mul(y).blend(0f, flat);
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

    /** Lanes with {@code |x|} or {@code |y|} above {@link #MLA_BIG} or infinite (NaN is not flagged: it propagates in fp32 as in double). */
    private static VectorMask<Float> mlaRisk(FloatVector x, FloatVector y) {
        return x.abs().compare(VectorOperators.GT, MLA_BIG).or(y.abs().compare(VectorOperators.GT, MLA_BIG));
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
            FloatVector r = mlaLanes32(x0.min(c), y);
            if (mlaRisk(x0, y).anyTrue()) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = FS.indexInRange(i, n);
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i, m);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i, m);
            FloatVector r = mlaLanes32(x0.min(c), y);
            if (mlaRisk(x0, y).and(m).anyTrue()) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i, m);
        }
    }

    /** Parametric MLA in fp32, as {@link #mla32} (the function is continuous: a max of two affine terms, times y). */
    private static void mlaParametric32(ScaleFunction f, float c, float ao, float ar, int n, float[] dO, int xo,
            float[] dR, int yo, float[] out, int oo) {
        int i = 0;
        for (int ub = FS.loopBound(n); i < ub; i += L) {
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i);
            FloatVector r = mlaParametricLanes32(x0.min(c), y, ao, ar);
            if (mlaRisk(x0, y).anyTrue()) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = FS.indexInRange(i, n);
            FloatVector x0 = FloatVector.fromArray(FS, dO, xo + i, m);
            FloatVector y = FloatVector.fromArray(FS, dR, yo + i, m);
            FloatVector r = mlaParametricLanes32(x0.min(c), y, ao, ar);
            if (mlaRisk(x0, y).and(m).anyTrue()) {
                r = viaDouble(f, x0, y);
            }
            r.intoArray(out, oo + i, m);
        }
    }

    private static FloatVector mlaLanes32(FloatVector x, FloatVector y) {
        FloatVector t = x.add(1f);
        VectorMask<Float> quad = t.add(y).compare(VectorOperators.LE, 0f).and(t.compare(VectorOperators.GT, 0f));
        return y.mul(t.add(y.mul(0.5f)).max(0f)).blend(t.neg().mul(t).mul(0.5f), quad);
    }

    private static FloatVector mlaParametricLanes32(FloatVector x, FloatVector y, float ao, float ar) {
        FloatVector t = x.mul(ao).add(1f);
        return y.mul(t.add(y.mul(ar)).max(t.max(0f).mul(0.5f)));
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
