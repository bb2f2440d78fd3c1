package dev.pgkernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BackendsTest {
    @Test
    void referenceHasEveryFamily() {
        Backend ref = Backends.reference();
        assertEquals("reference", ref.name());
        assertEquals(List.of("scale", "softmax", "scans", "fisher", "cg", "kfac", "linalg"), ref.families());
        assertSame(ref, Backends.get("reference"), "backends are loaded once");
    }

    @Test
    void unknownNameIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get("cuda"));
        assertTrue(e.getMessage().contains("cuda") && e.getMessage().contains("reference"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.get(null));
    }

    @Test
    void backendsThatCannotLoadSayWhy() {
        // In this module's tests only `reference` is on the class path (kernels and gpu depend on
        // it, not the reverse), and the Vector API module is not added.
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.get("simd"));
        assertEquals("simd", e.backend());
        assertTrue(e.getMessage().contains("jdk.incubator.vector") || e.getMessage().contains("class path"),
                e.getMessage());
        assertTrue(Backends.unavailable().keySet().containsAll(List.of("simd", "jblas", "opencl")));
        assertTrue(Backends.find("opencl").isEmpty());
    }

    @Test
    void bestFallsBackToReferenceHereAndHasEveryFamily() {
        Backend best = Backends.best();
        assertEquals("reference", best.name());
        assertEquals(7, best.families().size());
        assertEquals("reference", Backends.providerOf(best, Backend::kfac));
    }
}
