package dev.pgkernels.opencl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * Finds OpenCL platforms and devices and picks one.
 *
 * <p><b>Choice.</b> The system property {@value #PROPERTY}, else the environment variable
 * {@value #ENV}, names the device: an index into {@link #list()} ({@code 0}, {@code 1}, …) or a
 * case-insensitive substring of the device or platform name ({@code nvidia}, {@code pocl}). Without
 * either, the first GPU is used, else the first device. A name that matches nothing is an error
 * (never a silent fallback).
 *
 * <p><b>Availability.</b> JOCL fails in two ways when there is no usable OpenCL: an
 * {@link UnsatisfiedLinkError} (no {@code libOpenCL.so}: no ICD loader — or, on Debian/Ubuntu, only the
 * runtime's {@code libOpenCL.so.1}, since JOCL 2.0.5 opens the unversioned name that
 * {@code ocl-icd-opencl-dev} provides) and
 * {@code CL_PLATFORM_NOT_FOUND_KHR} (-1001: a loader but no driver registered). {@link #probe()}
 * catches both, once per JVM, and reports the reason.
 */
public final class OpenClDevices {
    /** System property that picks the device: an index or a name substring. */
    public static final String PROPERTY = "pgkernels.opencl.device";
    /** Environment variable that picks the device when {@value #PROPERTY} is not set. */
    public static final String ENV = "PGKERNELS_OPENCL_DEVICE";
    /** What to install for a CPU OpenCL device on Debian/Ubuntu. */
    public static final String INSTALL_HINT = "apt-get install ocl-icd-libopencl1 ocl-icd-opencl-dev pocl-opencl-icd";

    private OpenClDevices() {}

    /** Whether OpenCL works here: the devices, or why not. */
    public record Availability(boolean available, String reason, List<OpenClDevice> devices) {}

    private static final class Holder {
        static final Availability PROBE = doProbe();
    }

    /** The result of looking for OpenCL devices, computed once per JVM. Never throws. */
    public static Availability probe() {
        return Holder.PROBE;
    }

    private static Availability doProbe() {
        try {
            List<OpenClDevice> devs = list();
            if (devs.isEmpty()) {
                return new Availability(false, "OpenCL platforms exist but report no device; install a driver ("
                        + INSTALL_HINT + " for a CPU device)", devs);
            }
            return new Availability(true, "", devs);
        } catch (LinkageError e) {
            String why = runtimeWithoutDevLink()
                    ? "JOCL loads libOpenCL.so, but only libOpenCL.so.1 (the runtime package) is installed; install"
                      + " ocl-icd-opencl-dev, which links libOpenCL.so, or put such a link on LD_LIBRARY_PATH"
                    : "the OpenCL library cannot be loaded; install an ICD loader and a driver (" + INSTALL_HINT
                      + " for a CPU device)";
            return new Availability(false, why + " (" + e + ")", List.of());
        } catch (OpenClException e) {
            String why = e.code() == CL.CL_PLATFORM_NOT_FOUND_KHR
                    ? "an OpenCL loader is installed but no platform (driver) is registered"
                    : "listing OpenCL platforms failed";
            return new Availability(false, why + " (" + e.getMessage() + "); install a driver (" + INSTALL_HINT
                    + " for a CPU device)", List.of());
        }
    }

    /** Whether a Linux multiarch/lib directory has libOpenCL.so.1 but not the libOpenCL.so that JOCL 2.0.5 opens. */
    private static boolean runtimeWithoutDevLink() {
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"}) {
            if (java.nio.file.Files.exists(java.nio.file.Path.of(dir, "libOpenCL.so.1"))
                    && !java.nio.file.Files.exists(java.nio.file.Path.of(dir, "libOpenCL.so"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Every device of every platform, in platform order.
     *
     * @throws OpenClException with {@code CL_PLATFORM_NOT_FOUND_KHR} when a loader exists but no driver
     * @throws UnsatisfiedLinkError when the OpenCL library cannot be loaded
     */
    public static List<OpenClDevice> list() {
        CL.setExceptionsEnabled(false);
        int[] n = new int[1];
        OpenClException.check("clGetPlatformIDs", CL.clGetPlatformIDs(0, null, n));
        cl_platform_id[] platforms = new cl_platform_id[n[0]];
        if (n[0] > 0) {
            OpenClException.check("clGetPlatformIDs", CL.clGetPlatformIDs(n[0], platforms, null));
        }
        List<OpenClDevice> out = new ArrayList<>();
        for (cl_platform_id p : platforms) {
            String pname = platformString(p, CL.CL_PLATFORM_NAME);
            int[] nd = new int[1];
            int rc = CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, 0, null, nd);
            if (rc == CL.CL_DEVICE_NOT_FOUND || nd[0] == 0) {
                continue;
            }
            OpenClException.check("clGetDeviceIDs(" + pname + ")", rc);
            cl_device_id[] ds = new cl_device_id[nd[0]];
            OpenClException.check("clGetDeviceIDs(" + pname + ")", CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, nd[0], ds, null));
            for (cl_device_id d : ds) {
                long type = deviceLong(d, CL.CL_DEVICE_TYPE);
                String t = (type & CL.CL_DEVICE_TYPE_GPU) != 0 ? "GPU"
                        : (type & CL.CL_DEVICE_TYPE_CPU) != 0 ? "CPU"
                        : (type & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0 ? "ACCELERATOR" : "OTHER";
                out.add(new OpenClDevice(out.size(), pname, deviceString(d, CL.CL_DEVICE_NAME).trim(), t,
                        deviceString(d, CL.CL_DEVICE_VERSION).trim(), deviceLong(d, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE),
                        p, d));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The device to use: by {@value #PROPERTY} / {@value #ENV} if set (index or name substring),
     * else the first GPU, else the first device.
     *
     * @param devices the candidates, non-empty
     * @throws IllegalArgumentException if the property or variable matches no device
     * @throws IllegalStateException if {@code devices} is empty
     */
    public static OpenClDevice choose(List<OpenClDevice> devices) {
        String sel = System.getProperty(PROPERTY);
        String from = "-D" + PROPERTY;
        if (sel == null || sel.isBlank()) {
            sel = System.getenv(ENV);
            from = ENV;
        }
        return choose(devices, sel, from);
    }

    /** {@link #choose(List)} with an explicit selector ({@code null} = first GPU, else first device). */
    public static OpenClDevice choose(List<OpenClDevice> devices, String selector, String from) {
        if (devices.isEmpty()) {
            throw new IllegalStateException("no OpenCL device");
        }
        if (selector != null && !selector.isBlank()) {
            String s = selector.trim();
            if (s.matches("\\d+")) {
                int i = Integer.parseInt(s);
                if (i >= devices.size()) {
                    throw new IllegalArgumentException(from + "=" + s + ": there are only " + devices.size()
                            + " OpenCL devices: " + names(devices));
                }
                return devices.get(i);
            }
            String low = s.toLowerCase(Locale.ROOT);
            for (OpenClDevice d : devices) {
                if (d.name().toLowerCase(Locale.ROOT).contains(low)
                        || d.platformName().toLowerCase(Locale.ROOT).contains(low)) {
                    return d;
                }
            }
            throw new IllegalArgumentException(from + "=" + s + " matches no OpenCL device: " + names(devices));
        }
        for (OpenClDevice d : devices) {
            if (d.isGpu()) {
                return d;
            }
        }
        return devices.get(0);
    }

    private static String names(List<OpenClDevice> devices) {
        return devices.stream().map(OpenClDevice::describe).toList().toString();
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        OpenClException.check("clGetDeviceInfo", CL.clGetDeviceInfo(d, param, 0, null, size));
        byte[] buf = new byte[(int) size[0]];
        OpenClException.check("clGetDeviceInfo", CL.clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null));
        return cString(buf);
    }

    static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        OpenClException.check("clGetDeviceInfo", CL.clGetDeviceInfo(d, param, Sizeof.cl_long, Pointer.to(v), null));
        return v[0];
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        OpenClException.check("clGetPlatformInfo", CL.clGetPlatformInfo(p, param, 0, null, size));
        byte[] buf = new byte[(int) size[0]];
        OpenClException.check("clGetPlatformInfo", CL.clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null));
        return cString(buf);
    }

    static String cString(byte[] buf) {
        int len = 0;
        while (len < buf.length && buf[len] != 0) {
            len++;
        }
        return new String(buf, 0, len, StandardCharsets.UTF_8);
    }
}
