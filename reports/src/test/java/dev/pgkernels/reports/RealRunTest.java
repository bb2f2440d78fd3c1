package dev.pgkernels.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.reports.Results.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parsing and every derived figure on a real run of the suite, kept in {@code fixtures/real/}:
 * <pre>
 * java -jar jmh/target/benchmarks.jar 'TriadBench|FmaBench|ScanBench' -p footprint=512KiB \
 *     -p shape=2048x64 -f 1 -wi 2 -i 3 -w 200ms -r 200ms -rff results.json
 * </pre>
 * (with {@code work.json} and {@code machine.json} that run wrote beside it). It ran on a shared,
 * heavily loaded 2-core machine, so the figures are noisy (errors larger than the scores, FMA
 * peaks that disagree between widths), and with 200 ms warm-ups the Vector API code ({@code impl=simd},
 * the FMA and triad {@code simd} loops) is timed before C2 compiled it, so it comes out far slower
 * than it is (a 1 s warm-up gives simd gae about 100 µs here); that does not matter here: the expected values below are
 * computed by hand from the numbers in the fixture files, and the arithmetic is written beside
 * each.
 */
class RealRunTest {
    static Report real() throws Exception {
        return new Report(Results.read(ReportTest.fixture("real/results.json")),
                Results.readWork(ReportTest.fixture("real/work.json")),
                Results.readMachine(ReportTest.fixture("real/machine.json")));
    }

    static Result find(String bench, String method, String impl, String key, String value) throws Exception {
        return Results.read(ReportTest.fixture("real/results.json")).stream()
                .filter(r -> r.benchClass().equals(bench) && r.method().equals(method) && r.impl().equals(impl)
                        && (key == null || value.equals(r.params().get(key))))
                .findFirst().orElseThrow();
    }

    @Test
    void parsesEveryResultOfTheRun() throws Exception {
        List<Result> rs = Results.read(ReportTest.fixture("real/results.json"));
        // 6 FMA (2 precisions x 3 widths) + 2 triad (simd, java) + 3 scan methods x 2 impls.
        assertEquals(14, rs.size());
        assertEquals(6, rs.stream().filter(r -> r.benchClass().equals("FmaBench")).count());
        assertEquals(2, rs.stream().filter(r -> r.benchClass().equals("TriadBench")).count());
        assertEquals(6, rs.stream().filter(r -> r.benchClass().equals("ScanBench")).count());
        Result gae = find("ScanBench", "gae", "simd", null, null);
        assertEquals("dev.pgkernels.bench.ScanBench.gae", gae.benchmark());
        assertEquals("avgt", gae.mode());
        assertEquals(Map.of("impl", "simd", "shape", "2048x64"), gae.params());
        assertEquals("us/op", gae.unit());
        // score 18683.316426561207 us/op -> 0.018683316426561207 s; error 587253.0151130197 us -> 0.587253... s
        assertEquals(18683.316426561207e-6, gae.secondsPerOp(), 1e-15);
        assertEquals(587253.0151130197e-6, gae.errorSeconds(), 1e-15);
        // Every result has its declared work: 14 entries in work.json, none an error.
        Map<String, Results.Work> work = Results.readWork(ReportTest.fixture("real/work.json"));
        assertEquals(14, work.size());
        for (Result r : rs) {
            assertTrue(Results.workOf(work, r).isPresent(), r.benchmark() + r.params());
        }
        // gae declares 2883584 bytes and 786432 flops (work.json).
        assertEquals(new Results.Work(2883584.0, 786432.0), Results.workOf(work, gae).orElseThrow());
    }

    @Test
    void calibrationLimitsAreTheBestOfTheRun() throws Exception {
        Report r = real();
        // triad simd 524280 B / 9.890106090617953e-6 s = 53.01055369844288 GB/s;
        // triad java 524280 B / 27.526015176298873e-6 s = 19.046708963941445 GB/s; the best is simd's.
        assertEquals(java.util.Set.of(524288L), r.bandwidthByFootprint().keySet());
        assertEquals(53.01055369844288, r.bandwidthByFootprint().get(524288L), 1e-9);
        // float: 128 bit 393216 flop / 39.24588444253219 us = 10.019292610815965 GFLOP/s,
        //        256 bit 786432 / 14820.837974763172 us = 0.0531, 512 bit 1572864 / 21817.849078571428 us = 0.0721
        //        -> peak 10.019292610815965 (the 128-bit figure: the loaded machine, not the CPU, decided).
        // double: 128 bit 196608 / 14.33751499626207 us = 13.7128, 256 bit 393216 / 23.62896818470766 us
        //        = 16.641268333269156, 512 bit 786432 / 5354.490114896683 us = 0.1469 -> peak 16.641268333269156.
        assertEquals(10.019292610815965, r.peakByPrecision().get("float"), 1e-9);
        assertEquals(16.641268333269156, r.peakByPrecision().get("double"), 1e-9);
    }

    @Test
    void speedupsBandwidthFlopsAndFractions() throws Exception {
        Report r = real();
        Result ref = find("ScanBench", "gae", "reference", null, null);
        Result simd = find("ScanBench", "gae", "simd", null, null);
        // speed-up of simd over reference: 1137.517448965373 us / 18683.316426561207 us = 0.06088412908043547
        assertEquals(0.06088412908043547, r.speedupOver(simd, "reference").orElseThrow(), 1e-12);
        assertEquals(1.0, r.speedupOver(ref, "reference").orElseThrow(), 0);
        // no jblas ran: no speed-up over it
        assertTrue(r.speedupOver(simd, "jblas").isEmpty());
        // vtrace: 1995.9343494883651 us / 233309.95241666667 us = 0.008554861585689407
        assertEquals(0.008554861585689407,
                r.speedupOver(find("ScanBench", "vtrace", "simd", null, null), "reference").orElseThrow(), 1e-12);
        // GB/s: 2883584 B / 1137.517448965373e-6 s / 1e9 = 2.5349800151397757
        assertEquals(2.5349800151397757, r.gbPerSecond(ref).orElseThrow(), 1e-9);
        // GFLOP/s: 786432 flop / 1137.517448965373e-6 s / 1e9 = 0.6913581859472115
        assertEquals(0.6913581859472115, r.gflopPerSecond(ref).orElseThrow(), 1e-9);
        // simd: 2883584 / 18683.316426561207e-6 / 1e9 = 0.15434005045809437 GB/s, 786432 / ... = 0.042092741034025744
        assertEquals(0.15434005045809437, r.gbPerSecond(simd).orElseThrow(), 1e-12);
        assertEquals(0.042092741034025744, r.gflopPerSecond(simd).orElseThrow(), 1e-12);
        // The only triad footprint (512 KiB) is the nearest to 2883584 B.
        assertEquals(524288L, r.bandwidthLimitFor(2883584).orElseThrow().getKey());
        // % BW = 2.5349800151397757 / 53.01055369844288 = 0.04782 -> "5%";
        // % peak (float, the default precision) = 0.6913581859472115 / 10.019292610815965 = 0.06900 -> "7%".
        String md = r.markdown("results.json");
        assertTrue(md.contains("| gae | shape=2048x64 | reference | 1.14 ms | 5.71 ms | 1.00× | 2.53 | 5% (512 KiB) | 0.69 | 7% |"), md);
        // simd: 18.7 ms ± 587 ms (error 587253.0151130197 us), 0.0609× -> "0.06×", 0.154 GB/s -> "0.15",
        // 0.154/53.01 = 0.29% -> "0%", 0.0421 GFLOP/s -> "0.04", 0.0421/10.02 = 0.42% -> "0%".
        assertTrue(md.contains("| gae | shape=2048x64 | simd | 18.7 ms | 587 ms | 0.06× | 0.15 | 0% (512 KiB) | 0.04 | 0% |"), md);
        assertTrue(md.contains("| 512 KiB | 53.0 |"), md);
        assertTrue(md.contains("| double | 16.6 |") && md.contains("| float | 10.0 |"), md);
        // The machine section comes from machine.json.
        assertTrue(md.contains("| preferred vector | 512 bits (16 fp32 lanes) |"), md);
        assertTrue(md.contains("| backend `jblas` | unavailable: "), md);
        // Keys the report does not know are shown as they come: memoryGiB 5.88671875 -> "5.89".
        assertTrue(md.contains("| memoryGiB | 5.89 |"), md);
    }

    @Test
    void writesMarkdownChartsAndOneSelfContainedHtml(@TempDir Path dir) throws Exception {
        Report.Written w = real().writeTo(dir, "results.json");
        assertEquals(dir.resolve("report.md"), w.markdown());
        assertEquals(List.of(dir.resolve("charts/speedup-ScanBench.svg"), dir.resolve("charts/roofline.svg")), w.charts());
        String md = Files.readString(w.markdown());
        // The charts are linked by relative paths and exist beside the Markdown.
        assertTrue(md.contains("![roofline](charts/roofline.svg)"), md);
        assertTrue(md.contains("![ScanBench speed-ups](charts/speedup-ScanBench.svg)"), md);
        for (Path c : w.charts()) {
            String svg = Files.readString(c);
            assertTrue(svg.startsWith("<svg") && svg.contains("xmlns='http://www.w3.org/2000/svg'") && svg.endsWith("</svg>"), c.toString());
        }
        assertTrue(Files.readString(dir.resolve("charts/roofline.svg")).contains("ScanBench.vtrace [simd]"));
        String html = Files.readString(w.html());
        // Same tables: one <table> per Markdown table (machine, triad, FMA, ScanBench = 4), each row kept.
        assertEquals(count(md, Pattern.compile("(?m)^\\|---")), count(html, Pattern.compile("<table>")));
        assertEquals(4, count(html, Pattern.compile("<table>")));
        assertTrue(html.contains("<td>gae</td><td>shape=2048x64</td><td>simd</td><td class=\"r\">18.7 ms</td>"), html);
        // Self-contained: both charts inline, CSS inline, nothing fetched.
        assertEquals(2, count(html, Pattern.compile("<svg ")));
        assertTrue(html.contains("<style>"));
        assertFalse(html.contains("<img") || html.contains("<link") || html.contains("<script") || html.contains("src="));
        // Inline code in a cell.
        assertTrue(html.contains("<td>backend <code>opencl</code></td><td>unavailable: "), html);
    }

    @Test
    void reRenderingRemovesChartsOfAnEarlierRenderOnly(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("charts"));
        Files.writeString(dir.resolve("charts/speedup-GoneBench.svg"), "<svg/>");
        Files.writeString(dir.resolve("charts/notes.txt"), "mine");
        real().writeTo(dir, "results.json");
        assertFalse(Files.exists(dir.resolve("charts/speedup-GoneBench.svg")));
        assertTrue(Files.exists(dir.resolve("charts/notes.txt")));
        assertTrue(Files.exists(dir.resolve("charts/speedup-ScanBench.svg")));
    }

    @Test
    void machineKeysAddedLaterAreShown() throws Exception {
        com.google.gson.JsonObject m = Results.readMachine(ReportTest.fixture("real/machine.json")).orElseThrow();
        m.add("openclDevices", com.google.gson.JsonParser.parseString("[\"pthread-cpu (Portable Computing Language) | CPU\", \"GPU x\"]"));
        Report r = new Report(Results.read(ReportTest.fixture("real/results.json")), Map.of(), java.util.Optional.of(m));
        String md = r.markdown("results.json");
        assertTrue(md.contains("| openclDevices | pthread-cpu (Portable Computing Language) \\| CPU; GPU x |"), md);
        assertTrue(Html.page("t", md, Map.of()).contains("<td>openclDevices</td><td>pthread-cpu (Portable Computing Language) | CPU; GPU x</td>"));
    }

    static int count(String s, Pattern p) {
        Matcher m = p.matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
