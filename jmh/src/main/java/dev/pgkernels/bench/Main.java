package dev.pgkernels.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonParser;
import dev.pgkernels.reports.Report;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Entry point of {@code benchmarks.jar}. Takes JMH's own command line unchanged
 * ({@code java -jar benchmarks.jar -h}) and, after a run, leaves a readable report:
 * <ol>
 *   <li>JMH's JSON results ({@code results.json}; {@code -rff FILE} chooses the file),</li>
 *   <li>{@code work.json}: bytes and flops per operation that each benchmark declares,</li>
 *   <li>{@code machine.json}: CPU, cores, JDK, vector width, which backends load and why not,</li>
 *   <li>{@code report.md}: per family, implementation × shape → time, speed-up, GB/s, GFLOP/s and
 *       the fraction of the limits measured in the same run by {@link TriadBench} and
 *       {@link FmaBench}; with its charts under {@code charts/} (speed-ups per family, roofline)
 *       and the same report as one self-contained {@code report.html}.</li>
 * </ol>
 * Without {@code -rff} these go to {@code jmh-results/<date-time>/}. Benchmark name patterns also
 * match case-insensitively. Listing and help options ({@code -l}, {@code -lp}, {@code -h} …) are
 * passed straight to JMH.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams() || cmd.shouldListProfilers()
                || cmd.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        ResultFormatType format = cmd.getResultFormat().orElse(ResultFormatType.JSON);
        Path results;
        if (cmd.getResult().hasValue()) {
            results = Path.of(cmd.getResult().get()).toAbsolutePath();
        } else {
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            results = Path.of("jmh-results", stamp, "results." + format.toString().toLowerCase()).toAbsolutePath();
        }
        Path dir = results.getParent();
        Files.createDirectories(dir);
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cmd).resultFormat(format).result(results.toString());
        // Names match case-insensitively as well (`Gae` finds ScanBench.gae): each pattern is added
        // again with (?i); JMH runs the union of the includes.
        for (String include : cmd.getIncludes()) {
            builder.include("(?i)" + include);
        }
        Options opts = builder.build();

        Path machine = dir.resolve("machine.json");
        Files.writeString(machine, probeMachine(cmd), StandardCharsets.UTF_8);

        Collection<RunResult> run = new Runner(opts).run();

        Path work = dir.resolve("work.json");
        if (format == ResultFormatType.JSON && !run.isEmpty()) {
            Files.deleteIfExists(work);
            if (inChild(cmd, WorkDeclarations.class, results.toString(), work.toString()).isEmpty()
                    || !Files.exists(work)) {
                // In-process fallback: declarations of classes that need the Vector API come out as errors.
                Files.writeString(work, WorkDeclarations.declare(results), StandardCharsets.UTF_8);
            }
        }
        PrintStream out = System.out;
        out.println();
        out.println("Results: " + results);
        out.println("Declared work: " + work);
        out.println("Machine: " + machine);
        if (format != ResultFormatType.JSON) {
            out.println("No report: the report reads JMH's JSON; run with -rf json (the default) to get one.");
            return;
        }
        if (run.isEmpty()) {
            out.println("No report: no benchmark ran.");
            return;
        }
        Report.Written report = Report.writeAll(results, work, machine, dir);
        out.println("Report: " + report.markdown());
        out.println("HTML:   " + report.html() + " (self-contained)");
        out.println("Charts: " + (report.charts().isEmpty() ? "none (no speed-up or roofline data)"
                : report.markdown().resolveSibling(Report.CHART_DIR)));
    }

    /** Runs {@link MachineProbe} in a child JVM with the forks' flags; falls back to this JVM's view. */
    static String probeMachine(CommandLineOptions cmd) {
        return inChild(cmd, MachineProbe.class)
                .orElseGet(() -> new GsonBuilder().setPrettyPrinting().create().toJson(MachineProbe.describe()));
    }

    /**
     * Runs {@code main} in a child JVM with the flags the benchmark forks get (the Vector API
     * module, then {@code -jvmArgs}/{@code -jvmArgsAppend}); its standard output, or empty if it
     * failed.
     */
    static Optional<String> inChild(CommandLineOptions cmd, Class<?> main, String... args) {
        try {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command = new ArrayList<>(List.of(java, BenchConfig.VECTOR_MODULE));
            if (cmd.getJvmArgs().hasValue()) command.addAll(cmd.getJvmArgs().get());
            if (cmd.getJvmArgsAppend().hasValue()) command.addAll(cmd.getJvmArgsAppend().get());
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                if (!text.isBlank()) {
                    JsonParser.parseString(text);
                }
                return Optional.of(text);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("pgkernels: " + main.getSimpleName() + " failed in a child JVM (" + e
                    + "); using this JVM's view");
        }
        return Optional.empty();
    }

}
