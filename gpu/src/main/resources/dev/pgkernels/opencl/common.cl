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

/* 2^k for an integer |k| <= 126, built from its bits (exact). */
inline float pow2i(int k) { return as_float((k + 127) << 23); }

/*
 * y * 2^k for |k| <= 360, exactly (apart from roundings where the result is subnormal), as three
 * power-of-2 factors of the same direction, so an intermediate overflows or underflows only where
 * the result does.
 */
inline float scale2(float y, int k) {
    int k1 = k / 3, k2 = (k - k1) / 2, k3 = k - k1 - k2;
    return ((y * pow2i(k1)) * pow2i(k2)) * pow2i(k3);
}

/*
 * exp(x) = 2^k exp(r), x finite in [-200, 200], |r| <= ln2/2 (+ rounding): Cody-Waite, x - k*LN2_HI
 * is exact (Sterbenz; k*LN2_HI exact for |k| <= 511), so r carries one rounding; exp(r) <= 3 ulp.
 */
inline float exp_reduced(float x, int* k) {
    float kf = floor(x * M_LOG2E_F + 0.5f);
    *k = (int) kf;
    return exp((x - kf * PGK_LN2_HI) - kf * PGK_LN2_LO);
}

/*
 * exp(x) * y rounded to fp32 as the double reference computes it: finite whenever the exact
 * product fits fp32 (exp(x) alone may overflow or underflow fp32), +-Inf/0 only where the double
 * product rounds there, and the double's special cases (exp overflows in double only above 709.78,
 * so exp(100) * 0 = 0 but exp(800) * 0 = NaN; exp(-200) * Inf = Inf but exp(-800) * Inf = NaN).
 * The general value is 2^k (exp(r) y) with the scaling of scale2; straight-line code (selects, no
 * calls that stop vectorisation). Relative error <= 4 ulp for normal results.
 */
inline float exp_mul(float x, float y) {
    /* |log|y|| <= 104, so beyond +-200 the result is 0 or Inf whatever the clamp. */
    float xc = fmin(fmax(x, -200.0f), 200.0f);
    int k;
    float er = exp_reduced(xc, &k);
    /* a tiny y is lifted by 2^64 (exact) so that y * exp(r) is a normal float: one rounding */
    bool tiny = fabs(y) < 0x1p-100f;
    float yn = tiny ? y * 0x1p64f : y;
    k = tiny ? k - 64 : k;
    /* scale down before the rounding product, up after it: no intermediate overflow */
    float v = scale2(scale2(yn, min(k, 0)) * er, max(k, 0));
    v = y == 0.0f ? (x > PGK_EXPD_INF ? NAN : 0.0f * y) : v;
    v = isinf(y) ? (x < PGK_EXPD_ZERO ? NAN : y) : v;
    return isnan(x) ? x : v;
}

/* exp(x) * exp(y) for finite x, y, without intermediate overflow: the exponent x + y, accurately. */
inline float exp_exp(float x, float y) {
    float xc = fmin(fmax(x, -200.0f), 200.0f), yc = fmin(fmax(y, -200.0f), 200.0f);
    int kx, ky;
    float ex = exp_reduced(xc, &kx), ey = exp_reduced(yc, &ky);
    float two = scale2(ex * ey, kx + ky);
    /* one of |x|, |y| > 200 with |x + y| <= 110: x ~ -y, so x + y is exact (Sterbenz) */
    float s = x + y;
    float one = exp_mul(s, 1.0f);
    float v = (fabs(x) <= 200.0f && fabs(y) <= 200.0f) ? two : one;
    return s > 100.0f ? INFINITY : (s < -110.0f ? 0.0f : v);
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
