package dev.pgkernels.jblas;

import dev.pgkernels.Backends;
import dev.pgkernels.linalg.DenseLinalg;
import dev.pgkernels.linalg.LinalgChecks;
import dev.pgkernels.linalg.LinalgChecks.GemmCase;
import dev.pgkernels.testsupport.Natives;
import dev.pgkernels.testsupport.Shapes;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@code jblas} dense linear algebra against {@code reference} (the row-major to column-major
 * mapping for every transpose variant, offsets, leading dimensions, α, β = 0 with NaN in C, NaN/Inf
 * data). The tolerance is derived in {@link LinalgChecks}' class comment. Skips (or fails under
 * {@code PGKERNELS_REQUIRE_NATIVES=true}) when jblas's natives do not load.
 */
class LinalgJblasTest {

    private static DenseLinalg fast() {
        String why = Backends.unavailable().get("jblas");
        Natives.assume(why == null, "jblas natives", why, "apt-get install libgfortran5");
        return Backends.get("jblas").linalg().orElseThrow();
    }

    @Provide
    Arbitrary<GemmCase> gemms() {
        return LinalgChecks.gemmCases(100, 140);
    }

    @Provide
    Arbitrary<Integer> dims() {
        return LinalgChecks.dims(100);
    }

    @Provide
    Arbitrary<Integer> longs() {
        return Shapes.sizes(1100);
    }

    @Property(tries = 120)
    void gemmMatchesReference(@ForAll("gemms") GemmCase c) {
        LinalgChecks.gemm(fast(), c);
    }

    @Example
    void skinnyFvpShapes() {
        LinalgChecks.gemm(fast(), new GemmCase(false, true, 1021, 36, 256, 0, 0, 1f, 0f, 1, false));
        LinalgChecks.gemm(fast(), new GemmCase(true, false, 18, 256, 1021, 0, 0, 0.25f, 1f, 2, false));
    }

    @Property(tries = 40)
    void syrkMatchesReference(@ForAll("dims") int n, @ForAll("dims") int k, @ForAll long seed) {
        LinalgChecks.syrk(fast(), n, k, (seed & 2) == 0 ? 1f : 0.5f, (seed & 4) == 0 ? 0f : 1f, seed);
    }

    @Property(tries = 60)
    void gemvMatchesReference(@ForAll boolean ta, @ForAll("dims") int m, @ForAll("dims") int n, @ForAll long seed) {
        LinalgChecks.gemv(fast(), ta, m, n, (seed & 2) == 0 ? 1f : 3f, (seed & 1) == 0 ? 0f : -0.5f, seed);
    }

    @Property(tries = 60)
    void dotAndAxpyMatchReference(@ForAll("longs") int n, @ForAll long seed, @ForAll boolean nonFinite) {
        LinalgChecks.dotAxpy(fast(), n, new float[] {1f, -2.5f, 0f}[(int) Math.floorMod(seed, 3L)], seed, nonFinite);
    }

    @Example
    void rejectsBadInput() {
        LinalgChecks.rejectsBadInput(fast());
    }
}
