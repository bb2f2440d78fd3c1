package dev.pgkernels.simd;

import dev.pgkernels.Backend;
import dev.pgkernels.cg.CgKernels;
import dev.pgkernels.fisher.FisherKernels;
import dev.pgkernels.kfac.KfacKernels;
import dev.pgkernels.linalg.DenseLinalg;
import dev.pgkernels.scale.ScaleKernels;
import dev.pgkernels.scan.ScanKernels;
import dev.pgkernels.softmax.SoftmaxKernels;
import java.util.Optional;

/**
 * The {@code simd} backend: kernels written with the Vector API ({@code jdk.incubator.vector}),
 * preferred species: scale functions, softmax forms and scans (fp32), Fisher-vector products, CG and K-FAC/EKFAC (fp32 and double; {@link SimdKfac}) and the dense
 * linear-algebra core {@link SimdLinalg} they are built on. Loaded by name through {@link dev.pgkernels.Backends}; constructing it
 * touches the Vector API, so it fails to link (and {@code Backends} falls back) when the module is
 * not in the boot layer. It has all six families and the dense core.
 */
public final class SimdBackend implements Backend {
    private final ScaleKernels scale;
    private final SoftmaxKernels softmax;
    private final ScanKernels scans;
    private final DenseLinalg linalg = new SimdLinalg();
    private final FisherKernels fisher = new SimdFisher();
    private final CgKernels cg = new SimdCg();
    private final KfacKernels kfac = new SimdKfac();

    /** Loaded by name through {@link dev.pgkernels.Backends}. */
    public SimdBackend() {
        this.scale = new SimdScale();
        this.softmax = new SimdSoftmax();
        this.scans = new SimdScans();
        if (SimdScans.lanes() < 1) {
            throw new IllegalStateException("no usable vector species");
        }
    }

    @Override
    public String name() {
        return "simd";
    }

    /** Family 1: {@link SimdScale}. */
    @Override
    public Optional<ScaleKernels> scale() {
        return Optional.of(scale);
    }

    /** Family 2: {@link SimdSoftmax}. */
    @Override
    public Optional<SoftmaxKernels> softmax() {
        return Optional.of(softmax);
    }

    /** Family 3: {@link SimdScans}. */
    @Override
    public Optional<ScanKernels> scans() {
        return Optional.of(scans);
    }

    @Override
    public Optional<FisherKernels> fisher() {
        return Optional.of(fisher);
    }

    @Override
    public Optional<CgKernels> cg() {
        return Optional.of(cg);
    }

    /** Family 6: {@link SimdKfac} (blocked Cholesky and solves on the simd GEMM, eigenbases by {@link SimdEigen}). */
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
        return "Backend[simd, " + SimdScans.lanes() + " fp32 lanes]";
    }
}
