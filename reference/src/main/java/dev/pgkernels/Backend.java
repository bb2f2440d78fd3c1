package dev.pgkernels;

import dev.pgkernels.cg.CgKernels;
import dev.pgkernels.fisher.FisherKernels;
import dev.pgkernels.kfac.KfacKernels;
import dev.pgkernels.linalg.DenseLinalg;
import dev.pgkernels.scale.ScaleKernels;
import dev.pgkernels.scan.ScanKernels;
import dev.pgkernels.softmax.SoftmaxKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One implementation ("backend") of the kernel families of SPEC.md: {@code reference} (plain
 * scalar Java, double accumulation), {@code simd} (the Vector API), {@code jblas} (native
 * BLAS/LAPACK) or {@code opencl} (JOCL). Obtain one through {@link Backends}.
 *
 * <p>A backend that lacks a family does not pretend to have it: the family's accessor returns
 * {@link Optional#empty()}. Every kernel object handed out is stateless and thread-safe; scratch
 * space, where a kernel needs it, is an explicit workspace argument.
 */
public interface Backend {

    /** The backend's name: {@code reference}, {@code simd}, {@code jblas} or {@code opencl}. */
    String name();

    /** Family 1: per-sample gradient scale functions f(ΔO, ΔR) (SPEC §1). */
    default Optional<ScaleKernels> scale() {
        return Optional.empty();
    }

    /** Family 2: softmax-logit update directions, log-softmax, entropy, KL (SPEC §2). */
    default Optional<SoftmaxKernels> softmax() {
        return Optional.empty();
    }

    /** Family 3: GAE, λ-return and V-trace reverse scans (SPEC §3). */
    default Optional<ScanKernels> scans() {
        return Optional.empty();
    }

    /** Family 4: Fisher-vector products (SPEC §4). */
    default Optional<FisherKernels> fisher() {
        return Optional.empty();
    }

    /** Family 5: conjugate gradient and the TRPO natural-gradient step (SPEC §5). */
    default Optional<CgKernels> cg() {
        return Optional.empty();
    }

    /** Family 6: Kronecker-factored (K-FAC, EKFAC) preconditioning (SPEC §6). */
    default Optional<KfacKernels> kfac() {
        return Optional.empty();
    }

    /** The dense linear-algebra core (GEMM, GEMV, SYRK, AXPY, DOT) the FVP, CG and K-FAC kernels build on. */
    default Optional<DenseLinalg> linalg() {
        return Optional.empty();
    }

    /** The names of the families this backend implements, e.g. {@code [scale, scans]} ({@code linalg} last). */
    default List<String> families() {
        List<String> out = new ArrayList<>();
        if (scale().isPresent()) out.add("scale");
        if (softmax().isPresent()) out.add("softmax");
        if (scans().isPresent()) out.add("scans");
        if (fisher().isPresent()) out.add("fisher");
        if (cg().isPresent()) out.add("cg");
        if (kfac().isPresent()) out.add("kfac");
        if (linalg().isPresent()) out.add("linalg");
        return List.copyOf(out);
    }
}
