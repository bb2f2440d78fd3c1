package dev.pgkernels.scale;

import static dev.pgkernels.testsupport.BadInput.assertRejected;
import static dev.pgkernels.testsupport.BadInput.sentinel;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pgkernels.reference.ReferenceScale;
import org.junit.jupiter.api.Test;

/** SPEC "Bad input" for family 1: every rule, with outputs left untouched. */
class ScaleBadInputTest {

    private final ScaleKernels k = new ReferenceScale();
    private final ScaleFunction sq = ScaleFunction.sq();
    private final float[] x = {0.1f, 0.2f, 0.3f, 0.4f};
    private final float[] y = {1f, 2f, 3f, 4f};

    @Test
    void nullArgumentsAreNamed() {
        float[] out = sentinel(4);
        assertRejected("'f'", () -> k.scale(null, 4, x, y, out), out);
        assertRejected("'dO'", () -> k.scale(sq, 4, null, y, out), out);
        assertRejected("'dR'", () -> k.scale(sq, 4, x, null, out), out);
        assertRejected("'out'", () -> k.scale(sq, 4, x, y, null));
    }

    @Test
    void negativeSize() {
        float[] out = sentinel(4);
        assertRejected("n must be >= 0", () -> k.scale(sq, -1, x, y, out), out);
    }

    @Test
    void shortArrays() {
        float[] out = sentinel(4);
        float[] shortOut = sentinel(3);
        assertRejected("'dO'", () -> k.scale(sq, 4, new float[3], y, out), out);
        assertRejected("'dR'", () -> k.scale(sq, 4, x, new float[3], out), out);
        assertRejected("'out'", () -> k.scale(sq, 4, x, y, shortOut), shortOut);
    }

    @Test
    void badOffsetsAndSlices() {
        float[] out = sentinel(4);
        assertRejected("'dO': offset", () -> k.scale(sq, 2, x, -1, y, 0, out, 0, false), out);
        assertRejected("'dR': offset", () -> k.scale(sq, 2, x, 0, y, -1, out, 0, false), out);
        assertRejected("'out': offset", () -> k.scale(sq, 2, x, 0, y, 0, out, -1, false), out);
        assertRejected("'dO'", () -> k.scale(sq, 2, x, 3, y, 0, out, 0, false), out);
        assertRejected("'dR'", () -> k.scale(sq, 2, x, 0, y, 3, out, 0, false), out);
        assertRejected("'out'", () -> k.scale(sq, 2, x, 0, y, 0, out, 3, false), out);
    }

    @Test
    void requireFiniteRejectsNaNAndInfinityInEitherInput() {
        float[] out = sentinel(4);
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] xb = x.clone();
            xb[3] = bad;
            float[] yb = y.clone();
            yb[2] = bad;
            assertRejected("'dO': element 3", () -> k.scale(sq, 4, xb, 0, y, 0, out, 0, true), out);
            assertRejected("'dR': element 2", () -> k.scale(sq, 4, x, 0, yb, 0, out, 0, true), out);
        }
        // the bad element is outside the slice: accepted
        float[] xb = x.clone();
        xb[3] = Float.NaN;
        k.scale(sq, 3, xb, 0, y, 0, out, 0, true);
    }

    @Test
    void functionParameters() {
        assertThrows(IllegalArgumentException.class, () -> ScaleFunction.ppoClip(0));
        assertRejected("eps", () -> ScaleFunction.ppoClip(0));
        assertRejected("eps", () -> ScaleFunction.ppoClip(-0.2));
        assertRejected("eps", () -> ScaleFunction.ppoClip(Double.NaN));
        assertRejected("alphaO", () -> ScaleFunction.mla(Double.NaN, 0));
        assertRejected("alphaO", () -> ScaleFunction.mla(Double.POSITIVE_INFINITY, 0));
        assertRejected("alphaR", () -> ScaleFunction.mla(1, Double.NEGATIVE_INFINITY));
        assertRejected("logRatioClip", () -> sq.withLogRatioClip(Double.NaN));
        assertRejected("logRatioClip", () -> sq.withLogRatioClip(Double.POSITIVE_INFINITY));
        assertRejected("logRatioClip", () -> sq.withLogRatioClip(Double.NEGATIVE_INFINITY));
    }
}
