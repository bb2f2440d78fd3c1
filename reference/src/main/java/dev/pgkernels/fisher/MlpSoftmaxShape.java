package dev.pgkernels.fisher;

import dev.pgkernels.Checks;

/**
 * An MLP-softmax policy with two tanh hidden layers of any widths (SPEC §4; TRPO's default is
 * 64-64): {@code h1 = tanh(X W1ᵀ + b1)}, {@code h2 = tanh(h1 W2ᵀ + b2)}, {@code q = h2 W3ᵀ + b3},
 * {@code pi_i = softmax(q_i)}.
 *
 * <p>θ layout, blocks in this order, each W row-major {@code out×in}:
 * <pre>
 *   W1 [H1×D]  at offset 0
 *   b1 [H1]    at H1*D
 *   W2 [H2×H1] at H1*D + H1
 *   b2 [H2]    at H1*D + H1 + H2*H1
 *   W3 [A×H2]  at H1*D + H1 + H2*H1 + H2
 *   b3 [A]     at H1*D + H1 + H2*H1 + H2 + A*H2
 * </pre>
 * so {@code P = H1*D + H1 + H2*H1 + H2 + A*H2 + A}. The {@code off...()} methods give the offsets.
 *
 * @param batch    {@code B >= 0}
 * @param features {@code D >= 0}, the observation width
 * @param hidden1  {@code H1 >= 0}
 * @param hidden2  {@code H2 >= 0}
 * @param actions  {@code A >= 0}
 * @throws IllegalArgumentException if a size is negative or {@code P} or {@code B*D} overflows an int
 */
public record MlpSoftmaxShape(int batch, int features, int hidden1, int hidden2, int actions) implements FisherShape {
    public MlpSoftmaxShape {
        Checks.size("batch", batch);
        Checks.size("features", features);
        Checks.size("hidden1", hidden1);
        Checks.size("hidden2", hidden2);
        Checks.size("actions", actions);
        Checks.product("X size B*D", batch, features);
        Checks.product("logits size B*A", batch, actions);
        Checks.product("hidden size B*H1", batch, hidden1);
        Checks.product("hidden size B*H2", batch, hidden2);
        FisherShape.sum("paramCount", (long) hidden1 * features, hidden1, (long) hidden2 * hidden1, hidden2,
                (long) actions * hidden2, actions);
    }

    @Override
    public int paramCount() {
        return offB3() + actions;
    }

    /** Offset of W1 in θ: 0. */
    public int offW1() {
        return 0;
    }

    /** Offset of b1 in θ: {@code H1*D}. */
    public int offB1() {
        return hidden1 * features;
    }

    /** Offset of W2 in θ: {@code H1*D + H1}. */
    public int offW2() {
        return offB1() + hidden1;
    }

    /** Offset of b2 in θ: {@code H1*D + H1 + H2*H1}. */
    public int offB2() {
        return offW2() + hidden2 * hidden1;
    }

    /** Offset of W3 in θ: {@code H1*D + H1 + H2*H1 + H2}. */
    public int offW3() {
        return offB2() + hidden2;
    }

    /** Offset of b3 in θ: {@code H1*D + H1 + H2*H1 + H2 + A*H2}. */
    public int offB3() {
        return offW3() + actions * hidden2;
    }

    @Override
    public MlpSoftmaxShape withBatch(int batch) {
        return new MlpSoftmaxShape(batch, features, hidden1, hidden2, actions);
    }
}
