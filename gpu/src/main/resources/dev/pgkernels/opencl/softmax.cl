/*
 * Family 2 (SPEC §2): work-group reductions and the linear-policy gradient. The row kernels are in
 * softmax_rows.cl, compiled twice: WIDE = 0 (one work-item per row, for narrow rows) and WIDE = 1
 * (one work-group per row with local-memory tree reductions, for wide rows).
 */

/* Java max over the work-group (NaN propagates); every work-item gets the result. L is a power of 2. */
inline float wg_max(float v, local float* red) {
    int lid = get_local_id(0), L = get_local_size(0);
    red[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = L >> 1; s > 0; s >>= 1) {
        if (lid < s) red[lid] = jmax(red[lid], red[lid + s]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

/* Sum over the work-group of each item's compensated partial: a tree of log2(L) plain additions. */
inline float wg_sum(ksum k, local float* red) {
    int lid = get_local_id(0), L = get_local_size(0);
    red[lid] = ks_value(k);
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = L >> 1; s > 0; s >>= 1) {
        if (lid < s) red[lid] = red[lid] + red[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

/* dW[k*d + c] = (1/B) sum_i g[i*a + k] x[i*d + c]; one work-item per element of dW; dW = 0 when B = 0. */
kernel void lpg(int b, int a, int d, global const float* g, global const float* x, global float* dW) {
    int id = get_global_id(0);
    if (id >= a * d) return;
    int k = id / d, c = id - k * d;
    ksum s = ks_zero();
    for (int i = 0; i < b; i++) s = ks_add(s, g[i * a + k] * x[i * d + c]);
    dW[id] = b == 0 ? 0.0f : ks_value(s) / (float) b;
}
