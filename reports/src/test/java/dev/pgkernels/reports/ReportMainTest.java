package dev.pgkernels.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reports.jar}: render, compare, and the errors a person gets for bad input. */
class ReportMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ReportMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The real run copied into {@code dir} as the benchmark jar leaves it. */
    private static Path realRun(Path dir) throws Exception {
        for (String f : new String[] {"results.json", "work.json", "machine.json"}) {
            Files.copy(ReportTest.fixture("real/" + f), dir.resolve(f));
        }
        return dir.resolve("results.json");
    }

    @Test
    void rendersBesideTheResultsByDefault(@TempDir Path dir) throws Exception {
        Path results = realRun(dir);
        assertEquals(0, run(results.toString()), err());
        for (String f : new String[] {"report.md", "report.html", "charts/roofline.svg", "charts/speedup-ScanBench.svg"}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        assertTrue(out().contains("Report: " + dir.resolve("report.md")), out());
        assertTrue(out().contains("HTML:   " + dir.resolve("report.html")), out());
        // work.json beside the results was used: the GB/s column is filled.
        assertTrue(Files.readString(dir.resolve("report.md")).contains("| 2.53 | 5% (512 KiB) |"));
    }

    @Test
    void rendersIntoOut(@TempDir Path dir) throws Exception {
        Path results = realRun(dir);
        Path elsewhere = dir.resolve("a/b");
        assertEquals(0, run(results.toString(), "--out", elsewhere.toString()), err());
        assertTrue(Files.exists(elsewhere.resolve("report.html")));
        assertTrue(Files.exists(elsewhere.resolve("charts/roofline.svg")));
        assertTrue(Files.notExists(dir.resolve("report.md")));
    }

    @Test
    void compares(@TempDir Path dir) throws Exception {
        Path results = realRun(dir);
        Path old = ReportTest.fixture("real-old/results.json");
        assertEquals(0, run(results.toString(), "--compare", old.toString(), "--out", dir.resolve("cmp").toString()), err());
        String md = Files.readString(dir.resolve("cmp/comparison.md"));
        assertTrue(md.contains("In both runs: 8 benchmarks; 0 faster, 0 slower."), md);
        assertTrue(Files.exists(dir.resolve("cmp/comparison.html")));
        assertTrue(out().contains("| ScanBench.gae impl=reference shape=2048x64 |"), out());
    }

    @Test
    void missingResultsFile(@TempDir Path dir) {
        Path nope = dir.resolve("nope.json");
        assertEquals(1, run(nope.toString()));
        assertTrue(err().contains(nope.toString()) && err().contains("results file not found"), err());
        assertTrue(Files.notExists(dir.resolve("report.md")));
    }

    @Test
    void missingOldFileOfAComparison(@TempDir Path dir) throws Exception {
        Path results = realRun(dir);
        assertEquals(1, run(results.toString(), "--compare", dir.resolve("old.json").toString()));
        assertTrue(err().contains("old.json") && err().contains("not found"), err());
    }

    @Test
    void malformedResultsFiles(@TempDir Path dir) throws Exception {
        // Truncated JSON.
        assertEquals(1, run(ReportTest.fixture("malformed.json").toString()));
        assertTrue(err().contains("malformed.json is not valid JSON"), err());
        // Valid JSON, not JMH's shape.
        Path obj = dir.resolve("obj.json");
        Files.writeString(obj, "{\"benchmark\": \"x\"}");
        err.reset();
        assertEquals(1, run(obj.toString()));
        assertTrue(err().contains("not JMH JSON output: expected a top-level array"), err());
        // An entry without a score.
        Path noScore = dir.resolve("noscore.json");
        Files.writeString(noScore, "[{\"benchmark\": \"a.B.c\", \"mode\": \"avgt\", \"params\": {}}]");
        err.reset();
        assertEquals(1, run(noScore.toString()));
        assertTrue(err().contains("noscore.json: entry 0 is not a JMH result"), err());
        // A malformed old run in a comparison.
        Path results = realRun(dir);
        err.reset();
        assertEquals(1, run(results.toString(), "--compare", ReportTest.fixture("malformed.json").toString()));
        assertTrue(err().contains("malformed.json is not valid JSON"), err());
    }

    @Test
    void usageErrors() {
        assertEquals(2, run());
        assertTrue(err().contains("usage:"));
        assertEquals(2, run("r.json", "--bogus"));
        assertTrue(err().contains("unknown argument: --bogus"), err());
        assertEquals(2, run("r.json", "--out"));
        assertTrue(err().contains("--out needs a value"), err());
        assertEquals(0, run("--help"));
    }
}
