package dev.pgkernels.cg;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pgkernels.fisher.LinearSoftmaxShape;
import dev.pgkernels.fisher.MlpSoftmaxShape;
import dev.pgkernels.reference.ReferenceCg;
import dev.pgkernels.reference.ReferenceSoftmax;
import dev.pgkernels.testsupport.BadInput;
import org.junit.jupiter.api.Test;

/** Every bad-input rule of family 5: the call throws naming the argument and leaves the outputs untouched. */
class CgBadInputTest {

    private final CgKernels cg = new ReferenceCg();
    private final FloatOperator idF = (v, out) -> System.arraycopy(v, 0, out, 0, 3);
    private final DoubleOperator idD = (v, out) -> System.arraycopy(v, 0, out, 0, 3);

    @Test
    void solveFloat() {
        float[] g = {1, 2, 3};
        CgWorkspace ws = cg.floatWorkspace(3);
        float[] x = BadInput.sentinel(3);
        BadInput.assertRejected("maxIterations", () -> cg.solve(idF, 3, g, x, 0, 1e-10, ws), x);
        BadInput.assertRejected("maxIterations", () -> cg.solve(idF, 3, g, x, -1, 1e-10, ws), x);
        BadInput.assertRejected("tol", () -> cg.solve(idF, 3, g, x, 10, -1e-10, ws), x);
        BadInput.assertRejected("tol", () -> cg.solve(idF, 3, g, x, 10, Double.NaN, ws), x);
        BadInput.assertRejected("tol", () -> cg.solve(idF, 3, g, x, 10, Double.POSITIVE_INFINITY, ws), x);
        BadInput.assertRejected("n must be", () -> cg.solve(idF, -1, g, x, 10, 1e-10, ws), x);
        BadInput.assertRejected("'g'", () -> cg.solve(idF, 3, new float[2], x, 10, 1e-10, ws), x);
        BadInput.assertRejected("'g'", () -> cg.solve(idF, 3, (float[]) null, x, 10, 1e-10, ws), x);
        float[] shortX = BadInput.sentinel(2);
        BadInput.assertRejected("'x'", () -> cg.solve(idF, 3, g, shortX, 10, 1e-10, ws), shortX);
        BadInput.assertRejected("'x'", () -> cg.solve(idF, 3, g, (float[]) null, 10, 1e-10, ws));
        BadInput.assertRejected("'op'", () -> cg.solve((FloatOperator) null, 3, g, x, 10, 1e-10, ws), x);
        BadInput.assertRejected("ws", () -> cg.solve(idF, 3, g, x, 10, 1e-10, null), x);
        BadInput.assertRejected("ws", () -> cg.solve(idF, 3, g, x, 10, 1e-10, cg.floatWorkspace(2)), x);
        BadInput.assertRejected("ws", () -> cg.solve(idF, 3, g, x, 10, 1e-10, cg.doubleWorkspace(3)), x);
        BadInput.assertRejected("'x'", () -> cg.solve(idF, 3, x, x, 10, 1e-10, ws), x);
        assertThrows(IllegalArgumentException.class, () -> cg.floatWorkspace(-1));
        assertThrows(IllegalArgumentException.class, () -> cg.doubleWorkspace(-1));
    }

    @Test
    void solveDouble() {
        double[] g = {1, 2, 3};
        CgWorkspace ws = cg.doubleWorkspace(3);
        double[] x = BadInput.sentinelDouble(3);
        BadInput.assertRejected("maxIterations", () -> cg.solve(idD, 3, g, x, 0, 1e-10, ws), x);
        BadInput.assertRejected("tol", () -> cg.solve(idD, 3, g, x, 10, -1, ws), x);
        BadInput.assertRejected("n must be", () -> cg.solve(idD, -2, g, x, 10, 1e-10, ws), x);
        BadInput.assertRejected("'g'", () -> cg.solve(idD, 3, new double[1], x, 10, 1e-10, ws), x);
        BadInput.assertRejected("'op'", () -> cg.solve((DoubleOperator) null, 3, g, x, 10, 1e-10, ws), x);
        BadInput.assertRejected("ws", () -> cg.solve(idD, 3, g, x, 10, 1e-10, cg.floatWorkspace(3)), x);
        BadInput.assertRejected("ws", () -> cg.solve(idD, 3, g, x, 10, 1e-10, cg.doubleWorkspace(1)), x);
        BadInput.assertRejected("'x'", () -> cg.solve(idD, 3, x, x, 10, 1e-10, ws), x);
    }

    @Test
    void trpoParams() {
        assertThrows(IllegalArgumentException.class, () -> TrpoParams.of(0));
        BadInput.assertRejected("maxKl", () -> TrpoParams.of(-0.01));
        BadInput.assertRejected("maxKl", () -> TrpoParams.of(0));
        BadInput.assertRejected("maxKl", () -> TrpoParams.of(Double.NaN));
        BadInput.assertRejected("maxKl", () -> TrpoParams.of(Double.POSITIVE_INFINITY));
        BadInput.assertRejected("shrink", () -> new TrpoParams(0.01, 1.5, 0, 10));
        BadInput.assertRejected("shrink", () -> new TrpoParams(0.01, 1.5, 1, 10));
        BadInput.assertRejected("shrink", () -> new TrpoParams(0.01, 1.5, 1.5, 10));
        BadInput.assertRejected("shrink", () -> new TrpoParams(0.01, 1.5, -0.5, 10));
        BadInput.assertRejected("shrink", () -> new TrpoParams(0.01, 1.5, Double.NaN, 10));
        BadInput.assertRejected("klFactor", () -> new TrpoParams(0.01, 0, 0.5, 10));
        BadInput.assertRejected("klFactor", () -> new TrpoParams(0.01, Double.NaN, 0.5, 10));
        BadInput.assertRejected("maxTries", () -> new TrpoParams(0.01, 1.5, 0.5, 0));
    }

    @Test
    void trpoStepFloat() {
        float[] th = {1, 2, 3}, x = {1, 1, 1};
        TrpoParams p = TrpoParams.of(0.01);
        FloatObjective obj = t -> new KlSurrogate(0, 1);
        CgWorkspace ws = cg.floatWorkspace(3);
        float[] step = BadInput.sentinel(3);
        BadInput.assertRejected("n must be", () -> cg.trpoStep(idF, -1, th, x, p, obj, step, ws), step);
        BadInput.assertRejected("theta", () -> cg.trpoStep(idF, 3, new float[2], x, p, obj, step, ws), step);
        BadInput.assertRejected("'x'", () -> cg.trpoStep(idF, 3, th, new float[2], p, obj, step, ws), step);
        BadInput.assertRejected("params", () -> cg.trpoStep(idF, 3, th, x, null, obj, step, ws), step);
        BadInput.assertRejected("objective", () -> cg.trpoStep(idF, 3, th, x, p, (FloatObjective) null, step, ws), step);
        BadInput.assertRejected("fvp", () -> cg.trpoStep((FloatOperator) null, 3, th, x, p, obj, step, ws), step);
        BadInput.assertRejected("ws", () -> cg.trpoStep(idF, 3, th, x, p, obj, step, null), step);
        BadInput.assertRejected("ws", () -> cg.trpoStep(idF, 3, th, x, p, obj, step, cg.doubleWorkspace(3)), step);
        BadInput.assertRejected("ws", () -> cg.trpoStep(idF, 3, th, x, p, obj, step, cg.floatWorkspace(2)), step);
        float[] shortStep = BadInput.sentinel(2);
        BadInput.assertRejected("step", () -> cg.trpoStep(idF, 3, th, x, p, obj, shortStep, ws), shortStep);
        BadInput.assertRejected("step", () -> cg.trpoStep(idF, 3, step, x, p, obj, step, ws), step);
        BadInput.assertRejected("step", () -> cg.trpoStep(idF, 3, th, step, p, obj, step, ws), step);
    }

    @Test
    void trpoStepDouble() {
        double[] th = {1, 2, 3}, x = {1, 1, 1};
        TrpoParams p = TrpoParams.of(0.01);
        DoubleObjective obj = t -> new KlSurrogate(0, 1);
        CgWorkspace ws = cg.doubleWorkspace(3);
        double[] step = BadInput.sentinelDouble(3);
        BadInput.assertRejected("theta", () -> cg.trpoStep(idD, 3, null, x, p, obj, step, ws), step);
        BadInput.assertRejected("'x'", () -> cg.trpoStep(idD, 3, th, new double[0], p, obj, step, ws), step);
        BadInput.assertRejected("params", () -> cg.trpoStep(idD, 3, th, x, null, obj, step, ws), step);
        BadInput.assertRejected("ws", () -> cg.trpoStep(idD, 3, th, x, p, obj, step, cg.floatWorkspace(3)), step);
        BadInput.assertRejected("step", () -> cg.trpoStep(idD, 3, th, step, p, obj, step, ws), step);
    }

    @Test
    void softmaxObjectives() {
        ReferenceSoftmax sm = new ReferenceSoftmax();
        LinearSoftmaxShape s = new LinearSoftmaxShape(2, 1, 2);
        float[] th = new float[4], x = new float[2], adv = new float[2];
        BadInput.assertRejected("softmax", () -> SoftmaxObjectives.linearSoftmax(null, s, th, x, new int[2], adv));
        BadInput.assertRejected("actions", () -> SoftmaxObjectives.linearSoftmax(sm, s, th, x, new int[] {0, 2}, adv));
        BadInput.assertRejected("actions", () -> SoftmaxObjectives.linearSoftmax(sm, s, th, x, new int[] {-1, 0}, adv));
        BadInput.assertRejected("actions", () -> SoftmaxObjectives.linearSoftmax(sm, s, th, x, new int[1], adv));
        BadInput.assertRejected("advantages", () -> SoftmaxObjectives.linearSoftmax(sm, s, th, x, new int[2], new float[1]));
        BadInput.assertRejected("thetaOld", () -> SoftmaxObjectives.linearSoftmax(sm, s, new float[3], x, new int[2], adv));
        BadInput.assertRejected("'x'", () -> SoftmaxObjectives.linearSoftmax(sm, s, th, new float[1], new int[2], adv));
        BadInput.assertRejected("A", () -> SoftmaxObjectives.linearSoftmax(sm, new LinearSoftmaxShape(2, 1, 0),
                new float[0], x, new int[2], adv));
        MlpSoftmaxShape m = new MlpSoftmaxShape(2, 1, 1, 1, 2);
        BadInput.assertRejected("thetaOld", () -> SoftmaxObjectives.mlpSoftmax(sm, m, new float[7], x, new int[2], adv));
        BadInput.assertRejected("shape", () -> SoftmaxObjectives.mlpSoftmax(sm, null, new float[8], x, new int[2], adv));
    }
}
