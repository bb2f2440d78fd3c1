package dev.pgkernels.kfac;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.fisher.EmpiricalShape;
import dev.pgkernels.fisher.FisherKernels;
import dev.pgkernels.fisher.FisherWorkspace;
import dev.pgkernels.linalg.DenseReference;
import dev.pgkernels.reference.ReferenceFisher;
import dev.pgkernels.reference.ReferenceKfac;
import dev.pgkernels.testsupport.EdgeValues;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * EKFAC approximates the empirical Fisher at least as well as K-FAC (George et al. 2018, "Fast
 * Approximate Natural Gradient Descent in a Kronecker-factored Eigenbasis", §3), on a small
 * single-layer problem, with the Fisher applied through family 4's empirical-Fisher FVP.
 *
 * <h2>What is guaranteed, and what is tested</h2>
 * One layer {@code s = W ã} ({@code W} is {@code out×nA}, {@code ã = (a, 1)} with a bias), B samples
 * with activations {@code a_b} and gradients {@code g_b} w.r.t. {@code s}; the per-sample gradient
 * of W is {@code G_b = g_b ã_bᵀ}. On the space of {@code out×nA} matrices V:
 * <ul>
 *   <li>the empirical Fisher {@code F V = (1/B) Σ_b <G_b, V> G_b} (score rows {@code vec G_b}: the
 *       empirical FVP {@code Gᵀ(G v)/B} of SPEC §4);</li>
 *   <li>K-FAC {@code F_K V = S V A} with {@code A = (1/B) Σ ã ãᵀ}, {@code S = (1/B) Σ g gᵀ} (the
 *       Kronecker product {@code A ⊗ S} acting on V);</li>
 *   <li>EKFAC {@code F_E V = Q_S [(Q_Sᵀ V Q_A) ⊙ s] Q_Aᵀ} with the exact eigenbases of A and S and
 *       {@code s_ij = (1/B) Σ_b (Q_Sᵀ G_b Q_A)_ij²} (ε = 0).</li>
 * </ul>
 * With {@code K = Q_A ⊗ Q_S} (orthogonal), {@code F_K = K diag(λ_S λ_Aᵀ) Kᵀ} and
 * {@code F_E = K diag(s) Kᵀ} where {@code s = diag(Kᵀ F K)}. By orthogonal invariance,
 * {@code ‖F - K D Kᵀ‖_F² = ‖KᵀFK - D‖_F² = ‖offdiag(KᵀFK)‖_F² + ‖diag(KᵀFK) - D‖²} for any
 * diagonal D, which is smallest exactly at {@code D = diag(KᵀFK) = s}. Hence the theorem
 * <pre>  ‖F - F_E‖_F ≤ ‖F - F_K‖_F,   and in fact   ‖F - F_K‖_F² - ‖F - F_E‖_F² = ‖s - λ_S λ_Aᵀ‖².</pre>
 * It is a statement about the Frobenius norm, i.e. about {@code Σ_k ‖(F - M) v_k‖²} over an
 * orthonormal basis {@code v_k} (any one: {@code ‖(F - M) Q‖_F = ‖F - M‖_F} for orthogonal Q), or
 * the expectation of {@code ‖(F - M) v‖²} over {@code v ~ N(0, I)}. For ONE random v nothing is
 * implied: the two error operators differ in direction, and {@code (F - F_E) v} is often longer
 * than {@code (F - F_K) v} for single basis vectors of this very test (e.g. out·nA = 14, B = 24:
 * {@code ‖(F - F_E) v‖² = 0.0112 > 0.0091 = ‖(F - F_K) v‖²}; hundreds of such v over a run of the
 * property). So the test sums over a RANDOM orthonormal basis (the columns of
 * a Householder reflection with a random vector), which equals the Frobenius norm exactly, and
 * checks both the inequality and the Pythagoras identity above.
 *
 * <h2>Margin (derived)</h2>
 * The bases come from the double Jacobi routine, so {@code K} is orthogonal only to
 * {@code η = ‖Q_AᵀQ_A - I‖_F + ‖Q_SᵀQ_S - I‖_F + product} (measured); the polar factor {@code K0}
 * of K is orthogonal with {@code ‖K - K0‖_2 ≤ η}. The theorem holds for K0 exactly; replacing K0 by
 * K moves {@code F_E} by {@code ≤ (2η + η²)(‖s‖ + √P ‖F‖_F)} (the rotation of diag(s), and s's own
 * change {@code |Δs| ≤ (2η + η²)‖F‖_2} per entry) and {@code F_K} by the eigen reconstruction
 * errors {@code ‖E_A‖ ‖S‖ + ‖A‖ ‖E_S‖ + ‖E_A‖ ‖E_S‖} (measured: {@code E = QΛQᵀ - A}) plus
 * {@code (2η + η²)‖λ_A‖‖λ_S‖}. The products themselves round: the sum over the basis of each
 * product's error is {@code ≤ √P γ_m ‖|M|‖_F} with {@code m} the terms per element
 * ({@code B + P} for the FVP, {@code out + nA} for {@code S V A}, {@code 2 out + 2 nA + 2} for
 * the rotations, {@code ‖|M|‖_F ≤ P max s} there). The margin {@code m} is twice the sum (the
 * second-order terms); the identity is checked within {@code 4 m (e_K + e_E + m)}.
 */
class EkfacApproximationTest {
    private static final KfacKernels K = new ReferenceKfac();
    private static final FisherKernels FISHER = new ReferenceFisher();
    private static final double U = DenseReference.UNIT_ROUNDOFF;

    @Provide
    Arbitrary<Integer> outs() {
        return Arbitraries.integers().between(1, 6);
    }

    @Provide
    Arbitrary<Integer> ins() {
        return Arbitraries.integers().between(0, 6);
    }

    @Provide
    Arbitrary<Integer> batches() {
        return Arbitraries.oneOf(Arbitraries.of(1, 2, 3), Arbitraries.integers().between(1, 40));
    }

    @Property(tries = 200)
    void ekfacApproximatesTheEmpiricalFisherAtLeastAsWellAsKfac(@ForAll("outs") int out, @ForAll("ins") int in,
            @ForAll boolean bias, @ForAll("batches") int batch, @ForAll long seed) {
        int nA = KfacKernels.factorDim(in, bias);
        if (nA == 0) {
            return; // no parameters
        }
        int p = out * nA;
        double[] a = widen(EdgeValues.uniform(seed, batch * in, -1, 1));
        double[] g = widen(EdgeValues.uniform(seed + 1, batch * out, -1, 1));

        // Factors, exact eigenbases, EKFAC scaling (ε = 0: the batch statistics only).
        KfacWorkspace ws = K.workspace(Math.max(out, nA));
        double[] fa = new double[nA * nA], fs = new double[out * out];
        K.updateFactor(batch, in, bias, a, 0.0, ws, fa);
        K.updateFactor(batch, out, false, g, 0.0, ws, fs);
        double[] qA = new double[nA * nA], lA = new double[nA], qS = new double[out * out], lS = new double[out];
        K.eigenBasis(nA, fa, ws, qA, lA);
        K.eigenBasis(out, fs, ws, qS, lS);
        double[] s = new double[p];
        K.updateEkfacScaling(batch, out, in, bias, a, g, qA, qS, 0.0, ws, s);

        // Score rows vec(G_b) = vec(g_b ã_bᵀ), row-major like V.
        double[] scores = new double[batch * p];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < out; i++) {
                for (int j = 0; j < nA; j++) {
                    scores[b * p + i * nA + j] = g[b * out + i] * (j < in ? a[b * in + j] : 1.0);
                }
            }
        }
        EmpiricalShape shape = new EmpiricalShape(batch, p);
        FisherWorkspace fws = FISHER.workspace(shape);

        // A random orthonormal basis of R^P: the columns of H = I - 2 w wᵀ / wᵀw.
        double[] w = widen(EdgeValues.uniform(seed + 2, p, -1, 1));
        double ww = 0;
        for (double x : w) ww += x * x;
        double[] v = new double[p], fv = new double[p], kv = new double[p], ev = new double[p];
        double[] t1 = new double[p], t2 = new double[p];
        double eK2 = 0, eE2 = 0, fNorm2 = 0;
        for (int c = 0; c < p; c++) {
            for (int r = 0; r < p; r++) v[r] = (r == c ? 1 : 0) - (ww == 0 ? 0 : 2 * w[r] * w[c] / ww);
            FISHER.empiricalFvp(shape, scores, v, 0.0, 1, fv, fws);            // F v
            DenseReference.multiply(out, out, nA, fs, false, v, false, t1);    // S V
            DenseReference.multiply(out, nA, nA, t1, false, fa, false, kv);    // S V A
            DenseReference.multiply(out, out, nA, qS, true, v, false, t1);     // Q_Sᵀ V
            DenseReference.multiply(out, nA, nA, t1, false, qA, false, t2);    // Q_Sᵀ V Q_A
            for (int k = 0; k < p; k++) t2[k] *= s[k];
            DenseReference.multiply(out, out, nA, qS, false, t2, false, t1);
            DenseReference.multiply(out, nA, nA, t1, false, qA, true, ev);     // Q_S [...] Q_Aᵀ
            for (int k = 0; k < p; k++) {
                eK2 += (kv[k] - fv[k]) * (kv[k] - fv[k]);
                eE2 += (ev[k] - fv[k]) * (ev[k] - fv[k]);
                fNorm2 += fv[k] * fv[k];
            }
        }
        double eK = Math.sqrt(eK2), eE = Math.sqrt(eE2), fNorm = Math.sqrt(fNorm2);

        // The margin, from measured orthogonality and reconstruction errors (class comment).
        double etaA = orthogonality(nA, qA), etaS = orthogonality(out, qS);
        double eta = etaA + etaS + etaA * etaS;
        double rot = 2 * eta + eta * eta;
        double normA = norm(fa), normS = norm(fs), errA = reconstruction(nA, fa, qA, lA), errS = reconstruction(out, fs, qS, lS);
        double sNorm = norm(s), sMax = 0;
        for (double x : s) sMax = Math.max(sMax, Math.abs(x));
        double absG = 0; // ‖|G|ᵀ|G|‖_F / B ≤ Σ_b ‖G_b‖² / B
        for (double x : scores) absG += x * x;
        absG /= batch;
        double sqrtP = Math.sqrt(p);
        double margin = 2 * (rot * (sNorm + sqrtP * fNorm)
                + errA * normS + normA * errS + errA * errS + rot * norm(lA) * norm(lS)
                + sqrtP * ((batch + p) * U * absG + (out + nA) * U * normA * normS + (2 * out + 2 * nA + 2) * U * p * sMax))
                + 1e-300;
        assertTrue(eE <= eK + margin, "EKFAC error " + eE + " > K-FAC error " + eK + " + margin " + margin);

        // Pythagoras: e_K² - e_E² = ‖s - λ_S λ_Aᵀ‖².
        double gap = 0;
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < nA; j++) {
                double d = s[i * nA + j] - lS[i] * lA[j];
                gap += d * d;
            }
        }
        double idBound = 4 * margin * (eK + eE + margin) + 8 * p * U * gap;
        assertTrue(Math.abs(eK2 - eE2 - gap) <= idBound,
                "e_K² - e_E² = " + (eK2 - eE2) + " but ‖s - λ_S λ_Aᵀ‖² = " + gap + " (bound " + idBound + ")");
    }

    private static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static double norm(double[] x) {
        double s = 0;
        for (double v : x) s += v * v;
        return Math.sqrt(s);
    }

    /** {@code ‖QᵀQ - I‖_F}. */
    private static double orthogonality(int n, double[] q) {
        double e = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double d = -(i == j ? 1 : 0);
                for (int k = 0; k < n; k++) d += q[k * n + i] * q[k * n + j];
                e += d * d;
            }
        }
        return Math.sqrt(e);
    }

    /** {@code ‖Q Λ Qᵀ - F‖_F}. */
    private static double reconstruction(int n, double[] f, double[] q, double[] l) {
        double e = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double d = -f[i * n + j];
                for (int k = 0; k < n; k++) d += q[i * n + k] * l[k] * q[j * n + k];
                e += d * d;
            }
        }
        return Math.sqrt(e);
    }
}
