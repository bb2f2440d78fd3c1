package dev.pgkernels.opencl;

import org.jocl.CL;

/**
 * An OpenCL call returned an error code. The message names the call and the code's name
 * ({@link CL#stringFor_errorCode(int)}), e.g. {@code clCreateBuffer failed: CL_INVALID_BUFFER_SIZE (-61)}.
 * Every OpenCL call of this package checks its code through {@link #check(String, int)}; JOCL's own
 * exceptions are switched off ({@code CL.setExceptionsEnabled(false)}) so that this is the one way
 * errors surface.
 */
public class OpenClException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int code;

    /**
     * @param call the OpenCL function that failed, e.g. {@code clEnqueueNDRangeKernel(softmax_wide)}
     * @param code its error code
     */
    public OpenClException(String call, int code) {
        this(call, code, "");
    }

    /** As {@link #OpenClException(String, int)} with more detail appended to the message. */
    public OpenClException(String call, int code, String detail) {
        super(call + " failed: " + codeName(code) + (detail == null || detail.isEmpty() ? "" : "; " + detail));
        this.call = call;
        this.code = code;
    }

    /** The name of an OpenCL error code with its number, e.g. {@code CL_OUT_OF_RESOURCES (-5)}. */
    public static String codeName(int code) {
        String s;
        try {
            s = CL.stringFor_errorCode(code);
        } catch (LinkageError e) {
            s = "CL error";
        }
        return s + " (" + code + ")";
    }

    /**
     * Throws unless {@code code} is {@code CL_SUCCESS}.
     *
     * @param call the function called (and, if useful, on what)
     * @param code the code it returned
     * @throws OpenClException if {@code code != CL_SUCCESS}
     */
    public static void check(String call, int code) {
        if (code != CL.CL_SUCCESS) {
            throw new OpenClException(call, code);
        }
    }

    /** The OpenCL function that failed. */
    public String call() {
        return call;
    }

    /** The OpenCL error code. */
    public int code() {
        return code;
    }
}
