package dev.pgkernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Surefire runs this module's tests twice (see kernels/pom.xml): with {@code jdk.incubator.vector}
 * and without it. This checks each run really is what it claims, so a misconfigured run cannot
 * pass by testing the wrong thing.
 */
class VectorModuleRunTest {
    private static final boolean EXPECT_VECTOR = Boolean.getBoolean("pgkernels.test.expectSimd");

    @Test
    void theRunHasTheModuleItClaims() {
        assertEquals(EXPECT_VECTOR, ModuleLayer.boot().findModule(Backends.VECTOR_MODULE).isPresent(),
                "pgkernels.test.expectSimd=" + EXPECT_VECTOR + " but the module presence differs");
    }

    @Test
    void withoutTheModuleSimdIsUnavailableWithAReasonAndBestIsReference() {
        if (EXPECT_VECTOR) {
            return; // the other run checks this
        }
        String reason = Backends.unavailable().get("simd");
        assertTrue(reason != null && reason.contains("--add-modules jdk.incubator.vector"), String.valueOf(reason));
        assertEquals("reference", Backends.best().name());
    }
}
