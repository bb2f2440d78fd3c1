package dev.pgkernels.reference;

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
 * The {@code reference} backend: every family, in plain scalar Java accumulating in
 * {@code double}, written to be read as the specification (SPEC.md). Always available.
 */
public final class ReferenceBackend implements Backend {
    private static final ScaleKernels SCALE = new ReferenceScale();
    private static final SoftmaxKernels SOFTMAX = new ReferenceSoftmax();
    private static final ScanKernels SCANS = new ReferenceScans();
    private static final FisherKernels FISHER = new ReferenceFisher();
    private static final CgKernels CG = new ReferenceCg();
    private static final KfacKernels KFAC = new ReferenceKfac();
    private static final DenseLinalg LINALG = new ReferenceLinalg();

    /** Loaded by name through {@link dev.pgkernels.Backends}. */
    public ReferenceBackend() {}

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public Optional<ScaleKernels> scale() {
        return Optional.of(SCALE);
    }

    @Override
    public Optional<SoftmaxKernels> softmax() {
        return Optional.of(SOFTMAX);
    }

    @Override
    public Optional<ScanKernels> scans() {
        return Optional.of(SCANS);
    }

    @Override
    public Optional<FisherKernels> fisher() {
        return Optional.of(FISHER);
    }

    @Override
    public Optional<CgKernels> cg() {
        return Optional.of(CG);
    }

    @Override
    public Optional<KfacKernels> kfac() {
        return Optional.of(KFAC);
    }

    @Override
    public Optional<DenseLinalg> linalg() {
        return Optional.of(LINALG);
    }

    @Override
    public String toString() {
        return "Backend[reference]";
    }
}
