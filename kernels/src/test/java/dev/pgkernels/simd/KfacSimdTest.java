package dev.pgkernels.simd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.Backends;
import dev.pgkernels.kfac.KfacBackendContract;
import dev.pgkernels.kfac.KfacKernels;

/**
 * {@code simd} K-FAC (SPEC §6) against the reference: every property and example of
 * {@link KfacBackendContract}, on {@link SimdKfac} as the simd backend hands it out (shapes just off
 * its Cholesky and solve blocks, its SYRK panel and the GEMM tiles are drawn there).
 */
class KfacSimdTest extends KfacBackendContract {

    @Override
    protected KfacKernels fast() {
        KfacKernels k = Backends.get("simd").kfac().orElseThrow();
        assertTrue(k instanceof SimdKfac, "the simd backend hands out SimdKfac");
        return k;
    }

    @Override
    protected int syrkPanel() {
        return SimdKfacF.SYRK_PANEL;
    }

    /** {@code maxDim²} must fit an int array index: 46340² < 2³¹ - 1 < 46341². */
    @Override
    protected int maxWorkspaceDim() {
        return 46340;
    }
}
