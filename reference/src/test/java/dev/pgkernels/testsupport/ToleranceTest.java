package dev.pgkernels.testsupport;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The comparator must reject what SPEC rejects, or every test built on it could not fail. */
class ToleranceTest {
    private final Tolerance spec = Tolerance.spec();

    @Test
    void boundIsAtolTimesScalePlusRtolTimesRef() {
        // 1e-6 * 10 + 1e-5 * 2 = 1e-5 + 2e-5 = 3e-5
        assertTrue(Math.abs(spec.bound(2.0, 10.0) - 3e-5) < 1e-18);
        assertTrue(spec.accepts(2.0, 2.0 + 2.9e-5, 10.0));
        assertFalse(spec.accepts(2.0, 2.0 + 3.1e-5, 10.0));
    }

    @Test
    void specialValueClassesMustMatchExactly() {
        assertTrue(spec.accepts(Double.NaN, Double.NaN, 1));
        assertFalse(spec.accepts(Double.NaN, 0.0, 1));
        assertFalse(spec.accepts(0.0, Double.NaN, 1));
        assertTrue(spec.accepts(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 1));
        assertFalse(spec.accepts(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1));
        assertFalse(spec.accepts(Double.POSITIVE_INFINITY, Float.MAX_VALUE, 1));
        assertFalse(spec.accepts(1e30, Double.POSITIVE_INFINITY, 1e30));
        // the sign of a zero is not compared
        assertTrue(spec.accepts(0.0, -0.0, 0));
    }

    @Test
    void failureMessageNamesIndexValuesAndBound() {
        float[] ref = {1f, 2f, 3f}, fast = {1f, 2.5f, 3f};
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> spec.assertClose("demo", ref, fast, 3, 1.0));
        String m = e.getMessage();
        assertTrue(m.contains("demo") && m.contains("element 1") && m.contains("reference=2.0")
                && m.contains("fast=2.5") && m.contains("bound="), m);
    }

    @Test
    void onlyTheFirstNElementsAreCompared() {
        float[] ref = {1f, 2f, 3f}, fast = {1f, 2f, 99f};
        assertDoesNotThrow(() -> spec.assertClose("prefix", ref, fast, 2, 1.0));
    }

    @Test
    void shapesIncludeTheEdges() {
        List<Integer> edges = Shapes.edgeSizes();
        for (int v : List.of(0, 1, 7, 13, 15, 16, 17, 31, 33, 63, 65, 103, 207, 1021)) {
            assertTrue(edges.contains(v), "edge sizes lack " + v);
        }
    }

    @Property(tries = 300)
    void drawnSizesStayInRange(@ForAll("sizes") int n) {
        assertTrue(n >= 3 && n <= 70, "drawn " + n);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> sizes() {
        return Shapes.sizes(3, 70);
    }
}
