package dev.pgkernels.reports;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pgkernels.reports.Results.Result;
import dev.pgkernels.reports.Results.Work;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns one benchmark run into a Markdown report: the machine, the calibration figures (stream
 * triad GB/s per footprint, FMA GFLOP/s per precision) and, per benchmark class, a table of
 * implementation × shape → time per operation, speed-up over {@code reference} (and over
 * {@code jblas} where it ran), achieved GB/s and GFLOP/s, and the fraction of the machine's limit
 * measured in the same run.
 */
public final class Report {
    /** Benchmark classes that measure the machine rather than a kernel. */
    public static final String TRIAD = "TriadBench";
    /** The FMA peak calibration class; see {@link #TRIAD}. */
    public static final String FMA = "FmaBench";

    private final List<Result> results;
    private final Map<String, Work> work;
    private final Optional<JsonObject> machine;

    /**
     * A report over one run.
     *
     * @param results the run's results ({@link Results#read})
     * @param work    declared work per result ({@link Results#readWork}); results without one get no GB/s, GFLOP/s
     * @param machine {@code machine.json}, if there is one
     */
    public Report(List<Result> results, Map<String, Work> work, Optional<JsonObject> machine) {
        this.results = List.copyOf(results);
        this.work = Map.copyOf(work);
        this.machine = machine;
    }

    /** The files one {@link #write} produced. */
    public record Written(Path markdown, Path html, List<Path> charts) {}

    /** The folder beside {@code report.md} that holds the chart images. */
    public static final String CHART_DIR = "charts";

    /**
     * Reads the three files and writes into {@code outDir}: {@code report.md}, the charts as SVG
     * under {@code charts/} (linked from the Markdown by relative paths) and {@code report.html},
     * one self-contained file with the same text and tables, the charts inlined as SVG and the
     * CSS inline. Returns the path of {@code report.md}; {@link #writeAll} returns every file.
     *
     * @throws java.nio.file.NoSuchFileException if {@code resultsJson} does not exist
     * @throws IllegalArgumentException if a file is not valid JSON or not of the expected shape
     */
    public static Path write(Path resultsJson, Path workJson, Path machineJson, Path outDir) throws IOException {
        return writeAll(resultsJson, workJson, machineJson, outDir).markdown();
    }

    /** As {@link #write}, returning every file written. */
    public static Written writeAll(Path resultsJson, Path workJson, Path machineJson, Path outDir) throws IOException {
        Report r = new Report(Results.read(resultsJson), Results.readWork(workJson), Results.readMachine(machineJson));
        return r.writeTo(outDir, resultsJson.getFileName().toString());
    }

    /** Writes {@code report.md}, {@code charts/*.svg} and {@code report.html} into {@code outDir}. */
    public Written writeTo(Path outDir, String source) throws IOException {
        Files.createDirectories(outDir);
        Map<String, String> images = new LinkedHashMap<>();
        List<Path> chartFiles = new ArrayList<>();
        Map<String, org.jfree.chart.JFreeChart> all = charts().all(List.copyOf(kernelClasses().keySet()));
        Path chartDir = outDir.resolve(CHART_DIR);
        if (Files.isDirectory(chartDir)) {
            // Charts of an earlier render into the same folder (a family since removed) would linger.
            try (var old = Files.newDirectoryStream(chartDir, "{speedup-*,roofline}.svg")) {
                for (Path p : old) Files.delete(p);
            }
        }
        if (!all.isEmpty()) {
            Files.createDirectories(chartDir);
        }
        for (Map.Entry<String, org.jfree.chart.JFreeChart> c : all.entrySet()) {
            String rel = CHART_DIR + "/" + c.getKey() + ".svg";
            String svg = Charts.svg(c.getValue(), c.getKey());
            Path f = outDir.resolve(rel);
            Files.writeString(f, svg, StandardCharsets.UTF_8);
            chartFiles.add(f);
            images.put(rel, svg);
        }
        String text = markdown(source, images.keySet());
        Path md = outDir.resolve("report.md");
        Files.writeString(md, text, StandardCharsets.UTF_8);
        Path html = outDir.resolve("report.html");
        Files.writeString(html, Html.page("pgkernels benchmark report", text, images), StandardCharsets.UTF_8);
        return new Written(md, html, chartFiles);
    }

    /** The charts of this report. */
    public Charts charts() {
        return new Charts(this, results, work);
    }

    /** The results of each kernel benchmark class (everything but the calibrations), by class name. */
    Map<String, List<Result>> kernelClasses() {
        Map<String, List<Result>> byClass = new TreeMap<>();
        for (Result r : results) {
            if (!r.benchClass().equals(TRIAD) && !r.benchClass().equals(FMA)) {
                byClass.computeIfAbsent(r.benchClass(), k -> new ArrayList<>()).add(r);
            }
        }
        return byClass;
    }

    /** GB/s of one result, if its work is declared. */
    public Optional<Double> gbPerSecond(Result r) {
        return Results.workOf(work, r).filter(w -> w.bytes() > 0).map(w -> w.bytes() / r.secondsPerOp() / 1e9);
    }

    /** GFLOP/s of one result, if its work is declared. */
    public Optional<Double> gflopPerSecond(Result r) {
        return Results.workOf(work, r).filter(w -> w.flops() > 0).map(w -> w.flops() / r.secondsPerOp() / 1e9);
    }

    /** Triad bandwidth per footprint in bytes (the best implementation at each footprint). */
    public TreeMap<Long, Double> bandwidthByFootprint() {
        TreeMap<Long, Double> bw = new TreeMap<>();
        for (Result r : results) {
            if (r.benchClass().equals(TRIAD) && r.params().containsKey("footprint")) {
                long bytes = footprintBytes(r.params().get("footprint"));
                gbPerSecond(r).ifPresent(g -> bw.merge(bytes, g, Math::max));
            }
        }
        return bw;
    }

    /**
     * A result's precision as the FMA peak names it: its {@code precision} parameter, where
     * {@code fp32}/{@code fp64} (the kernel benchmarks' names) mean {@code float}/{@code double}
     * (FmaBench's); {@code float} when the benchmark has no such parameter.
     */
    static String precisionOf(Result r) {
        String p = r.params().getOrDefault("precision", "float");
        return switch (p) {
            case "fp32" -> "float";
            case "fp64" -> "double";
            default -> p;
        };
    }

    /** FMA peak GFLOP/s per precision ({@code float}, {@code double}): the best width. */
    public Map<String, Double> peakByPrecision() {
        Map<String, Double> peak = new TreeMap<>();
        for (Result r : results) {
            if (r.benchClass().equals(FMA)) {
                String prec = precisionOf(r);
                gflopPerSecond(r).ifPresent(g -> peak.merge(prec, g, Math::max));
            }
        }
        return peak;
    }

    /** The triad figure at the footprint nearest (in log scale) to {@code bytes}, with that footprint. */
    public Optional<Map.Entry<Long, Double>> bandwidthLimitFor(double bytes) {
        TreeMap<Long, Double> bw = bandwidthByFootprint();
        Map.Entry<Long, Double> best = null;
        double bestDist = Double.POSITIVE_INFINITY;
        for (Map.Entry<Long, Double> e : bw.entrySet()) {
            double d = Math.abs(Math.log(e.getKey()) - Math.log(Math.max(bytes, 1)));
            if (d < bestDist) {
                bestDist = d;
                best = e;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Time of the same benchmark and shape with {@code impl = other}, if it ran. */
    public Optional<Result> sibling(Result r, String other) {
        Map<String, String> want = new TreeMap<>(r.params());
        want.put("impl", other);
        return results.stream().filter(x -> x.benchmark().equals(r.benchmark()) && x.params().equals(want)).findFirst();
    }

    /** How many times faster {@code r} is than the same shape with {@code impl = other}. */
    public Optional<Double> speedupOver(Result r, String other) {
        return sibling(r, other).map(o -> o.secondsPerOp() / r.secondsPerOp());
    }

    /** "8MiB" -> 8388608. */
    public static long footprintBytes(String f) {
        String s = f.trim();
        long unit = s.endsWith("KiB") ? 1024L : s.endsWith("MiB") ? 1L << 20 : s.endsWith("GiB") ? 1L << 30 : 1L;
        return Long.parseLong(s.replaceAll("[^0-9]", "")) * unit;
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) return (bytes >> 30) + " GiB";
        if (bytes >= 1L << 20) return (bytes >> 20) + " MiB";
        if (bytes >= 1L << 10) return (bytes >> 10) + " KiB";
        return bytes + " B";
    }

    /** The Markdown text without charts. */
    public String markdown(String source) {
        return markdown(source, List.of());
    }

    /**
     * The Markdown text; {@code charts} are relative image paths written beside it
     * ({@code charts/speedup-<Class>.svg}, {@code charts/roofline.svg}), each linked where it belongs.
     */
    public String markdown(String source, java.util.Collection<String> charts) {
        StringBuilder md = new StringBuilder();
        md.append("# pgkernels benchmark report\n\n");
        md.append("Source: `").append(source).append("` (").append(results.size()).append(" results).\n\n");
        machineSection(md);
        calibrationSection(md);
        String roof = CHART_DIR + "/roofline.svg";
        if (charts.contains(roof)) {
            md.append("## Roofline\n\n")
                    .append("Each point is one benchmark, implementation and shape: its declared flops per declared ")
                    .append("byte against the GFLOP/s it reached. The dashed lines are the stream-triad bandwidths ")
                    .append("measured in this run (GB/s × intensity), the solid ones the one-core FMA peaks. A point ")
                    .append("under a dashed line is short of memory bandwidth; under a solid one, of compute.\n\n")
                    .append("![roofline](").append(roof).append(")\n\n");
        }
        md.append("## How to read the tables\n\n")
                .append("*time/op* is JMH's mean with its 99.9% error. *× ref* (and *× jblas*) is how many times ")
                .append("faster this row is than the same shape with `impl=reference` (`jblas`), from this run. ")
                .append("*GB/s* and *GFLOP/s* use the bytes and flops each benchmark declares per operation. ")
                .append("*% BW* divides GB/s by the stream-triad bandwidth measured in this run at the footprint ")
                .append("nearest the operation's bytes (named in brackets); *% peak* divides GFLOP/s by the measured ")
                .append("single-core FMA peak of the benchmark's precision. A kernel is near its limit when either ")
                .append("fraction is near 100%.\n\n");
        for (Map.Entry<String, List<Result>> e : kernelClasses().entrySet()) {
            familySection(md, e.getKey(), e.getValue());
            String img = CHART_DIR + "/speedup-" + e.getKey() + ".svg";
            if (charts.contains(img)) {
                md.append("![").append(e.getKey()).append(" speed-ups](").append(img).append(")\n\n");
            }
        }
        return md.toString();
    }

    private void machineSection(StringBuilder md) {
        md.append("## Machine\n\n");
        if (machine.isEmpty()) {
            md.append("No `machine.json` beside the results.\n\n");
            return;
        }
        JsonObject m = machine.get();
        md.append("| | |\n|---|---|\n");
        for (String k : List.of("cpu", "cores", "javaVersion", "javaVm", "os")) {
            if (m.has(k)) md.append("| ").append(k).append(" | ").append(m.get(k).getAsString()).append(" |\n");
        }
        if (m.has("vector") && m.get("vector").isJsonObject()) {
            JsonObject v = m.getAsJsonObject("vector");
            md.append("| preferred vector | ").append(v.has("preferredBits")
                    ? v.get("preferredBits").getAsString() + " bits (" + v.get("floatLanes").getAsString() + " fp32 lanes)"
                    : "not available: " + (v.has("reason") ? v.get("reason").getAsString() : "?")).append(" |\n");
        }
        if (m.has("backends") && m.get("backends").isJsonObject()) {
            for (Map.Entry<String, JsonElement> b : m.getAsJsonObject("backends").entrySet()) {
                JsonObject o = b.getValue().getAsJsonObject();
                boolean ok = o.get("available").getAsBoolean();
                md.append("| backend `").append(b.getKey()).append("` | ")
                        .append(ok ? "loads; families " + o.get("families") : "unavailable: "
                                + o.get("reason").getAsString().replace("|", "\\|"))
                        .append(" |\n");
            }
        }
        // Anything else the probe adds (memory, OpenCL devices, ...) is shown as it comes.
        for (Map.Entry<String, JsonElement> e : m.entrySet()) {
            if (KNOWN_MACHINE_KEYS.contains(e.getKey())) continue;
            md.append("| ").append(e.getKey()).append(" | ").append(cell(e.getValue())).append(" |\n");
        }
        md.append('\n');
    }

    private static final List<String> KNOWN_MACHINE_KEYS = List.of("cpu", "cores", "javaVersion", "javaVm", "os", "vector", "backends");

    /** A JSON value as one table cell: numbers via {@link #fmt} unless whole, arrays joined by "; ". */
    private static String cell(JsonElement v) {
        String s;
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
            double d = v.getAsDouble();
            s = d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : fmt(d);
        } else if (v.isJsonPrimitive()) {
            s = v.getAsString();
        } else if (v.isJsonArray()) {
            List<String> parts = new ArrayList<>();
            v.getAsJsonArray().forEach(x -> parts.add(x.isJsonPrimitive() ? x.getAsString() : x.toString()));
            s = parts.isEmpty() ? "none" : String.join("; ", parts);
        } else {
            s = v.toString();
        }
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private void calibrationSection(StringBuilder md) {
        md.append("## Machine limits measured in this run\n\n");
        TreeMap<Long, Double> bw = bandwidthByFootprint();
        if (bw.isEmpty()) {
            md.append("No stream-triad results in this run: GB/s fractions are not computed.\n\n");
        } else {
            md.append("| stream triad footprint | GB/s (best impl) |\n|---|---:|\n");
            bw.forEach((k, v) -> md.append("| ").append(human(k)).append(" | ").append(fmt(v)).append(" |\n"));
            md.append('\n');
        }
        Map<String, Double> peak = peakByPrecision();
        if (peak.isEmpty()) {
            md.append("No FMA results in this run: FLOP/s fractions are not computed.\n\n");
        } else {
            md.append("| FMA peak, one core | GFLOP/s (best width) |\n|---|---:|\n");
            peak.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(fmt(v)).append(" |\n"));
            md.append('\n');
        }
    }

    private void familySection(StringBuilder md, String cls, List<Result> rs) {
        md.append("## ").append(cls).append("\n\n");
        boolean anyJblas = rs.stream().anyMatch(r -> r.impl().equals("jblas"));
        md.append("| method | shape | impl | time/op | ± | × ref |").append(anyJblas ? " × jblas |" : "")
                .append(" GB/s | % BW | GFLOP/s | % peak |\n");
        md.append("|---|---|---|---:|---:|---:|").append(anyJblas ? "---:|" : "").append("---:|---:|---:|---:|\n");
        List<Result> sorted = new ArrayList<>(rs);
        sorted.sort(Comparator.comparing(Result::method).thenComparing(Result::shape)
                .thenComparing(r -> implOrder(r.impl())));
        Map<String, Double> peak = peakByPrecision();
        for (Result r : sorted) {
            md.append("| ").append(r.method()).append(" | ").append(r.shape()).append(" | ").append(r.impl())
                    .append(" | ").append(Units.time(r.secondsPerOp())).append(" | ").append(Units.time(r.errorSeconds()))
                    .append(" | ").append(speedupOver(r, "reference").map(Report::ratio).orElse("—")).append(" |");
            if (anyJblas) {
                md.append(' ').append(speedupOver(r, "jblas").map(Report::ratio).orElse("—")).append(" |");
            }
            Optional<Double> gb = gbPerSecond(r);
            Optional<Double> gf = gflopPerSecond(r);
            String pctBw = "—";
            if (gb.isPresent()) {
                Optional<Map.Entry<Long, Double>> lim = bandwidthLimitFor(Results.workOf(work, r).get().bytes());
                if (lim.isPresent()) {
                    pctBw = pct(gb.get() / lim.get().getValue()) + " (" + human(lim.get().getKey()) + ")";
                }
            }
            String prec = precisionOf(r);
            String pctPeak = gf.isPresent() && peak.containsKey(prec) ? pct(gf.get() / peak.get(prec)) : "—";
            md.append(' ').append(gb.map(Report::fmt).orElse("—")).append(" | ").append(pctBw).append(" | ")
                    .append(gf.map(Report::fmt).orElse("—")).append(" | ").append(pctPeak).append(" |\n");
        }
        md.append('\n');
    }

    static int implOrder(String impl) {
        return switch (impl) {
            case "reference" -> 0;
            case "simd" -> 1;
            case "jblas" -> 2;
            case "opencl" -> 3;
            default -> 4;
        };
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) return "—";
        if (v >= 100) return String.format("%.0f", v);
        if (v >= 10) return String.format("%.1f", v);
        return String.format("%.2f", v);
    }

    static String ratio(double v) {
        return fmt(v) + "×";
    }

    static String pct(double v) {
        return String.format("%.0f%%", 100 * v);
    }

}
