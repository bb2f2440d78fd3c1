package dev.pgkernels.scan;

/** Placeholder: the family's contract is being written (see SPEC.md). */
public interface ScanKernels {
}
