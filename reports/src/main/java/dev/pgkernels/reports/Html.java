package dev.pgkernels.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the Markdown this module writes into one self-contained HTML page: inline CSS, the charts
 * inlined as SVG, no external resource. It understands exactly the subset {@link Report} and
 * {@link Comparison} emit — {@code #}/{@code ##}/{@code ###} headings, pipe tables (a header row,
 * an alignment row of {@code ---} / {@code ---:}, cells may hold {@code \|}), image lines
 * {@code ![alt](path)}, paragraphs and bullet lines ({@code - }) with {@code `code`},
 * {@code **bold**} and {@code *emphasis*} — so the HTML holds the same text and tables as the
 * Markdown.
 */
public final class Html {
    private Html() {}

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;\
            padding:0 1em;color:#222;line-height:1.45}
            h1{border-bottom:2px solid #ddd;padding-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #eee}
            table{border-collapse:collapse;margin:1em 0;font-size:.9em}
            th,td{border:1px solid #ccc;padding:.25em .6em}th{background:#f3f3f3}
            tr:nth-child(even) td{background:#fafafa}td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}
            code{background:#f3f3f3;padding:0 .25em;border-radius:3px}
            figure{margin:1em 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}
            .faster{color:#1a7f37;font-weight:600}.slower{color:#cf222e;font-weight:600}
            """;

    private static final Pattern IMAGE = Pattern.compile("^!\\[([^]]*)]\\(([^)]+)\\)$");

    /**
     * The page.
     *
     * @param title    the {@code <title>}
     * @param markdown text in the subset described above
     * @param images   relative image path (as in the Markdown) -> SVG element to inline; a path
     *                 not in the map becomes an {@code <img>} link
     */
    public static String page(String title, String markdown, Map<String, String> images) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        String[] lines = markdown.split("\n", -1);
        List<String> para = new ArrayList<>();
        boolean inList = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("|")) {
                flush(h, para);
                inList = closeList(h, inList);
                List<String> rows = new ArrayList<>();
                while (i < lines.length && lines[i].startsWith("|")) {
                    rows.add(lines[i++]);
                }
                i--;
                table(h, rows);
            } else if (line.startsWith("#")) {
                flush(h, para);
                inList = closeList(h, inList);
                int level = 0;
                while (level < line.length() && line.charAt(level) == '#') level++;
                h.append("<h").append(level).append('>').append(inline(line.substring(level).trim()))
                        .append("</h").append(level).append(">\n");
            } else if (IMAGE.matcher(line.trim()).matches()) {
                flush(h, para);
                inList = closeList(h, inList);
                Matcher m = IMAGE.matcher(line.trim());
                m.matches();
                String svg = images.get(m.group(2));
                h.append("<figure>");
                if (svg != null) {
                    h.append(svg);
                } else {
                    h.append("<img src=\"").append(escape(m.group(2))).append("\" alt=\"").append(escape(m.group(1))).append("\">");
                }
                h.append("<figcaption>").append(escape(m.group(1))).append("</figcaption></figure>\n");
            } else if (line.startsWith("- ")) {
                flush(h, para);
                if (!inList) {
                    h.append("<ul>\n");
                    inList = true;
                }
                h.append("<li>").append(inline(line.substring(2))).append("</li>\n");
            } else if (line.isBlank()) {
                flush(h, para);
                inList = closeList(h, inList);
            } else {
                para.add(line);
            }
        }
        flush(h, para);
        closeList(h, inList);
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static boolean closeList(StringBuilder h, boolean inList) {
        if (inList) h.append("</ul>\n");
        return false;
    }

    private static void flush(StringBuilder h, List<String> para) {
        if (!para.isEmpty()) {
            h.append("<p>").append(inline(String.join(" ", para))).append("</p>\n");
            para.clear();
        }
    }

    private static void table(StringBuilder h, List<String> rows) {
        List<String> header = cells(rows.get(0));
        List<String> align = rows.size() > 1 ? cells(rows.get(1)) : List.of();
        boolean hasAlign = !align.isEmpty() && align.stream().allMatch(c -> c.matches(":?-+:?"));
        h.append("<table>\n<thead><tr>");
        for (int c = 0; c < header.size(); c++) {
            h.append("<th").append(cls(align, c, hasAlign)).append('>').append(inline(header.get(c))).append("</th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        for (int r = hasAlign ? 2 : 1; r < rows.size(); r++) {
            List<String> cells = cells(rows.get(r));
            h.append("<tr>");
            for (int c = 0; c < cells.size(); c++) {
                h.append("<td").append(cls(align, c, hasAlign)).append('>').append(inline(cells.get(c))).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n");
    }

    private static String cls(List<String> align, int c, boolean hasAlign) {
        return hasAlign && c < align.size() && align.get(c).endsWith(":") ? " class=\"r\"" : "";
    }

    /** The cells of a {@code | a | b |} row; {@code \|} is a literal bar inside a cell. */
    static List<String> cells(String row) {
        String s = row.trim();
        if (s.startsWith("|")) s = s.substring(1);
        if (s.endsWith("|") && !s.endsWith("\\|")) s = s.substring(0, s.length() - 1);
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '|') {
                cell.append('|');
                i++;
            } else if (ch == '|') {
                out.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        out.add(cell.toString().trim());
        return out;
    }

    private static final Pattern CODE = Pattern.compile("`([^`]*)`");
    private static final Pattern BOLD = Pattern.compile("\\*\\*([^*]+)\\*\\*");
    private static final Pattern EM = Pattern.compile("(?<![\\w*])\\*([^*\\s][^*]*?)\\*(?![\\w*])");

    /** Escapes, then applies {@code `code`}, {@code **bold**}, {@code *em*} (not inside code). */
    static String inline(String text) {
        StringBuilder out = new StringBuilder();
        Matcher m = CODE.matcher(text);
        int last = 0;
        while (m.find()) {
            out.append(emphasis(escape(text.substring(last, m.start()))));
            out.append("<code>").append(escape(m.group(1))).append("</code>");
            last = m.end();
        }
        out.append(emphasis(escape(text.substring(last))));
        return out.toString();
    }

    private static String emphasis(String escaped) {
        String s = BOLD.matcher(escaped).replaceAll("<strong>$1</strong>");
        s = s.replace("<strong>faster</strong>", "<strong class=\"faster\">faster</strong>")
                .replace("<strong>slower</strong>", "<strong class=\"slower\">slower</strong>");
        return EM.matcher(s).replaceAll("<em>$1</em>");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
