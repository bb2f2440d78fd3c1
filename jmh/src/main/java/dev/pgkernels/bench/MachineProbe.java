package dev.pgkernels.bench;

import com.google.gson.GsonBuilder;
import dev.pgkernels.Backend;
import dev.pgkernels.Backends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Describes the machine for the report: CPU model, cores, JDK, the preferred vector species, and
 * which backends load (with the reason for those that do not: jblas natives, OpenCL platform).
 * {@link Main} runs it in a child JVM with the same flags the benchmark forks get, so what it
 * says about the Vector API is what the forks see. Prints one JSON object.
 */
public final class MachineProbe {
    private MachineProbe() {}

    public static void main(String[] args) {
        System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(describe()));
    }

    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("memoryGiB", Runtime.getRuntime().maxMemory() / (1024.0 * 1024 * 1024));
        m.put("javaVersion", System.getProperty("java.version"));
        m.put("javaVm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        if (ModuleLayer.boot().findModule(Backends.VECTOR_MODULE).isPresent()) {
            m.put("vector", VectorInfo.describe());
        } else {
            m.put("vector", Map.of("available", false, "reason", "module " + Backends.VECTOR_MODULE + " not in the boot layer"));
        }
        Map<String, Object> backends = new LinkedHashMap<>();
        for (Backend b : Backends.available()) {
            backends.put(b.name(), Map.of("available", true, "families", b.families()));
        }
        Backends.unavailable().forEach((k, v) -> backends.put(k, Map.of("available", false, "reason", v)));
        m.put("backends", backends);
        m.put("opencl", OpenClBenchSupport.describe());
        return m;
    }

    static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String l : lines) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    /** Kept in its own class so the probe links without the Vector API when the module is absent. */
    static final class VectorInfo {
        static Map<String, Object> describe() {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("available", true);
            v.put("preferredBits", jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
            v.put("floatLanes", jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length());
            v.put("doubleLanes", jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED.length());
            return v;
        }
    }
}
