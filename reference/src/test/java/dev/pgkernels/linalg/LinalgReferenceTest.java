package dev.pgkernels.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.Backends;
import dev.pgkernels.testsupport.BadInput;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hand-checked cases and bad input for the reference {@link DenseLinalg}. */
class LinalgReferenceTest {
    private static final DenseLinalg L = Backends.reference().linalg().orElseThrow();

    @Test
    void gemmTwoByTwoAllTransposes() {
        // A = [1 2; 3 4], B = [5 6; 7 8]; AB = [19 22; 43 50], AᵀB = [26 30; 38 44],
        // ABᵀ = [17 23; 39 53], AᵀBᵀ = [23 31; 34 46]
        double[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8};
        double[][] want = {{19, 22, 43, 50}, {26, 30, 38, 44}, {17, 23, 39, 53}, {23, 31, 34, 46}};
        for (int v = 0; v < 4; v++) {
            double[] c = {1, 1, 1, 1};
            L.gemm((v & 1) != 0, (v & 2) != 0, 2, 2, 2, 2.0, a, 0, 2, b, 0, 2, 0.5, c, 0, 2, null);
            double[] w = want[v].clone();
            for (int i = 0; i < 4; i++) w[i] = 2 * w[i] + 0.5;
            assertArrayEquals(w, c, 0.0, "variant " + v);
        }
    }

    @Test
    void gemmMatchesDenseReferenceMultiplyWithOffsetsAndLeadingDimensions() {
        Random r = new Random(3);
        int m = 5, n = 4, k = 3;
        for (int v = 0; v < 4; v++) {
            boolean ta = (v & 1) != 0, tb = (v & 2) != 0;
            double[] x = new double[m * k], y = new double[k * n], z = new double[m * n];
            for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
            for (int i = 0; i < y.length; i++) y[i] = r.nextGaussian();
            DenseReference.multiply(m, k, n, x, ta, y, tb, z);
            // the same operands stored with an offset of 2 and a leading dimension 3 wider
            int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
            double[] a = new double[2 + ar * (ac + 3)], b = new double[2 + br * (bc + 3)];
            for (int i = 0; i < ar; i++) System.arraycopy(x, i * ac, a, 2 + i * (ac + 3), ac);
            for (int i = 0; i < br; i++) System.arraycopy(y, i * bc, b, 2 + i * (bc + 3), bc);
            double[] c = BadInput.sentinelDouble(1 + m * (n + 2));
            L.gemm(ta, tb, m, n, k, 1.0, a, 2, ac + 3, b, 2, bc + 3, 0.0, c, 1, n + 2, null);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(z[i * n + j], c[1 + i * (n + 2) + j], 1e-12);
                }
                assertEquals(BadInput.SENTINEL, c[1 + i * (n + 2) + n], 0.0, "gap between rows untouched");
            }
            assertEquals(BadInput.SENTINEL, c[0], 0.0);
        }
    }

    @Test
    void betaZeroDoesNotReadCAndAlphaZeroDoesNotReadInputs() {
        float[] a = {Float.NaN}, b = {2f}, c = {Float.NaN};
        L.gemm(false, false, 1, 1, 1, 0f, a, 0, 1, b, 0, 1, 0f, c, 0, 1, null);
        assertEquals(0f, c[0]);
        c[0] = Float.NaN;
        L.gemm(false, false, 1, 1, 1, 1f, new float[] {3f}, 0, 1, b, 0, 1, 0f, c, 0, 1, null);
        assertEquals(6f, c[0]);
    }

    @Test
    void syrkGemvAxpyDot() {
        // A (3×2) = [1 2; 3 4; 5 6]: AᵀA = [35 44; 44 56]
        float[] a = {1, 2, 3, 4, 5, 6}, c = new float[4];
        L.syrk(2, 3, 1f, a, 0, 2, 0f, c, 0, 2, null);
        assertArrayEquals(new float[] {35, 44, 44, 56}, c);
        float[] y = {1, 1, 1};
        L.gemv(false, 3, 2, 1f, a, 0, 2, new float[] {1, -1}, 0, 2f, y, 0); // A [1,-1] = [-1,-1,-1]
        assertArrayEquals(new float[] {1, 1, 1}, y);
        float[] y2 = new float[2];
        L.gemv(true, 3, 2, 1f, a, 0, 2, new float[] {1, 1, 1}, 0, 0f, y2, 0); // Aᵀ 1 = [9, 12]
        assertArrayEquals(new float[] {9, 12}, y2);
        L.axpy(2, 2f, new float[] {1, 2}, 0, y2, 0);
        assertArrayEquals(new float[] {11, 16}, y2);
        assertEquals(11 + 32, L.dot(2, y2, 0, new float[] {1, 2}, 0), 0.0);
    }

    @Test
    void badInputIsRejectedBeforeWriting() {
        float[] a = new float[6], b = new float[6], c = BadInput.sentinel(6);
        BadInput.assertRejected("m", () -> L.gemm(false, false, -1, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2, null), c);
        BadInput.assertRejected("lda", () -> L.gemm(false, false, 2, 2, 3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2, null), c);
        BadInput.assertRejected("'b'", () -> L.gemm(false, false, 2, 3, 3, 1f, a, 0, 3, b, 0, 3, 0f, c, 0, 3, null), c);
        BadInput.assertRejected("'c'", () -> L.gemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 3, 2, null), c);
        BadInput.assertRejected("offset", () -> L.gemm(false, false, 2, 2, 3, 1f, a, -1, 3, b, 0, 2, 0f, c, 0, 2, null), c);
        BadInput.assertRejected("overlaps", () -> L.gemm(false, false, 1, 1, 3, 1f, c, 0, 3, b, 0, 1, 0f, c, 2, 1, null), c);
        BadInput.assertRejected("'a'", () -> L.gemm(true, false, 2, 2, 3, 1f, null, 0, 2, b, 0, 2, 0f, c, 0, 2, null), c);
        BadInput.assertRejected("'y'", () -> L.gemv(false, 3, 2, 1f, a, 0, 2, b, 0, 0f, new float[2], 0));
        BadInput.assertRejected("'x'", () -> L.gemv(true, 3, 2, 1f, a, 0, 2, new float[2], 0, 0f, c, 0), c);
        BadInput.assertRejected("ldc", () -> L.syrk(3, 2, 1f, a, 0, 3, 0f, c, 0, 2, null), c);
        BadInput.assertRejected("overlaps", () -> L.axpy(3, 1f, c, 0, c, 2), c);
        BadInput.assertRejected("'x'", () -> L.dot(7, a, 0, b, 0));
        // the same array without overlap is fine
        float[] s = {1, 2, 3, 4};
        L.axpy(2, 1f, s, 0, s, 2);
        assertArrayEquals(new float[] {1, 2, 4, 6}, s);
        assertTrue(L.dot(0, new float[0], 0, new float[0], 0) == 0.0);
    }
}
