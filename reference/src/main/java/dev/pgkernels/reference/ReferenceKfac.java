package dev.pgkernels.reference;

import dev.pgkernels.kfac.KfacKernels;

/** Placeholder, replaced by the family's reference implementation. */
final class ReferenceKfac implements KfacKernels {
}
