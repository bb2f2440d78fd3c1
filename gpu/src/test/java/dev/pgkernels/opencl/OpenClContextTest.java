package dev.pgkernels.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgkernels.Backend;
import dev.pgkernels.Backends;
import dev.pgkernels.scale.ScaleFunction;
import dev.pgkernels.softmax.UpdateForm;
import java.util.List;
import org.jocl.CL;
import org.junit.jupiter.api.Test;

/** Devices, the context's lifetime and resources, error reporting, and the device-resident calls. */
class OpenClContextTest {

    @Test
    void devicesAreListedAndChosen() {
        OpenClTests.assumeOpenCl();
        List<OpenClDevice> ds = OpenClDevices.probe().devices();
        assertFalse(ds.isEmpty());
        OpenClDevice first = ds.get(0);
        assertEquals(first, OpenClDevices.choose(ds, "0", "test"));
        assertEquals(first, OpenClDevices.choose(ds, first.name().substring(0, Math.min(4, first.name().length())).toUpperCase(), "test"));
        OpenClDevice def = OpenClDevices.choose(ds, null, "test");
        assertTrue(def.isGpu() || ds.stream().noneMatch(OpenClDevice::isGpu), "a GPU is preferred when one exists");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpenClDevices.choose(ds, "no-such-device-xyz", "-Dpgkernels.opencl.device"));
        assertTrue(e.getMessage().contains("no-such-device-xyz") && e.getMessage().contains("matches no OpenCL device"));
        assertThrows(IllegalArgumentException.class, () -> OpenClDevices.choose(ds, "99", "test"));
    }

    @Test
    void backendsLoadsOpenClOrSaysWhy() {
        OpenClTests.assumeOpenCl();
        Backend b = Backends.get("opencl");
        assertEquals("opencl", b.name());
        assertEquals(List.of("scale", "softmax", "scans"), b.families());
        assertFalse(Backends.unavailable().containsKey("opencl"));
    }

    @Test
    void openingAndClosingManyContextsReleasesEverything() {
        OpenClTests.assumeOpenCl();
        OpenClDevice d = OpenClDevices.choose(OpenClDevices.probe().devices());
        for (int i = 0; i < 40; i++) {
            try (OpenClContext ctx = OpenClContext.open(d)) {
                DeviceBuffer a = ctx.upload(new float[] {1, 2, 3});
                ctx.floats(1000);
                ctx.upload(new boolean[] {true, false});
                assertEquals(3, ctx.liveBuffers());
                a.close();
                a.close(); // idempotent
                assertEquals(2, ctx.liveBuffers());
                ctx.close(); // releases the two left
                assertEquals(0, ctx.liveBuffers());
                assertTrue(ctx.isClosed());
                assertThrows(IllegalStateException.class, () -> ctx.floats(1));
            }
        }
    }

    @Test
    void programsAreBuiltOncePerContextAndBuffersReturnToZeroAfterManyCalls() {
        OpenClTests.assumeOpenCl();
        try (OpenClContext ctx = OpenClContext.open(OpenClDevices.choose(OpenClDevices.probe().devices()))) {
            OpenClScale scale = new OpenClScale(ctx);
            OpenClScans scans = new OpenClScans(ctx, OpenClScans.Strategy.CHUNKED);
            float[] x = {0.5f, -1f, 2f}, y = {1f, 2f, -3f}, out = new float[3];
            boolean[] f = new boolean[3];
            for (int i = 0; i < 300; i++) {
                scale.scale(ScaleFunction.sq(), 3, x, y, out);
                scans.gae(3, 1, x, y, x, f, f, 0.9f, 0.9f, out, null, null);
                assertEquals(0, ctx.liveBuffers(), "call " + i + " leaked a buffer");
            }
            assertEquals(2, ctx.builtPrograms());
            // the array calls stage data in pooled scratch buffers: a fixed set, reused by every call
            int pooled = ctx.scratchBuffers();
            assertTrue(pooled > 0 && pooled <= 15, "scratch buffers: " + pooled);
            scale.scale(ScaleFunction.sq(), 3, x, y, out);
            assertEquals(pooled, ctx.scratchBuffers(), "a repeated call reuses the pool");
            ctx.releaseScratch();
            assertEquals(0, ctx.scratchBuffers());
        }
    }

    @Test
    void deviceResidentBuffersRoundTripAndRunSeveralKernels() {
        OpenClBackend b = OpenClTests.backend();
        OpenClContext ctx = b.context();
        int before = ctx.liveBuffers();
        int B = 5, A = 40;
        float[] logits = new float[B * A];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) Math.sin(i);
        int[] actions = {0, 3, 39, 7, 1};
        float[] logMu = {-3, -4, -3.5f, -4, -3}, target = {1, -1, 0.5f, 2, 0};
        try (DeviceBuffer q = ctx.upload(logits); DeviceBuffer act = ctx.upload(actions);
                DeviceBuffer mu = ctx.upload(logMu); DeviceBuffer tg = ctx.upload(target);
                DeviceBuffer lp = ctx.floats(B * A); DeviceBuffer g = ctx.floats(B * A)) {
            assertArrayEquals(logits, q.toFloatArray());
            b.openClSoftmax().softmax(B, A, q, lp);
            float[] refP = new float[B * A];
            Backends.reference().softmax().orElseThrow().softmax(B, A, logits, refP);
            dev.pgkernels.testsupport.Tolerance.spec().assertClose("device softmax", refP, lp.toFloatArray(), B * A, 1.0);
            b.openClSoftmax().logSoftmax(B, A, q, lp);
            b.openClSoftmax().update(UpdateForm.U_V, ScaleFunction.sq(), B, A, q, act, mu, tg, g);
            float[] refLp = new float[B * A], refG = new float[B * A];
            Backends.reference().softmax().orElseThrow().logSoftmax(B, A, logits, refLp);
            Backends.reference().softmax().orElseThrow().update(UpdateForm.U_V, ScaleFunction.sq(), B, A, logits,
                    actions, logMu, target, refG);
            dev.pgkernels.testsupport.Tolerance.spec().assertClose("device logSoftmax", refLp, lp.toFloatArray(), B * A, 10.0);
            dev.pgkernels.testsupport.Tolerance.spec().assertClose("device update", refG, g.toFloatArray(), B * A, 10.0);
            assertThrows(IllegalArgumentException.class, () -> b.openClSoftmax().logSoftmax(B, A + 1, q, lp));
            assertThrows(IllegalArgumentException.class, () -> b.openClScale().scale(ScaleFunction.sq(), 4, act, 0, q, 0, lp, 0));
        }
        assertEquals(before, ctx.liveBuffers());
    }

    @Test
    void oneBackendSharedByThreadsGivesEachCallersResult() throws Exception {
        OpenClBackend b = OpenClTests.backend();
        int T = 300, E = 5, n = T * E;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
            for (int task = 0; task < 8; task++) {
                final long seed = task;
                fs.add(pool.submit(() -> {
                    dev.pgkernels.testsupport.ScanRollouts ro = dev.pgkernels.testsupport.ScanRollouts.generate(seed, T, E, 0.05, 0.5, 5f, 0);
                    float[] ref = new float[n], got = new float[n];
                    Backends.reference().scans().orElseThrow().gae(T, E, ro.reward(), ro.value(), ro.nextValue(),
                            ro.terminated(), ro.done(), 0.99f, 0.95f, ref, null, null);
                    for (int rep = 0; rep < 10; rep++) {
                        b.scans().orElseThrow().gae(T, E, ro.reward(), ro.value(), ro.nextValue(), ro.terminated(),
                                ro.done(), 0.99f, 0.95f, got, null, null);
                        dev.pgkernels.testsupport.Tolerance.spec().assertClose("thread " + seed, ref, got, n, 100.0);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void errorsNameTheCallAndTheCode() {
        OpenClException e = new OpenClException("clCreateBuffer", CL.CL_INVALID_BUFFER_SIZE);
        assertTrue(e.getMessage().contains("clCreateBuffer") && e.getMessage().contains("CL_INVALID_BUFFER_SIZE"),
                e.getMessage());
        assertEquals(CL.CL_INVALID_BUFFER_SIZE, e.code());
        OpenClTests.assumeOpenCl();
        try (OpenClContext ctx = OpenClContext.open(OpenClDevices.choose(OpenClDevices.probe().devices()))) {
            // a program whose (literal) source does not compile, through the same path as the kernels'
            OpenClBuildException be = assertThrows(OpenClBuildException.class, () -> ctx.kernel("broken",
                    "#line 1\nkernel void broken(global float* x) { x[0] = undefined_name; }"));
            assertTrue(be.buildLog().contains("undefined_name"), be.buildLog());
            assertTrue(be.getMessage().contains("CL_BUILD_PROGRAM_FAILURE"), be.getMessage());
            assertThrows(OpenClException.class, () -> ctx.kernel("no_such_kernel", OpenClScale.PROGRAM));
        }
    }
}
