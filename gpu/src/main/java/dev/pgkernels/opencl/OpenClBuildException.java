package dev.pgkernels.opencl;

/**
 * A program's {@code .cl} source failed to compile for the device; {@link #buildLog()} holds the
 * compiler's log, which the message also contains.
 */
public final class OpenClBuildException extends OpenClException {
    private static final long serialVersionUID = 1L;

    private final String program;
    private final String buildLog;

    /**
     * @param program  the program's resource name(s)
     * @param code     the code {@code clBuildProgram} returned
     * @param buildLog the device compiler's log
     */
    public OpenClBuildException(String program, int code, String buildLog) {
        super("clBuildProgram(" + program + ")", code, "build log:\n" + buildLog);
        this.program = program;
        this.buildLog = buildLog;
    }

    /** The program that failed to build. */
    public String program() {
        return program;
    }

    /** The device compiler's build log. */
    public String buildLog() {
        return buildLog;
    }
}
