package dev.pgkernels.kfac;

/** Placeholder: the family's contract is being written (see SPEC.md). */
public interface KfacKernels {
}
