package dev.pgkernels.cg;

/** Placeholder: the family's contract is being written (see SPEC.md). */
public interface CgKernels {
}
