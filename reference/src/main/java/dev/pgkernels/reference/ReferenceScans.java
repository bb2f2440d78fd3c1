package dev.pgkernels.reference;

import dev.pgkernels.scan.AbstractScanKernels;
import dev.pgkernels.scan.ScanKernels;
import dev.pgkernels.scan.ScanWorkspace;

/**
 * The {@code reference} scans (SPEC §3): for each environment, one backward loop over time that
 * follows SPEC's recurrences line by line, in {@code double}, rounding to fp32 only when an element
 * is stored. Arguments are validated by {@link AbstractScanKernels}; see {@link ScanKernels} for
 * the contract. Every {@code (1 - flag)} factor is a select ({@code flag ? 0 : x}), so NaN and
 * infinities never cross an episode boundary. Needs no scratch: the workspace is ignored.
 */
public final class ReferenceScans extends AbstractScanKernels {

    /** Stateless; also reachable as {@code Backends.reference().scans()}. */
    public ReferenceScans() {}

    @Override
    protected void gaeKernel(int T, int E, float[] reward, float[] value, float[] nextValue, boolean[] terminated,
            boolean[] done, float gamma, float lambda, float[] advantages, float[] returns, ScanWorkspace ws) {
        double g = gamma;
        double gl = g * lambda;
        for (int e = 0; e < E; e++) {
            double next = 0.0; // A_{t+1}; A_T = 0
            for (int t = T - 1; t >= 0; t--) {
                int i = t * E + e;
                double bootstrap = terminated[i] ? 0.0 : g * nextValue[i];
                double delta = reward[i] + bootstrap - value[i];
                double carry = done[i] ? 0.0 : gl * next;
                double a = delta + carry;
                if (advantages != null) {
                    advantages[i] = (float) a;
                }
                if (returns != null) {
                    returns[i] = (float) (a + value[i]);
                }
                next = a;
            }
        }
    }

    @Override
    protected void gaeCompactKernel(int T, int E, float[] reward, float[] value, boolean[] dones, float gamma,
            float lambda, float[] advantages, float[] returns, ScanWorkspace ws) {
        double g = gamma;
        double gl = g * lambda;
        for (int e = 0; e < E; e++) {
            double next = 0.0; // A_{t+1}; A_T = 0
            for (int t = T - 1; t >= 0; t--) {
                int i = t * E + e;
                double nextValue = value[(t + 1) * E + e];
                double bootstrap = dones[i] ? 0.0 : g * nextValue;
                double delta = reward[i] + bootstrap - value[i];
                double carry = dones[i] ? 0.0 : gl * next;
                double a = delta + carry;
                if (advantages != null) {
                    advantages[i] = (float) a;
                }
                if (returns != null) {
                    returns[i] = (float) (a + value[i]);
                }
                next = a;
            }
        }
    }

    @Override
    protected void rewardToGoKernel(int T, int E, float[] reward, boolean[] done, float gamma, float[] out,
            ScanWorkspace ws) {
        double g = gamma;
        for (int e = 0; e < E; e++) {
            double next = 0.0; // G_{t+1}; G_T = 0
            for (int t = T - 1; t >= 0; t--) {
                int i = t * E + e;
                double carry = done[i] ? 0.0 : g * next;
                double rtg = reward[i] + carry;
                out[i] = (float) rtg;
                next = rtg;
            }
        }
    }

    @Override
    protected void vtraceKernel(int T, int E, float[] logRho, float[] reward, float[] value, float[] nextValue,
            boolean[] terminated, boolean[] done, float gamma, float lambda, float rhoBar, float cBar, float[] vs,
            float[] pgAdv, ScanWorkspace ws) {
        double g = gamma;
        for (int e = 0; e < E; e++) {
            double vsNextStep = 0.0; // vs_{t+1}, in double; unused at t = T-1
            for (int t = T - 1; t >= 0; t--) {
                int i = t * E + e;
                double ratio = Math.exp((double) logRho[i]);
                double rho = Math.min((double) rhoBar, ratio);
                double c = lambda * Math.min((double) cBar, ratio);
                double v = value[i];
                double nv = nextValue[i];
                boolean last = t == T - 1;

                double bootstrap = terminated[i] ? 0.0 : g * nv;
                double delta = rho * (reward[i] + bootstrap - v);
                double carry = (last || done[i]) ? 0.0 : g * c * (vsNextStep - nv);
                double vsT = v + delta + carry;
                vs[i] = (float) vsT;

                if (pgAdv != null) {
                    double vsNext = (!last && !done[i]) ? vsNextStep : nv;
                    double pgBootstrap = terminated[i] ? 0.0 : g * vsNext;
                    pgAdv[i] = (float) (rho * (reward[i] + pgBootstrap - v));
                }
                vsNextStep = vsT;
            }
        }
    }
}
