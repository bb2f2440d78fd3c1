package dev.pgkernels.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import dev.pgkernels.reports.Results.Result;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The charts' datasets on the real run of {@link RealRunTest}: series keys and values computed by
 * hand from the fixture's numbers.
 */
class ChartsTest {
    private static List<String> keys(XYSeriesCollection ds) {
        List<String> k = new ArrayList<>();
        for (int i = 0; i < ds.getSeriesCount(); i++) k.add(ds.getSeriesKey(i).toString());
        return k;
    }

    @Test
    void axisLabelsReadBackWhatTheyWrite() {
        Charts.PlainNumber f = new Charts.PlainNumber();
        for (double v : new double[] {0.001, 0.25, 1, 40, 1000, 1e-5, 1e6}) {
            String text = f.format(v);
            java.text.ParsePosition pos = new java.text.ParsePosition(0);
            org.junit.jupiter.api.Assertions.assertEquals(v, f.parse(text, pos).doubleValue(), Math.abs(v) * 1e-9, text);
        }
        java.text.ParsePosition bad = new java.text.ParsePosition(0);
        org.junit.jupiter.api.Assertions.assertNull(f.parse("GB/s", bad));
        org.junit.jupiter.api.Assertions.assertEquals(0, bad.getErrorIndex());
    }

    @Test
    void speedupBarsOneGroupPerBenchmarkAndShapeOneBarPerImplementation() throws Exception {
        DefaultCategoryDataset ds = RealRunTest.real().charts().speedupDataset("ScanBench");
        assertEquals(List.of("reference", "simd"), ds.getRowKeys());
        assertEquals(List.of("gae 2048x64", "gaeCompact 2048x64", "vtrace 2048x64"), ds.getColumnKeys());
        // reference / reference = 1
        assertEquals(1.0, ds.getValue("reference", "gae 2048x64").doubleValue(), 0);
        // gae: 1137.517448965373 / 18683.316426561207 = 0.06088412908043547
        assertEquals(0.06088412908043547, ds.getValue("simd", "gae 2048x64").doubleValue(), 1e-12);
        // gaeCompact: 980.7951573043292 / 90763.75558587613 = 0.010806
        assertEquals(980.7951573043292 / 90763.75558587613, ds.getValue("simd", "gaeCompact 2048x64").doubleValue(), 1e-15);
        assertEquals(0.0108060, ds.getValue("simd", "gaeCompact 2048x64").doubleValue(), 1e-6);
        // vtrace: 1995.9343494883651 / 233309.95241666667 = 0.008554861585689407
        assertEquals(0.008554861585689407, ds.getValue("simd", "vtrace 2048x64").doubleValue(), 1e-12);
        // The calibration classes have no reference implementation: no speed-up chart.
        assertEquals(0, RealRunTest.real().charts().speedupDataset("TriadBench").getColumnCount());
        JFreeChart chart = RealRunTest.real().charts().speedupChart("ScanBench");
        assertEquals("ScanBench: speed-up over reference", chart.getTitle().getText());
        assertEquals(ds.getRowKeys(), ((CategoryPlot) chart.getPlot()).getDataset().getRowKeys());
    }

    @Test
    void rooflineHasTheMeasuredLimitsAndOnePointSeriesPerBenchmarkAndImplementation() throws Exception {
        XYSeriesCollection ds = RealRunTest.real().charts().rooflineDataset();
        // bandwidth 53.01055369844288 GB/s (fmt -> "53.0"); peaks double 16.641268333269156 ("16.6"),
        // float 10.019292610815965 ("10.0"); then the points, sorted by key.
        assertEquals(List.of("triad 512 KiB: 53.0 GB/s", "FMA peak double: 16.6 GFLOP/s", "FMA peak float: 10.0 GFLOP/s",
                "ScanBench.gae [reference]", "ScanBench.gae [simd]", "ScanBench.gaeCompact [reference]",
                "ScanBench.gaeCompact [simd]", "ScanBench.vtrace [reference]", "ScanBench.vtrace [simd]"), keys(ds));
        // Points: intensity = flops / bytes from work.json, y = GFLOP/s.
        // gae: 786432 / 2883584 = 0.2727272727; reference 786432 / 1137.517448965373e-6 / 1e9 = 0.6913581859472115
        XYSeries gaeRef = ds.getSeries("ScanBench.gae [reference]");
        assertEquals(1, gaeRef.getItemCount());
        assertEquals(786432.0 / 2883584.0, gaeRef.getX(0).doubleValue(), 1e-15);
        assertEquals(0.6913581859472115, gaeRef.getY(0).doubleValue(), 1e-9);
        // vtrace: 2228224 / 3407872 = 0.6538461538; reference 2228224 / 1995.9343494883651e-6 / 1e9 = 1.116381408321962
        XYSeries vtRef = ds.getSeries("ScanBench.vtrace [reference]");
        assertEquals(0.6538461538461539, vtRef.getX(0).doubleValue(), 1e-12);
        assertEquals(1.116381408321962, vtRef.getY(0).doubleValue(), 1e-9);
        // gaeCompact simd: 786432 / 2228480 = 0.35290063; 786432 / 90763.75558587613e-6 / 1e9 = 0.0086646
        XYSeries gcSimd = ds.getSeries("ScanBench.gaeCompact [simd]");
        assertEquals(786432.0 / 2228480.0, gcSimd.getX(0).doubleValue(), 1e-15);
        assertEquals(786432.0 / 90763.75558587613e-6 / 1e9, gcSimd.getY(0).doubleValue(), 1e-12);
        // The plotted range: intensities 0.2727 (gae) .. 0.6538 (vtrace); the bandwidth line meets the top
        // peak at 16.641268333269156 / 53.01055369844288 = 0.31392 (inside). Whole decades with a factor 2
        // of margin: 0.2727 / 2 = 0.136 -> 0.1; 0.6538 * 2 = 1.31 -> 10.
        double xMin = 0.1, xMax = 10;
        double bw = 53.01055369844288, top = 16.641268333269156;
        XYSeries triad = ds.getSeries("triad 512 KiB: 53.0 GB/s");
        assertArrayEquals(new double[] {xMin, top / bw}, new double[] {triad.getX(0).doubleValue(), triad.getX(1).doubleValue()}, 1e-12);
        // GFLOP/s = GB/s x intensity: 53.0106 x 0.1 = 5.30106 at the left end, the top peak at the ridge.
        assertEquals(5.301055369844288, triad.getY(0).doubleValue(), 1e-9);
        assertEquals(top, triad.getY(1).doubleValue(), 1e-9);
        XYSeries fp32 = ds.getSeries("FMA peak float: 10.0 GFLOP/s");
        assertEquals(xMin, fp32.getX(0).doubleValue(), 1e-12);
        assertEquals(xMax, fp32.getX(1).doubleValue(), 1e-12);
        assertEquals(10.019292610815965, fp32.getY(0).doubleValue(), 1e-9);
        assertEquals(10.019292610815965, fp32.getY(1).doubleValue(), 1e-9);
        // Log-log axes.
        XYPlot plot = (XYPlot) RealRunTest.real().charts().rooflineChart().getPlot();
        assertTrue(plot.getDomainAxis() instanceof LogAxis && plot.getRangeAxis() instanceof LogAxis);
    }

    @Test
    void withoutCalibrationsTheRooflineHasOnlyPoints() throws Exception {
        var rs = Results.read(ReportTest.fixture("real/results.json")).stream()
                .filter(r -> r.benchClass().equals("ScanBench")).toList();
        Report r = new Report(rs, Results.readWork(ReportTest.fixture("real/work.json")), Optional.empty());
        assertEquals(6, r.charts().rooflineDataset().getSeriesCount());
        assertEquals(List.of("speedup-ScanBench", "roofline"), List.copyOf(r.charts().all(List.of("ScanBench")).keySet()));
    }

    @Test
    void aLongLegendMakesTheChartTaller() throws Exception {
        // 30 point series (30 methods of one impl) + no limit lines: 140 + 17 * 30 = 650 px > 520.
        List<Result> rs = new ArrayList<>();
        java.util.Map<String, Results.Work> work = new java.util.HashMap<>();
        for (int i = 0; i < 30; i++) {
            Result r = new Result("dev.pgkernels.bench.XBench.m" + i, "avgt", java.util.Map.of("impl", "reference"),
                    1e-3, 1e-5, 1, "ms/op");
            rs.add(r);
            work.put(Results.key(r.benchmark(), r.params()), new Results.Work(1e6, 1e6));
        }
        Charts c = new Report(rs, work, Optional.empty()).charts();
        assertEquals(30, c.rooflineDataset().getSeriesCount());
        assertEquals(650, Charts.height(c.rooflineChart()));
        assertTrue(Charts.svg(c.rooflineChart(), "x").contains("viewBox='0.0 0.0 900.0 650.0'"));
        // The real run's roofline has 9 legend entries: 140 + 153 = 293 < 520, the default height.
        assertEquals(Charts.HEIGHT, Charts.height(RealRunTest.real().charts().rooflineChart()));
    }

    @Test
    void rendersReadablePngAndSvg(@TempDir Path dir) throws Exception {
        Charts charts = RealRunTest.real().charts();
        Path png = dir.resolve("roofline.png");
        Charts.writePng(charts.rooflineChart(), png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(Charts.WIDTH, img.getWidth());
        assertEquals(Charts.HEIGHT, img.getHeight());
        String svg = Charts.svg(charts.speedupChart("ScanBench"), "s");
        // The legend, the category labels and the rotated axis title are text, not outlines.
        assertTrue(svg.contains(">simd</text>") && svg.contains(">gae 2048x64</text>"), svg.substring(0, 400));
        assertTrue(svg.contains(">speed-up over reference (×, higher is faster)</text>"), "rotated title");
        assertTrue(svg.length() < 60_000, "svg size " + svg.length());
        String roof = Charts.svg(charts.rooflineChart(), "r");
        assertTrue(roof.contains(">FMA peak float: 10.0 GFLOP/s</text>"), "legend");
        assertTrue(roof.length() < 120_000, "svg size " + roof.length());
        // Plain tick labels on the log axes, not exponents.
        Charts.PlainNumber f = new Charts.PlainNumber();
        assertEquals(List.of("0.001", "0.01", "0.1", "1", "10", "1000", "10000", "1e+05", "1e-04"),
                java.util.stream.Stream.of(1e-3, 1e-2, 0.1, 1.0, 10.0, 1e3, 1e4, 1e5, 1e-4).map(f::format).toList());
        if (System.getProperty("pgkernels.chartsDir") != null) {
            Path keep = Path.of(System.getProperty("pgkernels.chartsDir"));
            Files.createDirectories(keep);
            Charts.writePng(charts.rooflineChart(), keep.resolve("roofline.png"));
            Charts.writePng(charts.speedupChart("ScanBench"), keep.resolve("speedup-ScanBench.png"));
        }
    }
}
