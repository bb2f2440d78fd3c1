#!/bin/sh
# Regenerates the double (…D) and jblas variants of the simd fp32 sources. Run from kernels/.
# SimdGemmF, SimdBlasF, SimdRowsF, SimdFvpF are the sources; JblasBlasF and JblasRowsF are written by hand.
set -e
cd src/main/java/dev/pgkernels
TOD='s/FloatVector/DoubleVector/g; s/VectorSpecies<Float>/VectorSpecies<Double>/g; s/VectorMask<Float>/VectorMask<Double>/g; s/float\[\]/double[]/g; s/float /double /g; s/Float\.NEGATIVE_INFINITY/Double.NEGATIVE_INFINITY/g; s/(float) Math.exp/Math.exp/; s/1f \/ /1.0 \/ /g; s/, 1f)/, 1.0)/g; s/ 1f,/ 1.0,/g; s/ 0f,/ 0.0,/g; s/add(1f)/add(1.0)/g; s/static float dot/static double dot/; s/fp32/double/g'
sed -e "s/SimdGemmF/SimdGemmD/g; $TOD" simd/SimdGemmF.java > simd/SimdGemmD.java
sed -e "s/SimdBlasF/SimdBlasD/g; $TOD" simd/SimdBlasF.java > simd/SimdBlasD.java
sed -e "s/SimdRowsF/SimdRowsD/g; s/SimdBlasF/SimdBlasD/g; $TOD" simd/SimdRowsF.java > simd/SimdRowsD.java
sed -e "s/SimdFvpF/SimdFvpD/g; s/SimdGemmF/SimdGemmD/g; s/SimdBlasF/SimdBlasD/g; s/SimdRowsF/SimdRowsD/g; $TOD" simd/SimdFvpF.java > simd/SimdFvpD.java
J='s/^package dev.pgkernels.simd;/package dev.pgkernels.jblas;/; s/SimdFvpF/JblasFvpF/g; s/SimdGemmF/JblasBlasF/g; s/SimdBlasF/JblasBlasF/g; s/SimdRowsF/JblasRowsF/g'
sed -e "$J" simd/SimdFvpF.java > jblas/JblasFvpF.java
sed -e "$J" -e "s/JblasFvpF/JblasFvpD/g; s/JblasBlasF/JblasBlasD/g; s/JblasRowsF/JblasRowsD/g; $TOD" simd/SimdFvpF.java > jblas/JblasFvpD.java
sed -e "s/JblasBlasF/JblasBlasD/g; s/NativeBlas.s/NativeBlas.d/g; $TOD" jblas/JblasBlasF.java > jblas/JblasBlasD.java
sed -e "s/JblasRowsF/JblasRowsD/g; s/JblasBlasF/JblasBlasD/g; s/(float) //g; $TOD" jblas/JblasRowsF.java > jblas/JblasRowsD.java
sed -e "$J" -e "s/SimdFisher/JblasFisher/g; s/SimdFvpD/JblasFvpD/g; s/\"simd\"/\"jblas\"/; s/{@code simd} Fisher-vector products/{@code jblas} Fisher-vector products/; s/on the blocked Vector API GEMM plus vector row loops/on native sgemm\/dgemm plus scalar row loops ({@link JblasRowsF})/" simd/SimdFisher.java > jblas/JblasFisher.java
sed -e "$J" -e "s/SimdCg/JblasCg/g; s/SimdBlasD/JblasBlasD/g; s/{@code simd} conjugate gradient/{@code jblas} conjugate gradient/; s/the Vector API's DOT/BLAS sdot\/ddot, saxpy and sscal/; s/ and fused update/ for the updates (not fused:/; s/loops, so a solve/ one more pass per iteration), so a solve/; s/(reassociated by SIMD, error/(in the native order, error/" simd/SimdCg.java > jblas/JblasCg.java
