package dev.pgkernels.cg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.Backends;
import dev.pgkernels.linalg.DenseReference;
import dev.pgkernels.testsupport.BadInput;
import java.util.Random;

/**
 * Shared checks of a fast {@link CgKernels}: CG against a direct (Cholesky, double) solve on small
 * SPD systems, the same stopping behaviour as the reference, and the shared validator.
 *
 * <p><b>Tolerance, derived.</b> For SPD {@code A = QᵀQ + μI} of order n with {@code μ = n} and Q's
 * entries uniform in ±1, {@code κ = (‖Q‖² + μ)/μ}: about {@code (4n/3 + n)/n ≈ 2.3}
 * (Marchenko–Pastur: the largest eigenvalue of QᵀQ is about 4n·(1/3)), at worst {@code n + 1}
 * ({@code ‖Q‖² <= ‖Q‖_F² <= n²}). n iterations of exact CG solve it exactly; with
 * {@code maxIterations = n + 5} and {@code tol = 0} the iteration reaches its rounding floor. CG in
 * fp32 attains {@code ‖x - x*‖ <= c κ u ‖x*‖} with a modest c (Greenbaum, Iterative Methods for
 * Solving Linear Systems, §7.3: the attainable accuracy is {@code O(u κ)} times the largest iterate,
 * and the operator's own fp32 rounding adds {@code γ_n}); we allow {@code c κ = 32 n} in the max norm:
 * {@code 32 n u ‖x*‖∞}.
 * Double likewise with {@code u = 2⁻⁵³}.
 */
public final class CgChecks {
    private CgChecks() {}

    private static final CgKernels REF = Backends.reference().cg().orElseThrow();

    /** A = QᵀQ + n I as a double matrix. */
    static double[] spd(int n, long seed) {
        Random r = new Random(seed);
        double[] q = new double[n * n], a = new double[n * n];
        for (int i = 0; i < q.length; i++) q[i] = (float) (2 * r.nextDouble() - 1);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += q[k * n + i] * q[k * n + j];
                a[i * n + j] = (float) (s + (i == j ? n : 0));
            }
        }
        return a;
    }

    public static void solvesSpdSystems(CgKernels fast, int n, long seed) {
        double[] a = spd(n, seed);
        float[] af = new float[n * n];
        for (int i = 0; i < a.length; i++) af[i] = (float) a[i];
        Random r = new Random(seed + 1);
        float[] g = new float[n];
        double[] gd = new double[n];
        for (int i = 0; i < n; i++) gd[i] = g[i] = (float) (2 * r.nextDouble() - 1);
        // direct solve in double
        double[] l = new double[n * n], xs = gd.clone();
        DenseReference.cholesky(n, a, l);
        DenseReference.choleskySolve(n, 1, l, xs);
        double xmax = 0;
        for (double v : xs) xmax = Math.max(xmax, Math.abs(v));
        FloatOperator op = (v, out) -> {
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += (double) af[i * n + j] * v[j];
                out[i] = (float) s;
            }
        };
        float[] x = BadInput.sentinel(n + 2);
        CgResult<float[]> res = fast.solve(op, n, g, x, n + 5, 0.0, fast.floatWorkspace(n + 1));
        double bound = 32.0 * Math.max(n, 1) * 0x1p-24 * xmax;
        for (int i = 0; i < n; i++) {
            assertTrue(Math.abs(x[i] - xs[i]) <= bound, "x[" + i + "] = " + x[i] + " vs direct " + xs[i] + " bound " + bound
                    + " (n=" + n + ", " + res + ")");
        }
        assertEquals(BadInput.SENTINEL, x[n], "written past n");
        DoubleOperator opd = (v, out) -> {
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += a[i * n + j] * v[j];
                out[i] = s;
            }
        };
        double[] xd = new double[n];
        fast.solve(opd, n, gd, xd, n + 5, 0.0, fast.doubleWorkspace(n));
        double boundD = 32.0 * Math.max(n, 1) * 0x1p-53 * xmax * 4; // x* itself was computed in double (factor 4 for the Cholesky solve)
        for (int i = 0; i < n; i++) {
            assertTrue(Math.abs(xd[i] - xs[i]) <= boundD + 1e-300, "double x[" + i + "] = " + xd[i] + " vs " + xs[i]);
        }
    }

    /** Same status and iteration count as the reference on early convergence, g = 0 and non-positive curvature. */
    public static void stopsLikeTheReference(CgKernels fast) {
        // identity: converges after one iteration
        FloatOperator id = (v, out) -> System.arraycopy(v, 0, out, 0, v.length);
        float[] g = {1, 2, 3};
        CgResult<float[]> f = fast.solve(id, 3, g, new float[3], 10, 1e-10, fast.floatWorkspace(3));
        CgResult<float[]> r = REF.solve(id, 3, g, new float[3], 10, 1e-10, REF.floatWorkspace(3));
        assertEquals(r.status(), f.status());
        assertEquals(r.iterations(), f.iterations());
        assertArrayEquals(new float[] {1, 2, 3}, f.x(), 1e-6f);
        // g = 0: x = 0, CONVERGED at once
        CgResult<float[]> z = fast.solve(id, 3, new float[3], new float[] {9, 9, 9}, 10, 0.0, fast.floatWorkspace(3));
        assertEquals(CgStatus.CONVERGED, z.status());
        assertEquals(0, z.iterations());
        assertArrayEquals(new float[3], z.x());
        // negative definite operator: stops at once without dividing
        FloatOperator neg = (v, out) -> {
            for (int i = 0; i < v.length; i++) out[i] = -v[i];
        };
        CgResult<float[]> nc = fast.solve(neg, 3, g, new float[3], 10, 0.0, fast.floatWorkspace(3));
        assertEquals(CgStatus.NON_POSITIVE_CURVATURE, nc.status());
        assertArrayEquals(new float[3], nc.x());
    }

    public static void rejectsBadInput(CgKernels fast) {
        float[] x = BadInput.sentinel(3);
        FloatOperator id = (v, out) -> System.arraycopy(v, 0, out, 0, 3);
        BadInput.assertRejected("ws", () -> fast.solve(id, 3, new float[3], x, 10, 0, fast.doubleWorkspace(3)), x);
        BadInput.assertRejected("maxIterations", () -> fast.solve(id, 3, new float[3], x, 0, 0, fast.floatWorkspace(3)), x);
        BadInput.assertRejected("'x'", () -> fast.solve(id, 3, x, x, 10, 0, fast.floatWorkspace(3)), x);
    }
}
