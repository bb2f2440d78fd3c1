package dev.pgkernels.reports;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code java -jar reports/target/reports.jar results.json [--out DIR]}: renders the report of an
 * existing run. {@code work.json} and {@code machine.json} are read from beside the results.
 */
public final class ReportMain {
    private ReportMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.out.println("usage: java -jar reports.jar results.json [--out DIR]");
            System.exit(args.length == 0 ? 2 : 0);
        }
        Path results = Path.of(args[0]).toAbsolutePath();
        Path out = results.getParent();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                out = Path.of(args[++i]);
            } else {
                System.err.println("unknown argument: " + args[i]);
                System.exit(2);
            }
        }
        if (!Files.exists(results)) {
            System.err.println("results file not found: " + results);
            System.exit(1);
        }
        Path dir = results.getParent();
        Path report = Report.write(results, dir.resolve("work.json"), dir.resolve("machine.json"), out);
        System.out.println("Report: " + report);
    }
}
