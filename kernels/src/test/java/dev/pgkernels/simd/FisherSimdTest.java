package dev.pgkernels.simd;

import dev.pgkernels.fisher.FisherChecks;
import dev.pgkernels.fisher.FisherChecks.Case;
import dev.pgkernels.fisher.FisherKernels;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@code simd} Fisher-vector products against {@code reference}: every policy (linear-softmax,
 * MLP-softmax with any widths incl. 0, diagonal Gaussian, empirical), strides 1, 2, 5, damping,
 * shapes 0, 1, primes and off the vector length; fp32 and double; sentinels past P; symmetry and
 * positive semi-definiteness. Tolerance derived in {@link FisherChecks}.
 */
class FisherSimdTest {
    private static final FisherKernels FAST = new SimdFisher();

    @Provide
    Arbitrary<Case> cases() {
        return FisherChecks.cases();
    }

    @Property(tries = 150)
    void matchesReference(@ForAll("cases") Case c) {
        FisherChecks.matchesReference(FAST, c);
    }

    @Property(tries = 60)
    void symmetricAndPositiveSemiDefinite(@ForAll("cases") Case c) {
        FisherChecks.symmetricAndPsd(FAST, c);
    }

    /** A case jqwik found (MLP without features): the error of 1 - h² formed from a computed h; see FisherChecks. */
    @Example
    void mlpWithoutFeatures() {
        FisherChecks.matchesReference(FAST, new Case(1, 1, 0, 4, 25, 2, 1, 0.0, -305749L));
    }

    /** Cases jqwik-style search found (MLPs of width 1–3): the forward state's own error; see FisherChecks. */
    @Example
    void narrowMlpForwardStateError() {
        FisherChecks.matchesReference(FAST, new Case(1, 1, 0, 1, 2, 4, 1, 0.0, -2275427025226704979L));
        FisherChecks.matchesReference(FAST, new Case(1, 1, 1, 1, 3, 3, 1, 0.0, -1977944809939580661L));
        FisherChecks.matchesReference(FAST, new Case(1, 1, 0, 1, 3, 2, 1, 0.001, -1536815923364007345L));
    }

    @Example
    void benchmarkShapesAtSmallBatch() {
        FisherChecks.matchesReference(FAST, new Case(0, 130, 256, 0, 0, 18, 1, 0.1, 7));
        FisherChecks.matchesReference(FAST, new Case(1, 130, 64, 64, 64, 18, 5, 0.1, 8));
    }

    @Example
    void severalRowChunks() {
        // batches of several row chunks (SimdFvpF.chunkRows: 448 rows at D = 256, A = 18; 48, the minimum, for the
        // wide MLP) with a partial last chunk, every row and every 5th
        FisherChecks.matchesReference(FAST, new Case(0, 1000, 256, 0, 0, 18, 1, 0.1, 9));
        FisherChecks.matchesReference(FAST, new Case(0, 1000, 256, 0, 0, 18, 2, 0.0, 10));
        FisherChecks.matchesReference(FAST, new Case(1, 301, 1500, 7, 5, 3, 1, 0.1, 11));
        FisherChecks.matchesReference(FAST, new Case(1, 301, 1500, 7, 5, 3, 5, 1e-3, 12));
        FisherChecks.matchesReference(FAST, new Case(1, 203, 1400, 0, 9, 4, 1, 0.1, 13));
    }

    @Example
    void rejectsBadInput() {
        FisherChecks.rejectsBadInput(FAST);
    }
}
