package dev.pgkernels.opencl;

import dev.pgkernels.testsupport.Natives;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * Test support: one shared {@link OpenClBackend} per test JVM (so each program is compiled once —
 * PoCL compiles slowly), and the skip-or-fail rule of {@link Natives} when there is no OpenCL.
 */
final class OpenClTests {
    private OpenClTests() {}

    private static OpenClBackend shared;

    /**
     * For jqwik classes ({@code @AddLifecycleHook(OpenClTests.SkipWithoutOpenCl.class)}): a property
     * whose every try is aborted by an assumption counts as "exhausted", a failure, so without
     * OpenCL the properties are skipped here with the reason. Where {@link Natives#required()}
     * they are not skipped, and {@link #assumeOpenCl()} fails them.
     */
    public static final class SkipWithoutOpenCl implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            OpenClDevices.Availability a = OpenClDevices.probe();
            if (a.available() || Natives.required()) {
                return SkipResult.doNotSkip();
            }
            return SkipResult.skip("OpenCL not available (" + a.reason() + "); install: " + OpenClDevices.INSTALL_HINT);
        }
    }

    /** Skips (or, with PGKERNELS_REQUIRE_NATIVES=true, fails) when no OpenCL device exists. */
    static void assumeOpenCl() {
        OpenClDevices.Availability a = OpenClDevices.probe();
        Natives.assume(a.available(), "OpenCL", a.reason(), OpenClDevices.INSTALL_HINT);
    }

    /** The backend on the default device, created on first use and kept for the JVM. */
    static synchronized OpenClBackend backend() {
        assumeOpenCl();
        if (shared == null) {
            shared = new OpenClBackend(OpenClContext.open());
            System.out.println("OpenCL tests run on " + shared.device().describe());
        }
        return shared;
    }
}
