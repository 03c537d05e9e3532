/* Bit-exact replay of Sleef_expf16_u10 (AVX-512 build inside torch 2.13.0+cpu libtorch_cpu.so, 0x1173cb30).
   Build: gcc -O2 -mfma -ffp-contract=off (fmaf -> vfmadd, single rounding). */
#include <stdint.h>
#include <string.h>
#include <math.h>
static inline float u2f(uint32_t u){ float f; memcpy(&f,&u,4); return f; }
static inline int32_t cvtps2dq(float v){            /* round-to-nearest-even, out of range/NaN -> INT_MIN */
    if (!(v > -2147483648.0f && v < 2147483648.0f)) return (int32_t)0x80000000u;
    return (int32_t)nearbyintf(v);
}
float sleef_expf_u10(float d)
{
    float u = d * u2f(0x3fb8aa3bu);                     /* 1/ln2 */
    int32_t q = cvtps2dq(u);
    float qf = (float)q;
    float s = fmaf(qf, u2f(0xbf317200u), d);          /* -ln2 hi */
    s = fmaf(qf, u2f(0xb5bfbe8eu), s);                /* -ln2 lo */
    float z2 = s * s;
    float p = u2f(0x39502bdau);
    p = fmaf(s, p, u2f(0x3ab696c9u));
    p = fmaf(s, p, u2f(0x3c0888a6u));
    p = fmaf(s, p, u2f(0x3d2aaa7au));
    p = fmaf(s, p, u2f(0x3e2aaaabu));
    p = fmaf(s, p, 0.5f);
    p = fmaf(z2, p, s);
    p = p + 1.0f;
    int32_t h = q >> 1;                                  /* arithmetic */
    uint32_t m1 = ((uint32_t)(q - h + 127)) << 23;       /* wrap like vpaddd/vpslld */
    uint32_t m2 = ((uint32_t)(h + 127)) << 23;
    p = p * u2f(m2);
    p = p * u2f(m1);
    if (d < -104.0f) p = 0.0f;
    if (d > 100.0f) p = INFINITY;
    return p;
}
void sleef_expf(const float *x, float *y, long n){ for (long i=0;i<n;i++) y[i]=sleef_expf_u10(x[i]); }
