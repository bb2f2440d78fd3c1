package dev.pgkernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.pgkernels.Backend;
import dev.pgkernels.Backends;
import org.junit.jupiter.api.Test;

/**
 * In the Surefire run with {@code --add-modules jdk.incubator.vector}, {@code best()} must be the
 * simd backend: a silent fall-back to reference would otherwise leave simd untested.
 */
class SimdBackendTest {
    @Test
    void simdIsTheDefaultWhenTheModuleIsPresent() {
        if (!Boolean.getBoolean("pgkernels.test.expectSimd")) {
            return; // the no-module run: VectorModuleRunTest checks the fallback
        }
        Backend best = Backends.best();
        assertEquals("simd", best.name(), "simd was expected but best() is " + best + "; unavailable: "
                + Backends.unavailable());
        assertInstanceOf(SimdScans.class, best.scans().orElseThrow());
        assertInstanceOf(SimdScale.class, best.scale().orElseThrow());
        assertInstanceOf(SimdSoftmax.class, best.softmax().orElseThrow());
        assertInstanceOf(SimdKfac.class, best.kfac().orElseThrow());
        assertEquals("simd", Backends.providerOf(best, Backend::kfac), "simd has K-FAC");
    }
}
