package dev.pgkernels.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes {@code work.json}: for every result in a JMH JSON file, the bytes and flops per
 * operation that its benchmark class declares through
 * {@code public static Work work(String method, Map<String, String> params)}.
 *
 * <p>{@link Main} runs this in a child JVM with the forks' flags, because calling a static method
 * initialises the benchmark class, and a class holding Vector API constants only initialises
 * where {@code jdk.incubator.vector} is present. Usage:
 * {@code java --add-modules=jdk.incubator.vector -cp benchmarks.jar dev.pgkernels.bench.WorkDeclarations results.json work.json}
 */
public final class WorkDeclarations {
    private WorkDeclarations() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: WorkDeclarations results.json work.json");
            System.exit(2);
        }
        Files.writeString(Path.of(args[1]), declare(Path.of(args[0])), StandardCharsets.UTF_8);
    }

    /** The JSON text of {@code work.json} for the results in {@code resultsJson}. */
    static String declare(Path resultsJson) throws IOException {
        JsonElement root = JsonParser.parseString(Files.readString(resultsJson, StandardCharsets.UTF_8));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonElement e : root.getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            String full = o.get("benchmark").getAsString();
            Map<String, String> params = new TreeMap<>();
            if (o.has("params")) {
                o.getAsJsonObject("params").entrySet().forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
            }
            rows.add(row(full, params));
        }
        return new GsonBuilder().setPrettyPrinting().create().toJson(rows);
    }

    static Map<String, Object> row(String full, Map<String, String> params) {
        int dot = full.lastIndexOf('.');
        String cls = full.substring(0, dot), method = full.substring(dot + 1);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("benchmark", full);
        row.put("params", params);
        try {
            Method m = Class.forName(cls).getMethod("work", String.class, Map.class);
            Work w = (Work) m.invoke(null, method, params);
            row.put("bytes", w.bytes());
            row.put("flops", w.flops());
        } catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
            row.put("error", "no work declared: " + ex);
        }
        return row;
    }
}
