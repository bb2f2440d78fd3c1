package dev.pgkernels;

/**
 * A backend was asked for by name (or forced with {@code -Dpgkernels.backend=NAME}) but cannot
 * load here. The message says why (the linkage error, the missing native library, no OpenCL
 * platform) and what to install or which flag to pass.
 */
public final class BackendUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String backend;

    public BackendUnavailableException(String backend, String reason, Throwable cause) {
        super("pgkernels backend '" + backend + "' is not available: " + reason, cause);
        this.backend = backend;
    }

    /** The name of the backend that failed to load. */
    public String backend() {
        return backend;
    }
}
