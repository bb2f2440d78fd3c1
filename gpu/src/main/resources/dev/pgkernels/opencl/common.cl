/*
 * pgkernels OpenCL: shared helpers (fp32). Built without -cl-fast-relaxed-math, so exp, expm1, log
 * keep the full profile's accuracy (<= 3 ulp) and NaN/Inf follow IEEE 754.
 */

/* Java's Math.max / Math.min: NaN propagates (OpenCL's fmax/fmin return the other operand). */
inline float jmax(float a, float b) { return (isnan(a) || isnan(b)) ? NAN : fmax(a, b); }
inline float jmin(float a, float b) { return (isnan(a) || isnan(b)) ? NAN : fmin(a, b); }

/* Double's exp(x) overflows to +Inf for a float x above this, and underflows to 0 below PGK_EXPD_ZERO. */
#define PGK_EXPD_INF 709.78265f
#define PGK_EXPD_ZERO (-745.1332f)

/* ln 2 split for Cody-Waite reduction: LN2_HI has 15 significant bits, so n * LN2_HI is exact for |n| <= 511. */
#define PGK_LN2_HI 0.693145751953125f
#define PGK_LN2_LO 1.4286068e-6f

/*
 * exp(x) = 2^n * exp(r) with |r| <= ln2/2 (+ rounding); x finite, |x| <= 200. Returns exp(r), sets *n.
 * x - n*LN2_HI is exact (Sterbenz), so r carries one rounding; exp(r) <= 3 ulp.
 */
inline float exp_reduced(float x, int* n) {
    float k = rint(x * M_LOG2E_F);
    *n = (int) k;
    float r = (x - k * PGK_LN2_HI) - k * PGK_LN2_LO;
    return exp(r);
}

/*
 * exp(x) * y rounded to fp32 as the double reference computes it: finite whenever the exact
 * product fits fp32 (exp(x) alone may overflow or underflow fp32), +-Inf/0 only where the double
 * product rounds there, and the double's special cases (exp overflows in double only above 709.78,
 * so exp(100) * 0 = 0 but exp(800) * 0 = NaN; exp(-200) * Inf = Inf but exp(-800) * Inf = NaN).
 * Finite nonzero y = m 2^e (frexp, exact); the result is ldexp(exp(r) m, n + e), which rounds once
 * more only in the subnormal range. Relative error <= 4 ulp for normal results.
 */
inline float exp_mul(float x, float y) {
    if (isnan(x) || isnan(y)) return x + y;
    if (y == 0.0f) return x > PGK_EXPD_INF ? NAN : 0.0f * y;
    if (isinf(y)) return x < PGK_EXPD_ZERO ? NAN : y;
    if (isinf(x)) return x > 0.0f ? x * y : 0.0f * y;
    /* |log|y|| <= 104, so beyond +-200 the result is 0 or Inf whatever the clamp. */
    float xc = clamp(x, -200.0f, 200.0f);
    int e;
    float m = frexp(y, &e);
    int n;
    float er = exp_reduced(xc, &n);
    return ldexp(er * m, n + e);
}

/* exp(x) * exp(y) for finite x, y (no intermediate overflow): the exponent x + y, accurately. */
inline float exp_exp(float x, float y) {
    float s = x + y;
    if (s > 100.0f) return INFINITY;
    if (s < -110.0f) return 0.0f;
    if (fabs(x) <= 200.0f && fabs(y) <= 200.0f) {
        int nx, ny;
        float ex = exp_reduced(x, &nx);
        float ey = exp_reduced(y, &ny);
        return ldexp(ex * ey, nx + ny);
    }
    /* one of |x|, |y| > 200 and |x + y| <= 110: x ~ -y, so x + y is exact (Sterbenz) */
    return exp_mul(s, 1.0f);
}

/* Kahan-compensated sum: s + c; non-finite terms go to 'spec' (IEEE sum, so Inf - Inf = NaN). */
typedef struct { float s; float c; float spec; } ksum;

inline ksum ks_zero(void) { ksum k; k.s = 0.0f; k.c = 0.0f; k.spec = 0.0f; return k; }

inline ksum ks_add(ksum k, float v) {
    if (!isfinite(v)) { k.spec += v; return k; }
    float y = v - k.c;
    float t = k.s + y;
    k.c = isfinite(t) ? (t - k.s) - y : 0.0f;
    k.s = t;
    return k;
}

inline float ks_value(ksum k) { return (k.s - k.c) + k.spec; }
