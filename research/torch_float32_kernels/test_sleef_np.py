import numpy as np, torch, ctypes
from np_sleef_expf import sleef_expf_u10
sh=ctypes.CDLL('./libshim_sleef.so'); assert sh.shim_init(torch.__path__[0].encode()+b'/lib/libtorch_cpu.so')==0
sh.torch_sleef_expf.argtypes=[ctypes.c_void_p,ctypes.c_void_p,ctypes.c_long]
def ref(x):
    x=np.ascontiguousarray(x,dtype=np.float32); y=np.empty_like(x); sh.torch_sleef_expf(x.ctypes.data,y.ctypes.data,x.size); return y
def cmp(name,x):
    a=sleef_expf_u10(x); b=ref(x); ab=a.view(np.uint32); bb=b.view(np.uint32)
    nn=np.isnan(a)&np.isnan(b); mm=(ab!=bb)&~nn
    print(f'{name}: n={x.size} mismatches={mm.sum()} nan-payload-diffs={((ab!=bb)&nn).sum()}',flush=True)
    for i in np.flatnonzero(mm)[:5]: print('  ',x[i],hex(x.view(np.uint32)[i]),hex(ab[i]),hex(bb[i]))
pos=np.linspace(0,0x3f7fffff,5_000_000).astype(np.uint32); neg=np.linspace(0x80000000,0xbf800000,5_000_000).astype(np.uint32)
cmp('(a) [-1,1) 10M bit patterns', np.concatenate([pos,neg]).view(np.float32))
rng=np.random.default_rng(0)
cmp('(b) 10M uniform [-87,88]', rng.uniform(-87,88,10_000_000).astype(np.float32))
cmp('(b2) 10M uniform [-110,105]', rng.uniform(-110,105,10_000_000).astype(np.float32))
sp=np.array([0.0,-0.0,np.inf,-np.inf,np.nan,-np.nan,1e-45,-1e-45,88.72283,88.72284,89,100,100.00001,-87.33654,-87.33655,-103.97,-104,-104.00001,3.4e38,-3.4e38,1,-1],dtype=np.float32)
extra=np.array([0x7f800001,0xff800001,0x7fc00001,0xffc12345],dtype=np.uint32).view(np.float32)
cmp('(c) specials', np.concatenate([sp,extra]))
u=np.concatenate([np.arange(0x42aeac50,0x42c80002,dtype=np.uint32),np.arange(0xc2aeac50,0xc2d00002,dtype=np.uint32)])
cmp('(d) every float with 87.3365<|x|<=100/104 (overflow + denormal range)', u.view(np.float32))
