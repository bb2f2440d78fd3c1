package dev.pgkernels.fisher;

import dev.pgkernels.Checks;

/**
 * Scratch space for Fisher-vector products, created once by {@link FisherKernels#workspace} for a
 * {@link FisherShape} and reused, so repeated products allocate nothing.
 *
 * <p>A workspace made for a shape serves every call with the same widths and a batch no larger
 * than the shape's ({@link #fits}). Its contents are meaningless between calls; a workspace must
 * not be used by two calls at once (it is the only mutable state of a product). The layout of the
 * arrays belongs to the backend that made it; {@link #doubles()} and {@link #floats()} are for
 * backends, not for callers.
 */
public final class FisherWorkspace {
    private final FisherShape shape;
    private final String backend;
    private final double[] doubles;
    private final float[] floats;

    /**
     * For backends: a workspace for {@code shape} made by {@code backend} with the given scratch sizes.
     *
     * @throws IllegalArgumentException if an argument is null or a size negative
     */
    public FisherWorkspace(FisherShape shape, String backend, int doubles, int floats) {
        this.shape = Checks.notNull("shape", shape);
        this.backend = Checks.notNull("backend", backend);
        this.doubles = new double[Checks.size("doubles", doubles)];
        this.floats = new float[Checks.size("floats", floats)];
    }

    /** The shape this workspace was sized for. */
    public FisherShape shape() {
        return shape;
    }

    /** The name of the backend that made it (a workspace only serves that backend). */
    public String backend() {
        return backend;
    }

    /** Whether this workspace serves a call of shape {@code s}: same kind and widths, batch {@code <=} its own. */
    public boolean fits(FisherShape s) {
        // the workspace's own shape first: no record is built for it (every product call checks this)
        return s != null && (s.equals(shape) || s.getClass() == shape.getClass() && s.batch() <= shape.batch()
                && s.withBatch(shape.batch()).equals(shape));
    }

    /** For backends: double scratch. Modified by every product. */
    public double[] doubles() {
        return doubles;
    }

    /** For backends: float scratch. Modified by every product. */
    public float[] floats() {
        return floats;
    }

    @Override
    public String toString() {
        return "FisherWorkspace[" + backend + ", " + shape + ", " + doubles.length + " doubles, " + floats.length + " floats]";
    }
}
