package dev.pgkernels.reports;

import dev.pgkernels.reports.Results.Result;
import dev.pgkernels.reports.Results.Work;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
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
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/**
 * The report's charts, drawn with JFreeChart and exported as SVG with JFreeSVG (PNG through
 * {@link ChartUtils} on request). Two kinds:
 * <ul>
 *   <li>per benchmark class, a grouped bar chart of speed-ups over {@code impl=reference}: one
 *       group (category column) per benchmark method and shape, one bar (series) per
 *       implementation;</li>
 *   <li>one roofline chart, log-log: arithmetic intensity (declared flops / declared bytes) against
 *       achieved GFLOP/s, with a line {@code GFLOP/s = GB/s × intensity} for every stream-triad
 *       footprint measured in the run (drawn up to the highest FMA peak) and a horizontal line per
 *       FMA peak precision; one point series per benchmark method and implementation (each shape
 *       is a point of that series).</li>
 * </ul>
 * The dataset methods are public so tests can check series keys and values without pixels.
 * Drawing runs headless: {@code java.awt.headless} is set to {@code true} unless the caller set it.
 */
public final class Charts {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        // Rotated labels (the y-axis titles) as rotated <text>, not as glyph outlines: the SVG stays
        // small and its text searchable.
        TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    /** Size of every chart in pixels (SVG user units). */
    public static final int WIDTH = 900, HEIGHT = 520;

    /** Series key prefix of the bandwidth lines, e.g. {@code "triad 512 KiB: 61.2 GB/s"}. */
    public static final String BANDWIDTH_PREFIX = "triad ";
    /** Series key prefix of the peak lines, e.g. {@code "FMA peak float: 102 GFLOP/s"}. */
    public static final String PEAK_PREFIX = "FMA peak ";

    private final Report report;
    private final List<Result> results;
    private final Map<String, Work> work;

    Charts(Report report, List<Result> results, Map<String, Work> work) {
        this.report = report;
        this.results = results;
        this.work = work;
    }

    /**
     * Speed-ups over the reference of one benchmark class: row key (series) = implementation in
     * the report's order (reference first), column key = {@code method + " " + shape values}
     * (e.g. {@code "gae 2048x64"}), value = t(reference) / t(impl). Columns without a reference
     * result are left out. Empty if nothing of the class has a reference to compare with.
     */
    public DefaultCategoryDataset speedupDataset(String benchClass) {
        List<Result> rs = new ArrayList<>(results.stream().filter(r -> r.benchClass().equals(benchClass)).toList());
        rs.sort(Comparator.comparing((Result r) -> Report.implOrder(r.impl())).thenComparing(Result::impl)
                .thenComparing(Result::method).thenComparing(Result::shape));
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        for (Result r : rs) {
            Optional<Double> s = report.speedupOver(r, "reference");
            s.ifPresent(v -> ds.addValue(v, r.impl(), column(r)));
        }
        return ds;
    }

    /** {@code "gae 2048x64"}: the method and the values of the non-impl params. */
    static String column(Result r) {
        StringBuilder sb = new StringBuilder(r.method());
        new TreeMap<>(r.params()).forEach((k, v) -> {
            if (!k.equals("impl")) sb.append(' ').append(v);
        });
        return sb.toString();
    }

    /**
     * The roofline's series: first the bandwidth lines (one per triad footprint, two points from
     * the smallest plotted intensity to where the line meets the highest peak), then the peak
     * lines (one per precision, horizontal over the plotted range), then one point series per
     * {@code Class.method [impl]} with a point (intensity, GFLOP/s) per shape. The plotted
     * intensity range is whole decades: from {@code 10^floor(log10(lo / 2))} to
     * {@code 10^ceil(log10(hi × 2))}, where lo and hi are the smallest and largest intensities of
     * the points and of the ridges (top peak / bandwidth). Results whose
     * declared flops or bytes are zero (they have no finite intensity) and the calibration
     * classes themselves are not plotted as points.
     */
    public XYSeriesCollection rooflineDataset() {
        Map<String, XYSeries> points = new TreeMap<>();
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (Result r : results) {
            if (r.benchClass().equals(Report.TRIAD) || r.benchClass().equals(Report.FMA)) continue;
            Optional<Work> w = Results.workOf(work, r);
            Optional<Double> gf = report.gflopPerSecond(r);
            if (w.isEmpty() || gf.isEmpty() || !(w.get().bytes() > 0) || !(w.get().flops() > 0)) continue;
            double ai = w.get().flops() / w.get().bytes();
            String key = r.benchClass() + "." + r.method() + " [" + r.impl() + "]";
            points.computeIfAbsent(key, k -> new XYSeries(k, true, true)).add(ai, gf.get());
            lo = Math.min(lo, ai);
            hi = Math.max(hi, ai);
        }
        TreeMap<Long, Double> bw = report.bandwidthByFootprint();
        Map<String, Double> peak = report.peakByPrecision();
        double topPeak = peak.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        // The ridge of each bandwidth line (where GB/s × I reaches the top peak) belongs in the range.
        for (double g : bw.values()) {
            if (!Double.isNaN(topPeak) && g > 0) {
                hi = Math.max(hi, topPeak / g);
                lo = Math.min(lo, topPeak / g);
            }
        }
        if (!(lo < Double.POSITIVE_INFINITY)) {
            lo = 1.0 / 16;
            hi = 16;
        }
        // Whole decades around everything plotted, at least a factor 2 of margin on each side.
        double xMin = Math.pow(10, Math.floor(Math.log10(lo / 2)));
        double xMax = Math.pow(10, Math.ceil(Math.log10(hi * 2)));
        XYSeriesCollection ds = new XYSeriesCollection();
        for (Map.Entry<Long, Double> e : bw.entrySet()) {
            double g = e.getValue();
            XYSeries s = new XYSeries(BANDWIDTH_PREFIX + Report.human(e.getKey()) + ": " + Report.fmt(g) + " GB/s",
                    false, true);
            s.add(xMin, g * xMin);
            double end = Double.isNaN(topPeak) ? xMax : Math.min(xMax, topPeak / g);
            s.add(end, g * end);
            ds.addSeries(s);
        }
        for (Map.Entry<String, Double> e : peak.entrySet()) {
            XYSeries s = new XYSeries(PEAK_PREFIX + e.getKey() + ": " + Report.fmt(e.getValue()) + " GFLOP/s",
                    false, true);
            s.add(xMin, e.getValue());
            s.add(xMax, e.getValue());
            ds.addSeries(s);
        }
        points.values().forEach(ds::addSeries);
        return ds;
    }

    /** The grouped bar chart of {@link #speedupDataset}. */
    public JFreeChart speedupChart(String benchClass) {
        DefaultCategoryDataset ds = speedupDataset(benchClass);
        CategoryAxis x = new CategoryAxis("benchmark and shape");
        x.setCategoryLabelPositions(ds.getColumnCount() > 4 ? CategoryLabelPositions.UP_45 : CategoryLabelPositions.STANDARD);
        NumberAxis y = new NumberAxis("speed-up over reference (×, higher is faster)");
        BarRenderer bars = new BarRenderer();
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}×", new java.text.DecimalFormat("0.00")));
        bars.setDefaultItemLabelsVisible(true);
        bars.setItemMargin(0.05);
        for (int i = 0; i < ds.getRowCount(); i++) {
            bars.setSeriesPaint(i, implColour(ds.getRowKey(i).toString(), i));
        }
        CategoryPlot plot = new CategoryPlot(ds, x, y, bars);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ValueMarker one = new ValueMarker(1.0, Color.DARK_GRAY, new BasicStroke(1f));
        plot.addRangeMarker(one);
        JFreeChart chart = new JFreeChart(benchClass + ": speed-up over reference", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setPosition(RectangleEdge.TOP);
        return chart;
    }

    /** The log-log roofline chart of {@link #rooflineDataset}. */
    public JFreeChart rooflineChart() {
        XYSeriesCollection ds = rooflineDataset();
        LogAxis x = logAxis("arithmetic intensity (declared flop / declared byte)");
        LogAxis y = logAxis("achieved GFLOP/s");
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        int colour = 0, line = 0;
        for (int i = 0; i < ds.getSeriesCount(); i++) {
            String key = ds.getSeriesKey(i).toString();
            boolean bandwidth = key.startsWith(BANDWIDTH_PREFIX), peakLine = key.startsWith(PEAK_PREFIX);
            if (bandwidth || peakLine) {
                r.setSeriesLinesVisible(i, true);
                r.setSeriesShapesVisible(i, false);
                r.setSeriesPaint(i, bandwidth ? BANDWIDTH_COLOURS[line++ % BANDWIDTH_COLOURS.length]
                        : key.startsWith(PEAK_PREFIX + "double") ? new Color(200, 110, 20) : new Color(160, 30, 30));
                r.setSeriesStroke(i, new BasicStroke(bandwidth ? 1.2f : 1.6f, BasicStroke.CAP_BUTT,
                        BasicStroke.JOIN_MITER, 10f, bandwidth ? new float[] {6f, 4f} : null, 0f));
            } else {
                r.setSeriesLinesVisible(i, false);
                r.setSeriesShapesVisible(i, true);
                r.setSeriesPaint(i, PALETTE[colour++ % PALETTE.length]);
            }
        }
        XYPlot plot = new XYPlot(ds, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart("Roofline: measured limits of this run and every kernel",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(new TextTitle("dashed: stream-triad bandwidth × intensity per footprint; solid: FMA peak, one core",
                new Font(Font.SANS_SERIF, Font.PLAIN, 11)));
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setPosition(RectangleEdge.RIGHT);
        return chart;
    }

    /** A base-10 log axis with a tick at each power of ten, labelled as plain numbers (0.01, 100). */
    private static LogAxis logAxis(String label) {
        LogAxis a = new LogAxis(label);
        a.setSmallestValue(1e-9);
        a.setTickUnit(new NumberTickUnit(1.0));
        a.setMinorTickCount(9);
        a.setMinorTickMarksVisible(true);
        a.setNumberFormatOverride(new PlainNumber());
        return a;
    }

    /** Powers of ten as {@code 0.001 … 10000}, beyond that as {@code 1e-5}, {@code 1e+06}. */
    static final class PlainNumber extends NumberFormat {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(double v, StringBuffer to, FieldPosition pos) {
            double a = Math.abs(v);
            if (a != 0 && (a < 1e-3 || a >= 1e5)) {
                return to.append(String.format("%.0e", v));
            }
            return to.append(new java.math.BigDecimal(String.format("%.3g", v)).stripTrailingZeros().toPlainString());
        }

        @Override
        public StringBuffer format(long v, StringBuffer to, FieldPosition pos) {
            return format((double) v, to, pos);
        }

        /** Reads back what {@link #format} writes (plain or e-notation); null, with the error index set, otherwise. */
        @Override
        public Number parse(String source, ParsePosition pos) {
            String s = source.substring(pos.getIndex()).trim();
            try {
                double d = Double.parseDouble(s);
                pos.setIndex(source.length());
                return d;
            } catch (NumberFormatException e) {
                pos.setErrorIndex(pos.getIndex());
                return null;
            }
        }
    }

    /** Bandwidth lines, small footprint (L2) to large (DRAM): light to dark blue-violet. */
    private static final Color[] BANDWIDTH_COLOURS = {
        new Color(0x6baed6), new Color(0x3182bd), new Color(0x08519c), new Color(0x54278f), new Color(0x252525),
    };

    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
    };

    private static Color implColour(String impl, int i) {
        return switch (impl) {
            case "reference" -> new Color(0x9e9e9e);
            case "simd" -> new Color(0x1f77b4);
            case "jblas" -> new Color(0x2ca02c);
            case "opencl" -> new Color(0xd62728);
            default -> PALETTE[(i + 4) % PALETTE.length];
        };
    }

    /**
     * The height a chart is drawn at: {@link #HEIGHT}, or more when its legend has many entries
     * (a roofline over the whole suite lists a point series per benchmark and implementation),
     * 17 pixels per entry plus room for the title and axis.
     */
    public static int height(JFreeChart chart) {
        int entries = chart.getPlot().getLegendItems() == null ? 0 : chart.getPlot().getLegendItems().getItemCount();
        return Math.max(HEIGHT, 140 + 17 * entries);
    }

    /**
     * The chart as an {@code <svg>} element with its XML namespace, a view box (so a page can
     * scale it) and ids prefixed by {@code id}, so several charts can be inlined in one HTML page
     * without their clip paths colliding. The same text is a valid stand-alone SVG file.
     */
    public static String svg(JFreeChart chart, String id) {
        int h = height(chart);
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, h);
        g.setDefsKeyPrefix(id + "-");
        chart.draw(g, new Rectangle(0, 0, WIDTH, h));
        return g.getSVGElement(id, true, new ViewBox(0, 0, WIDTH, h), null, null);
    }

    /** Writes the chart as an SVG file. */
    public static void writeSvg(JFreeChart chart, String id, Path file) throws IOException {
        Files.writeString(file, svg(chart, id), StandardCharsets.UTF_8);
    }

    /** Writes the chart as a PNG file. */
    public static void writePng(JFreeChart chart, Path file) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, height(chart));
    }

    /**
     * The charts of a report in the order they appear: file name (without extension) -> chart.
     * {@code speedup-<Class>} for every benchmark class with a reference to compare with, then
     * {@code roofline} if any kernel has a finite intensity.
     */
    public Map<String, JFreeChart> all(List<String> benchClasses) {
        Map<String, JFreeChart> out = new LinkedHashMap<>();
        for (String c : benchClasses) {
            if (speedupDataset(c).getColumnCount() > 0) out.put("speedup-" + c, speedupChart(c));
        }
        XYSeriesCollection roof = rooflineDataset();
        boolean anyPoint = false;
        for (int i = 0; i < roof.getSeriesCount(); i++) {
            String k = roof.getSeriesKey(i).toString();
            anyPoint |= !k.startsWith(BANDWIDTH_PREFIX) && !k.startsWith(PEAK_PREFIX);
        }
        if (anyPoint) out.put("roofline", rooflineChart());
        return out;
    }
}
