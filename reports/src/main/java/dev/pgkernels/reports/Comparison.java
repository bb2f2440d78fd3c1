package dev.pgkernels.reports;

import dev.pgkernels.reports.Results.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two runs side by side: for every benchmark + params present in both, the ratio of the times and
 * a verdict; then the benchmarks present in only one run.
 *
 * <p>The verdict rule: with {@code t} the time per operation and {@code e} JMH's 99.9% error of
 * each run, the change is real only when {@code |t_new − t_old| > e_new + e_old} — the two
 * confidence intervals do not overlap. Then it is {@link Verdict#FASTER} if {@code t_new < t_old},
 * else {@link Verdict#SLOWER}; otherwise {@link Verdict#SAME}. When a run gives no error (JMH
 * reports none for fewer than three measurement iterations, or in single-shot mode with one
 * iteration) the rule cannot be applied and the verdict is {@link Verdict#UNKNOWN}.
 */
public final class Comparison {
    /** The outcome for one benchmark present in both runs. */
    public enum Verdict {
        FASTER("faster"), SLOWER("slower"), SAME("same"), UNKNOWN("unknown (no error)");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        /** The word the tables print. */
        public String label() {
            return label;
        }
    }

    /**
     * One benchmark found in both runs.
     *
     * @param key     {@code Class.method} plus the params, e.g. {@code ScanBench.gae impl=simd shape=2048x64}
     * @param oldRun  its result in the old run
     * @param newRun  its result in the new run
     * @param ratio   {@code t_old / t_new}: above 1 the new run is faster
     * @param verdict by the both-errors rule of the class comment
     */
    public record Row(String key, Result oldRun, Result newRun, double ratio, Verdict verdict) {}

    private final List<Row> rows;
    private final List<String> onlyOld;
    private final List<String> onlyNew;

    private Comparison(List<Row> rows, List<String> onlyOld, List<String> onlyNew) {
        this.rows = rows;
        this.onlyOld = onlyOld;
        this.onlyNew = onlyNew;
    }

    /** Matches the two runs by benchmark name, mode and params. */
    public static Comparison of(List<Result> oldRun, List<Result> newRun) {
        Map<String, Result> olds = index(oldRun), news = index(newRun);
        List<Row> rows = new ArrayList<>();
        List<String> onlyOld = new ArrayList<>(), onlyNew = new ArrayList<>();
        for (Map.Entry<String, Result> e : news.entrySet()) {
            Result o = olds.get(e.getKey());
            if (o == null) {
                onlyNew.add(e.getKey());
            } else {
                Result n = e.getValue();
                rows.add(new Row(e.getKey(), o, n, o.secondsPerOp() / n.secondsPerOp(), verdict(o, n)));
            }
        }
        for (String k : olds.keySet()) {
            if (!news.containsKey(k)) onlyOld.add(k);
        }
        return new Comparison(rows, onlyOld, onlyNew);
    }

    /** Reads two JMH JSON files and compares them. */
    public static Comparison of(Path oldJson, Path newJson) throws IOException {
        return of(Results.read(oldJson), Results.read(newJson));
    }

    /** The both-errors rule: a change counts only when it exceeds the sum of the two errors. */
    public static Verdict verdict(Result oldRun, Result newRun) {
        double to = oldRun.secondsPerOp(), tn = newRun.secondsPerOp();
        double eo = oldRun.errorSeconds(), en = newRun.errorSeconds();
        if (Double.isNaN(eo) || Double.isNaN(en)) {
            return Verdict.UNKNOWN;
        }
        if (Math.abs(tn - to) > en + eo) {
            return tn < to ? Verdict.FASTER : Verdict.SLOWER;
        }
        return Verdict.SAME;
    }

    /** {@code Class.method [mode] k=v k=v}; mode is left out for {@code avgt}, the suite's usual one. */
    static String key(Result r) {
        StringBuilder sb = new StringBuilder(r.benchClass()).append('.').append(r.method());
        if (!r.mode().equals("avgt")) sb.append(" [").append(r.mode()).append(']');
        new java.util.TreeMap<>(r.params()).forEach((k, v) -> sb.append(" ").append(k).append("=").append(v));
        return sb.toString();
    }

    private static Map<String, Result> index(List<Result> rs) {
        List<Result> sorted = new ArrayList<>(rs);
        sorted.sort(Comparator.comparing(Comparison::key));
        Map<String, Result> m = new LinkedHashMap<>();
        for (Result r : sorted) {
            m.put(key(r), r);
        }
        return m;
    }

    /** The benchmarks found in both runs, sorted by key. */
    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Keys of the benchmarks only in the old run. */
    public List<String> onlyOld() {
        return List.copyOf(onlyOld);
    }

    /** Keys of the benchmarks only in the new run. */
    public List<String> onlyNew() {
        return List.copyOf(onlyNew);
    }

    /** The comparison as Markdown (the subset {@link Html} renders). */
    public String markdown(String oldName, String newName) {
        StringBuilder md = new StringBuilder("# pgkernels benchmark comparison\n\n");
        md.append("Old: `").append(oldName).append("`. New: `").append(newName).append("`.\n\n");
        md.append("*old/new* is the old time divided by the new one: above 1 the new run is faster. A change is ")
                .append("marked **faster** or **slower** only when it exceeds both runs' errors added ")
                .append("(|t_new − t_old| > err_new + err_old, JMH's 99.9% intervals); otherwise *same*. ")
                .append("Where a run has no error (fewer than three iterations) the verdict is *unknown*.\n\n");
        long faster = rows.stream().filter(r -> r.verdict() == Verdict.FASTER).count();
        long slower = rows.stream().filter(r -> r.verdict() == Verdict.SLOWER).count();
        md.append("In both runs: ").append(rows.size()).append(" benchmarks; ").append(faster).append(" faster, ")
                .append(slower).append(" slower.\n\n");
        if (!rows.isEmpty()) {
            md.append("| benchmark | old time/op | ± | new time/op | ± | old/new | verdict |\n");
            md.append("|---|---:|---:|---:|---:|---:|---|\n");
            for (Row r : rows) {
                String v = r.verdict() == Verdict.FASTER || r.verdict() == Verdict.SLOWER
                        ? "**" + r.verdict().label() + "**" : r.verdict().label();
                md.append("| ").append(r.key()).append(" | ").append(Units.time(r.oldRun().secondsPerOp()))
                        .append(" | ").append(Units.time(r.oldRun().errorSeconds())).append(" | ")
                        .append(Units.time(r.newRun().secondsPerOp())).append(" | ")
                        .append(Units.time(r.newRun().errorSeconds())).append(" | ")
                        .append(String.format("%.3f", r.ratio())).append(" | ").append(v).append(" |\n");
            }
            md.append('\n');
        }
        onlyList(md, "Only in the old run", onlyOld);
        onlyList(md, "Only in the new run", onlyNew);
        return md.toString();
    }

    private static void onlyList(StringBuilder md, String title, List<String> keys) {
        md.append("## ").append(title).append("\n\n");
        if (keys.isEmpty()) {
            md.append("None.\n\n");
            return;
        }
        keys.forEach(k -> md.append("- ").append(k).append('\n'));
        md.append('\n');
    }

    /** Writes {@code comparison.md} and {@code comparison.html} into {@code outDir}; returns the Markdown's path. */
    public Path write(Path outDir, String oldName, String newName) throws IOException {
        Files.createDirectories(outDir);
        String text = markdown(oldName, newName);
        Path md = outDir.resolve("comparison.md");
        Files.writeString(md, text, StandardCharsets.UTF_8);
        Files.writeString(outDir.resolve("comparison.html"), Html.page("pgkernels benchmark comparison", text, Map.of()),
                StandardCharsets.UTF_8);
        return md;
    }
}
