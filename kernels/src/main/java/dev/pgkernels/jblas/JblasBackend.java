package dev.pgkernels.jblas;

import dev.pgkernels.Backend;
import dev.pgkernels.cg.CgKernels;
import dev.pgkernels.fisher.FisherKernels;
import dev.pgkernels.kfac.KfacKernels;
import dev.pgkernels.linalg.DenseLinalg;
import java.util.Optional;
import org.jblas.NativeBlas;

/**
 * The {@code jblas} backend: native BLAS through jblas (an optional dependency of {@code kernels}:
 * add {@code org.jblas:jblas}; its natives need {@code libgfortran5}). Loaded by name through
 * {@link dev.pgkernels.Backends}; the constructor calls the natives once and throws with the reason
 * when they do not load, which {@code Backends.unavailable()} then reports. Families not written
 * for jblas are absent, not faked.
 */
public final class JblasBackend implements Backend {
    private final DenseLinalg linalg = new JblasLinalg();
    private final FisherKernels fisher = new JblasFisher();
    private final CgKernels cg = new JblasCg();
    private final KfacKernels kfac = new JblasKfac();

    /**
     * Loaded by name through {@link dev.pgkernels.Backends}.
     *
     * @throws IllegalStateException if jblas's native BLAS cannot be loaded (the cause says why, e.g.
     *         a missing {@code libgfortran.so.5}: install {@code libgfortran5})
     */
    public JblasBackend() {
        try {
            float r = NativeBlas.sdot(1, new float[] {2f}, 0, 1, new float[] {3f}, 0, 1);
            if (r != 6f) {
                throw new IllegalStateException("jblas sdot returned " + r + " for 2*3");
            }
        } catch (LinkageError e) {
            throw new IllegalStateException("jblas natives do not load (install libgfortran5): " + e, e);
        }
    }

    @Override
    public String name() {
        return "jblas";
    }

    @Override
    public Optional<FisherKernels> fisher() {
        return Optional.of(fisher);
    }

    @Override
    public Optional<CgKernels> cg() {
        return Optional.of(cg);
    }

    @Override
    public Optional<KfacKernels> kfac() {
        return Optional.of(kfac);
    }

    @Override
    public Optional<DenseLinalg> linalg() {
        return Optional.of(linalg);
    }

    @Override
    public String toString() {
        return "Backend[jblas]";
    }
}
