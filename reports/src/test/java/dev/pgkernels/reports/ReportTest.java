package dev.pgkernels.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.reports.Results.Result;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every derived figure checked against values computed by hand from the fixture. */
class ReportTest {
    static Path fixture(String name) throws URISyntaxException {
        return Path.of(ReportTest.class.getResource("/fixtures/" + name).toURI());
    }

    private Report report() throws Exception {
        return new Report(Results.read(fixture("results.json")), Results.readWork(fixture("work.json")), Optional.empty());
    }

    private Result find(List<Result> rs, String bench, String impl) {
        return rs.stream().filter(r -> r.benchClass().equals(bench) && r.impl().equals(impl)).findFirst().orElseThrow();
    }

    @Test
    void unitsConvertToSecondsPerOperation() throws Exception {
        List<Result> rs = Results.read(fixture("results.json"));
        assertEquals(5, rs.size());
        assertEquals(2.0e-3, find(rs, "ScanBench", "reference").secondsPerOp(), 1e-15);   // 2 ms/op
        assertEquals(5.0e-4, find(rs, "ScanBench", "simd").secondsPerOp(), 1e-15);        // 1 / 2000 ops/s
        assertEquals(2.5e-5, find(rs, "ScanBench", "simd").errorSeconds(), 1e-15);        // 5e-4 * 100/2000
        assertEquals("shape=2048x64", find(rs, "ScanBench", "simd").shape());
    }

    @Test
    void derivedFiguresMatchHandComputation() throws Exception {
        Report r = report();
        List<Result> rs = Results.read(fixture("results.json"));
        // triad simd: 8388600 B / 100 us = 83.886 GB/s; java: / 125 us = 67.1 GB/s; best = 83.886
        assertEquals(83.886, r.bandwidthByFootprint().get(8L << 20), 1e-9);
        // fma: 1572864 flop / 10 us = 157.2864 GFLOP/s
        assertEquals(157.2864, r.peakByPrecision().get("float"), 1e-9);
        Result simd = find(rs, "ScanBench", "simd");
        // speed-up: 2 ms / 0.5 ms = 4
        assertEquals(4.0, r.speedupOver(simd, "reference").orElseThrow(), 1e-12);
        // 4194304 B / 0.5 ms = 8.388608 GB/s; 1048576 flop / 0.5 ms = 2.097152 GFLOP/s
        assertEquals(8.388608, r.gbPerSecond(simd).orElseThrow(), 1e-12);
        assertEquals(2.097152, r.gflopPerSecond(simd).orElseThrow(), 1e-12);
        // the only triad footprint is the nearest: 8.388608 / 83.886 = 10.0%
        assertEquals(8L << 20, r.bandwidthLimitFor(4194304).orElseThrow().getKey());
        String md = r.markdown("results.json");
        assertTrue(md.contains("| gae | shape=2048x64 | simd | 500 µs | 25.0 µs | 4.00× | 8.39 | 10% (8 MiB) | 2.10 | 1% |"), md);
        assertTrue(md.contains("| 8 MiB | 83.9 |"), md);
    }

    @Test
    void writesTheReportFile(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("results.json");
        Files.copy(fixture("results.json"), results);
        Files.copy(fixture("work.json"), dir.resolve("work.json"));
        Path md = Report.write(results, dir.resolve("work.json"), dir.resolve("machine.json"), dir.resolve("out"));
        assertTrue(Files.readString(md).contains("## ScanBench"));
    }

    @Test
    void missingAndMalformedFilesGiveClearErrors(@TempDir Path dir) throws Exception {
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> Results.read(dir.resolve("nope.json")));
        assertTrue(missing.getMessage().contains("nope.json"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Results.read(fixture("malformed.json")));
        assertTrue(bad.getMessage().contains("malformed.json") && bad.getMessage().contains("not valid JSON"), bad.getMessage());
        Path obj = dir.resolve("obj.json");
        Files.writeString(obj, "{\"a\":1}");
        IllegalArgumentException notArray = assertThrows(IllegalArgumentException.class, () -> Results.read(obj));
        assertTrue(notArray.getMessage().contains("top-level array"));
    }

    @Test
    void kernelPrecisionNamesMapToTheFmaPeakNames() {
        // the kernel benchmarks say fp32/fp64, FmaBench float/double: without the mapping "% peak" was "—"
        java.util.function.Function<Map<String, String>, Result> r =
                p -> new Result("dev.pgkernels.bench.GemmBench.gemm", "avgt", p, 1e-3, 0, 1, "ms/op");
        assertEquals("float", Report.precisionOf(r.apply(Map.of("precision", "fp32"))));
        assertEquals("double", Report.precisionOf(r.apply(Map.of("precision", "fp64"))));
        assertEquals("double", Report.precisionOf(r.apply(Map.of("precision", "double"))));
        assertEquals("float", Report.precisionOf(r.apply(Map.of("impl", "simd"))));
    }

    @Test
    void unknownUnitIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Units.secondsPerOp(1, "furlongs"));
    }

}
