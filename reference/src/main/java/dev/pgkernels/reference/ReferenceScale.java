package dev.pgkernels.reference;

import dev.pgkernels.scale.ScaleKernels;

/** Placeholder, replaced by the family's reference implementation. */
final class ReferenceScale implements ScaleKernels {
}
