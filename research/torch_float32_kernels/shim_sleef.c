/* calls torch's own exported Sleef_expf16_u10 / Sleef_logf16_u10 (from libtorch_cpu.so) on an array */
#include <immintrin.h>
#include <dlfcn.h>
typedef __m512 (*vf)(__m512);
static vf fexp, flog;
int shim_init(const char *lib){ void *h = dlopen(lib, RTLD_NOW|RTLD_NOLOAD); if(!h) h=dlopen(lib,RTLD_NOW); if(!h) return -1;
  fexp=(vf)dlsym(h,"Sleef_expf16_u10"); flog=(vf)dlsym(h,"Sleef_logf16_u10"); return (fexp&&flog)?0:-2; }
static void run(vf f, const float *x, float *y, long n){
  long i=0; for(;i+16<=n;i+=16) _mm512_storeu_ps(y+i, f(_mm512_loadu_ps(x+i)));
  if(i<n){ float bx[16]={0}, by[16]; for(long k=i;k<n;k++) bx[k-i]=x[k]; _mm512_storeu_ps(by,f(_mm512_loadu_ps(bx))); for(long k=i;k<n;k++) y[k]=by[k-i]; } }
void torch_sleef_expf(const float *x, float *y, long n){ run(fexp,x,y,n); }
void torch_sleef_logf(const float *x, float *y, long n){ run(flog,x,y,n); }
