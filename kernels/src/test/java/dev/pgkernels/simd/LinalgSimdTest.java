package dev.pgkernels.simd;

import dev.pgkernels.linalg.DenseLinalg;
import dev.pgkernels.linalg.LinalgChecks;
import dev.pgkernels.linalg.LinalgChecks.GemmCase;
import dev.pgkernels.testsupport.Shapes;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@code simd} dense linear algebra against {@code reference}: every transpose variant, shapes 0, 1,
 * primes and just off the micro-tile (MR = 6, NR = 2 vectors), the cache blocks (KC = 128, MC = 120)
 * and the packing switches, with offsets, padded leading dimensions, α and β (β = 0 with NaN in C),
 * NaN/Inf in the data; the skinny FVP shapes; NC-block crossing. The tolerance is derived in
 * {@link LinalgChecks}' class comment.
 */
class LinalgSimdTest {
    private static final DenseLinalg FAST = new SimdLinalg();

    @Provide
    Arbitrary<GemmCase> gemms() {
        return LinalgChecks.gemmCases(140, 270);
    }

    @Property(tries = 200)
    void gemmMatchesReference(@ForAll("gemms") GemmCase c) {
        LinalgChecks.gemm(FAST, c);
    }

    @Example
    void skinnyFvpShapes() {
        // q|u = X [W;V]ᵀ: (B×D)(D×2A), B = 1021, D = 256, 2A = 36; and wᵀX: (A×B)(B×D) with A = 18
        LinalgChecks.gemm(FAST, new GemmCase(false, true, 1021, 36, 256, 0, 0, 1f, 0f, 1, false));
        LinalgChecks.gemm(FAST, new GemmCase(true, false, 18, 256, 1021, 0, 0, 0.25f, 1f, 2, false));
        // MLP 64-64: (B×64)(64×64)
        LinalgChecks.gemm(FAST, new GemmCase(false, true, 515, 64, 64, 0, 0, 1f, 1f, 3, false));
        LinalgChecks.gemm(FAST, new GemmCase(true, false, 64, 64, 515, 0, 0, 1f, 0f, 4, false));
    }

    @Example
    void dotTailColumns() {
        // A·Bᵀ: the <= L/2 columns past the last full panel of NR = 2L are dots along k. Every such count for
        // L = 16, 8 and 4 (n % 32 in 1..8, n % 16 in 1..4, n % 8 in 1..2) and the counts just past them, odd and
        // even m (an odd last row is computed twice, stored once; at L = 16, m = 5, 7, 13 also run the four-row
        // butterfly tiles of full 4-column groups and a 1-3 row rest), k below one vector, just off it and off KC,
        // β = 0 and not.
        int[] ns = {1, 2, 3, 4, 5, 7, 8, 9, 17, 18, 20, 24, 25, 33, 36, 37, 40, 41, 50, 52, 65, 68};
        int[] ms = {1, 2, 5, 7, 13};
        int[] ks = {1, 3, 15, 16, 17, 127, 129};
        long seed = 11;
        for (int n : ns) {
            for (int i = 0; i < ms.length; i++) {
                int m = ms[i], k = ks[(i + n) % ks.length];
                float beta = (n & 1) == 0 ? 0f : -1.5f;
                LinalgChecks.gemm(FAST, new GemmCase(false, true, m, n, k, (int) (seed % 3), (int) (seed % 2) * 2, 2.5f,
                        beta, seed++, (n % 5) == 0));
            }
        }
    }

    @Example
    void shallowProductsReadAInPlace() {
        // k <= KC/2 with n > GEMM_PACK_A_MIN_N: A is read in place (the MLP's 4096×64 · 64×128), every transpose
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                LinalgChecks.gemm(FAST, new GemmCase(ta, tb, 131, 128, 64, 1, 2, 1f, 1f, 21, false));
                LinalgChecks.gemm(FAST, new GemmCase(ta, tb, 37, 97, 63, 0, 0, -0.5f, 0f, 22, false));
                LinalgChecks.gemm(FAST, new GemmCase(ta, tb, 13, 161, 65, 3, 0, 1f, 0f, 23, true));
            }
        }
    }

    @Example
    void skinnyProductsCrossTheirDepthBlock() {
        // min(m, n) <= GEMM_PACK_B_MIN_M: the depth block is 4·KC = 512; k just off it and two blocks past it
        // (the FVP's forward 36-column and backward 18-row products), every transpose, β = 0 and not
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                LinalgChecks.gemm(FAST, new GemmCase(ta, tb, 18, 70, 513, 1, 2, 0.25f, 1f, 31, false));
                LinalgChecks.gemm(FAST, new GemmCase(ta, tb, 53, 36, 511, 0, 0, 1f, 0f, 32, false));
                LinalgChecks.gemm(FAST, new GemmCase(ta, tb, 7, 49, 1031, 2, 1, -0.5f, -1.5f, 33, false));
                LinalgChecks.gemm(FAST, new GemmCase(ta, tb, 48, 100, 129, 0, 0, 1f, 0f, 34, false));
                // n = 48 with B packed: 3 double panels (NR = 16), 6 at 128-bit fp32 — the scratch bound's B block
                LinalgChecks.gemm(FAST, new GemmCase(ta, tb, 130, 48, 600, 0, 1, 1f, 0f, 35, false));
                LinalgChecks.gemm(FAST, new GemmCase(ta, tb, 49, 47, 515, 1, 0, 2.5f, 1f, 36, false));
            }
        }
    }

    @Example
    void crossesTheColumnBlock() {
        // n > NC = 2048: two column blocks, the second partial; both packing modes of B
        LinalgChecks.gemm(FAST, new GemmCase(false, false, 7, 2051, 3, 1, 2, 1f, 1f, 5, false));
        LinalgChecks.gemm(FAST, new GemmCase(false, true, 50, 2049, 2, 0, 0, -1f, 0f, 6, false));
    }

    @Property(tries = 60)
    void syrkMatchesReference(@ForAll("dims") int n, @ForAll("dims") int k, @ForAll long seed) {
        LinalgChecks.syrk(FAST, n, k, (seed & 2) == 0 ? 1f : 0.5f, (seed & 4) == 0 ? 0f : 1f, seed);
    }

    @Provide
    Arbitrary<Integer> dims() {
        return LinalgChecks.dims(140);
    }

    @Provide
    Arbitrary<Integer> longs() {
        return Shapes.sizes(1100);
    }

    @Property(tries = 100)
    void gemvMatchesReference(@ForAll boolean ta, @ForAll("dims") int m, @ForAll("dims") int n, @ForAll long seed) {
        float beta = (seed & 1) == 0 ? 0f : -0.5f;
        LinalgChecks.gemv(FAST, ta, m, n, (seed & 2) == 0 ? 1f : 3f, beta, seed);
    }

    @Property(tries = 100)
    void dotAndAxpyMatchReference(@ForAll("longs") int n, @ForAll long seed, @ForAll boolean nonFinite) {
        LinalgChecks.dotAxpy(FAST, n, new float[] {1f, -2.5f, 0f}[(int) Math.floorMod(seed, 3L)], seed, nonFinite);
    }

    @Example
    void rejectsBadInput() {
        LinalgChecks.rejectsBadInput(FAST);
    }
}
