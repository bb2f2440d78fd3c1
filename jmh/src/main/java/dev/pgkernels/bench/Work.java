package dev.pgkernels.bench;

/**
 * The work one benchmark operation does, declared by the benchmark so the report can turn a time
 * into GB/s and GFLOP/s and compare it with the machine's measured limits.
 *
 * <p>Every benchmark class declares it with a static method of exactly this shape, which
 * {@link Main} finds by reflection after the run and writes beside JMH's JSON:
 * <pre>{@code
 * public static Work work(String method, java.util.Map<String, String> params)
 * }</pre>
 * {@code method} is the benchmark method's name, {@code params} the JMH {@code @Param} values of
 * one result.
 *
 * @param bytes compulsory bytes moved to and from memory per operation (each input read once,
 *              each output written once; {@code 4} per fp32 element, {@code 1} per flag)
 * @param flops floating-point operations per operation (an FMA counts 2; {@code exp}, {@code log}
 *              count 1 each — say so where it matters)
 */
public record Work(double bytes, double flops) {
    public Work {
        if (!(bytes >= 0) || !(flops >= 0)) {
            throw new IllegalArgumentException("work must be >= 0: bytes=" + bytes + " flops=" + flops);
        }
    }

    /** Arithmetic intensity, flops per byte. */
    public double intensity() {
        return bytes == 0 ? Double.NaN : flops / bytes;
    }
}
