package dev.pgkernels.kfac;

import static dev.pgkernels.testsupport.BadInput.assertRejected;
import static dev.pgkernels.testsupport.BadInput.sentinel;
import static dev.pgkernels.testsupport.BadInput.sentinelDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pgkernels.kfac.KfacPreconditioner.Layer;
import dev.pgkernels.kfac.KfacPreconditioner.Settings;
import dev.pgkernels.kfac.KfacPreconditioner.Variant;
import dev.pgkernels.linalg.DenseReference;
import dev.pgkernels.reference.ReferenceKfac;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every bad-input rule of the K-FAC family (SPEC "Bad input"), each asserting that the call throws
 * {@link IllegalArgumentException} naming the argument and that every output is bit-for-bit
 * unchanged. Shapes used: out = 2, in = 2 with a bias (nA = 3), B = 2.
 */
class KfacBadInputTest {
    private static final KfacKernels K = new ReferenceKfac();
    private static final int OUT = 2, IN = 2, NA = 3, B = 2;

    private final KfacWorkspace ws = K.workspace(3);
    private final KfacWorkspace small = K.workspace(2);
    private final KfacWorkspace foreign = new KfacWorkspace(8) {};

    private static float[] f(int n) {
        return new float[n];
    }

    private static double[] d(int n) {
        return new double[n];
    }

    @Test
    void workspace() {
        assertRejected("maxDim", () -> K.workspace(-1));
        assertRejected("maxDim", () -> K.workspace(1 << 16)); // 2^32 elements
    }

    @Test
    void updateFactor() {
        float[] out = sentinel(9);
        double[] outD = sentinelDouble(9);
        assertRejected("batch", () -> K.updateFactor(-1, IN, true, f(4), 0.5, ws, out), out);
        assertRejected("dim", () -> K.updateFactor(B, -1, true, f(4), 0.5, ws, out), out);
        assertRejected("'x'", () -> K.updateFactor(B, IN, true, (float[]) null, 0.5, ws, out), out);
        assertRejected("'x'", () -> K.updateFactor(B, IN, true, f(3), 0.5, ws, out), out);
        assertRejected("'x'", () -> K.updateFactor(B, IN, true, d(3), 0.5, ws, outD), outD);
        assertRejected("epsilon", () -> K.updateFactor(B, IN, true, f(4), -0.1, ws, out), out);
        assertRejected("epsilon", () -> K.updateFactor(B, IN, true, f(4), 1.5, ws, out), out);
        assertRejected("epsilon", () -> K.updateFactor(B, IN, true, f(4), Double.NaN, ws, out), out);
        assertRejected("epsilon", () -> K.updateFactor(B, IN, true, d(4), 2.0, ws, outD), outD);
        assertRejected("'ws'", () -> K.updateFactor(B, IN, true, f(4), 0.5, null, out), out);
        assertRejected("'ws'", () -> K.updateFactor(B, IN, true, f(4), 0.5, small, out), out);
        assertRejected("another backend", () -> K.updateFactor(B, IN, true, f(4), 0.5, foreign, out), out);
        assertRejected("'factor'", () -> K.updateFactor(B, IN, true, f(4), 0.5, ws, null));
        float[] shortOut = sentinel(8);
        assertRejected("'factor'", () -> K.updateFactor(B, IN, true, f(4), 0.5, ws, shortOut), shortOut);
        double[] shortD = sentinelDouble(8);
        assertRejected("'factor'", () -> K.updateFactor(B, IN, true, d(4), 0.5, ws, shortD), shortD);
        // Checks run before the B = 0 / ε = 1 shortcuts.
        assertRejected("'factor'", () -> K.updateFactor(0, IN, true, f(0), 1.0, ws, shortOut), shortOut);
    }

    @Test
    void pi() {
        assertRejected("nA", () -> K.pi(-1, f(0), 1, f(1)));
        assertRejected("nS", () -> K.pi(1, f(1), -1, f(0)));
        assertRejected("'a'", () -> K.pi(2, f(3), 1, f(1)));
        assertRejected("'s'", () -> K.pi(1, f(1), 2, f(3)));
        assertRejected("'a'", () -> K.pi(1, (double[]) null, 1, d(1)));
        assertRejected("'s'", () -> K.pi(1, d(1), 2, d(3)));
    }

    @Test
    void precondition() {
        float[] delta = sentinel(6);
        double[] deltaD = sentinelDouble(6);
        float[] a = f(9), s = f(4), g = f(6);
        assertRejected("out", () -> K.precondition(-1, IN, true, a, s, g, 0.1, ws, delta), delta);
        assertRejected("in", () -> K.precondition(OUT, -1, true, a, s, g, 0.1, ws, delta), delta);
        assertRejected("in + 1", () -> K.precondition(OUT, Integer.MAX_VALUE, true, a, s, g, 0.1, ws, delta), delta);
        assertRejected("'a'", () -> K.precondition(OUT, IN, true, f(8), s, g, 0.1, ws, delta), delta);
        assertRejected("'s'", () -> K.precondition(OUT, IN, true, a, f(3), g, 0.1, ws, delta), delta);
        assertRejected("'grad'", () -> K.precondition(OUT, IN, true, a, s, f(5), 0.1, ws, delta), delta);
        assertRejected("'grad'", () -> K.precondition(OUT, IN, true, a, s, null, 0.1, ws, delta), delta);
        assertRejected("lambda", () -> K.precondition(OUT, IN, true, a, s, g, -1e-9, ws, delta), delta);
        assertRejected("lambda", () -> K.precondition(OUT, IN, true, a, s, g, Double.NaN, ws, delta), delta);
        assertRejected("lambda", () -> K.precondition(OUT, IN, true, a, s, g, Double.POSITIVE_INFINITY, ws, delta),
                delta);
        assertRejected("'ws'", () -> K.precondition(OUT, IN, true, a, s, g, 0.1, small, delta), delta);
        assertRejected("another backend", () -> K.precondition(OUT, IN, true, a, s, g, 0.1, foreign, delta), delta);
        float[] shortDelta = sentinel(5);
        assertRejected("'delta'", () -> K.precondition(OUT, IN, true, a, s, g, 0.1, ws, shortDelta), shortDelta);
        assertRejected("'a'", () -> K.precondition(OUT, IN, true, d(8), d(4), d(6), 0.1, ws, deltaD), deltaD);
        assertRejected("lambda", () -> K.precondition(OUT, IN, true, d(9), d(4), d(6), -1, ws, deltaD), deltaD);
    }

    @Test
    void eigenBasis() {
        float[] q = sentinel(9), w = sentinel(3);
        double[] qd = sentinelDouble(9), wd = sentinelDouble(3);
        assertRejected("n", () -> K.eigenBasis(-1, f(9), ws, q, w), q, w);
        assertRejected("'factor'", () -> K.eigenBasis(3, f(8), ws, q, w), q, w);
        assertRejected("'ws'", () -> K.eigenBasis(3, f(9), small, q, w), q, w);
        assertRejected("another backend", () -> K.eigenBasis(3, f(9), foreign, q, w), q, w);
        float[] shortQ = sentinel(8);
        assertRejected("'q'", () -> K.eigenBasis(3, f(9), ws, shortQ, w), shortQ, w);
        float[] shortW = sentinel(2);
        assertRejected("'eigenvalues'", () -> K.eigenBasis(3, f(9), ws, q, shortW), q, shortW);
        assertRejected("'factor'", () -> K.eigenBasis(3, (double[]) null, ws, qd, wd), qd, wd);
        assertRejected("'eigenvalues'", () -> K.eigenBasis(3, d(9), ws, qd, d(2)), qd);
    }

    @Test
    void preconditionEigen() {
        float[] delta = sentinel(6);
        float[] qA = f(9), lA = f(3), qS = f(4), lS = f(2), g = f(6);
        assertRejected("out", () -> K.preconditionEigen(-1, IN, true, qA, lA, qS, lS, g, 0.1, ws, delta), delta);
        assertRejected("'qA'", () -> K.preconditionEigen(OUT, IN, true, f(8), lA, qS, lS, g, 0.1, ws, delta), delta);
        assertRejected("'lambdaA'", () -> K.preconditionEigen(OUT, IN, true, qA, f(2), qS, lS, g, 0.1, ws, delta),
                delta);
        assertRejected("'qS'", () -> K.preconditionEigen(OUT, IN, true, qA, lA, f(3), lS, g, 0.1, ws, delta), delta);
        assertRejected("'lambdaS'", () -> K.preconditionEigen(OUT, IN, true, qA, lA, qS, f(1), g, 0.1, ws, delta),
                delta);
        assertRejected("'grad'", () -> K.preconditionEigen(OUT, IN, true, qA, lA, qS, lS, f(5), 0.1, ws, delta),
                delta);
        assertRejected("lambda", () -> K.preconditionEigen(OUT, IN, true, qA, lA, qS, lS, g, -1, ws, delta), delta);
        assertRejected("'ws'", () -> K.preconditionEigen(OUT, IN, true, qA, lA, qS, lS, g, 0.1, small, delta), delta);
        float[] shortDelta = sentinel(5);
        assertRejected("'delta'", () -> K.preconditionEigen(OUT, IN, true, qA, lA, qS, lS, g, 0.1, ws, shortDelta),
                shortDelta);
        double[] deltaD = sentinelDouble(6);
        assertRejected("'lambdaA'",
                () -> K.preconditionEigen(OUT, IN, true, d(9), d(2), d(4), d(2), d(6), 0.1, ws, deltaD), deltaD);
    }

    @Test
    void updateEkfacScaling() {
        float[] sc = sentinel(6);
        float[] a = f(4), g = f(4), qA = f(9), qS = f(4);
        assertRejected("batch", () -> K.updateEkfacScaling(-1, OUT, IN, true, a, g, qA, qS, 0.5, ws, sc), sc);
        assertRejected("out", () -> K.updateEkfacScaling(B, -1, IN, true, a, g, qA, qS, 0.5, ws, sc), sc);
        assertRejected("in", () -> K.updateEkfacScaling(B, OUT, -1, true, a, g, qA, qS, 0.5, ws, sc), sc);
        assertRejected("'a'", () -> K.updateEkfacScaling(B, OUT, IN, true, f(3), g, qA, qS, 0.5, ws, sc), sc);
        assertRejected("'g'", () -> K.updateEkfacScaling(B, OUT, IN, true, a, f(3), qA, qS, 0.5, ws, sc), sc);
        assertRejected("'qA'", () -> K.updateEkfacScaling(B, OUT, IN, true, a, g, f(8), qS, 0.5, ws, sc), sc);
        assertRejected("'qS'", () -> K.updateEkfacScaling(B, OUT, IN, true, a, g, qA, f(3), 0.5, ws, sc), sc);
        assertRejected("epsilon", () -> K.updateEkfacScaling(B, OUT, IN, true, a, g, qA, qS, -0.5, ws, sc), sc);
        assertRejected("epsilon", () -> K.updateEkfacScaling(B, OUT, IN, true, a, g, qA, qS, Double.NaN, ws, sc), sc);
        assertRejected("'ws'", () -> K.updateEkfacScaling(B, OUT, IN, true, a, g, qA, qS, 0.5, small, sc), sc);
        float[] shortSc = sentinel(5);
        assertRejected("'scaling'", () -> K.updateEkfacScaling(B, OUT, IN, true, a, g, qA, qS, 0.5, ws, shortSc),
                shortSc);
        double[] scD = sentinelDouble(6);
        assertRejected("'g'", () -> K.updateEkfacScaling(B, OUT, IN, true, d(4), d(3), d(9), d(4), 0.5, ws, scD), scD);
    }

    @Test
    void preconditionEkfac() {
        float[] delta = sentinel(6);
        float[] qA = f(9), qS = f(4), sc = f(6), g = f(6);
        assertRejected("in", () -> K.preconditionEkfac(OUT, -1, true, qA, qS, sc, g, 0.1, ws, delta), delta);
        assertRejected("'qA'", () -> K.preconditionEkfac(OUT, IN, true, f(8), qS, sc, g, 0.1, ws, delta), delta);
        assertRejected("'qS'", () -> K.preconditionEkfac(OUT, IN, true, qA, f(3), sc, g, 0.1, ws, delta), delta);
        assertRejected("'scaling'", () -> K.preconditionEkfac(OUT, IN, true, qA, qS, f(5), g, 0.1, ws, delta), delta);
        assertRejected("'grad'", () -> K.preconditionEkfac(OUT, IN, true, qA, qS, sc, f(5), 0.1, ws, delta), delta);
        assertRejected("lambda", () -> K.preconditionEkfac(OUT, IN, true, qA, qS, sc, g, Double.NaN, ws, delta),
                delta);
        assertRejected("another backend", () -> K.preconditionEkfac(OUT, IN, true, qA, qS, sc, g, 0.1, foreign, delta),
                delta);
        float[] shortDelta = sentinel(5);
        assertRejected("'delta'", () -> K.preconditionEkfac(OUT, IN, true, qA, qS, sc, g, 0.1, ws, shortDelta),
                shortDelta);
        double[] deltaD = sentinelDouble(6);
        assertRejected("'scaling'", () -> K.preconditionEkfac(OUT, IN, true, d(9), d(4), d(5), d(6), 0.1, ws, deltaD),
                deltaD);
    }

    @Test
    void klClip() {
        assertRejected("kappa", () -> KfacKernels.klClip(0, 0.25, 1));
        assertRejected("kappa", () -> KfacKernels.klClip(Double.NaN, 0.25, 1));
        assertRejected("eta", () -> KfacKernels.klClip(0.001, -1, 1));
        assertRejected("eta", () -> KfacKernels.klClip(0.001, 0, 1));
    }

    @Test
    void denseReference() {
        double[] l = sentinelDouble(9);
        assertRejected("n", () -> DenseReference.cholesky(-1, d(9), l), l);
        assertRejected("'a'", () -> DenseReference.cholesky(3, d(8), l), l);
        double[] shortL = sentinelDouble(8);
        assertRejected("'l'", () -> DenseReference.cholesky(3, d(9), shortL), shortL);
        double[] b = sentinelDouble(6);
        assertRejected("m", () -> DenseReference.solveLower(3, -1, d(9), b), b);
        assertRejected("'l'", () -> DenseReference.solveLowerTransposed(3, 2, d(8), b), b);
        double[] shortB = sentinelDouble(5);
        assertRejected("'b'", () -> DenseReference.choleskySolve(3, 2, d(9), shortB), shortB);
        double[] w = sentinelDouble(3), q = sentinelDouble(9);
        assertRejected("'work'", () -> DenseReference.symmetricEigen(3, d(9), w, q, d(8)), w, q);
        assertRejected("'w'", () -> DenseReference.symmetricEigen(3, d(9), d(2), q, d(9)), q);
        double[] z = sentinelDouble(4);
        assertRejected("'y'", () -> DenseReference.multiply(2, 3, 2, d(6), false, d(5), false, z), z);
        assertRejected("'z'", () -> DenseReference.multiply(2, 3, 2, d(6), false, d(6), false, d(3)));
    }

    @Test
    void preconditionerConstruction() {
        assertRejected("name", () -> new Layer(null, 1, 1, true));
        assertRejected("in", () -> new Layer("x", -1, 1, true));
        assertRejected("out", () -> new Layer("x", 1, -1, true));
        assertRejected("in + 1", () -> new Layer("x", Integer.MAX_VALUE, 1, true));
        assertRejected("lambda", () -> new Settings(Variant.KFAC, -1, 0.9, 0.001, 0.25));
        assertRejected("epsilon", () -> new Settings(Variant.KFAC, 0.01, 1.1, 0.001, 0.25));
        assertRejected("kappa", () -> new Settings(Variant.KFAC, 0.01, 0.9, 0, 0.25));
        assertRejected("eta", () -> new Settings(Variant.KFAC, 0.01, 0.9, 0.001, Double.POSITIVE_INFINITY));
        assertRejected("variant", () -> new Settings(null, 0.01, 0.9, 0.001, 0.25));
        assertRejected("layers", () -> new KfacPreconditioner(K, List.of(), Settings.acktr()));
        assertRejected("kernels", () -> new KfacPreconditioner(null, List.of(new Layer("x", 1, 1, true)),
                Settings.acktr()));
    }

    @Test
    void preconditionerCalls() {
        KfacPreconditioner p = new KfacPreconditioner(K, List.of(new Layer("fc", IN, OUT, true)), Settings.acktr());
        p.observe(0, 1, new float[] {1, 2}, new float[] {1, -1});
        float[] a0 = p.factorA(0), s0 = p.factorS(0);
        assertRejected("layer", () -> p.observe(1, 1, f(2), f(2)));
        assertRejected("batch", () -> p.observe(0, -1, f(2), f(2)));
        assertRejected("activations", () -> p.observe(0, 2, f(3), f(4)));
        assertRejected("gradients", () -> p.observe(0, 2, f(4), f(3)));
        assertArrayEquals(a0, p.factorA(0), "state unchanged by rejected observe");
        assertArrayEquals(s0, p.factorS(0));
        float[] up = sentinel(6);
        assertRejected("one per layer", () -> p.precondition(new float[][] {f(6), f(6)}, new float[][] {up}), up);
        assertRejected("grads[0]", () -> p.precondition(new float[][] {f(5)}, new float[][] {up}), up);
        float[] shortUp = sentinel(5);
        assertRejected("updates[0]", () -> p.precondition(new float[][] {f(6)}, new float[][] {shortUp}), shortUp);
        KfacPreconditioner e = new KfacPreconditioner(K, List.of(new Layer("fc", IN, OUT, true)),
                Settings.acktr().withVariant(Variant.EIGEN));
        float[] up2 = sentinel(6);
        assertThrows(IllegalStateException.class, () -> e.precondition(new float[][] {f(6)}, new float[][] {up2}));
        assertArrayEquals(sentinel(6), up2);
    }
}
