package dev.pgkernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.cg.CgKernels;
import dev.pgkernels.cg.CgResult;
import dev.pgkernels.cg.CgStatus;
import dev.pgkernels.cg.FloatObjective;
import dev.pgkernels.cg.FloatOperator;
import dev.pgkernels.cg.FvpOperators;
import dev.pgkernels.cg.SoftmaxObjectives;
import dev.pgkernels.cg.TrpoParams;
import dev.pgkernels.cg.TrpoResult;
import dev.pgkernels.fisher.FisherKernels;
import dev.pgkernels.fisher.LinearSoftmaxShape;
import dev.pgkernels.kfac.KfacPreconditioner;
import dev.pgkernels.kfac.KfacPreconditioner.Layer;
import dev.pgkernels.kfac.KfacPreconditioner.Settings;
import dev.pgkernels.kfac.KfacPreconditioner.Variant;
import dev.pgkernels.scale.ScaleFunction;
import dev.pgkernels.scale.ScaleKernels;
import dev.pgkernels.scan.EpisodeFlags;
import dev.pgkernels.scan.ScanKernels;
import dev.pgkernels.scan.ScanWorkspace;
import dev.pgkernels.softmax.SoftmaxKernels;
import dev.pgkernels.softmax.UpdateForm;
import dev.pgkernels.testsupport.EdgeValues;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The README's library snippets, verbatim between the marked lines, so the README cannot drift
 * from the API. Each test also checks something the snippet's result must satisfy.
 */
class ReadmeExamplesTest {
    private static final Random R = new Random(7);

    private static float[] uniform(int n, float lo, float hi) {
        return EdgeValues.uniform(R.nextLong(), n, lo, hi);
    }

    /** Every line between the "README" markers below appears, as printed, in the README. */
    @Test
    void theReadmeShowsTheseSnippets() throws java.io.IOException {
        java.nio.file.Path src = java.nio.file.Path.of("src/test/java/dev/pgkernels/ReadmeExamplesTest.java");
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("../README.md"));
        boolean in = false;
        int checked = 0;
        for (String line : java.nio.file.Files.readAllLines(src)) {
            String t = line.trim();
            if (t.startsWith("// --- README")) {
                in = true;
            } else if (t.equals("// ---")) {
                in = false;
            } else if (in && !t.isEmpty()) {
                assertTrue(readme.contains(line.substring(Math.min(8, line.indexOf(t)))),
                        "README.md lacks the snippet line: " + t);
                checked++;
            }
        }
        assertTrue(checked > 25, "found only " + checked + " snippet lines");
    }

    @Test
    void scaleFunctions() {
        int n = 100;
        float[] dO = uniform(n, -1, 1), dR = uniform(n, -1, 1), out = new float[n];
        // --- README 1
        ScaleKernels scale = Backends.best().scale().orElseThrow();
        ScaleFunction ppo = ScaleFunction.ppoClip(0.2).withLogRatioClip(20); // clip log-ratios before exp
        scale.scale(ppo, n, dO, dR, out);                                   // out[i] = f(dO[i], dR[i])
        // ---
        for (int i = 0; i < n; i++) {
            double ratio = Math.exp(dO[i]);
            boolean clipped = (dR[i] > 0 && ratio > 1.2) || (dR[i] < 0 && ratio < 0.8);
            assertEquals(clipped ? 0.0 : ratio * dR[i], out[i], 1e-5, "sample " + i);
        }
    }

    @Test
    void softmaxForms() {
        int B = 8, A = 5, D = 3;
        float[] logits = uniform(B * A, -2, 2), logMu = uniform(B, -2, -1), target = uniform(B, -1, 1);
        float[] x = uniform(B * D, -1, 1), g = new float[B * A], dW = new float[A * D], logp = new float[B * A];
        int[] actions = R.ints(B, 0, A).toArray();
        // --- README 2
        SoftmaxKernels sm = Backends.best().softmax().orElseThrow();
        sm.update(UpdateForm.U_P, ScaleFunction.sil(), B, A, logits, actions, logMu, target, g); // g: B*A
        sm.linearPolicyGradient(B, A, D, g, x, dW);                 // dW = gᵀ x / B, A*D
        sm.logSoftmax(B, A, logits, logp);                           // and entropy(..), kl(..), surrogate(..)
        // ---
        for (int i = 0; i < B; i++) {
            double sumP = 0, sumG = 0;
            for (int j = 0; j < A; j++) {
                sumP += Math.exp(logp[i * A + j]);
                sumG += g[i * A + j];
            }
            assertEquals(1.0, sumP, 1e-5);
            assertEquals(0.0, sumG, 1e-5, "U_P rows sum to 0");
        }
    }

    @Test
    void scans() {
        int T = 64, E = 4, n = T * E;
        float[] reward = uniform(n, -1, 1), value = uniform(n, -1, 1), nextValue = uniform(n, -1, 1);
        float[] values = uniform(n + E, -1, 1), logRho = uniform(n, -0.5f, 0.5f);
        float[] adv = new float[n], ret = new float[n], vs = new float[n], pgAdv = new float[n];
        boolean[] terminated = new boolean[n], done = new boolean[n], dones = new boolean[n];
        boolean[] cleanRlDones = EdgeValues.flags(1, n, 0.05), nextDone = new boolean[E];
        // --- README 3
        ScanKernels scans = Backends.best().scans().orElseThrow();
        ScanWorkspace ws = scans.workspace();                        // reuse it across calls (one per thread)
        scans.gae(T, E, reward, value, nextValue, terminated, done, 0.99f, 0.95f, adv, ret, ws);
        // CleanRL stores `dones` shifted by one (next_done): convert, then use the compact form
        EpisodeFlags.fromNextDone(T, E, cleanRlDones, nextDone, dones);
        scans.gaeCompact(T, E, reward, values /* (T+1)*E */, dones, 0.99f, 0.95f, adv, ret, ws);
        scans.vtrace(T, E, logRho, reward, value, nextValue, terminated, done, 0.99f, 1f, 1f, 1f, vs, pgAdv, ws);
        // ---
        for (int i = 0; i < n; i++) {
            assertEquals(adv[i] + values[i], ret[i], 1e-5);
        }
    }

    @Test
    void fisherCgAndTrpo() {
        int B = 32, D = 4, A = 3;
        LinearSoftmaxShape s0 = new LinearSoftmaxShape(B, D, A);
        float[] theta = uniform(s0.paramCount(), -0.5f, 0.5f), x = uniform(B * D, -1, 1);
        float[] grad = uniform(s0.paramCount(), -0.1f, 0.1f), advantages = uniform(B, -1, 1);
        int[] actions = R.ints(B, 0, A).toArray();
        // --- README 4-5
        Backend b = Backends.best();
        FisherKernels fisher = b.fisher().orElseThrow();
        CgKernels cg = b.cg().orElseThrow();
        LinearSoftmaxShape shape = new LinearSoftmaxShape(B, D, A); // θ = (W row-major A×D, b[A])
        int P = shape.paramCount();
        FloatOperator fvp = FvpOperators.linearSoftmax(fisher, shape, theta, x, 0.1 /* damping */,
                FisherKernels.BASELINES_TRPO_STRIDE /* every 5th row */, fisher.workspace(shape));
        CgResult<float[]> sol = cg.solve(fvp, P, grad, new float[P], CgKernels.DEFAULT_MAX_ITERATIONS,
                CgKernels.DEFAULT_TOL, cg.floatWorkspace(P));            // sol.status(), sol.residuals()
        FloatObjective objective = SoftmaxObjectives.linearSoftmax(b.softmax().orElseThrow(), shape, theta, x,
                actions, advantages);
        TrpoResult<float[]> step = cg.trpoStep(fvp, P, theta, sol.x(), TrpoParams.of(0.01), objective,
                new float[P], cg.floatWorkspace(P));                     // step.status(), step.meanKl()
        // ---
        assertTrue(sol.status() == CgStatus.CONVERGED || sol.status() == CgStatus.MAX_ITERATIONS, sol.status().toString());
        assertTrue(sol.residuals()[sol.iterations()] < sol.residuals()[0], "CG reduced the residual");
        assertTrue(step.meanKl() <= 1.5 * 0.01 || step.step()[0] == 0f, "the accepted step honours the KL bound");
    }

    @Test
    void kfac() {
        int B = 16, D = 6, H = 5, A = 3;
        float[] inputs0 = uniform(B * D, -1, 1), outputGrads0 = uniform(B * H, -1, 1);
        float[] inputs1 = uniform(B * H, -1, 1), outputGrads1 = uniform(B * A, -1, 1);
        float[][] grads = {uniform(H * (D + 1), -1, 1), uniform(A * (H + 1), -1, 1)};
        float[][] updates = {new float[H * (D + 1)], new float[A * (H + 1)]};
        // --- README 6
        List<Layer> layers = List.of(new Layer("hidden", D, H, true), new Layer("policy", H, A, true));
        KfacPreconditioner kfac = new KfacPreconditioner(Backends.best().kfac().orElseThrow(), layers,
                Settings.acktr());                                   // η, κ, λ, ε from OpenAI baselines' ACKTR
        kfac.observe(0, B, inputs0, outputGrads0);                   // activations B×in, per-sample grads B×out
        kfac.observe(1, B, inputs1, outputGrads1);
        double nu = kfac.precondition(grads, updates);               // updates[l] = ν · S_d⁻¹ ∇W_l A_d⁻¹
        // ---
        assertTrue(nu > 0 && nu <= 1, "ν = " + nu);
        double dot = 0;
        for (int l = 0; l < 2; l++) {
            for (int i = 0; i < grads[l].length; i++) dot += grads[l][i] * updates[l][i];
        }
        assertTrue(dot > 0, "a positive-definite preconditioner keeps the update a descent direction");
    }

    @Test
    void ekfacWithCachedBases() {
        int B = 16, D = 6, H = 5, A = 3, k = 3;
        List<Layer> layers = List.of(new Layer("hidden", D, H, true), new Layer("policy", H, A, true));
        float[][] grads = {uniform(H * (D + 1), -1, 1), uniform(A * (H + 1), -1, 1)};
        float[][] updates = {new float[H * (D + 1)], new float[A * (H + 1)]};
        float[][] inputs0 = new float[6][], outputGrads0 = new float[6][], inputs1 = new float[6][],
                outputGrads1 = new float[6][];
        for (int t = 0; t < 6; t++) {
            inputs0[t] = uniform(B * D, -1, 1);
            outputGrads0[t] = uniform(B * H, -1, 1);
            inputs1[t] = uniform(B * H, -1, 1);
            outputGrads1[t] = uniform(B * A, -1, 1);
        }
        double nu = 0;
        // --- README 6b
        KfacPreconditioner ekfac = new KfacPreconditioner(Backends.best().kfac().orElseThrow(), layers,
                Settings.acktr().withVariant(Variant.EKFAC));       // or Variant.EIGEN
        for (int step = 0; step < 6; step++) {
            ekfac.observe(0, B, inputs0[step], outputGrads0[step]);  // factors (+ EKFAC scaling)
            ekfac.observe(1, B, inputs1[step], outputGrads1[step]);
            if (step % k == 0) ekfac.refreshEigenbases();            // O(n³) eigensolves every k steps
            nu = ekfac.precondition(grads, updates);                 // four GEMMs per layer every step
        }
        // ---
        assertTrue(ekfac.hasEigenbases() && nu > 0 && nu <= 1, "ν = " + nu);
        double dot = 0;
        for (int l = 0; l < 2; l++) {
            for (int i = 0; i < grads[l].length; i++) dot += grads[l][i] * updates[l][i];
        }
        assertTrue(dot > 0, "EKFAC's positive scaling keeps the update a descent direction");
    }
}
