package dev.pgkernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * fp32 level-1/2 kernels of the {@code simd} backend (DOT, AXPY, GEMV) on checked arguments; the
 * contract is {@link dev.pgkernels.linalg.DenseLinalg}. Preferred species, {@code loopBound} main
 * loops, masked tails. (SimdBlasD is generated from this file by replacing float with double.)
 *
 * <p>Reductions (DOT, the rows of GEMV) keep several vector accumulators and add them at the end:
 * SIMD reassociates the sum, so a dot of length n differs from the exact one by at most
 * {@code γ_n Σ|x_i y_i|}, summed in fp32.
 */
final class SimdBlasF {
    private SimdBlasF() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Σ x_i y_i, four accumulators (SIMD reassociates the sum). */
    static float dot(int n, float[] x, int xo, float[] y, int yo) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S),
                s3 = FloatVector.zero(S);
        int i = 0;
        int b4 = n - n % (4 * L);
        for (; i < b4; i += 4 * L) {
            s0 = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), s0);
            s1 = FloatVector.fromArray(S, x, xo + i + L).fma(FloatVector.fromArray(S, y, yo + i + L), s1);
            s2 = FloatVector.fromArray(S, x, xo + i + 2 * L).fma(FloatVector.fromArray(S, y, yo + i + 2 * L), s2);
            s3 = FloatVector.fromArray(S, x, xo + i + 3 * L).fma(FloatVector.fromArray(S, y, yo + i + 3 * L), s3);
        }
        for (; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            s0 = FloatVector.fromArray(S, x, xo + i, m).fma(FloatVector.fromArray(S, y, yo + i, m), s0);
        }
        return s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    }

    /** y_i += α x_i. */
    static void axpy(int n, float alpha, float[] x, int xo, float[] y, int yo) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).fma(va, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, x, xo + i, m).fma(va, FloatVector.fromArray(S, y, yo + i, m))
                    .intoArray(y, yo + i, m);
        }
    }

    /** y_i = x_i + β y_i (CG's {@code p = r + β p}). */
    static void xpby(int n, float[] x, int xo, float beta, float[] y, int yo) {
        FloatVector vb = FloatVector.broadcast(S, beta);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, y, yo + i).fma(vb, FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, y, yo + i, m).fma(vb, FloatVector.fromArray(S, x, xo + i, m))
                    .intoArray(y, yo + i, m);
        }
    }

    /** y_i = α x_i (y must not overlap x unless it is x). */
    static void scaleInto(int n, float alpha, float[] x, int xo, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).mul(alpha).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, x, xo + i, m).mul(alpha).intoArray(y, yo + i, m);
        }
    }

    /** y = α op(A) x + β y, A stored m×n (checked; output length >= 1). */
    static void gemv(boolean ta, int m, int n, float alpha, float[] a, int ao, int lda, float[] x, int xo,
            float beta, float[] y, int yo) {
        if (!ta) {
            // y_i = α (A_i · x) + β y_i: four rows share each load of x
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                int r0 = ao + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
                FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S),
                        s3 = FloatVector.zero(S);
                if (alpha != 0) {
                    int j = 0;
                    for (int bound = S.loopBound(n); j < bound; j += L) {
                        FloatVector xv = FloatVector.fromArray(S, x, xo + j);
                        s0 = FloatVector.fromArray(S, a, r0 + j).fma(xv, s0);
                        s1 = FloatVector.fromArray(S, a, r1 + j).fma(xv, s1);
                        s2 = FloatVector.fromArray(S, a, r2 + j).fma(xv, s2);
                        s3 = FloatVector.fromArray(S, a, r3 + j).fma(xv, s3);
                    }
                    if (j < n) {
                        VectorMask<Float> mk = S.indexInRange(j, n);
                        FloatVector xv = FloatVector.fromArray(S, x, xo + j, mk);
                        s0 = FloatVector.fromArray(S, a, r0 + j, mk).fma(xv, s0);
                        s1 = FloatVector.fromArray(S, a, r1 + j, mk).fma(xv, s1);
                        s2 = FloatVector.fromArray(S, a, r2 + j, mk).fma(xv, s2);
                        s3 = FloatVector.fromArray(S, a, r3 + j, mk).fma(xv, s3);
                    }
                }
                finishRow(alpha, s0.reduceLanes(VectorOperators.ADD), beta, y, yo + i);
                finishRow(alpha, s1.reduceLanes(VectorOperators.ADD), beta, y, yo + i + 1);
                finishRow(alpha, s2.reduceLanes(VectorOperators.ADD), beta, y, yo + i + 2);
                finishRow(alpha, s3.reduceLanes(VectorOperators.ADD), beta, y, yo + i + 3);
            }
            for (; i < m; i++) {
                float s = alpha != 0 ? dot(n, a, ao + i * lda, x, xo) : 0;
                finishRow(alpha, s, beta, y, yo + i);
            }
            return;
        }
        // y = α Aᵀ x + β y: y = β y first (not read when β = 0), then y += (α x_i) A_i, four rows per pass over y
        if (beta == 0) {
            java.util.Arrays.fill(y, yo, yo + n, 0);
        } else if (beta != 1) {
            scaleInto(n, beta, y, yo, y, yo);
        }
        if (alpha == 0) {
            return;
        }
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int r0 = ao + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
            FloatVector x0 = FloatVector.broadcast(S, alpha * x[xo + i]);
            FloatVector x1 = FloatVector.broadcast(S, alpha * x[xo + i + 1]);
            FloatVector x2 = FloatVector.broadcast(S, alpha * x[xo + i + 2]);
            FloatVector x3 = FloatVector.broadcast(S, alpha * x[xo + i + 3]);
            int j = 0;
            for (int bound = S.loopBound(n); j < bound; j += L) {
                FloatVector acc = FloatVector.fromArray(S, y, yo + j);
                acc = FloatVector.fromArray(S, a, r0 + j).fma(x0, acc);
                acc = FloatVector.fromArray(S, a, r1 + j).fma(x1, acc);
                acc = FloatVector.fromArray(S, a, r2 + j).fma(x2, acc);
                acc = FloatVector.fromArray(S, a, r3 + j).fma(x3, acc);
                acc.intoArray(y, yo + j);
            }
            if (j < n) {
                VectorMask<Float> mk = S.indexInRange(j, n);
                FloatVector acc = FloatVector.fromArray(S, y, yo + j, mk);
                acc = FloatVector.fromArray(S, a, r0 + j, mk).fma(x0, acc);
                acc = FloatVector.fromArray(S, a, r1 + j, mk).fma(x1, acc);
                acc = FloatVector.fromArray(S, a, r2 + j, mk).fma(x2, acc);
                acc = FloatVector.fromArray(S, a, r3 + j, mk).fma(x3, acc);
                acc.intoArray(y, yo + j, mk);
            }
        }
        for (; i < m; i++) {
            axpy(n, alpha * x[xo + i], a, ao + i * lda, y, yo);
        }
    }

    private static void finishRow(float alpha, float s, float beta, float[] y, int i) {
        float r = alpha * s;
        y[i] = beta == 0 ? r : Math.fma(beta, y[i], r);
    }
}
