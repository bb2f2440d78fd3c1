package dev.pgkernels.jblas;

import dev.pgkernels.Backends;
import dev.pgkernels.cg.CgChecks;
import dev.pgkernels.cg.CgKernels;
import dev.pgkernels.testsupport.Natives;
import dev.pgkernels.testsupport.Shapes;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@code jblas} CG: direct-solve agreement on SPD systems (tolerance derived in {@link CgChecks}), stopping rules, bad input. */
class CgJblasTest {

    private static CgKernels fast() {
        String why = Backends.unavailable().get("jblas");
        Natives.assume(why == null, "jblas natives", why, "apt-get install libgfortran5");
        return Backends.get("jblas").cg().orElseThrow();
    }

    @Provide
    Arbitrary<Integer> orders() {
        return Shapes.sizes(70);
    }

    @Property(tries = 40)
    void solvesSpdSystemsLikeADirectSolve(@ForAll("orders") int n, @ForAll long seed) {
        CgChecks.solvesSpdSystems(fast(), n, seed);
    }

    @Example
    void stopsLikeTheReference() {
        CgChecks.stopsLikeTheReference(fast());
    }

    @Example
    void rejectsBadInput() {
        CgChecks.rejectsBadInput(fast());
    }
}
