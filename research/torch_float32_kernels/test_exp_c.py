import ctypes, numpy as np, torch, time, sys
lib = ctypes.CDLL('./libmkl_sexp.so')
lib.mkl_sexp.argtypes=[ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long]
def cexp(x):
    x=np.ascontiguousarray(x,dtype=np.float32); y=np.empty_like(x)
    lib.mkl_sexp(x.ctypes.data, y.ctypes.data, x.size); return y
def texp(x): return torch.exp(torch.from_numpy(x)).numpy()
def cmp(name, x, show=5):
    a=cexp(x); b=texp(x)
    ab=a.view(np.uint32); bb=b.view(np.uint32)
    nan=np.isnan(a)&np.isnan(b)
    mm=(ab!=bb)&~nan
    nanbits=((ab!=bb)&nan).sum()
    print(f'{name}: n={x.size} mismatches={mm.sum()} (nan-payload diffs {nanbits})')
    for i in np.flatnonzero(mm)[:show]:
        print('   x=%r (0x%08x) mine=%r (0x%08x) torch=%r (0x%08x)'%(x[i],x.view(np.uint32)[i],a[i],ab[i],b[i],bb[i]))
    return mm.sum()
if __name__=='__main__':
    mode=sys.argv[1]
    if mode=='sets':
        # (a) 10M evenly spaced bit patterns covering [-1,1)
        pos=np.linspace(0,0x3f7fffff,5_000_000).astype(np.uint32)
        neg=np.linspace(0x80000000,0xbf800000,5_000_000).astype(np.uint32)
        cmp('(a) [-1,1) 10M bit patterns', np.concatenate([pos,neg]).view(np.float32))
        rng=np.random.default_rng(0)
        cmp('(b) 10M uniform [-87,88]', rng.uniform(-87,88,10_000_000).astype(np.float32))
        cmp('(b2) 10M uniform [-110,95]', rng.uniform(-110,95,10_000_000).astype(np.float32))
        sp=np.array([0.0,-0.0,np.inf,-np.inf,np.nan,-np.nan,1e-45,-1e-45,1.17549435e-38,-1.17549435e-38,
            88.72283,88.72284,88.7228317,89,-87.33654,-87.3365,-87.33655,-103.972076,-103.97208,-103.9721,-104,-150,
            3.4028235e38,-3.4028235e38,1.0,-1.0,0.5,87.33654,87.33655],dtype=np.float32)
        extra=np.array([0x7f800001,0xff800001,0x7fc00001,0xffc12345,0x42aeac4f,0x42aeac50,0xc2aeac4f,0xc2aeac50,0x42b17217,0x42b17218,0xc2cff1b4,0xc2cff1b5],dtype=np.uint32).view(np.float32)
        cmp('(c) specials', np.concatenate([sp,extra]), show=50)
    elif mode=='all':
        t0=time.time(); tot=0
        CH=1<<26
        for s in range(0,1<<32,CH):
            x=np.arange(s,s+CH,dtype=np.uint64).astype(np.uint32).view(np.float32)
            a=cexp(x); b=texp(x)
            ab=a.view(np.uint32); bb=b.view(np.uint32)
            mm=(ab!=bb)&~(np.isnan(a)&np.isnan(b))
            k=int(mm.sum()); tot+=k
            if k: 
                i=np.flatnonzero(mm)[:3]; print(hex(s),k,[(hex(x.view(np.uint32)[j]),hex(ab[j]),hex(bb[j])) for j in i],flush=True)
        print('ALL 2^32 patterns: mismatches', tot, 'time', time.time()-t0)
