package dev.pgkernels.cg;

/**
 * Family 5: conjugate gradient on a damped Fisher operator and the TRPO natural-gradient step
 * (SPEC §5), in fp32 and double.
 *
 * <p><b>CG.</b> Solves {@code (F + λI) x = g} for an operator {@code v -> (F + λI) v}, from
 * {@code x0 = 0}, {@code r0 = p0 = g}. Before each iteration it stops with
 * {@link CgStatus#CONVERGED} when {@code r·r < tol} or {@code r·r == 0} (the latter so that
 * {@code g = 0} gives {@code x = 0} and CONVERGED even with {@code tol = 0}); it runs at most
 * {@code maxIterations} iterations, after which the status is CONVERGED if the final {@code r·r}
 * passes the same test, else {@link CgStatus#MAX_ITERATIONS}. An iteration:
 * <pre>
 *   Ap = op(p);  pAp = p·Ap
 *   if pAp <= 0: stop, NON_POSITIVE_CURVATURE   (x is left as it was; nothing is divided)
 *   α = r·r / pAp;  x += α p;  r -= α Ap;  β = r·r_new / r·r;  p = r + β p
 * </pre>
 * Dot products and α, β are double; the fp32 overload keeps {@code x, r, p} in fp32. A NaN in
 * {@code g} or from the operator propagates into {@code x} (no test of {@code pAp} catches NaN,
 * and {@code r·r < tol} is false for NaN, so the status is then MAX_ITERATIONS).
 *
 * <p><b>TRPO step.</b> Given the CG solution {@code x ≈ (F+λI)⁻¹ g}: {@code β = sqrt(2δ / (x·Fx))}
 * with {@code Fx} from the same (damped) operator, as baselines does; the full step is {@code β x};
 * tries {@code θ + f·βx} for {@code f = 1, shrink, shrink², ...} ({@code maxTries} in all) and
 * accepts the first whose objective is finite, whose mean KL is {@code <= klFactor·δ}, and whose
 * surrogate strictly exceeds the surrogate at θ (SB3-contrib's TRPO requires {@code >}; baselines
 * accepts {@code >= 0} improvement — strict is what "improves" says). Otherwise no step.
 * The objective is evaluated once at θ first (for the baseline surrogate), then once per try.
 *
 * <p>Every method throws {@link IllegalArgumentException} naming the argument (null, short array,
 * bad size or parameter, a workspace of the wrong precision or too small, an output aliasing an
 * input) before any output element is written. Implementations are stateless and thread-safe.
 */
public interface CgKernels {

    /** Default CG iterations: OpenAI baselines {@code cg_iters=10} (trpo_mpi), {@code cg(..., cg_iters=10)}. */
    int DEFAULT_MAX_ITERATIONS = 10;

    /**
     * Default stop threshold on the SQUARED residual {@code r·r} (not ‖r‖): OpenAI baselines
     * {@code common/cg.py residual_tol=1e-10} and SB3-contrib {@code conjugate_gradient_solver(residual_tol=1e-10)}.
     */
    double DEFAULT_TOL = 1e-10;

    /** A float workspace for dimensions up to {@code n >= 0}. @throws IllegalArgumentException if {@code n < 0} */
    CgWorkspace floatWorkspace(int n);

    /** A double workspace for dimensions up to {@code n >= 0}. @throws IllegalArgumentException if {@code n < 0} */
    CgWorkspace doubleWorkspace(int n);

    /**
     * CG in fp32 (see the class comment for the algorithm and stopping rules).
     *
     * @param op            {@code v -> (F + λI) v} on length-{@code n} vectors; called at most
     *                      {@code maxIterations} times with workspace vectors
     * @param n             dimension {@code >= 0} ({@code n = 0}: CONVERGED at once)
     * @param g             right-hand side, {@code g[0..n)}. Not modified.
     * @param x             solution, {@code x[0..n)}, a different array from {@code g}. Modified (fully written).
     * @param maxIterations {@code k >= 1}
     * @param tol           threshold on {@code r·r}, finite and {@code >= 0}
     * @param ws            a float workspace with capacity {@code >= n}. Modified.
     * @return x (the same array), iterations, {@code r·r} history, status
     * @throws IllegalArgumentException on a null, a short array, {@code n < 0}, {@code k < 1}, a bad
     *         {@code tol}, {@code x == g}, or a wrong workspace
     */
    CgResult<float[]> solve(FloatOperator op, int n, float[] g, float[] x, int maxIterations, double tol,
            CgWorkspace ws);

    /** CG in double; as {@link #solve(FloatOperator, int, float[], float[], int, double, CgWorkspace)} with a double workspace. */
    CgResult<double[]> solve(DoubleOperator op, int n, double[] g, double[] x, int maxIterations, double tol,
            CgWorkspace ws);

    /**
     * The TRPO step in fp32 (see the class comment).
     *
     * @param fvp       {@code v -> (F + λI) v}, applied once, to {@code x}
     * @param n         dimension {@code >= 0}
     * @param theta     current parameters θ_old, {@code theta[0..n)}. Not modified.
     * @param x         the natural-gradient direction (CG's solution), {@code x[0..n)}. Not modified.
     * @param params    δ, klFactor, shrink, maxTries
     * @param objective mean KL and surrogate at a candidate θ
     * @param step      the accepted step ({@code θ_new = θ + step}) or zeros, {@code step[0..n)},
     *                  different from {@code theta} and {@code x}. Modified (fully written).
     * @param ws        a float workspace with capacity {@code >= n}. Modified.
     * @return step (the same array), fraction, backtracks, KL, improvement, status
     * @throws IllegalArgumentException on a null, a short array, {@code n < 0}, aliasing, or a wrong workspace
     */
    TrpoResult<float[]> trpoStep(FloatOperator fvp, int n, float[] theta, float[] x, TrpoParams params,
            FloatObjective objective, float[] step, CgWorkspace ws);

    /** The TRPO step in double; as the fp32 overload with a double workspace. */
    TrpoResult<double[]> trpoStep(DoubleOperator fvp, int n, double[] theta, double[] x, TrpoParams params,
            DoubleObjective objective, double[] step, CgWorkspace ws);
}
