/*
 * Family 1 (SPEC §1): the gradient scale functions f(x, y), x = dO (log ratio), y = dR (error),
 * fp32, matching ReferenceScale's special-value behaviour (overflow judged on the rounded result:
 * exp_mul in common.cl). Kinds (ScaleFunction.Kind ordinal): 0 MSE, 1 SQ, 2 ML, 3 SIL, 4 MLA,
 * 5 MLA(ao, ar), 6 PPO_CLIP(eps).
 */

/* exp(x) * expm1(y), as the double reference: expm1(y) overflows fp32 above 88.7, so for y > 80
 * it is exp(y) (1 - e^-y) = exp(y) to far below fp32 resolution, and the product exp(x + y). */
inline float ml_scale(float x, float y) {
    if (x == -INFINITY) return (isnan(y) || y > PGK_EXPD_INF) ? NAN : 0.0f; /* 0 * expm1(y), Inf in double above 709.78 */
    if (y > PGK_EXPD_INF) return exp_mul(x, INFINITY);                    /* expm1(y) = +Inf in double too */
    if (y > 80.0f && isfinite(x)) return exp_exp(x, y);
    return exp_mul(x, expm1(y));
}

/*
 * f(min(x, clip), y) of ScaleFunction kind 'kind'. ope = (float)(1 + eps), ome = (float)(1 - eps)
 * for PPO; ao, ar for MLA(ao, ar); clip = +Inf when there is none.
 */
inline float scale_fn(int kind, float x, float y, float ao, float ar, float ope, float ome, float clip) {
    x = jmin(x, clip);
    switch (kind) {
        case 0: return y;
        case 1: return exp_mul(x, y);
        case 2: return ml_scale(x, y);
        case 3: return exp_mul(x, jmax(y, 0.0f));
        case 4: {
            float opx = 1.0f + x;
            if (opx + y <= 0.0f && 0.0f < opx) return -(opx * (opx * 0.5f));
            return y * jmax(opx + y * 0.5f, 0.0f);
        }
        case 5: {
            float b = 1.0f + ao * x;
            return y * jmax(b + ar * y, jmax(b, 0.0f) * 0.5f);
        }
        default: {
            float ratio = exp(x);
            bool flat = (y > 0.0f && ratio > ope) || (y < 0.0f && ratio < ome);
            return flat ? 0.0f : exp_mul(x, y);
        }
    }
}

/*
 * out[outOff + i] = f(dO[dOOff + i], dR[dROff + i]), 0 <= i < n; one work-item per element. One
 * kernel per kind (scale_0 .. scale_6), so the kind is a constant and the switch folds away.
 */
#define PGK_SCALE_KERNEL(K) \
kernel void scale_##K(float ao, float ar, float ope, float ome, float clip, int n, \
                      global const float* dO, int dOOff, global const float* dR, int dROff, \
                      global float* out, int outOff) { \
    int i = get_global_id(0); \
    if (i >= n) return; \
    out[outOff + i] = scale_fn(K, dO[dOOff + i], dR[dROff + i], ao, ar, ope, ome, clip); \
}
PGK_SCALE_KERNEL(0)
PGK_SCALE_KERNEL(1)
PGK_SCALE_KERNEL(2)
PGK_SCALE_KERNEL(3)
PGK_SCALE_KERNEL(4)
PGK_SCALE_KERNEL(5)
PGK_SCALE_KERNEL(6)
