package dev.pgkernels.testsupport;

import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * jqwik arbitraries for sizes (B, A, T, E, D, n …) that catch tail and blocking bugs: 0, 1,
 * small primes, the sizes ARCHITECTURE.md names (7, 13, 103, 207, 1021), and every size just
 * off a vector length of 8, 16, 32 and 64 lanes (and twice those), mixed with uniform draws.
 *
 * <pre>{@code
 * @Property void matches(@ForAll("rows") int b) ...
 * @Provide Arbitrary<Integer> rows() { return Shapes.sizes(300); }
 * }</pre>
 */
public final class Shapes {
    private Shapes() {}

    /** Small primes, to keep sizes off every power-of-two blocking. */
    public static final List<Integer> PRIMES = List.of(2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53,
            59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 127, 131, 257, 521, 1021);

    /** The vector lengths (in lanes) whose neighbours are edge sizes. */
    public static final List<Integer> VECTOR_LENGTHS = List.of(4, 8, 16, 32, 64, 128);

    /** Every edge size, sorted: 0, 1, primes, 7, 13, 103, 207, 1021, and v-1, v, v+1 for v in VECTOR_LENGTHS and 2v. */
    public static List<Integer> edgeSizes() {
        TreeSet<Integer> s = new TreeSet<>(List.of(0, 1, 7, 13, 103, 207, 1021));
        s.addAll(PRIMES);
        for (int v : VECTOR_LENGTHS) {
            for (int m : new int[] {v, 2 * v, 3 * v}) {
                s.add(m - 1);
                s.add(m);
                s.add(m + 1);
            }
        }
        return List.copyOf(s);
    }

    /** Edge sizes no larger than {@code max}, mixed half-and-half with uniform sizes in {@code [0, max]}. */
    public static Arbitrary<Integer> sizes(int max) {
        return sizes(0, max);
    }

    /** As {@link #sizes(int)} with a lower bound (e.g. 1 for A, the logit width). */
    public static Arbitrary<Integer> sizes(int min, int max) {
        List<Integer> edges = edgeSizes().stream().filter(v -> v >= min && v <= max).toList();
        Arbitrary<Integer> uniform = Arbitraries.integers().between(min, max);
        if (edges.isEmpty()) {
            return uniform;
        }
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.of(edges)),
                net.jqwik.api.Tuple.of(1, uniform));
    }
}
