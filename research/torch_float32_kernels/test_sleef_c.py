import ctypes, numpy as np, torch, sys, time
sh=ctypes.CDLL('./libshim_sleef.so')
assert sh.shim_init(torch.__path__[0].encode()+b'/lib/libtorch_cpu.so')==0
me=ctypes.CDLL('./libsleef_expf.so')
for f in (sh.torch_sleef_expf, me.sleef_expf): f.argtypes=[ctypes.c_void_p,ctypes.c_void_p,ctypes.c_long]
def call(f,x):
    x=np.ascontiguousarray(x,dtype=np.float32); y=np.empty_like(x); f(x.ctypes.data,y.ctypes.data,x.size); return y
ref=lambda x: call(sh.torch_sleef_expf,x); mine=lambda x: call(me.sleef_expf,x)
def cmp(name,x,show=5):
    a=mine(x); b=ref(x); ab=a.view(np.uint32); bb=b.view(np.uint32)
    nn=np.isnan(a)&np.isnan(b); mm=(ab!=bb)&~nn
    print(f'{name}: n={x.size} mismatches={mm.sum()} nan-payload-diffs={((ab!=bb)&nn).sum()}',flush=True)
    for i in np.flatnonzero(mm)[:show]: print('  ',hex(x.view(np.uint32)[i]),hex(ab[i]),hex(bb[i]))
    return int(mm.sum())
if sys.argv[1]=='sets':
    pos=np.linspace(0,0x3f7fffff,5_000_000).astype(np.uint32); neg=np.linspace(0x80000000,0xbf800000,5_000_000).astype(np.uint32)
    cmp('(a) [-1,1) 10M bit patterns', np.concatenate([pos,neg]).view(np.float32))
    rng=np.random.default_rng(0)
    cmp('(b) 10M uniform [-87,88]', rng.uniform(-87,88,10_000_000).astype(np.float32))
    cmp('(b2) 10M uniform [-110,105]', rng.uniform(-110,105,10_000_000).astype(np.float32))
    sp=np.array([0.0,-0.0,np.inf,-np.inf,np.nan,-np.nan,1e-45,-1e-45,88.72283,88.72284,89,100,100.00001,-87.33654,-87.33655,-103.97,-104,-104.00001,3.4e38,-3.4e38,1,-1],dtype=np.float32)
    extra=np.array([0x7f800001,0xff800001,0x7fc00001,0xffc12345],dtype=np.uint32).view(np.float32)
    cmp('(c) specials', np.concatenate([sp,extra]),show=30)
else:
    t0=time.time(); tot=0; CH=1<<26
    for s in range(0,1<<32,CH):
        x=np.arange(s,s+CH,dtype=np.uint64).astype(np.uint32).view(np.float32)
        tot+=cmp(hex(s),x,show=3) if False else 0
        a=mine(x); b=ref(x); ab=a.view(np.uint32); bb=b.view(np.uint32)
        mm=(ab!=bb)&~(np.isnan(a)&np.isnan(b)); k=int(mm.sum()); tot+=k
        if k: print(hex(s),k,[(hex(x.view(np.uint32)[j]),hex(ab[j]),hex(bb[j])) for j in np.flatnonzero(mm)[:3]],flush=True)
    print('ALL 2^32 patterns: mismatches',tot,'time',time.time()-t0)
