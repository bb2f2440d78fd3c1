package dev.pgkernels.bench;

/** Entry point of benchmarks.jar (the report-writing wrapper replaces this delegate). */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        org.openjdk.jmh.Main.main(args);
    }
}
