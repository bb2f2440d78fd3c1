package dev.pgkernels.simd;
// GENERATED from simd/SimdBlasF.java by kernels/gen-variants.sh: edit that file and rerun the script.

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * double level-1/2 kernels of the {@code simd} backend (DOT, AXPY, GEMV) on checked arguments; the
 * contract is {@link dev.pgkernels.linalg.DenseLinalg}. Preferred species, {@code loopBound} main
 * loops, masked tails. (SimdBlasD is generated from this file by replacing double with double.)
 *
 * <p>Reductions (DOT, the rows of GEMV) keep several vector accumulators and add them at the end:
 * SIMD reassociates the sum, so a dot of length n differs from the exact one by at most
 * {@code γ_n Σ|x_i y_i|}, summed in double.
 */
final class SimdBlasD {
    private SimdBlasD() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Σ x_i y_i, four accumulators (SIMD reassociates the sum). */
    static double dot(int n, double[] x, int xo, double[] y, int yo) {
        DoubleVector s0 = DoubleVector.zero(S), s1 = DoubleVector.zero(S), s2 = DoubleVector.zero(S),
                s3 = DoubleVector.zero(S);
        int i = 0;
        int b4 = n - n % (4 * L);
        for (; i < b4; i += 4 * L) {
            s0 = DoubleVector.fromArray(S, x, xo + i).fma(DoubleVector.fromArray(S, y, yo + i), s0);
            s1 = DoubleVector.fromArray(S, x, xo + i + L).fma(DoubleVector.fromArray(S, y, yo + i + L), s1);
            s2 = DoubleVector.fromArray(S, x, xo + i + 2 * L).fma(DoubleVector.fromArray(S, y, yo + i + 2 * L), s2);
            s3 = DoubleVector.fromArray(S, x, xo + i + 3 * L).fma(DoubleVector.fromArray(S, y, yo + i + 3 * L), s3);
        }
        for (; i < n; i += L) {
            VectorMask<Double> m = S.indexInRange(i, n);
            s0 = DoubleVector.fromArray(S, x, xo + i, m).fma(DoubleVector.fromArray(S, y, yo + i, m), s0);
        }
        return s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    }

    /** y_i += α x_i. */
    static void axpy(int n, double alpha, double[] x, int xo, double[] y, int yo) {
        DoubleVector va = DoubleVector.broadcast(S, alpha);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            DoubleVector.fromArray(S, x, xo + i).fma(va, DoubleVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Double> m = S.indexInRange(i, n);
            DoubleVector.fromArray(S, x, xo + i, m).fma(va, DoubleVector.fromArray(S, y, yo + i, m))
                    .intoArray(y, yo + i, m);
        }
    }

    /** y_i = x_i + β y_i (CG's {@code p = r + β p}). */
    static void xpby(int n, double[] x, int xo, double beta, double[] y, int yo) {
        DoubleVector vb = DoubleVector.broadcast(S, beta);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            DoubleVector.fromArray(S, y, yo + i).fma(vb, DoubleVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Double> m = S.indexInRange(i, n);
            DoubleVector.fromArray(S, y, yo + i, m).fma(vb, DoubleVector.fromArray(S, x, xo + i, m))
                    .intoArray(y, yo + i, m);
        }
    }

    /** y_i = α x_i (y must not overlap x unless it is x). */
    static void scaleInto(int n, double alpha, double[] x, int xo, double[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            DoubleVector.fromArray(S, x, xo + i).mul(alpha).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Double> m = S.indexInRange(i, n);
            DoubleVector.fromArray(S, x, xo + i, m).mul(alpha).intoArray(y, yo + i, m);
        }
    }

    /** y = α op(A) x + β y, A stored m×n (checked; output length >= 1). */
    static void gemv(boolean ta, int m, int n, double alpha, double[] a, int ao, int lda, double[] x, int xo,
            double beta, double[] y, int yo) {
        if (!ta) {
            // y_i = α (A_i · x) + β y_i: four rows share each load of x
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                int r0 = ao + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
                DoubleVector s0 = DoubleVector.zero(S), s1 = DoubleVector.zero(S), s2 = DoubleVector.zero(S),
                        s3 = DoubleVector.zero(S);
                if (alpha != 0) {
                    int j = 0;
                    for (int bound = S.loopBound(n); j < bound; j += L) {
                        DoubleVector xv = DoubleVector.fromArray(S, x, xo + j);
                        s0 = DoubleVector.fromArray(S, a, r0 + j).fma(xv, s0);
                        s1 = DoubleVector.fromArray(S, a, r1 + j).fma(xv, s1);
                        s2 = DoubleVector.fromArray(S, a, r2 + j).fma(xv, s2);
                        s3 = DoubleVector.fromArray(S, a, r3 + j).fma(xv, s3);
                    }
                    if (j < n) {
                        VectorMask<Double> mk = S.indexInRange(j, n);
                        DoubleVector xv = DoubleVector.fromArray(S, x, xo + j, mk);
                        s0 = DoubleVector.fromArray(S, a, r0 + j, mk).fma(xv, s0);
                        s1 = DoubleVector.fromArray(S, a, r1 + j, mk).fma(xv, s1);
                        s2 = DoubleVector.fromArray(S, a, r2 + j, mk).fma(xv, s2);
                        s3 = DoubleVector.fromArray(S, a, r3 + j, mk).fma(xv, s3);
                    }
                }
                finishRow(alpha, s0.reduceLanes(VectorOperators.ADD), beta, y, yo + i);
                finishRow(alpha, s1.reduceLanes(VectorOperators.ADD), beta, y, yo + i + 1);
                finishRow(alpha, s2.reduceLanes(VectorOperators.ADD), beta, y, yo + i + 2);
                finishRow(alpha, s3.reduceLanes(VectorOperators.ADD), beta, y, yo + i + 3);
            }
            for (; i < m; i++) {
                double s = alpha != 0 ? dot(n, a, ao + i * lda, x, xo) : 0;
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
            DoubleVector x0 = DoubleVector.broadcast(S, alpha * x[xo + i]);
            DoubleVector x1 = DoubleVector.broadcast(S, alpha * x[xo + i + 1]);
            DoubleVector x2 = DoubleVector.broadcast(S, alpha * x[xo + i + 2]);
            DoubleVector x3 = DoubleVector.broadcast(S, alpha * x[xo + i + 3]);
            int j = 0;
            for (int bound = S.loopBound(n); j < bound; j += L) {
                DoubleVector acc = DoubleVector.fromArray(S, y, yo + j);
                acc = DoubleVector.fromArray(S, a, r0 + j).fma(x0, acc);
                acc = DoubleVector.fromArray(S, a, r1 + j).fma(x1, acc);
                acc = DoubleVector.fromArray(S, a, r2 + j).fma(x2, acc);
                acc = DoubleVector.fromArray(S, a, r3 + j).fma(x3, acc);
                acc.intoArray(y, yo + j);
            }
            if (j < n) {
                VectorMask<Double> mk = S.indexInRange(j, n);
                DoubleVector acc = DoubleVector.fromArray(S, y, yo + j, mk);
                acc = DoubleVector.fromArray(S, a, r0 + j, mk).fma(x0, acc);
                acc = DoubleVector.fromArray(S, a, r1 + j, mk).fma(x1, acc);
                acc = DoubleVector.fromArray(S, a, r2 + j, mk).fma(x2, acc);
                acc = DoubleVector.fromArray(S, a, r3 + j, mk).fma(x3, acc);
                acc.intoArray(y, yo + j, mk);
            }
        }
        for (; i < m; i++) {
            axpy(n, alpha * x[xo + i], a, ao + i * lda, y, yo);
        }
    }

    private static void finishRow(double alpha, double s, double beta, double[] y, int i) {
        double r = alpha * s;
        y[i] = beta == 0 ? r : Math.fma(beta, y[i], r);
    }
}
