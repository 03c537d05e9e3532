/* Bit-exact replay of MKL mkl_vml_kernel_sExp_EXHAynn (as linked in torch 2.13.0+cpu libtorch_cpu.so)
   as called by torch.exp (vmsExp, mode VML_HA|VML_FTZDAZ_OFF|VML_ERRMODE_IGNORE), MXCSR = 0x1f80.
   Build: gcc -O2 -ffp-contract=off -fno-fast-math -shared -fPIC (plain x86-64 -> SSE scalar, no FMA). */
#include <stdint.h>
#include <string.h>
#include "mkl_sexp_tables.h"

static inline float    u2f(uint32_t u){ float f; memcpy(&f,&u,4); return f; }
static inline uint32_t f2u(float f){ uint32_t u; memcpy(&u,&f,4); return u; }
static inline double   u2d(uint64_t u){ double d; memcpy(&d,&u,8); return d; }
static inline uint64_t d2u(double d){ uint64_t u; memcpy(&u,&d,8); return u; }

/* vsexp_cout_rare (0xb47e410): only reached for |x| bits > 0x42aeac4f (|x| > 87.33654, inf, nan) */
static float sexp_rare(float x)
{
    uint32_t ix = f2u(x), e = ix & 0x7f800000u;
    if (e == 0x7f800000u) {                       /* inf / nan */
        if ((ix & 0x807fffffu) == 0x80000000u) return 0.0f;   /* -inf */
        return x * x;                             /* +inf -> inf, nan -> quiet nan */
    }
    if (e < 0x25000001u) return x + 1.0f;         /* tiny (unreachable from the kernel) */
    if (!(u2f(0x42b17217u) >= x)) return u2f(0x7f800000u);  /* x > 88.72283: +inf (status 3) */
    if (x < u2f(0xc2cff1b4u)) return 0.0f;        /* x < -103.97208: +0 (status 4) */
    volatile double vt, vn;                       /* the kernel spills these to memory: plain doubles */
    double xd = (double)x;
    double t  = xd * u2d(0x40571547652b82feULL);  /* 64/ln2 */
    vt = t + u2d(0x4338000000000000ULL);          /* + 1.5*2^52 */
    t = vt;
    vn = t + u2d(0xc338000000000000ULL);          /* n = t - 1.5*2^52 */
    double n = vn;
    double r = n * u2d(0xbf862e42fefa0000ULL);    /* -ln2/64 hi */
    r = r + xd;
    r = r + n * u2d(0xbd1cf79abc9e3b3aULL);       /* -ln2/64 lo */
    double p = u2d(0x3f56c16a1c2a3ffdULL) * r;
    p = p + u2d(0x3f8111123aaf20d3ULL); p = p * r;
    p = p + u2d(0x3fa5555555558fccULL); p = p * r;
    p = p + u2d(0x3fc55555555548f8ULL); p = p * r;
    p = p + 0.5;  p = p * r;  p = p * r;  p = p + r;
    uint32_t tb = (uint32_t)d2u(t);
    uint32_t j = tb & 63, m = tb >> 6;
    double T = u2d(DEXP_TAB[2*j]);
    p = p + u2d(DEXP_TAB[2*j+1]);
    p = p * T;
    if (x >= u2f(0xc2aeac4fu)) {                  /* positive overflow-side branch */
        uint32_t ee = (m + 0x3ff) & 0x7ff;
        double s = T + p;
        if (ee == 0x7ff) { s = s * u2d(0x7fe0000000000000ULL); s = s + s; return (float)s; }
        return (float)(s * u2d((uint64_t)ee << 52));
    }
    /* denormal-result branch */
    uint32_t ee = (m + 0x43b) & 0x7ff;            /* scale 2^(m+60) */
    double sc = u2d((uint64_t)ee << 52);
    p = p * sc; T = T * sc;
    double hi = T + p;
    if (ee <= 0x32) return (float)(hi * u2d(0x3c30000000000000ULL));
    volatile double v_hi = hi, v_lo, v_h18, v_u, v_hh, v_hl;
    v_lo  = T - v_hi;  v_lo = v_lo + p;
    v_h18 = v_hi * u2d(0x41f8000000000000ULL);   /* 1.5*2^32 */
    v_u   = v_hi + v_h18;
    v_hh  = v_u - v_h18;
    v_hl  = v_hi - v_hh;
    v_hl  = v_lo + v_hl;
    double a = v_hh * u2d(0x3c30000000000000ULL); /* 2^-60 */
    double b = v_hl * u2d(0x3c30000000000000ULL);
    return (float)(a + b);
}

/* one lane of the main loop (identical in the 16-wide body and the 4-wide tail) */
static inline float sexp_main(float x)
{
    float t  = x * u2f(0x4338aa3bu);              /* 128/ln2, rounded */
    t        = t + u2f(0x4b400000u);              /* + 1.5*2^23, rounded -> n in low bits */
    float n  = t + u2f(0xcb400000u);              /* exact */
    float r  = x - n * u2f(0x3bb18000u);          /* C1 = 0x3bb18000 (ln2/128 rounded up, 12 bits) */
    r        = n * u2f(0x35de8083u) + r;          /* C2 = C1 - ln2/128 */
    float q  = r * r;  q = q * 0.5f;  q = q + r;  /* q = r + r^2/2 */
    uint32_t tb = f2u(t);
    uint32_t j = tb & 127;
    float A = u2f(SEXP_TAB[2*j]), B = u2f(SEXP_TAB[2*j+1]);
    float y = q * A;  y = y + B;  y = y + A;
    float s = u2f(((tb << 16) + 0x3f800000u) & 0x7f800000u);   /* 2^k, k = n>>7 */
    return y * s;
}

void mkl_sexp(const float *x, float *y, long n)
{
    for (long i = 0; i < n; i++) {
        float xi = x[i];
        float r = sexp_main(xi);
        if ((f2u(xi) & 0x7fffffffu) > 0x42aeac4fu) r = sexp_rare(xi);   /* signed int compare in asm; same for these values */
        y[i] = r;
    }
}
