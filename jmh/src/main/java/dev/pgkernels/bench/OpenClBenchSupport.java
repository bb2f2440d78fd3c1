package dev.pgkernels.bench;

import dev.pgkernels.Backend;
import dev.pgkernels.opencl.OpenClBackend;
import dev.pgkernels.opencl.OpenClDevice;
import dev.pgkernels.opencl.OpenClDevices;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two OpenCL variants of the benchmark classes' {@code impl} parameter:
 * <ul>
 *   <li>{@value #ARRAYS} — the backend's array methods: upload, run, download (transfers included);</li>
 *   <li>{@value #RESIDENT} — inputs uploaded once in {@code @Setup}, the measured method runs the
 *       device-resident kernels and waits for them ({@code clFinish}); transfers excluded.</li>
 * </ul>
 * Both fail the trial in {@code @Setup} with the reason when OpenCL cannot load, and print the
 * device used (it is also in {@code machine.json}, see {@link #describe()}).
 */
public final class OpenClBenchSupport {
    private OpenClBenchSupport() {}

    /** Arrays in and out, transfers included. */
    public static final String ARRAYS = "opencl";
    /** Device-resident buffers, transfers excluded. */
    public static final String RESIDENT = "opencl-resident";

    /** Whether {@code impl} is the device-resident variant. */
    public static boolean resident(String impl) {
        return RESIDENT.equals(impl);
    }

    /** The backend an {@code impl} value names ({@value #RESIDENT} is the {@code opencl} backend). */
    public static Backend backend(String impl) {
        Backend b = BenchConfig.backend(resident(impl) ? ARRAYS : impl);
        if (b instanceof OpenClBackend cl) {
            System.out.println("# OpenCL device (" + impl + "): " + cl.device().describe());
        }
        return b;
    }

    /** The {@code opencl} backend, for the resident variant. */
    public static OpenClBackend openCl(String impl) {
        return (OpenClBackend) BenchConfig.backend(ARRAYS);
    }

    /** The OpenCL devices for machine.json: availability, reason, every device and the one chosen. */
    public static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        OpenClDevices.Availability a = OpenClDevices.probe();
        m.put("available", a.available());
        if (!a.available()) {
            m.put("reason", a.reason());
            return m;
        }
        List<String> names = a.devices().stream().map(OpenClDevice::describe).toList();
        m.put("devices", names);
        try {
            m.put("chosen", OpenClDevices.choose(a.devices()).describe());
        } catch (RuntimeException e) {
            m.put("chosen", "none: " + e.getMessage());
        }
        return m;
    }
}
