/*
 * Row kernels of family 2, a template: the including program defines WIDE (0 or 1) first.
 * Per row i: m = max_j q_ij (NaN propagates), Z = sum_j exp(q_ij - m) (compensated),
 * log pi_ij = (q_ij - m) - log Z, pi_ij = exp(q_ij - m) / Z (exactly 0 for a -Inf logit).
 * WIDE = 1: one work-group per row (local size a power of 2), items stride the row, reductions in
 * local memory. WIDE = 0: one work-item per row, the same code with a group of one.
 */
#if WIDE
#define KN(n) n##_wide
#define ROW_ID ((int) get_group_id(0))
#define LID ((int) get_local_id(0))
#define LSZ ((int) get_local_size(0))
#define RARGS , local float* red
#define RPASS , red
#define RMAX(v) wg_max(v, red)
#define RSUM(k) wg_sum(k, red)
#define ROW_GUARD
#else
#define KN(n) n##_narrow
#define ROW_ID ((int) get_global_id(0))
#define LID 0
#define LSZ 1
#define RARGS
#define RPASS
#define RMAX(v) (v)
#define RSUM(k) ks_value(k)
#define ROW_GUARD if (row >= b) return;
#endif

inline float KN(row_max)(global const float* q, int a RARGS) {
    float m = -INFINITY;
    for (int j = LID; j < a; j += LSZ) m = jmax(m, q[j]);
    return RMAX(m);
}

inline float KN(row_sumexp)(global const float* q, int a, float m RARGS) {
    ksum k = ks_zero();
    for (int j = LID; j < a; j += LSZ) k = ks_add(k, exp(q[j] - m));
    return RSUM(k);
}

kernel void KN(logsoftmax)(int b, int a, global const float* logits, global float* out RARGS) {
    int row = ROW_ID;
    ROW_GUARD
    global const float* q = logits + (long) row * a;
    global float* o = out + (long) row * a;
    float m = KN(row_max)(q, a RPASS);
    float logZ = log(KN(row_sumexp)(q, a, m RPASS));
    for (int j = LID; j < a; j += LSZ) o[j] = (q[j] - m) - logZ;
}

kernel void KN(softmax)(int b, int a, global const float* logits, global float* out RARGS) {
    int row = ROW_ID;
    ROW_GUARD
    global const float* q = logits + (long) row * a;
    global float* o = out + (long) row * a;
    float m = KN(row_max)(q, a RPASS);
    float z = KN(row_sumexp)(q, a, m RPASS);
    for (int j = LID; j < a; j += LSZ) o[j] = exp(q[j] - m) / z;
}

/* H = -sum_{pi > 0} pi (log pi) = log Z - (1/Z) sum_{e_j > 0} e_j (q_j - m), two non-negative terms. */
kernel void KN(entropy)(int b, int a, global const float* logits, global float* out RARGS) {
    int row = ROW_ID;
    ROW_GUARD
    global const float* q = logits + (long) row * a;
    float m = KN(row_max)(q, a RPASS);
    ksum kz = ks_zero(), ks = ks_zero();
    for (int j = LID; j < a; j += LSZ) {
        float d = q[j] - m;
        float e = exp(d);
        kz = ks_add(kz, e);
        if (e != 0.0f) ks = ks_add(ks, e * d); /* pi = 0 contributes 0, not 0 * -Inf; NaN passes */
    }
    float z = RSUM(kz);
    float s = RSUM(ks);
    if (LID == 0) out[row] = log(z) - s / z;
}

/* KL(p_old || p_new) = sum_j p_old,j (logp_old,j - logp_new,j); terms as ReferenceSoftmax. */
kernel void KN(kl)(int b, int a, global const float* logpOld, global const float* logpNew, global float* out RARGS) {
    int row = ROW_ID;
    ROW_GUARD
    global const float* lo = logpOld + (long) row * a;
    global const float* ln = logpNew + (long) row * a;
    ksum k = ks_zero();
    for (int j = LID; j < a; j += LSZ) {
        float o = lo[j], n = ln[j], term;
        if (o == -INFINITY) term = 0.0f;                        /* p_old = 0 */
        else if (n == -INFINITY && !isnan(o)) term = INFINITY;  /* p_old > 0 where p_new = 0 */
        else term = exp_mul(o, o - n);
        k = ks_add(k, term);
    }
    float kl = RSUM(k);
    if (LID == 0) out[row] = kl;
}

/* terms[i] = exp(logp_new(a_i) - logpOld_i) * adv_i; the host sums them in double and divides by B. */
kernel void KN(surrogate)(int b, int a, global const float* logits, global const int* actions,
                          global const float* logpOld, global const float* adv, global float* terms RARGS) {
    int row = ROW_ID;
    ROW_GUARD
    global const float* q = logits + (long) row * a;
    float m = KN(row_max)(q, a RPASS);
    float logZ = log(KN(row_sumexp)(q, a, m RPASS));
    if (LID == 0) {
        /* (q_a - m) - logpOld first: both are log-probabilities of one action, often close */
        float x = ((q[actions[row]] - m) - logpOld[row]) - logZ;
        terms[row] = exp_mul(x, adv[row]);
    }
}

/*
 * The update forms U_Q (0), U_V (1), U_P (2) with the scale function of scale.cl. outs: bit 0 write
 * dO, bit 1 dR, bit 2 s. pi_j = 0 in double (a masked -Inf logit, or exp underflow in double, i.e.
 * (q_j - m) - log Z < -745.13) gives exactly 0 off the taken action, as ReferenceSoftmax; where
 * pi_j underflows in fp32 only, s * pi_j is evaluated as exp_mul(log pi_j, s) so an infinite s
 * gives the reference's infinity, not 0 * Inf.
 */
kernel void KN(update)(int form, int kind, float ao, float ar, float ope, float ome, float clip, int b, int a,
                       global const float* logits, global const int* actions, global const float* logMu,
                       global const float* target, global float* g, global float* dOut, global float* dRout,
                       global float* sOut, int outs RARGS) {
    int row = ROW_ID;
    ROW_GUARD
    global const float* q = logits + (long) row * a;
    global float* gr = g + (long) row * a;
    int act = actions[row];
    float m = KN(row_max)(q, a RPASS);
    ksum kz = ks_zero(), kq = ks_zero(), kr = ks_zero();
    for (int j = LID; j < a; j += LSZ) {
        float e = exp(q[j] - m);
        kz = ks_add(kz, e);
        if (j != act) kr = ks_add(kr, e);
        if (form == 2 && e != 0.0f) kq = ks_add(kq, e * q[j]);
    }
    float z = RSUM(kz);
    /* 1 - pi_a as (sum of the other entries) / Z: no cancellation when pi_a rounds to 1 in fp32.
     * The reference sums Z = 1 + rest in double, which rounds to exactly 1 when rest <= 2^-53 (half
     * the spacing of doubles just above 1, ties to even); its pi_a is then 1 and its 1 - pi_a exactly
     * 0 (an infinite s gives NaN there). The same class is kept by flushing at that threshold
     * (2^-54, the spacing below 1, was wrong: rest = 6.9e-17 gave the reference NaN, us Inf). */
    float zRest = form != 0 ? RSUM(kr) : 0.0f;
    float oneMinusPa = zRest / z;
    oneMinusPa = oneMinusPa <= 0x1p-53f ? 0.0f : oneMinusPa;
    float piDotQ = form == 2 ? RSUM(kq) / z : 0.0f;
    float logZ = log(z);
    float qa = q[act];
    float dO = ((qa - m) - logZ) - logMu[row];
    float dR = target[row] - qa;
    float s = scale_fn(kind, dO, dR, ao, ar, ope, ome, clip);
    if (LID == 0) {
        if (outs & 1) dOut[row] = dO;
        if (outs & 2) dRout[row] = dR;
        if (outs & 4) sOut[row] = s;
    }
    for (int j = LID; j < a; j += LSZ) {
        float v;
        if (form == 0) {
            v = j == act ? s : 0.0f;
        } else {
            float d = q[j] - m;
            float lp = d - logZ;
            bool pz = lp < PGK_EXPD_ZERO;
            if (j != act && pz) {
                v = 0.0f;
            } else {
                float p = exp(d) / z;
                float sterm = j == act ? s * oneMinusPa : (p == 0.0f ? -exp_mul(lp, s) : -(s * p));
                float last = (form == 2 && !pz) ? p * (q[j] - piDotQ) : 0.0f;
                v = sterm + last;
            }
        }
        gr[j] = v;
    }
}

#undef KN
#undef ROW_ID
#undef LID
#undef LSZ
#undef RARGS
#undef RPASS
#undef RMAX
#undef RSUM
#undef ROW_GUARD
#undef WIDE
