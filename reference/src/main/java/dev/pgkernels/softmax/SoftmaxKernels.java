package dev.pgkernels.softmax;

/** Placeholder: the family's contract is being written (see SPEC.md). */
public interface SoftmaxKernels {
}
