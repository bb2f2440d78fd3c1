package dev.pgkernels.reports;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code java -jar reports/target/reports.jar results.json [--compare old.json] [--out DIR]}.
 * <ul>
 *   <li>Without {@code --compare}: renders the report of an existing run ({@code report.md},
 *       {@code report.html}, {@code charts/*.svg}); {@code work.json} and {@code machine.json}
 *       are read from beside the results.</li>
 *   <li>With {@code --compare old.json}: writes {@code comparison.md} and {@code comparison.html}
 *       (ratios old/new and faster/slower/same per benchmark, see {@link Comparison}) and prints
 *       the Markdown.</li>
 * </ul>
 * {@code DIR} defaults to the folder of {@code results.json}. Exit codes: 0 done, 1 a results
 * file is missing or not JMH JSON (the message says which and why), 2 a usage error.
 */
public final class ReportMain {
    private ReportMain() {}

    static final String USAGE = "usage: java -jar reports.jar results.json [--compare old.json] [--out DIR]";

    /** Runs {@link #run} on the process's streams and exits with its code when that is not 0. */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The command; returns the exit code instead of exiting, so tests can call it. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            (args.length == 0 ? err : out).println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Path results = null, old = null, outDir = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--out") || a.equals("--compare")) && i + 1 >= args.length) {
                err.println(a + " needs a value\n" + USAGE);
                return 2;
            } else if (a.equals("--out")) {
                outDir = Path.of(args[++i]).toAbsolutePath();
            } else if (a.equals("--compare")) {
                old = Path.of(args[++i]).toAbsolutePath();
            } else if (a.startsWith("-") || results != null) {
                err.println("unknown argument: " + a + "\n" + USAGE);
                return 2;
            } else {
                results = Path.of(a).toAbsolutePath();
            }
        }
        if (results == null) {
            err.println("no results file given\n" + USAGE);
            return 2;
        }
        if (outDir == null) {
            outDir = results.getParent();
        }
        try {
            for (Path p : old == null ? new Path[] {results} : new Path[] {results, old}) {
                if (!Files.isRegularFile(p)) {
                    throw new NoSuchFileException(p.toString(), null, "results file not found");
                }
            }
            if (old != null) {
                Comparison c = Comparison.of(old, results);
                Path md = c.write(outDir, old.getFileName().toString(), results.getFileName().toString());
                out.print(c.markdown(old.toString(), results.toString()));
                out.println("Comparison: " + md + " and " + md.resolveSibling("comparison.html"));
            } else {
                Path dir = results.getParent();
                Report.Written w = Report.writeAll(results, dir.resolve("work.json"), dir.resolve("machine.json"), outDir);
                out.println("Report: " + w.markdown());
                out.println("HTML:   " + w.html());
                out.println("Charts: " + (w.charts().isEmpty() ? "none" : w.markdown().resolveSibling(Report.CHART_DIR)));
            }
            return 0;
        } catch (NoSuchFileException e) {
            err.println("error: " + e.getFile() + ": " + (e.getReason() == null ? "file not found" : e.getReason()));
            return 1;
        } catch (IllegalArgumentException | IOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }
}
