package dev.pgkernels.scale;

/** Placeholder: the family's contract is being written (see SPEC.md). */
public interface ScaleKernels {
}
