package dev.pgkernels.opencl;

import dev.pgkernels.testsupport.Natives;

/**
 * Test support: one shared {@link OpenClBackend} per test JVM (so each program is compiled once —
 * PoCL compiles slowly), and the skip-or-fail rule of {@link Natives} when there is no OpenCL.
 */
final class OpenClTests {
    private OpenClTests() {}

    private static OpenClBackend shared;

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
