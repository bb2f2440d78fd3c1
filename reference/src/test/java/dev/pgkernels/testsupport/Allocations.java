package dev.pgkernels.testsupport;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Assumptions;

/** Counting the bytes a test's thread allocates, for the allocation-free hot-loop tests. */
public final class Allocations {
    private Allocations() {}

    /**
     * The bytes allocated so far by the calling thread, as a counter to read before and after the
     * calls under test. Skips the test (a JUnit assumption, with the reason) where the JVM cannot
     * count them: not HotSpot's {@code com.sun.management.ThreadMXBean}, or counting switched off.
     */
    public static LongSupplier currentThread() {
        java.lang.management.ThreadMXBean tb = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(tb instanceof com.sun.management.ThreadMXBean,
                "needs com.sun.management.ThreadMXBean (a HotSpot JVM) to count allocated bytes");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) tb;
        Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "thread allocation counting is off in this JVM");
        long id = Thread.currentThread().threadId();
        return () -> mx.getThreadAllocatedBytes(id);
    }
}
