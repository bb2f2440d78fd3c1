package dev.pgkernels.fisher;

/** Placeholder: the family's contract is being written (see SPEC.md). */
public interface FisherKernels {
}
