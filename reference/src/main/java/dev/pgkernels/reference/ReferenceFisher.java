package dev.pgkernels.reference;

import dev.pgkernels.fisher.FisherKernels;

/** Placeholder, replaced by the family's reference implementation. */
final class ReferenceFisher implements FisherKernels {
}
