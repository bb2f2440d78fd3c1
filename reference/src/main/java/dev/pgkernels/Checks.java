package dev.pgkernels;

/**
 * Argument checks shared by every family's validator. Every method throws
 * {@link IllegalArgumentException} (also for a null array, naming it) <em>before</em> a kernel touches any output, with a message that
 * names the argument and gives the expected and the actual value.
 *
 * <p>Array-length rule used throughout pgkernels: sizes are explicit, and an array must be
 * <em>at least</em> as long as the sizes require; elements past the required length are neither
 * read nor written.
 */
public final class Checks {
    private Checks() {}

    /** {@code n >= 0}. */
    public static int size(String name, int n) {
        if (n < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + n);
        }
        return n;
    }

    /** {@code n >= 1}. */
    public static int positiveSize(String name, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + n);
        }
        return n;
    }

    /** The product of sizes, refusing overflow of an {@code int} array index. */
    public static int product(String what, int a, int b) {
        long p = (long) a * b;
        if (p > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " = " + a + "*" + b + " = " + p
                    + " exceeds the largest Java array (" + Integer.MAX_VALUE + ")");
        }
        return (int) p;
    }

    /** The product of three sizes, refusing overflow of an {@code int} array index. */
    public static int product(String what, int a, int b, int c) {
        long p = (long) a * b * c;
        if (p > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " = " + a + "*" + b + "*" + c + " = " + p
                    + " exceeds the largest Java array (" + Integer.MAX_VALUE + ")");
        }
        return (int) p;
    }

    private static void length(String name, int actual, long required, String because) {
        if (actual < required) {
            throw new IllegalArgumentException("argument '" + name + "': expected length >= " + required
                    + (because == null || because.isEmpty() ? "" : " (" + because + ")") + ", got " + actual);
        }
    }

    private static void slice(String name, int length, int offset, long required, String because) {
        if (offset < 0) {
            throw new IllegalArgumentException("argument '" + name + "': offset must be >= 0, got " + offset);
        }
        if ((long) offset + required > length) {
            throw new IllegalArgumentException("argument '" + name + "': expected length >= offset + "
                    + required + " = " + ((long) offset + required)
                    + (because == null || because.isEmpty() ? "" : " (" + because + ")") + ", got " + length);
        }
    }

    /** {@code a != null && a.length >= required}; {@code because} says where the size comes from, e.g. "T*E = 3*4". */
    public static float[] length(String name, float[] a, long required, String because) {
        notNull(name, a);
        length(name, a.length, required, because);
        return a;
    }

    public static double[] length(String name, double[] a, long required, String because) {
        notNull(name, a);
        length(name, a.length, required, because);
        return a;
    }

    public static int[] length(String name, int[] a, long required, String because) {
        notNull(name, a);
        length(name, a.length, required, because);
        return a;
    }

    public static boolean[] length(String name, boolean[] a, long required, String because) {
        notNull(name, a);
        length(name, a.length, required, because);
        return a;
    }

    /** {@code a[offset .. offset+required)} lies inside {@code a}. */
    public static float[] slice(String name, float[] a, int offset, long required, String because) {
        notNull(name, a);
        slice(name, a.length, offset, required, because);
        return a;
    }

    public static double[] slice(String name, double[] a, int offset, long required, String because) {
        notNull(name, a);
        slice(name, a.length, offset, required, because);
        return a;
    }

    /** Not null, else {@link IllegalArgumentException} naming the argument. */
    public static <T> T notNull(String name, T o) {
        if (o == null) {
            throw new IllegalArgumentException("argument '" + name + "' is null");
        }
        return o;
    }

    /** {@code 0 <= v <= 1} (a discount or trace factor); NaN is rejected. */
    public static double unitInterval(String name, double v) {
        if (!(v >= 0.0 && v <= 1.0)) {
            throw new IllegalArgumentException(name + " must lie in [0, 1], got " + v);
        }
        return v;
    }

    /** {@code v > 0} and not NaN (a clip, a trust region, a shrink factor). {@code +Inf} is allowed. */
    public static double positive(String name, double v) {
        if (!(v > 0.0)) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
        return v;
    }

    /** {@code v >= 0}, finite (a damping). */
    public static double nonNegativeFinite(String name, double v) {
        if (!(v >= 0.0) || v == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + v);
        }
        return v;
    }

    /** Finite (neither NaN nor infinite). */
    public static double finite(String name, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " must be finite, got " + v);
        }
        return v;
    }

    /** {@code lo <= v < hi}. */
    public static int index(String name, int v, int lo, int hi) {
        if (v < lo || v >= hi) {
            throw new IllegalArgumentException(name + " must lie in [" + lo + ", " + hi + "), got " + v);
        }
        return v;
    }

    /**
     * The optional {@code requireFinite} check of SPEC "Bad input": every element of
     * {@code a[offset .. offset+n)} is finite, else an exception naming the first bad index.
     */
    public static void allFinite(String name, float[] a, int offset, int n) {
        for (int i = 0; i < n; i++) {
            float v = a[offset + i];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("argument '" + name + "': element " + i + " is " + v
                        + " (requireFinite was asked for)");
            }
        }
    }

    public static void allFinite(String name, double[] a, int offset, int n) {
        for (int i = 0; i < n; i++) {
            double v = a[offset + i];
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("argument '" + name + "': element " + i + " is " + v
                        + " (requireFinite was asked for)");
            }
        }
    }
}
