package dev.pgkernels.reference;

import dev.pgkernels.kfac.AbstractKfac;
import dev.pgkernels.kfac.FactorNotPositiveDefiniteException;
import dev.pgkernels.kfac.KfacWorkspace;
import dev.pgkernels.linalg.DenseReference;
import dev.pgkernels.linalg.NotPositiveDefiniteException;

/**
 * The reference K-FAC kernels (SPEC §6): scalar loops in {@code double}, using the plain dense
 * routines of {@link DenseReference} (Cholesky, triangular solves, cyclic Jacobi). The
 * {@code float} overloads widen their inputs to {@code double} in the workspace, run the same
 * double computation and round each result once when it is stored; every result is computed
 * completely in the workspace before the output is written ("commit on success"), so a failing
 * Cholesky leaves the output untouched. Arguments are checked by {@link AbstractKfac}.
 */
public final class ReferenceKfac extends AbstractKfac {

    /** Used by {@link ReferenceBackend}; stateless. */
    public ReferenceKfac() {}

    /** Scratch for the reference: six {@code maxDim×maxDim} matrices and three vectors, in double. */
    static final class Workspace extends KfacWorkspace {
        final double[][] m;
        final double[][] v;

        Workspace(int maxDim) {
            super(maxDim);
            m = new double[6][maxDim * maxDim];
            v = new double[3][maxDim];
        }
    }

    @Override
    protected boolean accepts(KfacWorkspace ws) {
        return ws instanceof Workspace;
    }

    @Override
    protected KfacWorkspace workspaceKernel(int maxDim) {
        return new Workspace(maxDim);
    }

    // ------------------------------------------------------------------ widening and storing

    private static double[] widen(float[] src, int n, double[] dst) {
        for (int i = 0; i < n; i++) {
            dst[i] = src[i];
        }
        return dst;
    }

    private static double[] copy(double[] src, int n, double[] dst) {
        System.arraycopy(src, 0, dst, 0, n);
        return dst;
    }

    private static void store(double[] src, int n, float[] dst) {
        for (int i = 0; i < n; i++) {
            dst[i] = (float) src[i];
        }
    }

    private static void store(double[] src, int n, double[] dst) {
        System.arraycopy(src, 0, dst, 0, n);
    }

    /** Element {@code k} of whichever of the two arrays is not null. */
    private static double at(float[] f, double[] d, int k) {
        return f != null ? f[k] : d[k];
    }

    // ------------------------------------------------------------------ factor statistics

    /**
     * {@code acc = Σ_b x̃_b x̃_bᵀ} ({@code n×n}, both triangles), {@code x̃_b = (x_b, 1)} with a bias:
     * the sum of outer products, sample by sample, lower triangle then mirrored.
     */
    private static void sumOuterProducts(int batch, int dim, boolean bias, float[] xf, double[] xd, double[] acc) {
        int n = bias ? dim + 1 : dim;
        for (int i = 0; i < n * n; i++) {
            acc[i] = 0.0;
        }
        for (int b = 0; b < batch; b++) {
            int row = b * dim;
            for (int i = 0; i < n; i++) {
                double xi = i < dim ? at(xf, xd, row + i) : 1.0;
                for (int j = 0; j <= i; j++) {
                    double xj = j < dim ? at(xf, xd, row + j) : 1.0;
                    acc[i * n + j] += xi * xj;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                acc[j * n + i] = acc[i * n + j];
            }
        }
    }

    /** {@code ε·old + (1-ε)·batch}, reading {@code old} only when {@code ε > 0}. */
    private static double average(double epsilon, double old, double batchValue) {
        return epsilon == 0.0 ? batchValue : epsilon * old + (1.0 - epsilon) * batchValue;
    }

    @Override
    protected void updateFactorKernel(int batch, int dim, boolean bias, float[] x, double epsilon, KfacWorkspace ws,
            float[] factor) {
        double[] acc = ((Workspace) ws).m[0];
        sumOuterProducts(batch, dim, bias, x, null, acc);
        int n = bias ? dim + 1 : dim;
        for (int i = 0; i < n * n; i++) {
            factor[i] = (float) average(epsilon, factor[i], acc[i] / batch);
        }
    }

    @Override
    protected void updateFactorKernel(int batch, int dim, boolean bias, double[] x, double epsilon, KfacWorkspace ws,
            double[] factor) {
        double[] acc = ((Workspace) ws).m[0];
        sumOuterProducts(batch, dim, bias, null, x, acc);
        int n = bias ? dim + 1 : dim;
        for (int i = 0; i < n * n; i++) {
            factor[i] = average(epsilon, factor[i], acc[i] / batch);
        }
    }

    // ------------------------------------------------------------------ π

    /** SPEC §6: {@code π = sqrt((tr(A)/nA) / (tr(S)/nS))}, 1 when a trace is not positive or an order is 0. */
    private static double pi(int nA, double traceA, int nS, double traceS) {
        if (nA == 0 || nS == 0 || traceA <= 0.0 || traceS <= 0.0) {
            return 1.0;
        }
        return Math.sqrt((traceA / nA) / (traceS / nS));
    }

    private static double trace(int n, float[] f, double[] d) {
        double t = 0.0;
        for (int i = 0; i < n; i++) {
            t += at(f, d, i * n + i);
        }
        return t;
    }

    @Override
    protected double piKernel(int nA, float[] a, int nS, float[] s) {
        return pi(nA, trace(nA, a, null), nS, trace(nS, s, null));
    }

    @Override
    protected double piKernel(int nA, double[] a, int nS, double[] s) {
        return pi(nA, trace(nA, null, a), nS, trace(nS, null, s));
    }

    // ------------------------------------------------------------------ Cholesky preconditioning

    /**
     * With {@code A} in m[0], {@code S} in m[1], {@code ∇W} in m[2] (double): damps, factors and
     * solves; leaves {@code ΔW} TRANSPOSED ({@code nA×out}) in m[5]. Returns π.
     */
    private static double precondition(int out, int nA, double lambda, Workspace w) {
        double[] a = w.m[0], s = w.m[1], g = w.m[2], la = w.m[3], ls = w.m[4], t = w.m[5];
        double pi = pi(nA, trace(nA, null, a), out, trace(out, null, s));
        double sqrtLambda = Math.sqrt(lambda);
        for (int i = 0; i < nA; i++) {
            a[i * nA + i] += pi * sqrtLambda; // A_d = A + π√λ I
        }
        for (int i = 0; i < out; i++) {
            s[i * out + i] += sqrtLambda / pi; // S_d = S + (√λ/π) I
        }
        try {
            DenseReference.cholesky(nA, a, la);
        } catch (NotPositiveDefiniteException e) {
            throw new FactorNotPositiveDefiniteException(-1, null, "A", nA, e.pivotIndex(), e.pivotValue());
        }
        try {
            DenseReference.cholesky(out, s, ls);
        } catch (NotPositiveDefiniteException e) {
            throw new FactorNotPositiveDefiniteException(-1, null, "S", out, e.pivotIndex(), e.pivotValue());
        }
        // Y = S_d⁻¹ ∇W (out×nA), in place in g.
        DenseReference.choleskySolve(out, nA, ls, g);
        // ΔWᵀ = A_d⁻¹ Yᵀ (A_d symmetric): t = Yᵀ, solved in place.
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < nA; j++) {
                t[j * out + i] = g[i * nA + j];
            }
        }
        DenseReference.choleskySolve(nA, out, la, t);
        return pi;
    }

    @Override
    protected double preconditionKernel(int out, int nA, float[] a, float[] s, float[] grad, double lambda,
            KfacWorkspace ws, float[] delta) {
        Workspace w = (Workspace) ws;
        widen(a, nA * nA, w.m[0]);
        widen(s, out * out, w.m[1]);
        widen(grad, out * nA, w.m[2]);
        double pi = precondition(out, nA, lambda, w);
        double[] t = w.m[5];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < nA; j++) {
                delta[i * nA + j] = (float) t[j * out + i];
            }
        }
        return pi;
    }

    @Override
    protected double preconditionKernel(int out, int nA, double[] a, double[] s, double[] grad, double lambda,
            KfacWorkspace ws, double[] delta) {
        Workspace w = (Workspace) ws;
        copy(a, nA * nA, w.m[0]);
        copy(s, out * out, w.m[1]);
        copy(grad, out * nA, w.m[2]);
        double pi = precondition(out, nA, lambda, w);
        double[] t = w.m[5];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < nA; j++) {
                delta[i * nA + j] = t[j * out + i];
            }
        }
        return pi;
    }

    // ------------------------------------------------------------------ eigenbases

    @Override
    protected void eigenBasisKernel(int n, float[] factor, KfacWorkspace ws, float[] q, float[] eigenvalues) {
        Workspace w = (Workspace) ws;
        DenseReference.symmetricEigen(n, widen(factor, n * n, w.m[0]), w.v[0], w.m[1], w.m[2]);
        store(w.m[1], n * n, q);
        store(w.v[0], n, eigenvalues);
    }

    @Override
    protected void eigenBasisKernel(int n, double[] factor, KfacWorkspace ws, double[] q, double[] eigenvalues) {
        Workspace w = (Workspace) ws;
        DenseReference.symmetricEigen(n, copy(factor, n * n, w.m[0]), w.v[0], w.m[1], w.m[2]);
        store(w.m[1], n * n, q);
        store(w.v[0], n, eigenvalues);
    }

    /**
     * With {@code Q_A} in m[0], {@code Q_S} in m[1], {@code ∇W} in m[2] and the denominators
     * {@code D} in m[3]: {@code ΔW = Q_S [(Q_Sᵀ ∇W Q_A) ⊘ D] Q_Aᵀ}, left in m[5].
     */
    private static void rotateDivideRotateBack(int out, int nA, Workspace w) {
        double[] qa = w.m[0], qs = w.m[1], g = w.m[2], d = w.m[3], t1 = w.m[4], t2 = w.m[5];
        DenseReference.multiply(out, out, nA, qs, true, g, false, t1);   // Q_Sᵀ ∇W
        DenseReference.multiply(out, nA, nA, t1, false, qa, false, t2);  // (Q_Sᵀ ∇W) Q_A
        for (int i = 0; i < out * nA; i++) {
            t2[i] = t2[i] / d[i];
        }
        DenseReference.multiply(out, out, nA, qs, false, t2, false, t1); // Q_S [...]
        DenseReference.multiply(out, nA, nA, t1, false, qa, true, t2);   // Q_S [...] Q_Aᵀ
    }

    /** m[3] = λ_S λ_Aᵀ + λ, from the eigenvalues in v[0] (A) and v[1] (S). */
    private static void eigenDenominators(int out, int nA, double lambda, Workspace w) {
        double[] la = w.v[0], ls = w.v[1], d = w.m[3];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < nA; j++) {
                d[i * nA + j] = ls[i] * la[j] + lambda;
            }
        }
    }

    @Override
    protected void preconditionEigenKernel(int out, int nA, float[] qA, float[] lambdaA, float[] qS, float[] lambdaS,
            float[] grad, double lambda, KfacWorkspace ws, float[] delta) {
        Workspace w = (Workspace) ws;
        widen(qA, nA * nA, w.m[0]);
        widen(qS, out * out, w.m[1]);
        widen(grad, out * nA, w.m[2]);
        widen(lambdaA, nA, w.v[0]);
        widen(lambdaS, out, w.v[1]);
        eigenDenominators(out, nA, lambda, w);
        rotateDivideRotateBack(out, nA, w);
        store(w.m[5], out * nA, delta);
    }

    @Override
    protected void preconditionEigenKernel(int out, int nA, double[] qA, double[] lambdaA, double[] qS,
            double[] lambdaS, double[] grad, double lambda, KfacWorkspace ws, double[] delta) {
        Workspace w = (Workspace) ws;
        copy(qA, nA * nA, w.m[0]);
        copy(qS, out * out, w.m[1]);
        copy(grad, out * nA, w.m[2]);
        copy(lambdaA, nA, w.v[0]);
        copy(lambdaS, out, w.v[1]);
        eigenDenominators(out, nA, lambda, w);
        rotateDivideRotateBack(out, nA, w);
        store(w.m[5], out * nA, delta);
    }

    // ------------------------------------------------------------------ EKFAC

    /**
     * m[2] = Σ_b u_b² (v_b²)ᵀ with {@code u_b = Q_Sᵀ g_b} (Q_S in m[1]) and {@code v_b = Q_Aᵀ ã_b}
     * (Q_A in m[0]), {@code ã_b = (a_b, 1)} with a bias.
     */
    private static void sumSquaredProjections(int batch, int out, int in, boolean bias, float[] af, double[] ad,
            float[] gf, double[] gd, Workspace w) {
        int nA = bias ? in + 1 : in;
        double[] qa = w.m[0], qs = w.m[1], acc = w.m[2], u = w.v[0], v = w.v[1];
        for (int i = 0; i < out * nA; i++) {
            acc[i] = 0.0;
        }
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < out; i++) {
                double ui = 0.0;
                for (int k = 0; k < out; k++) {
                    ui += qs[k * out + i] * at(gf, gd, b * out + k);
                }
                u[i] = ui * ui;
            }
            for (int j = 0; j < nA; j++) {
                double vj = 0.0;
                for (int k = 0; k < nA; k++) {
                    double ak = k < in ? at(af, ad, b * in + k) : 1.0;
                    vj += qa[k * nA + j] * ak;
                }
                v[j] = vj * vj;
            }
            for (int i = 0; i < out; i++) {
                for (int j = 0; j < nA; j++) {
                    acc[i * nA + j] += u[i] * v[j];
                }
            }
        }
    }

    @Override
    protected void updateEkfacScalingKernel(int batch, int out, int in, boolean bias, float[] a, float[] g,
            float[] qA, float[] qS, double epsilon, KfacWorkspace ws, float[] scaling) {
        Workspace w = (Workspace) ws;
        int nA = bias ? in + 1 : in;
        widen(qA, nA * nA, w.m[0]);
        widen(qS, out * out, w.m[1]);
        sumSquaredProjections(batch, out, in, bias, a, null, g, null, w);
        double[] acc = w.m[2];
        for (int i = 0; i < out * nA; i++) {
            scaling[i] = (float) average(epsilon, scaling[i], acc[i] / batch);
        }
    }

    @Override
    protected void updateEkfacScalingKernel(int batch, int out, int in, boolean bias, double[] a, double[] g,
            double[] qA, double[] qS, double epsilon, KfacWorkspace ws, double[] scaling) {
        Workspace w = (Workspace) ws;
        int nA = bias ? in + 1 : in;
        copy(qA, nA * nA, w.m[0]);
        copy(qS, out * out, w.m[1]);
        sumSquaredProjections(batch, out, in, bias, null, a, null, g, w);
        double[] acc = w.m[2];
        for (int i = 0; i < out * nA; i++) {
            scaling[i] = average(epsilon, scaling[i], acc[i] / batch);
        }
    }

    @Override
    protected void preconditionEkfacKernel(int out, int nA, float[] qA, float[] qS, float[] scaling, float[] grad,
            double lambda, KfacWorkspace ws, float[] delta) {
        Workspace w = (Workspace) ws;
        widen(qA, nA * nA, w.m[0]);
        widen(qS, out * out, w.m[1]);
        widen(grad, out * nA, w.m[2]);
        double[] d = w.m[3];
        for (int i = 0; i < out * nA; i++) {
            d[i] = (double) scaling[i] + lambda; // s + λ
        }
        rotateDivideRotateBack(out, nA, w);
        store(w.m[5], out * nA, delta);
    }

    @Override
    protected void preconditionEkfacKernel(int out, int nA, double[] qA, double[] qS, double[] scaling,
            double[] grad, double lambda, KfacWorkspace ws, double[] delta) {
        Workspace w = (Workspace) ws;
        copy(qA, nA * nA, w.m[0]);
        copy(qS, out * out, w.m[1]);
        copy(grad, out * nA, w.m[2]);
        double[] d = w.m[3];
        for (int i = 0; i < out * nA; i++) {
            d[i] = scaling[i] + lambda; // s + λ
        }
        rotateDivideRotateBack(out, nA, w);
        store(w.m[5], out * nA, delta);
    }
}
