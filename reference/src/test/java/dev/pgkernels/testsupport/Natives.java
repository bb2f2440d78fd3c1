package dev.pgkernels.testsupport;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * For tests that need native code (jblas's BLAS/LAPACK, an OpenCL platform): on a developer's
 * machine without it they skip with a reason that says what to install; where the environment
 * variable {@value #REQUIRE} is {@code true} (CI sets it after installing everything) they fail
 * instead, so nothing skips silently in CI.
 */
public final class Natives {
    private Natives() {}

    /** Environment variable that turns a missing native into a failure. */
    public static final String REQUIRE = "PGKERNELS_REQUIRE_NATIVES";

    /** Whether this run must not skip native-dependent tests. */
    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv(REQUIRE)) || Boolean.getBoolean("pgkernels.requireNatives");
    }

    /**
     * Skips (or, where {@link #required()}, fails) unless {@code available}.
     *
     * @param what     what is missing, e.g. "jblas natives"
     * @param reason   why it did not load (the exception text)
     * @param install  what to install, e.g. "apt-get install libgfortran5"
     */
    public static void assume(boolean available, String what, String reason, String install) {
        if (available) {
            return;
        }
        String msg = what + " not available (" + reason + "); install: " + install;
        if (required()) {
            fail(msg + " — and " + REQUIRE + "=true forbids skipping");
        }
        assumeTrue(false, msg);
    }
}
