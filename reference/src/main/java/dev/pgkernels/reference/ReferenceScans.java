package dev.pgkernels.reference;

import dev.pgkernels.scan.ScanKernels;

/** Placeholder, replaced by the family's reference implementation. */
final class ReferenceScans implements ScanKernels {
}
