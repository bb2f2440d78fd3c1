package dev.pgkernels.reports;

/** JMH score units to seconds per operation. */
public final class Units {
    private Units() {}

    private static double seconds(String timeUnit) {
        return switch (timeUnit) {
            case "ns" -> 1e-9;
            case "us", "µs" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1.0;
            case "min" -> 60.0;
            case "hr" -> 3600.0;
            default -> throw new IllegalArgumentException("unknown JMH time unit '" + timeUnit + "'");
        };
    }

    /** {@code 12.5 us/op} -> 1.25e-5; {@code 1000 ops/s} -> 1e-3. */
    public static double secondsPerOp(double score, String unit) {
        String[] p = unit.split("/");
        if (p.length != 2) {
            throw new IllegalArgumentException("unknown JMH score unit '" + unit + "'");
        }
        if (p[1].equals("op")) {
            return score * seconds(p[0]);
        }
        if (p[0].equals("ops")) {
            return seconds(p[1]) / score;
        }
        throw new IllegalArgumentException("unknown JMH score unit '" + unit + "'");
    }

    /** The error of {@link #secondsPerOp}; for throughput units, first-order propagation. */
    public static double secondsPerOpError(double score, double error, String unit) {
        String[] p = unit.split("/");
        if (p.length == 2 && p[1].equals("op")) {
            return error * seconds(p[0]);
        }
        return secondsPerOp(score, unit) * error / score;
    }

    /** A time in seconds, printed with a fitting unit and 3 significant digits. */
    public static String time(double s) {
        if (Double.isNaN(s)) return "—";
        double a = Math.abs(s);
        if (a >= 1) return String.format("%.3g s", s);
        if (a >= 1e-3) return String.format("%.3g ms", s * 1e3);
        if (a >= 1e-6) return String.format("%.3g µs", s * 1e6);
        return String.format("%.3g ns", s * 1e9);
    }
}
