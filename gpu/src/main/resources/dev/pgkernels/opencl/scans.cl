/*
 * Family 3 (SPEC §3): reverse scans over a time-major [T][E] rollout, fp32. Every (1 - flag) factor
 * is a select, so NaN and Inf never cross an episode boundary. Flags are bytes (0/1).
 *
 * GAE modes (one recurrence A_t = delta_t + (done_t ? 0 : c A_{t+1}), A_T = 0):
 *   0 general:  delta = r + (term ? 0 : g nv_t) - v_t,       c = g lambda
 *   1 compact:  nv_t = value[i + E], term = done = dones
 *   2 reward-to-go: delta = r, c = g (value, nextValue unused), term = done
 * Two strategies: a work-item per environment walking back in time (many environments), and a
 * chunked scan (few environments, long horizons): phase 1 composes each chunk's affine maps
 * x -> D + C x (with a 'cut' when a done flag inside stops dependence on the carry), phase 2 walks
 * the chunks of each environment to get each chunk's incoming carry, phase 3 recomputes the chunk
 * exactly as the per-environment walk would, starting from that carry.
 */

inline float gae_delta(int mode, int i, int E, global const float* r, global const float* v,
                       global const float* nv, global const uchar* term, float g) {
    if (mode == 2) return r[i];
    float next = mode == 1 ? v[i + E] : nv[i];
    float boot = term[i] ? 0.0f : g * next;
    return (r[i] + boot) - v[i];
}

/* Walks t = t1-1 .. t0 of environment e from the carry A_{t1}; writes adv and/or ret. */
inline void gae_walk(int mode, int t0, int t1, int e, int E, global const float* r, global const float* v,
                     global const float* nv, global const uchar* term, global const uchar* done, float g, float c,
                     float next, global float* adv, global float* ret, int outs) {
    for (int t = t1 - 1; t >= t0; t--) {
        int i = t * E + e;
        float delta = gae_delta(mode, i, E, r, v, nv, term, g);
        float carry = done[i] ? 0.0f : c * next;
        float a = delta + carry;
        if (outs & 1) adv[i] = a;
        if (outs & 2) ret[i] = a + v[i];
        next = a;
    }
}

/* One work-item per environment. outs: bit 0 advantages, bit 1 returns. */
kernel void gae_envs(int mode, int T, int E, global const float* r, global const float* v, global const float* nv,
                     global const uchar* term, global const uchar* done, float g, float c,
                     global float* adv, global float* ret, int outs) {
    int e = get_global_id(0);
    if (e >= E) return;
    gae_walk(mode, 0, T, e, E, r, v, nv, term, done, g, c, 0.0f, adv, ret, outs);
}

/* Phase 1: for chunk k of environment e (id = k*E + e), the composed map A_start = D + C A_end. */
kernel void gae_compose(int mode, int T, int E, int chunk, int nChunks, global const float* r, global const float* v,
                        global const float* nv, global const uchar* term, global const uchar* done, float g, float c,
                        global float* D, global float* C, global uchar* cut) {
    int id = get_global_id(0);
    if (id >= nChunks * E) return;
    int k = id / E, e = id - k * E;
    int t0 = k * chunk, t1 = min(T, t0 + chunk);
    float dd = 0.0f, cc = 1.0f;
    uchar cu = 0;
    for (int t = t1 - 1; t >= t0; t--) {
        int i = t * E + e;
        float delta = gae_delta(mode, i, E, r, v, nv, term, g);
        if (done[i]) { dd = delta; cc = 0.0f; cu = 1; }
        else { dd = delta + c * dd; cc = c * cc; }
    }
    D[id] = dd; C[id] = cc; cut[id] = cu;
}

/* Phase 2: carry[k*E + e] = A at the first step after chunk k (0 after the last chunk). One item per env. */
kernel void chunk_carry(int E, int nChunks, global const float* D, global const float* C, global const uchar* cut,
                        global float* carry) {
    int e = get_global_id(0);
    if (e >= E) return;
    float x = 0.0f;
    for (int k = nChunks - 1; k >= 0; k--) {
        int id = k * E + e;
        carry[id] = x;
        x = cut[id] ? D[id] : D[id] + C[id] * x;
    }
}

/* Phase 3: each chunk recomputed from its carry. */
kernel void gae_apply(int mode, int T, int E, int chunk, int nChunks, global const float* r, global const float* v,
                      global const float* nv, global const uchar* term, global const uchar* done, float g, float c,
                      global const float* carry, global float* adv, global float* ret, int outs) {
    int id = get_global_id(0);
    if (id >= nChunks * E) return;
    int k = id / E, e = id - k * E;
    int t0 = k * chunk, t1 = min(T, t0 + chunk);
    gae_walk(mode, t0, t1, e, E, r, v, nv, term, done, g, c, carry[id], adv, ret, outs);
}

/*
 * V-trace (IMPALA), as ReferenceScans: rho = min(rhoBar, exp(logRho)), c = lambda min(cBar, exp(logRho)),
 * vs_t = v + rho (r + g (1-term) nv - v) + g c (1-done) (vs_{t+1} - nv), cut at t = T-1;
 * pgAdv_t = rho (r + g (1-term) vsNext - v), vsNext = vs_{t+1} unless done or last, else nv.
 */
inline void vtrace_walk(int t0, int t1, int T, int e, int E, global const float* logRho, global const float* r,
                        global const float* v, global const float* nv, global const uchar* term,
                        global const uchar* done, float g, float lambda, float rhoBar, float cBar,
                        float vsNextStep, global float* vs, global float* pg, int outs) {
    for (int t = t1 - 1; t >= t0; t--) {
        int i = t * E + e;
        float ratio = exp(logRho[i]);
        float rho = jmin(rhoBar, ratio);
        float cc = lambda * jmin(cBar, ratio);
        float vi = v[i], nvi = nv[i];
        bool cutHere = t == T - 1 || done[i];
        float boot = term[i] ? 0.0f : g * nvi;
        float delta = rho * ((r[i] + boot) - vi);
        float carry = cutHere ? 0.0f : (g * cc) * (vsNextStep - nvi);
        float vst = (vi + delta) + carry;
        vs[i] = vst;
        if (outs & 1) {
            float vsNext = cutHere ? nvi : vsNextStep;
            float pgBoot = term[i] ? 0.0f : g * vsNext;
            pg[i] = rho * ((r[i] + pgBoot) - vi);
        }
        vsNextStep = vst;
    }
}

kernel void vtrace_envs(int T, int E, global const float* logRho, global const float* r, global const float* v,
                        global const float* nv, global const uchar* term, global const uchar* done, float g,
                        float lambda, float rhoBar, float cBar, global float* vs, global float* pg, int outs) {
    int e = get_global_id(0);
    if (e >= E) return;
    vtrace_walk(0, T, T, e, E, logRho, r, v, nv, term, done, g, lambda, rhoBar, cBar, 0.0f, vs, pg, outs);
}

/* Phase 1 for V-trace, in the variable vs_{t+1}: vs_t = (v + delta - g c nv) + (g c) vs_{t+1}. */
kernel void vtrace_compose(int T, int E, int chunk, int nChunks, global const float* logRho, global const float* r,
                           global const float* v, global const float* nv, global const uchar* term,
                           global const uchar* done, float g, float lambda, float rhoBar, float cBar,
                           global float* D, global float* C, global uchar* cut) {
    int id = get_global_id(0);
    if (id >= nChunks * E) return;
    int k = id / E, e = id - k * E;
    int t0 = k * chunk, t1 = min(T, t0 + chunk);
    float dd = 0.0f, cc = 1.0f;
    uchar cu = 0;
    for (int t = t1 - 1; t >= t0; t--) {
        int i = t * E + e;
        float ratio = exp(logRho[i]);
        float rho = jmin(rhoBar, ratio);
        float ct = g * (lambda * jmin(cBar, ratio));
        float vi = v[i], nvi = nv[i];
        float boot = term[i] ? 0.0f : g * nvi;
        float base = vi + rho * ((r[i] + boot) - vi);
        if (t == T - 1 || done[i]) { dd = base; cc = 0.0f; cu = 1; }
        else { dd = (base - ct * nvi) + ct * dd; cc = ct * cc; }
    }
    D[id] = dd; C[id] = cc; cut[id] = cu;
}

kernel void vtrace_apply(int T, int E, int chunk, int nChunks, global const float* logRho, global const float* r,
                         global const float* v, global const float* nv, global const uchar* term,
                         global const uchar* done, float g, float lambda, float rhoBar, float cBar,
                         global const float* carry, global float* vs, global float* pg, int outs) {
    int id = get_global_id(0);
    if (id >= nChunks * E) return;
    int k = id / E, e = id - k * E;
    int t0 = k * chunk, t1 = min(T, t0 + chunk);
    vtrace_walk(t0, t1, T, e, E, logRho, r, v, nv, term, done, g, lambda, rhoBar, cBar, carry[id], vs, pg, outs);
}
