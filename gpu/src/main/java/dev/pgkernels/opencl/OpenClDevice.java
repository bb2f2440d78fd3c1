package dev.pgkernels.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * One OpenCL device as {@link OpenClDevices#list()} found it.
 *
 * @param index        position in {@link OpenClDevices#list()} (platforms in order, then their devices)
 * @param platformName the platform's name, e.g. {@code Portable Computing Language}
 * @param name         the device's name, e.g. {@code NVIDIA GeForce RTX 4090}
 * @param type         {@code GPU}, {@code CPU}, {@code ACCELERATOR} or {@code OTHER}
 * @param version      the device's {@code CL_DEVICE_VERSION} string
 * @param maxWorkGroup {@code CL_DEVICE_MAX_WORK_GROUP_SIZE}
 * @param platform     the JOCL platform handle
 * @param device       the JOCL device handle
 */
public record OpenClDevice(int index, String platformName, String name, String type, String version, long maxWorkGroup,
        cl_platform_id platform, cl_device_id device) {

    /** Whether this is a GPU. */
    public boolean isGpu() {
        return type.equals("GPU");
    }

    /** E.g. {@code #0 pthread-skylake (CPU, OpenCL 3.0 PoCL…, platform Portable Computing Language)}. */
    public String describe() {
        return "#" + index + " " + name + " (" + type + ", " + version + ", platform " + platformName + ")";
    }
}
