package dev.pgkernels.reference;

import dev.pgkernels.softmax.SoftmaxKernels;

/** Placeholder, replaced by the family's reference implementation. */
final class ReferenceSoftmax implements SoftmaxKernels {
}
