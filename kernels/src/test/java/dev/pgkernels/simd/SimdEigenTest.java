package dev.pgkernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.kfac.KfacWorkspace;
import dev.pgkernels.reference.ReferenceKfac;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link SimdEigen} against the reference's cyclic Jacobi ({@link ReferenceKfac#eigenBasis}).
 *
 * <p><b>Bounds.</b> Householder tridiagonalisation, the implicit QL iteration and the
 * back-transformation are backward stable, as is cyclic Jacobi: each method's eigenvalues are the
 * exact ones of {@code A + E} with {@code ‖E‖₂ <= c n u ‖A‖₂} ({@code u = 2^-53}; Golub and Van Loan
 * §8.3.1 and §8.5; the worst-case constants grow faster, but the rounding errors of the O(n) steps
 * that touch an element behave as {@code n u} with a small constant in practice). Weyl's theorem
 * then bounds each eigenvalue's change by {@code ‖E‖₂}, so two such methods differ by at most
 * {@code 2 c n u ‖A‖₂ <= 2 c n u ‖A‖_F}. The same backward error bounds the residual
 * {@code ‖Q Λ Qᵀ − A‖_max <= ‖E‖₂ + (the test's own dot products, n u ‖A‖₂)} and the departure from
 * orthogonality {@code ‖QᵀQ − I‖_max <= c n u} (each column is a product of O(n) orthogonal
 * transformations applied in floating point, plus the test's dot of length n). We take {@code c = 8}:
 * measured values are 20–100× smaller (e.g. at n = 1024: eigenvalue differences 0.05·n u ‖A‖₂,
 * residual 0.01·n u ‖A‖₂, orthogonality 0.06·n u), so the bound has room without hiding an O(1)
 * mistake, which would show as errors of order ‖A‖ or 1.
 */
class SimdEigenTest {
    private static final double U = 0x1p-53;
    /** The constant c of the class comment. */
    private static final double C = 8.0;

    private static final ReferenceKfac REF = new ReferenceKfac();

    enum Kind { DENSE, DIAGONAL, ZERO, RANK_DEFICIENT, CLUSTERED, TRIDIAGONAL, GRADED, HUGE, TINY }

    @Provide
    Arbitrary<Integer> orders() {
        // 0..3; primes; just off the vector length (2 vectors = 16 lanes per rotation strip), the
        // reflector block NB = 32 (n - 2 reflectors: n = 33, 34, 35, 66, 67), odd/even 64-byte lines
        return Arbitraries.oneOf(
                Arbitraries.of(0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 23, 31, 32, 33, 34, 35, 47, 63, 64, 65,
                        66, 67, 97, 101, 127, 128, 129, 131),
                Arbitraries.integers().between(1, 300));
    }

    @Property(tries = 60)
    void matchesReference(@ForAll("orders") int n, @ForAll Kind kind, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[] a = matrix(n, kind, rnd);
        check(n, a, kind == Kind.HUGE ? 1e150 : kind == Kind.TINY ? 1e-150 : 1.0, rnd);
    }

    /**
     * Checks {@code SimdEigen} on {@code fl(scale·A)} against {@code scale·}(the reference on A): at
     * 1e±150 the reference's tolerance {@code u²‖A‖²_F} would over/underflow, so it runs unscaled;
     * the rounding of {@code scale·a_ij} adds {@code u |a_ij|} per entry, inside the bound.
     */
    private static void check(int n, double[] a, double scale, Random rnd) {
        double[] input = a.clone();
        if (scale != 1.0) {
            for (int i = 0; i < input.length; i++) {
                input[i] *= scale;
            }
        }
        double[] work = input.clone();
        double[] w = new double[n + 1], q = new double[n * n + 1];
        w[n] = 42.0;
        q[n * n] = 42.0;
        SimdEigen.decompose(n, work, w, q, new double[SimdEigen.scratchLength(n)]);
        assertEquals(42.0, w[n], "w past n untouched");
        assertEquals(42.0, q[n * n], "q past n² untouched");

        KfacWorkspace ws = REF.workspace(n);
        double[] wr = new double[n], qr = new double[n * n];
        REF.eigenBasis(n, a, ws, qr, wr);

        double normF = frobenius(n, a);
        double eigTol = 2 * C * Math.max(n, 1) * U * normF;
        for (int k = 0; k < n; k++) {
            double expected = scale * wr[k];
            assertTrue(Math.abs(w[k] - expected) <= scale * eigTol,
                    "n=" + n + " λ_" + k + ": " + w[k] + " vs reference " + expected + ", bound " + scale * eigTol);
            if (k > 0) {
                assertTrue(w[k - 1] <= w[k], "ascending at " + k + ": " + w[k - 1] + " > " + w[k]);
            }
        }
        checkFactorisation(n, input, w, q, scale * normF);
    }

    /** ‖Q Λ Qᵀ − A‖_max <= c n u ‖A‖_F and ‖QᵀQ − I‖_max <= c n u (class comment). */
    private static void checkFactorisation(int n, double[] input, double[] w, double[] q, double normF) {
        double recTol = C * Math.max(n, 1) * U * normF;
        double orthTol = C * Math.max(n, 1) * U;
        double[] qt = new double[n * n]; // Qᵀ, so both products run along rows
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                qt[k * n + i] = q[i * n + k];
            }
        }
        double[] row = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                row[k] = q[i * n + k] * w[k];
            }
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += row[k] * q[j * n + k];
                }
                double err = Math.abs(s - input[i * n + j]);
                if (!(err <= recTol)) {
                    throw new AssertionError("n=" + n + " (QΛQᵀ − A)_" + i + "," + j + " = " + err + " > " + recTol);
                }
                double o = 0;
                for (int k = 0; k < n; k++) {
                    o += qt[i * n + k] * qt[j * n + k];
                }
                double oerr = Math.abs(o - (i == j ? 1.0 : 0.0));
                if (!(oerr <= orthTol)) {
                    throw new AssertionError("n=" + n + " (QᵀQ − I)_" + i + "," + j + " = " + oerr + " > " + orthTol);
                }
            }
        }
    }

    /** ‖A‖_F, scaled so the squares neither overflow nor underflow. */
    private static double frobenius(int n, double[] a) {
        double max = 0;
        for (int i = 0; i < n * n; i++) {
            max = Math.max(max, Math.abs(a[i]));
        }
        if (max == 0) {
            return 0;
        }
        double s = 0;
        for (int i = 0; i < n * n; i++) {
            double v = a[i] / max;
            s += v * v;
        }
        return max * Math.sqrt(s);
    }

    static double[] matrix(int n, Kind kind, Random rnd) {
        double[] a = new double[n * n];
        switch (kind) {
            case DENSE, HUGE, TINY -> {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j <= i; j++) {
                        a[i * n + j] = a[j * n + i] = rnd.nextGaussian();
                    }
                }
            }
            case DIAGONAL -> {
                for (int i = 0; i < n; i++) {
                    a[i * n + i] = rnd.nextInt(3) == 0 ? 1.0 : rnd.nextGaussian(); // with repeats
                }
            }
            case ZERO -> { }
            case RANK_DEFICIENT -> {
                int r = n == 0 ? 0 : rnd.nextInt(Math.max(1, n / 2) + 1); // X is r×n, r < n (or r = 0)
                double[] x = new double[r * n];
                for (int i = 0; i < x.length; i++) {
                    x[i] = rnd.nextGaussian();
                }
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j <= i; j++) {
                        double s = 0;
                        for (int b = 0; b < r; b++) {
                            s += x[b * n + i] * x[b * n + j];
                        }
                        a[i * n + j] = a[j * n + i] = s / Math.max(r, 1);
                    }
                }
            }
            case CLUSTERED -> {
                // Q diag(1, 1, 1, 2, 2, …, 3 + 1e-12 k …) Qᵀ: a triple, pairs, then a tight cluster
                double[] lambda = new double[n];
                for (int k = 0; k < n; k++) {
                    lambda[k] = k < 3 ? 1.0 : k < n / 2 ? 2.0 + (k - 3) / 2 : 1e6 + 1e-6 * k;
                }
                return withSpectrum(n, lambda, rnd);
            }
            case GRADED -> {
                // D G D, D = diag(2^(-40 i / n)): entries from 1 down to ~1e-24, large at the top-left
                // or (reversed) at the bottom-right; QL chases from the bottom, so both orders matter
                boolean reversed = rnd.nextBoolean();
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j <= i; j++) {
                        int gi = reversed ? n - 1 - i : i, gj = reversed ? n - 1 - j : j;
                        double g = rnd.nextGaussian() * Math.scalb(1.0, -40 * (gi + gj) / Math.max(n, 1));
                        a[i * n + j] = a[j * n + i] = g;
                    }
                }
            }
            case TRIDIAGONAL -> {
                for (int i = 0; i < n; i++) {
                    a[i * n + i] = rnd.nextGaussian();
                    if (i + 1 < n) {
                        a[i * n + i + 1] = a[(i + 1) * n + i] = rnd.nextGaussian();
                    }
                }
            }
            default -> throw new AssertionError(kind);
        }
        return a;
    }

    /** {@code Q diag(λ) Qᵀ}, {@code Q} a product of random Householder reflectors (orthogonal to ~u), symmetrised. */
    static double[] withSpectrum(int n, double[] lambda, Random rnd) {
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) {
            m[i * n + i] = lambda[i];
        }
        double[] v = new double[n], t = new double[n];
        for (int h = 0; h < 3; h++) {
            double vv = 0;
            for (int i = 0; i < n; i++) {
                v[i] = rnd.nextGaussian();
                vv += v[i] * v[i];
            }
            if (vv == 0) {
                continue;
            }
            double beta = 2 / vv;
            // M ← H M H, H = I − β v vᵀ: M ← M − β v (vᵀM) − β (M v) vᵀ + β² (vᵀMv) v vᵀ
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += v[i] * m[i * n + j];
                }
                t[j] = s; // (vᵀ M)_j = (M v)_j by symmetry
            }
            double vmv = 0;
            for (int i = 0; i < n; i++) {
                vmv += v[i] * t[i];
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    m[i * n + j] += -beta * v[i] * t[j] - beta * t[i] * v[j] + beta * beta * vmv * v[i] * v[j];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                m[j * n + i] = m[i * n + j];
            }
        }
        return m;
    }

    @Property(tries = 30)
    void nonFiniteGivesNaNEverywhere(@ForAll("orders") int n, @ForAll long seed) {
        if (n == 0) {
            return;
        }
        Random rnd = new Random(seed);
        double[] a = matrix(n, Kind.DENSE, rnd);
        double bad = new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}[rnd.nextInt(3)];
        int i = rnd.nextInt(n), j = rnd.nextInt(n);
        a[i * n + j] = bad;
        if (rnd.nextBoolean()) {
            a[j * n + i] = bad;
        }
        double[] w = new double[n], q = new double[n * n];
        SimdEigen.decompose(n, a, w, q, new double[SimdEigen.scratchLength(n)]);
        for (double x : w) {
            assertTrue(Double.isNaN(x), "w all NaN");
        }
        for (double x : q) {
            assertTrue(Double.isNaN(x), "q all NaN");
        }
    }

    @Example
    void smallCasesByHand() {
        double[] w = new double[2], q = new double[4];
        SimdEigen.decompose(2, new double[] {2, 1, 1, 2}, w, q, new double[SimdEigen.scratchLength(2)]);
        assertEquals(1.0, w[0], 4 * U);
        assertEquals(3.0, w[1], 8 * U);
        // eigenvector of 3 is ±(1, 1)/√2
        assertEquals(Math.abs(q[1]), Math.abs(q[3]), 4 * U);
        double[] w1 = new double[1], q1 = new double[1];
        SimdEigen.decompose(1, new double[] {-7.5}, w1, q1, new double[SimdEigen.scratchLength(1)]);
        assertEquals(-7.5, w1[0]);
        assertEquals(1.0, q1[0]);
        SimdEigen.decompose(0, new double[0], new double[0], new double[0], new double[SimdEigen.scratchLength(0)]);
    }

    /** Subnormal and near-overflow scales: the power-of-two scaling keeps the spectrum. */
    @Example
    void extremeScales() {
        Random rnd = new Random(7);
        int n = 37;
        double[] a = matrix(n, Kind.DENSE, rnd);
        check(n, a, 0x1p-1000, rnd);     // entries near the bottom of the normal range
        check(n, a, 1e300, rnd);         // near overflow (‖A‖₂ ~ 2√n·1e300 < MAX_VALUE)
    }

    /**
     * n = 1024 (the K-FAC benchmark size) with a known spectrum (the reference Jacobi is too slow
     * here): {@code A = Q diag(λ) Qᵀ}; building A rounds like the decomposition does, so the same
     * Weyl bound {@code 2 c n u ‖A‖_F} covers the eigenvalues; residual and orthogonality as above.
     */
    @Example
    void order1024() {
        int n = 1024;
        Random rnd = new Random(1024);
        double[] lambda = new double[n];
        for (int k = 0; k < n; k++) {
            lambda[k] = k < 100 ? 0.0 : k < 300 ? 1.0 : rnd.nextDouble() * 10; // rank-deficient, repeated
        }
        double[] a = withSpectrum(n, lambda, rnd);
        double[] w = new double[n], q = new double[n * n];
        SimdEigen.decompose(n, a.clone(), w, q, new double[SimdEigen.scratchLength(n)]);
        double[] sorted = lambda.clone();
        Arrays.sort(sorted);
        double normF = frobenius(n, a);
        double tol = 2 * C * n * U * normF;
        for (int k = 0; k < n; k++) {
            assertTrue(Math.abs(w[k] - sorted[k]) <= tol, "λ_" + k + ": " + w[k] + " vs " + sorted[k] + ", bound " + tol);
        }
        checkFactorisation(n, a, w, q, normF);
    }
}
