package dev.pgkernels.jblas;

import dev.pgkernels.Backends;
import dev.pgkernels.fisher.FisherChecks;
import dev.pgkernels.fisher.FisherChecks.Case;
import dev.pgkernels.fisher.FisherKernels;
import dev.pgkernels.testsupport.Natives;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@code jblas} Fisher-vector products against {@code reference} (every policy, strides, damping,
 * edge shapes; fp32 and double; sentinels; symmetry and PSD). Tolerance derived in
 * {@link FisherChecks}. Skips (or fails under {@code PGKERNELS_REQUIRE_NATIVES=true}) without jblas's natives.
 */
class FisherJblasTest {

    private static FisherKernels fast() {
        String why = Backends.unavailable().get("jblas");
        Natives.assume(why == null, "jblas natives", why, "apt-get install libgfortran5");
        return Backends.get("jblas").fisher().orElseThrow();
    }

    @Provide
    Arbitrary<Case> cases() {
        return FisherChecks.cases();
    }

    @Property(tries = 100)
    void matchesReference(@ForAll("cases") Case c) {
        FisherChecks.matchesReference(fast(), c);
    }

    @Property(tries = 40)
    void symmetricAndPositiveSemiDefinite(@ForAll("cases") Case c) {
        FisherChecks.symmetricAndPsd(fast(), c);
    }

    /** A case jqwik found (MLP without features): the error of 1 - h² formed from a computed h; see FisherChecks. */
    @Example
    void mlpWithoutFeatures() {
        FisherChecks.matchesReference(fast(), new Case(1, 1, 0, 4, 25, 2, 1, 0.0, -305749L));
    }

    /** Cases jqwik-style search found (MLPs of width 1–3): the forward state's own error; see FisherChecks. */
    @Example
    void narrowMlpForwardStateError() {
        FisherChecks.matchesReference(fast(), new Case(1, 1, 0, 1, 2, 4, 1, 0.0, -2275427025226704979L));
        FisherChecks.matchesReference(fast(), new Case(1, 1, 1, 1, 3, 3, 1, 0.0, -1977944809939580661L));
        FisherChecks.matchesReference(fast(), new Case(1, 1, 0, 1, 3, 2, 1, 0.001, -1536815923364007345L));
    }

    @Example
    void benchmarkShapesAtSmallBatch() {
        FisherChecks.matchesReference(fast(), new Case(0, 130, 256, 0, 0, 18, 1, 0.1, 7));
        FisherChecks.matchesReference(fast(), new Case(1, 130, 64, 64, 64, 18, 5, 0.1, 8));
    }

    @Example
    void rejectsBadInput() {
        FisherChecks.rejectsBadInput(fast());
    }
}
