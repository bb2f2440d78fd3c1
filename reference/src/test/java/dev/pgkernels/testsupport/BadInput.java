package dev.pgkernels.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

/**
 * Asserts the SPEC "Bad input" rule: the call throws {@link IllegalArgumentException} whose
 * message contains a given fragment (e.g. the argument's name), and every output array is
 * bit-for-bit unchanged afterwards.
 *
 * <pre>{@code
 * float[] adv = BadInput.sentinel(12);
 * BadInput.assertRejected("gamma", () -> scans.gae(..., 1.5f, ..., adv, ...), adv);
 * }</pre>
 */
public final class BadInput {
    private BadInput() {}

    /** The value outputs are filled with before a rejected call, so a write shows. */
    public static final float SENTINEL = -12345.678f;

    /** An output array of length {@code n} filled with {@link #SENTINEL}. */
    public static float[] sentinel(int n) {
        float[] a = new float[n];
        Arrays.fill(a, SENTINEL);
        return a;
    }

    public static double[] sentinelDouble(int n) {
        double[] a = new double[n];
        Arrays.fill(a, SENTINEL);
        return a;
    }

    /**
     * Runs {@code call}, which must throw {@link IllegalArgumentException} whose message contains
     * {@code messageFragment} (case-insensitive); then checks each of {@code outputs}
     * ({@code float[]}, {@code double[]}, {@code int[]} or {@code boolean[]}) is unchanged.
     */
    public static IllegalArgumentException assertRejected(String messageFragment, Runnable call, Object... outputs) {
        Object[] before = new Object[outputs.length];
        for (int k = 0; k < outputs.length; k++) {
            before[k] = copy(outputs[k]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run,
                "expected IllegalArgumentException mentioning '" + messageFragment + "'");
        String msg = String.valueOf(e.getMessage());
        assertTrue(msg.toLowerCase().contains(messageFragment.toLowerCase()),
                "message should mention '" + messageFragment + "' but was: " + msg);
        for (int k = 0; k < outputs.length; k++) {
            assertUnchanged(k, before[k], outputs[k]);
        }
        return e;
    }

    private static Object copy(Object o) {
        if (o == null) return null;
        if (o instanceof float[] a) return a.clone();
        if (o instanceof double[] a) return a.clone();
        if (o instanceof int[] a) return a.clone();
        if (o instanceof boolean[] a) return a.clone();
        throw new IllegalArgumentException("unsupported output type " + o.getClass());
    }

    private static void assertUnchanged(int k, Object before, Object after) {
        String what = "output #" + k + " was written by a rejected call";
        if (after == null) return;
        if (after instanceof float[] a) {
            int[] x = new int[a.length], y = new int[a.length];
            for (int i = 0; i < a.length; i++) {
                x[i] = Float.floatToRawIntBits(((float[]) before)[i]);
                y[i] = Float.floatToRawIntBits(a[i]);
            }
            assertArrayEquals(x, y, what);
        } else if (after instanceof double[] a) {
            long[] x = new long[a.length], y = new long[a.length];
            for (int i = 0; i < a.length; i++) {
                x[i] = Double.doubleToRawLongBits(((double[]) before)[i]);
                y[i] = Double.doubleToRawLongBits(a[i]);
            }
            assertArrayEquals(x, y, what);
        } else if (after instanceof int[] a) {
            assertArrayEquals((int[]) before, a, what);
        } else if (after instanceof boolean[] a) {
            assertArrayEquals((boolean[]) before, a, what);
        }
    }
}
