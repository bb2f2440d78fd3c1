package dev.pgkernels.reference;

import dev.pgkernels.cg.CgKernels;

/** Placeholder, replaced by the family's reference implementation. */
final class ReferenceCg implements CgKernels {
}
