package dev.pgkernels.reports;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Reads JMH's JSON results and the benchmarks' declared work ({@code work.json}). */
public final class Results {
    private Results() {}

    /**
     * One JMH result.
     *
     * @param benchmark     fully qualified method, e.g. {@code dev.pgkernels.bench.ScanBench.gae}
     * @param mode          JMH mode ({@code avgt}, {@code thrpt}, {@code ss}, {@code sample})
     * @param params        the {@code @Param} values, sorted by name
     * @param secondsPerOp  the primary score converted to seconds per operation
     * @param errorSeconds  its 99.9% error in the same unit (NaN when JMH gave none)
     * @param score         the score as JMH printed it
     * @param unit          JMH's unit, e.g. {@code us/op}
     */
    public record Result(String benchmark, String mode, Map<String, String> params, double secondsPerOp,
                         double errorSeconds, double score, String unit) {
        /** The class's simple name, e.g. {@code ScanBench}. */
        public String benchClass() {
            String cls = benchmark.substring(0, benchmark.lastIndexOf('.'));
            return cls.substring(cls.lastIndexOf('.') + 1);
        }

        /** The method's name. */
        public String method() {
            return benchmark.substring(benchmark.lastIndexOf('.') + 1);
        }

        /** The {@code impl} param, or {@code "-"}. */
        public String impl() {
            return params.getOrDefault("impl", "-");
        }

        /** Every param except {@code impl}, as {@code k=v} joined by spaces. */
        public String shape() {
            StringBuilder sb = new StringBuilder();
            params.forEach((k, v) -> {
                if (!k.equals("impl")) {
                    sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v);
                }
            });
            return sb.toString();
        }
    }

    /** Declared work of one result. */
    public record Work(double bytes, double flops) {}

    /** Parses JMH's JSON output. */
    public static List<Result> read(Path file) throws IOException {
        JsonElement root = parse(file);
        if (!root.isJsonArray()) {
            throw new IllegalArgumentException(file + " is not JMH JSON output: expected a top-level array");
        }
        List<Result> out = new ArrayList<>();
        int i = 0;
        for (JsonElement e : root.getAsJsonArray()) {
            try {
                out.add(result(e.getAsJsonObject()));
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException(file + ": entry " + i + " is not a JMH result: " + ex.getMessage(), ex);
            }
            i++;
        }
        return out;
    }

    private static Result result(JsonObject o) {
        String benchmark = o.get("benchmark").getAsString();
        String mode = o.get("mode").getAsString();
        Map<String, String> params = new TreeMap<>();
        if (o.has("params") && o.get("params").isJsonObject()) {
            for (Map.Entry<String, JsonElement> p : o.getAsJsonObject("params").entrySet()) {
                params.put(p.getKey(), p.getValue().getAsString());
            }
        }
        JsonObject pm = o.getAsJsonObject("primaryMetric");
        double score = pm.get("score").getAsDouble();
        double err = pm.has("scoreError") && pm.get("scoreError").isJsonPrimitive()
                && pm.get("scoreError").getAsJsonPrimitive().isNumber() ? pm.get("scoreError").getAsDouble() : Double.NaN;
        String unit = pm.get("scoreUnit").getAsString();
        double sec = Units.secondsPerOp(score, unit);
        double errSec = Double.isNaN(err) ? Double.NaN : Units.secondsPerOpError(score, err, unit);
        return new Result(benchmark, mode, params, sec, errSec, score, unit);
    }

    /** Parses {@code work.json}: {@code benchmark + params -> Work}. Missing file gives an empty map. */
    public static Map<String, Work> readWork(Path file) throws IOException {
        Map<String, Work> out = new LinkedHashMap<>();
        if (file == null || !Files.exists(file)) {
            return out;
        }
        JsonElement root = parse(file);
        if (!root.isJsonArray()) {
            throw new IllegalArgumentException(file + " is not a work declaration: expected a top-level array");
        }
        for (JsonElement e : root.getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            if (!o.has("bytes") || !o.has("flops")) {
                continue;
            }
            Map<String, String> params = new TreeMap<>();
            if (o.has("params")) {
                o.getAsJsonObject("params").entrySet().forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
            }
            out.put(key(o.get("benchmark").getAsString(), params),
                    new Work(o.get("bytes").getAsDouble(), o.get("flops").getAsDouble()));
        }
        return out;
    }

    /** Reads {@code machine.json} as an object, or empty. */
    public static Optional<JsonObject> readMachine(Path file) throws IOException {
        if (file == null || !Files.exists(file)) {
            return Optional.empty();
        }
        JsonElement e = parse(file);
        return e.isJsonObject() ? Optional.of(e.getAsJsonObject()) : Optional.empty();
    }

    /** The key that matches a result with its declared work. */
    public static String key(String benchmark, Map<String, String> params) {
        return benchmark + new TreeMap<>(params);
    }

    public static Optional<Work> workOf(Map<String, Work> work, Result r) {
        return Optional.ofNullable(work.get(key(r.benchmark(), r.params())));
    }

    private static JsonElement parse(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "results file not found");
        }
        try {
            return JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

}
