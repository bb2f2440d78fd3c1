package dev.pgkernels.jblas;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.Backends;
import dev.pgkernels.kfac.KfacBackendContract;
import dev.pgkernels.kfac.KfacKernels;
import dev.pgkernels.testsupport.Natives;

/**
 * {@code jblas} K-FAC (SPEC §6) against the reference: every property and example of
 * {@link KfacBackendContract}, on {@link JblasKfac}. Skips (or fails under
 * {@code PGKERNELS_REQUIRE_NATIVES=true}) without jblas's natives.
 */
class KfacJblasTest extends KfacBackendContract {

    @Override
    protected KfacKernels fast() {
        String why = Backends.unavailable().get("jblas");
        Natives.assume(why == null, "jblas natives", why, "apt-get install libgfortran5");
        KfacKernels k = Backends.get("jblas").kfac().orElseThrow();
        assertTrue(k instanceof JblasKfac, "the jblas backend hands out JblasKfac");
        return k;
    }

    @Override
    protected int syrkPanel() {
        return JblasKfacF.SYRK_PANEL;
    }

    /** The {@code ?syevd} work array ({@code 1 + 6n + 2n²}) must fit an int-indexed array. */
    @Override
    protected int maxWorkspaceDim() {
        return 32766;
    }
}
