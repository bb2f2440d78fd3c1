package dev.pgkernels.fisher;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pgkernels.reference.ReferenceFisher;
import dev.pgkernels.testsupport.BadInput;
import org.junit.jupiter.api.Test;

/** Every bad-input rule of family 4: the call throws naming the argument and leaves {@code out} untouched. */
class FisherBadInputTest {

    private final FisherKernels k = new ReferenceFisher();

    // B = 3, D = 2, A = 2: P = 6, X needs 6
    private final LinearSoftmaxShape lin = new LinearSoftmaxShape(3, 2, 2);
    // B = 3, D = 2, H1 = 3, H2 = 2, A = 2: P = 6 + 3 + 6 + 2 + 4 + 2 = 23
    private final MlpSoftmaxShape mlp = new MlpSoftmaxShape(3, 2, 3, 2, 2);
    private final GaussianShape gau = new GaussianShape(3, 2, 2);
    private final EmpiricalShape emp = new EmpiricalShape(3, 4);

    @Test
    void shapesRejectNegativeSizesAndOverflow() {
        assertThrows(IllegalArgumentException.class, () -> new LinearSoftmaxShape(-1, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new LinearSoftmaxShape(1, -2, 2));
        assertThrows(IllegalArgumentException.class, () -> new MlpSoftmaxShape(1, 2, -3, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new MlpSoftmaxShape(1, 2, 3, -2, 2));
        assertThrows(IllegalArgumentException.class, () -> new GaussianShape(1, 2, -1));
        assertThrows(IllegalArgumentException.class, () -> new EmpiricalShape(2, -4));
        assertThrows(IllegalArgumentException.class, () -> new EmpiricalShape(1 << 16, 1 << 16));
        assertThrows(IllegalArgumentException.class, () -> new MlpSoftmaxShape(1, 1 << 16, 1 << 16, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> k.workspace(null));
        assertThrows(IllegalArgumentException.class, () -> FisherShape.rowsUsed(3, 0));
    }

    @Test
    void linearSoftmaxFloat() {
        int p = lin.paramCount();
        float[] th = new float[p], x = new float[6], v = new float[p];
        FisherWorkspace ws = k.workspace(lin);
        float[] out = BadInput.sentinel(p);
        BadInput.assertRejected("damping", () -> k.linearSoftmaxFvp(lin, th, x, v, -1e-3, 1, out, ws), out);
        BadInput.assertRejected("damping", () -> k.linearSoftmaxFvp(lin, th, x, v, Double.NaN, 1, out, ws), out);
        BadInput.assertRejected("damping", () -> k.linearSoftmaxFvp(lin, th, x, v, Double.POSITIVE_INFINITY, 1, out, ws), out);
        BadInput.assertRejected("stride", () -> k.linearSoftmaxFvp(lin, th, x, v, 0, 0, out, ws), out);
        BadInput.assertRejected("stride", () -> k.linearSoftmaxFvp(lin, th, x, v, 0, -5, out, ws), out);
        BadInput.assertRejected("theta", () -> k.linearSoftmaxFvp(lin, new float[p - 1], x, v, 0, 1, out, ws), out);
        BadInput.assertRejected("'x'", () -> k.linearSoftmaxFvp(lin, th, new float[5], v, 0, 1, out, ws), out);
        BadInput.assertRejected("'v'", () -> k.linearSoftmaxFvp(lin, th, x, new float[p - 1], 0, 1, out, ws), out);
        float[] shortOut = BadInput.sentinel(p - 1);
        BadInput.assertRejected("'out'", () -> k.linearSoftmaxFvp(lin, th, x, v, 0, 1, shortOut, ws), shortOut);
        BadInput.assertRejected("shape", () -> k.linearSoftmaxFvp(null, th, x, v, 0, 1, out, ws), out);
        BadInput.assertRejected("theta", () -> k.linearSoftmaxFvp(lin, (float[]) null, x, v, 0, 1, out, ws), out);
        BadInput.assertRejected("'x'", () -> k.linearSoftmaxFvp(lin, th, null, v, 0, 1, out, ws), out);
        BadInput.assertRejected("'v'", () -> k.linearSoftmaxFvp(lin, th, x, null, 0, 1, out, ws), out);
        BadInput.assertRejected("'out'", () -> k.linearSoftmaxFvp(lin, th, x, v, 0, 1, (float[]) null, ws));
        BadInput.assertRejected("ws", () -> k.linearSoftmaxFvp(lin, th, x, v, 0, 1, out, null), out);
        // workspace for a smaller batch, other widths, or another policy kind
        BadInput.assertRejected("ws", () -> k.linearSoftmaxFvp(lin, th, x, v, 0, 1, out,
                k.workspace(new LinearSoftmaxShape(2, 2, 2))), out);
        BadInput.assertRejected("ws", () -> k.linearSoftmaxFvp(lin, th, x, v, 0, 1, out,
                k.workspace(new GaussianShape(3, 2, 2))), out);
        BadInput.assertRejected("ws", () -> k.linearSoftmaxFvp(lin, th, x, v, 0, 1, out,
                new FisherWorkspace(lin, "simd", 100, 100)), out);
        // out aliasing an input
        float[] alias = BadInput.sentinel(p);
        BadInput.assertRejected("out", () -> k.linearSoftmaxFvp(lin, th, x, alias, 0, 1, alias, ws), alias);
    }

    @Test
    void linearSoftmaxDouble() {
        int p = lin.paramCount();
        double[] th = new double[p], x = new double[6], v = new double[p];
        FisherWorkspace ws = k.workspace(lin);
        double[] out = BadInput.sentinelDouble(p);
        BadInput.assertRejected("damping", () -> k.linearSoftmaxFvp(lin, th, x, v, -1, 1, out, ws), out);
        BadInput.assertRejected("stride", () -> k.linearSoftmaxFvp(lin, th, x, v, 0, 0, out, ws), out);
        BadInput.assertRejected("theta", () -> k.linearSoftmaxFvp(lin, new double[p - 1], x, v, 0, 1, out, ws), out);
        BadInput.assertRejected("'x'", () -> k.linearSoftmaxFvp(lin, th, new double[5], v, 0, 1, out, ws), out);
        BadInput.assertRejected("'v'", () -> k.linearSoftmaxFvp(lin, th, x, new double[1], 0, 1, out, ws), out);
        BadInput.assertRejected("ws", () -> k.linearSoftmaxFvp(lin, th, x, v, 0, 1, out, null), out);
        BadInput.assertRejected("out", () -> k.linearSoftmaxFvp(lin, out, x, v, 0, 1, out, ws), out);
    }

    @Test
    void mlpSoftmax() {
        int p = mlp.paramCount();
        float[] th = new float[p], x = new float[6], v = new float[p];
        FisherWorkspace ws = k.workspace(mlp);
        float[] out = BadInput.sentinel(p);
        BadInput.assertRejected("damping", () -> k.mlpSoftmaxFvp(mlp, th, x, v, -0.5, 1, out, ws), out);
        BadInput.assertRejected("stride", () -> k.mlpSoftmaxFvp(mlp, th, x, v, 0, 0, out, ws), out);
        BadInput.assertRejected("theta", () -> k.mlpSoftmaxFvp(mlp, new float[p - 1], x, v, 0, 1, out, ws), out);
        BadInput.assertRejected("'x'", () -> k.mlpSoftmaxFvp(mlp, th, new float[5], v, 0, 1, out, ws), out);
        BadInput.assertRejected("'v'", () -> k.mlpSoftmaxFvp(mlp, th, x, new float[p - 1], 0, 1, out, ws), out);
        BadInput.assertRejected("ws", () -> k.mlpSoftmaxFvp(mlp, th, x, v, 0, 1, out,
                k.workspace(new MlpSoftmaxShape(3, 2, 2, 3, 2))), out);
        BadInput.assertRejected("out", () -> k.mlpSoftmaxFvp(mlp, th, out, v, 0, 1, out, ws), out);
        double[] outD = BadInput.sentinelDouble(p);
        double[] thD = new double[p], xD = new double[6], vD = new double[p];
        BadInput.assertRejected("damping", () -> k.mlpSoftmaxFvp(mlp, thD, xD, vD, -0.5, 1, outD, ws), outD);
        BadInput.assertRejected("stride", () -> k.mlpSoftmaxFvp(mlp, thD, xD, vD, 0, 0, outD, ws), outD);
        BadInput.assertRejected("theta", () -> k.mlpSoftmaxFvp(mlp, new double[3], xD, vD, 0, 1, outD, ws), outD);
        BadInput.assertRejected("'x'", () -> k.mlpSoftmaxFvp(mlp, thD, new double[5], vD, 0, 1, outD, ws), outD);
    }

    @Test
    void gaussian() {
        int p = gau.paramCount();
        float[] th = new float[p], x = new float[6], v = new float[p];
        FisherWorkspace ws = k.workspace(gau);
        float[] out = BadInput.sentinel(p);
        BadInput.assertRejected("damping", () -> k.gaussianFvp(gau, th, x, v, -1, 1, out, ws), out);
        BadInput.assertRejected("stride", () -> k.gaussianFvp(gau, th, x, v, 0, 0, out, ws), out);
        BadInput.assertRejected("theta", () -> k.gaussianFvp(gau, new float[p - 1], x, v, 0, 1, out, ws), out);
        BadInput.assertRejected("'x'", () -> k.gaussianFvp(gau, th, new float[5], v, 0, 1, out, ws), out);
        BadInput.assertRejected("'v'", () -> k.gaussianFvp(gau, th, x, new float[p - 1], 0, 1, out, ws), out);
        BadInput.assertRejected("ws", () -> k.gaussianFvp(gau, th, x, v, 0, 1, out, k.workspace(lin)), out);
        double[] outD = BadInput.sentinelDouble(p);
        BadInput.assertRejected("damping", () -> k.gaussianFvp(gau, new double[p], new double[6], new double[p], -1,
                1, outD, ws), outD);
        BadInput.assertRejected("'v'", () -> k.gaussianFvp(gau, new double[p], new double[6], new double[2], 0,
                1, outD, ws), outD);
    }

    @Test
    void empirical() {
        int p = emp.paramCount();
        float[] g = new float[12], v = new float[p];
        FisherWorkspace ws = k.workspace(emp);
        float[] out = BadInput.sentinel(p);
        BadInput.assertRejected("damping", () -> k.empiricalFvp(emp, g, v, -1, 1, out, ws), out);
        BadInput.assertRejected("stride", () -> k.empiricalFvp(emp, g, v, 0, 0, out, ws), out);
        BadInput.assertRejected("'g'", () -> k.empiricalFvp(emp, new float[11], v, 0, 1, out, ws), out);
        BadInput.assertRejected("'g'", () -> k.empiricalFvp(emp, (float[]) null, v, 0, 1, out, ws), out);
        BadInput.assertRejected("'v'", () -> k.empiricalFvp(emp, g, new float[3], 0, 1, out, ws), out);
        BadInput.assertRejected("ws", () -> k.empiricalFvp(emp, g, v, 0, 1, out,
                k.workspace(new EmpiricalShape(3, 5))), out);
        BadInput.assertRejected("out", () -> k.empiricalFvp(emp, g, out, 0, 1, out, ws), out);
        double[] outD = BadInput.sentinelDouble(p);
        BadInput.assertRejected("damping", () -> k.empiricalFvp(emp, new double[12], new double[p], -1, 1, outD, ws),
                outD);
        BadInput.assertRejected("'g'", () -> k.empiricalFvp(emp, new double[11], new double[p], 0, 1, outD, ws), outD);
    }
}
