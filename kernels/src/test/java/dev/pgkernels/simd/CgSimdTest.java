package dev.pgkernels.simd;

import dev.pgkernels.cg.CgChecks;
import dev.pgkernels.cg.CgKernels;
import dev.pgkernels.testsupport.Shapes;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@code simd} CG: direct-solve agreement on SPD systems (tolerance derived in {@link CgChecks}), stopping rules, bad input. */
class CgSimdTest {
    private static final CgKernels FAST = new SimdCg();

    @Provide
    Arbitrary<Integer> orders() {
        return Shapes.sizes(70);
    }

    @Property(tries = 60)
    void solvesSpdSystemsLikeADirectSolve(@ForAll("orders") int n, @ForAll long seed) {
        CgChecks.solvesSpdSystems(FAST, n, seed);
    }

    @Example
    void stopsLikeTheReference() {
        CgChecks.stopsLikeTheReference(FAST);
    }

    @Example
    void rejectsBadInput() {
        CgChecks.rejectsBadInput(FAST);
    }
}
