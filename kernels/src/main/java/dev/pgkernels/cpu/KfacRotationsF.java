package dev.pgkernels.cpu;

/**
 * The eigen and EKFAC routes of SPEC §6 written once for both CPU backends (fp32; KfacRotationsD is
 * generated from this file by {@code kernels/gen-variants.sh}): they are GEMMs plus loops of lower
 * order, so the only thing a backend supplies is its GEMM ({@link Gemm}) and its scratch arrays.
 * {@code dev.pgkernels.simd.SimdKfacF} passes the Vector API GEMM, {@code dev.pgkernels.jblas.JblasKfacF}
 * native {@code sgemm}. Arguments are checked by {@link dev.pgkernels.kfac.AbstractKfac} before these
 * run; zero sizes are handled here. Stateless and thread-safe; every scratch array is the caller's.
 */
public final class KfacRotationsF {
    private KfacRotationsF() {}

    /**
     * A backend's row-major {@code C = α op(A) op(B) + β C} ({@code op} is the transpose when its flag
     * is set; {@code C} is {@code m×n}, the inner dimension {@code k}; {@code c} is not read when
     * {@code β = 0}), with the backend's packing scratch {@code w} from offset {@code wo} (may be
     * {@code null} for a backend that needs none). The routes call it with {@code m, n >= 1}; it must accept {@code k = 0}.
     */
    @FunctionalInterface
    public interface Gemm {
        void gemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int ao, int lda, float[] b,
                int bo, int ldb, float beta, float[] c, int co, int ldc, float[] w, int wo);
    }

    /**
     * {@code t1 ← Q_Sᵀ ∇W Q_A} through {@code t0} (two GEMMs). {@code qA} is {@code nA×nA},
     * {@code qS} {@code out×out}, {@code grad} {@code out×nA} (read); {@code t0}, {@code t1} hold at
     * least {@code out·nA} (written).
     */
    private static void rotateIn(Gemm gemm, int out, int nA, float[] qA, float[] qS, float[] grad, float[] t0,
            float[] t1, float[] scratch) {
        gemm.gemm(true, false, out, nA, out, 1, qS, 0, out, grad, 0, nA, 0, t0, 0, nA, scratch, 0);
        gemm.gemm(false, false, out, nA, nA, 1, t0, 0, nA, qA, 0, nA, 0, t1, 0, nA, scratch, 0);
    }

    /** {@code delta ← Q_S t1 Q_Aᵀ} through {@code t0}; {@code t1} is read, {@code t0} and {@code delta} written. */
    private static void rotateBack(Gemm gemm, int out, int nA, float[] qA, float[] qS, float[] t0, float[] t1,
            float[] scratch, float[] delta) {
        gemm.gemm(false, false, out, nA, out, 1, qS, 0, out, t1, 0, nA, 0, t0, 0, nA, scratch, 0);
        gemm.gemm(false, true, out, nA, nA, 1, t0, 0, nA, qA, 0, nA, 0, delta, 0, nA, scratch, 0);
    }

    /**
     * {@code ΔW = Q_S [(Q_Sᵀ ∇W Q_A) ⊘ (λ_S λ_Aᵀ + λ)] Q_Aᵀ} (SPEC §6, eigen preconditioning), the
     * denominator and the division in double. {@code delta} ({@code out×nA}) is written last;
     * {@code t0}, {@code t1} (at least {@code out·nA}) are scratch.
     */
    public static void preconditionEigen(Gemm gemm, int out, int nA, float[] qA, float[] lambdaA, float[] qS,
            float[] lambdaS, float[] grad, double lambda, float[] t0, float[] t1, float[] scratch, float[] delta) {
        if (out == 0 || nA == 0) {
            return;
        }
        rotateIn(gemm, out, nA, qA, qS, grad, t0, t1, scratch);
        for (int i = 0; i < out; i++) {
            double ls = lambdaS[i];
            for (int j = 0; j < nA; j++) {
                t1[i * nA + j] = (float) (t1[i * nA + j] / (ls * lambdaA[j] + lambda));
            }
        }
        rotateBack(gemm, out, nA, qA, qS, t0, t1, scratch, delta);
    }

    /**
     * {@code ΔW = Q_S [(Q_Sᵀ ∇W Q_A) ⊘ (s + λ)] Q_Aᵀ} (SPEC §6, EKFAC), the denominator and the
     * division in double; shapes and scratch as {@link #preconditionEigen}, {@code scaling} {@code out×nA}.
     */
    public static void preconditionEkfac(Gemm gemm, int out, int nA, float[] qA, float[] qS, float[] scaling,
            float[] grad, double lambda, float[] t0, float[] t1, float[] scratch, float[] delta) {
        if (out == 0 || nA == 0) {
            return;
        }
        rotateIn(gemm, out, nA, qA, qS, grad, t0, t1, scratch);
        for (int k = 0; k < out * nA; k++) {
            t1[k] = (float) (t1[k] / (scaling[k] + lambda));
        }
        rotateBack(gemm, out, nA, qA, qS, t0, t1, scratch, delta);
    }

    /**
     * {@code s ← ε s + (1-ε)/B Σ_b u_b² (v_b²)ᵀ} with the rows {@code u = g Q_S} ({@code B×out}: row b
     * is {@code (Q_Sᵀ g_b)ᵀ}) and {@code v = ã Q_A} ({@code B×nA}), in chunks of {@code chunk} samples
     * (so the scratch is sized by the layer, not by the batch): per chunk two GEMMs, an elementwise
     * square, and {@code s ← α (u²)ᵀ v² + β s} with {@code α = (1-ε)/B} and {@code β = ε} on the first
     * chunk ({@code s} not read when ε = 0), 1 after. With a bias, {@code v} starts as the last row of
     * {@code Q_A} broadcast (the column of ones times that row) and {@code a Q_A[0:in]} is added to it.
     * {@code u} holds at least {@code chunk·out}, {@code v} at least {@code chunk·nA} (scratch).
     */
    public static void updateEkfacScaling(Gemm gemm, int batch, int out, int in, boolean bias, float[] a, float[] g,
            float[] qA, float[] qS, double epsilon, int chunk, float[] u, float[] v, float[] scratch,
            float[] scaling) {
        int nA = bias ? in + 1 : in;
        if (out == 0 || nA == 0) {
            return;
        }
        float alpha = (float) ((1.0 - epsilon) / batch);
        for (int b0 = 0; b0 < batch; b0 += chunk) {
            int rows = Math.min(chunk, batch - b0);
            gemm.gemm(false, false, rows, out, out, 1, g, b0 * out, out, qS, 0, out, 0, u, 0, out, scratch, 0);
            if (bias) {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(qA, in * nA, v, r * nA, nA);
                }
            }
            gemm.gemm(false, false, rows, nA, in, 1, a, b0 * in, in, qA, 0, nA, bias ? 1 : 0, v, 0, nA, scratch, 0);
            square(rows * out, u);
            square(rows * nA, v);
            gemm.gemm(true, false, out, nA, rows, alpha, u, 0, out, v, 0, nA, b0 == 0 ? (float) epsilon : 1, scaling,
                    0, nA, scratch, 0);
        }
    }

    /** {@code x[k] ← x[k]²} for {@code k < n} (a loop C2 vectorises). */
    private static void square(int n, float[] x) {
        for (int k = 0; k < n; k++) {
            x[k] *= x[k];
        }
    }
}
