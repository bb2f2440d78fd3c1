package dev.pgkernels.bench;

import dev.pgkernels.Backend;
import dev.pgkernels.Backends;

/** Settings and helpers shared by every benchmark class. */
public final class BenchConfig {
    private BenchConfig() {}

    /**
     * The flag every fork gets, in {@code @Fork(jvmArgsAppend = BenchConfig.VECTOR_MODULE)} —
     * {@code jvmArgsAppend}, never {@code jvmArgs}, which would drop the runner's own flags.
     * The parent pom's {@code vector.module} property says the same for compilation and tests.
     */
    public static final String VECTOR_MODULE = "--add-modules=jdk.incubator.vector";

    /** Fixed seed for every benchmark's inputs. */
    public static final long SEED = 20221125L;

    /**
     * The backend named {@code impl}, loaded explicitly (never through {@code best()}), checked to
     * be the one asked for. Fails the trial if it cannot load.
     */
    public static Backend backend(String impl) {
        Backend b = Backends.get(impl);
        if (!b.name().equals(impl)) {
            throw new IllegalStateException("asked for backend " + impl + " but got " + b.name());
        }
        return b;
    }

    /** Parses an int {@code @Param}, accepting {@code 2^20} and {@code 1e6} forms. */
    public static int size(String p) {
        String s = p.trim();
        if (s.contains("^")) {
            String[] a = s.split("\\^");
            return Math.toIntExact(Math.round(Math.pow(Integer.parseInt(a[0]), Integer.parseInt(a[1]))));
        }
        if (s.contains("e") || s.contains("E")) {
            return Math.toIntExact(Math.round(Double.parseDouble(s)));
        }
        return Integer.parseInt(s);
    }

    /**
     * Before anything is measured: {@code fast} must agree with {@code ref} within
     * {@code rtol*|ref| + atol*scale} element by element, else the trial fails.
     */
    public static void checkAgainstReference(String what, float[] ref, float[] fast, int n, double rtol, double atol) {
        double scale = 0;
        for (int i = 0; i < n; i++) {
            if (Float.isFinite(ref[i])) scale = Math.max(scale, Math.abs(ref[i]));
        }
        for (int i = 0; i < n; i++) {
            double r = ref[i], f = fast[i];
            boolean ok = Double.isNaN(r) ? Double.isNaN(f)
                    : Double.isInfinite(r) ? r == f
                    : Math.abs(f - r) <= atol * Math.max(scale, 1) + rtol * Math.abs(r);
            if (!ok) {
                throw new IllegalStateException(what + ": element " + i + " reference=" + r + " fast=" + f
                        + " — the implementation under test disagrees with the reference; not measuring it");
            }
        }
    }
}
