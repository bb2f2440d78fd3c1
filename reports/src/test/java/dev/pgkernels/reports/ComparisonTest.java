package dev.pgkernels.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.reports.Comparison.Row;
import dev.pgkernels.reports.Comparison.Verdict;
import dev.pgkernels.reports.Results.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run-to-run comparison. The real pair: {@code fixtures/real-old/results.json} is a second real
 * run of the suite (TriadBench 512KiB and ScanBench at shapes 2048x64 and 2048x8, {@code -wi 3 -i 5
 * -w 300ms -r 300ms}), {@code fixtures/real/results.json} the run of {@link RealRunTest}
 * (TriadBench, FmaBench, ScanBench 2048x64). Both come from the same noisy shared machine, so
 * every error is wide and every common benchmark comes out "same" — which is the point of the
 * rule. Faster and slower are checked on results whose numbers are chosen here.
 */
class ComparisonTest {
    private static Comparison realPair() throws Exception {
        return Comparison.of(ReportTest.fixture("real-old/results.json"), ReportTest.fixture("real/results.json"));
    }

    private static Row row(Comparison c, String key) {
        return c.rows().stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow();
    }

    /** A result of {@code ScanBench.gae impl=simd shape=2048x64} with the given time and error in µs/op. */
    private static Result gae(double us, double errUs) {
        return gae("simd", us, errUs);
    }

    private static Result gae(String impl, double us, double errUs) {
        return new Result("dev.pgkernels.bench.ScanBench.gae", "avgt", Map.of("impl", impl, "shape", "2048x64"),
                us * 1e-6, errUs * 1e-6, us, "us/op");
    }

    @Test
    void realRunsMatchedByBenchmarkAndParams() throws Exception {
        Comparison c = realPair();
        // In both: 3 scan methods x 2 impls at 2048x64, and triad simd, java at 512KiB.
        assertEquals(8, c.rows().size());
        // Only in the old run: the 6 scans at 2048x8; only in the new one: the 6 FMA results.
        assertEquals(6, c.onlyOld().size());
        assertTrue(c.onlyOld().stream().allMatch(k -> k.startsWith("ScanBench.") && k.endsWith("shape=2048x8")), c.onlyOld().toString());
        assertEquals(6, c.onlyNew().size());
        assertTrue(c.onlyNew().stream().allMatch(k -> k.startsWith("FmaBench.fma ")), c.onlyNew().toString());
        assertTrue(c.onlyNew().contains("FmaBench.fma bits=512 impl=simd precision=float"));

        // gae reference: old 1334.6503882333138 ± 990.6585919207737 us, new 1137.517448965373 ± 5713.575754850541 us.
        // ratio old/new = 1.173301024478563; |diff| = 197.13 us <= 990.66 + 5713.58 = 6704.23 us -> same.
        Row gaeRef = row(c, "ScanBench.gae impl=reference shape=2048x64");
        assertEquals(1.173301024478563, gaeRef.ratio(), 1e-12);
        assertEquals(Verdict.SAME, gaeRef.verdict());
        // vtrace reference: old 4172.178499704941 ± 2517.749962062415, new 1995.9343494883651 ± 2056.670187228284:
        // ratio 2.090338542835555 (twice as fast by the means), but |diff| = 2176.24 <= 4574.42 -> same.
        Row vtRef = row(c, "ScanBench.vtrace impl=reference shape=2048x64");
        assertEquals(2.090338542835555, vtRef.ratio(), 1e-12);
        assertEquals(Verdict.SAME, vtRef.verdict());
        // triad java: old 13.83453406004018 ± 21.867402915048626, new 27.526015176298873 ± 537.6877409677963:
        // ratio 0.5025985044123761; |diff| 13.69 <= 559.56 -> same.
        Row triad = row(c, "TriadBench.triad footprint=512KiB impl=java");
        assertEquals(0.5025985044123761, triad.ratio(), 1e-12);
        assertEquals(Verdict.SAME, triad.verdict());
        assertTrue(c.rows().stream().allMatch(r -> r.verdict() == Verdict.SAME));
    }

    @Test
    void aChangeCountsOnlyWhenItExceedsBothErrors() {
        // |100 - 150| = 50 > 10 + 20 = 30 and new < old -> faster, ratio 150/100 = 1.5
        assertEquals(Verdict.FASTER, Comparison.verdict(gae(150, 20), gae(100, 10)));
        // |150 - 100| = 50 > 30, new > old -> slower
        assertEquals(Verdict.SLOWER, Comparison.verdict(gae(100, 10), gae(150, 20)));
        // |100 - 125| = 25 <= 30: the intervals overlap -> same, though new is 20% faster by the means
        assertEquals(Verdict.SAME, Comparison.verdict(gae(125, 20), gae(100, 10)));
        // |100 - 130| = 30 is not > 30 -> same (the rule is strict); 31 is -> faster
        assertEquals(Verdict.SAME, Comparison.verdict(gae(130, 20), gae(100, 10)));
        assertEquals(Verdict.FASTER, Comparison.verdict(gae(131, 20), gae(100, 10)));
        // One error alone is not enough: |100 - 125| = 25 > 10 (new's error) but not > 10 + 20.
        assertEquals(Verdict.SAME, Comparison.verdict(gae(125, 20), gae(100, 10)));
        // No error (fewer than three iterations): the rule cannot be applied.
        assertEquals(Verdict.UNKNOWN, Comparison.verdict(gae(150, Double.NaN), gae(100, 10)));
        assertEquals(Verdict.UNKNOWN, Comparison.verdict(gae(150, 20), gae(100, Double.NaN)));
    }

    @Test
    void fasterAndSlowerOnTheRealNumbersWhenErrorsAreSmall() throws Exception {
        // The real gae reference time (1137.517448965373 us) against an old run 1.5x and 0.5x of it with
        // errors of 1% each: |1137.52 - 1706.28| = 568.76 > 11.38 + 17.06 -> faster; and the mirror -> slower.
        Result now = RealRunTest.find("ScanBench", "gae", "reference", null, null);
        double t = now.secondsPerOp() * 1e6;
        Result tight = gae(t, t * 0.01);
        assertEquals(Verdict.FASTER, Comparison.of(List.of(gae(1.5 * t, 0.015 * t)), List.of(tight)).rows().get(0).verdict());
        assertEquals(Verdict.SLOWER, Comparison.of(List.of(gae(0.5 * t, 0.005 * t)), List.of(tight)).rows().get(0).verdict());
        assertEquals(1.5, Comparison.of(List.of(gae(1.5 * t, 0.015 * t)), List.of(tight)).rows().get(0).ratio(), 1e-12);
    }

    @Test
    void theSameRunAgainstItselfIsAllSameWithRatioOne() throws Exception {
        Comparison c = Comparison.of(ReportTest.fixture("real/results.json"), ReportTest.fixture("real/results.json"));
        assertEquals(14, c.rows().size());
        assertTrue(c.rows().stream().allMatch(r -> r.verdict() == Verdict.SAME && r.ratio() == 1.0));
        assertTrue(c.onlyOld().isEmpty() && c.onlyNew().isEmpty());
    }

    @Test
    void writesMarkdownAndHtml(@TempDir Path dir) throws Exception {
        Comparison c = Comparison.of(List.of(gae(150, 20), gae("reference", 100, 1)),
                List.of(gae(100, 10)));
        Path md = c.write(dir, "old.json", "new.json");
        String text = Files.readString(md);
        // old 150 us ± 20, new 100 us ± 10, ratio 1.500, faster
        assertTrue(text.contains("| ScanBench.gae impl=simd shape=2048x64 | 150 µs | 20.0 µs | 100 µs | 10.0 µs | 1.500 | **faster** |"), text);
        assertTrue(text.contains("## Only in the old run\n\n- ScanBench.gae impl=reference shape=2048x64\n"), text);
        assertTrue(text.contains("## Only in the new run\n\nNone."), text);
        String html = Files.readString(dir.resolve("comparison.html"));
        assertTrue(html.contains("<strong class=\"faster\">faster</strong>"), html);
        assertTrue(html.contains("<li>ScanBench.gae impl=reference shape=2048x64</li>"), html);
    }
}
