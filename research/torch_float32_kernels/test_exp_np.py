import numpy as np, torch, sys
from np_mkl_sexp import mkl_exp_f32
def cmp(name,x):
    a=mkl_exp_f32(x); b=torch.exp(torch.from_numpy(x)).numpy()
    ab=a.view(np.uint32); bb=b.view(np.uint32)
    mm=(ab!=bb)&~(np.isnan(a)&np.isnan(b))
    print(f'{name}: n={x.size} mismatches={mm.sum()} nan-payload-diffs={((ab!=bb)&np.isnan(a)&np.isnan(b)).sum()}')
    for i in np.flatnonzero(mm)[:5]: print('  ',hex(x.view(np.uint32)[i]),hex(ab[i]),hex(bb[i]))
pos=np.linspace(0,0x3f7fffff,5_000_000).astype(np.uint32); neg=np.linspace(0x80000000,0xbf800000,5_000_000).astype(np.uint32)
cmp('(a) [-1,1) 10M bit patterns', np.concatenate([pos,neg]).view(np.float32))
rng=np.random.default_rng(0)
cmp('(b) 10M uniform [-87,88]', rng.uniform(-87,88,10_000_000).astype(np.float32))
cmp('(b2) 10M uniform [-110,95]', rng.uniform(-110,95,10_000_000).astype(np.float32))
sp=np.array([0.0,-0.0,np.inf,-np.inf,np.nan,-np.nan,1e-45,-1e-45,88.72283,88.72284,89,-87.33654,-87.33655,-103.972076,-103.97208,-104,3.4e38,-3.4e38,1,-1],dtype=np.float32)
extra=np.array([0x7f800001,0xff800001,0x7fc00001,0xffc12345,0x42aeac4f,0x42aeac50,0xc2aeac4f,0xc2aeac50,0x42b17217,0x42b17218,0xc2cff1b4,0xc2cff1b5],dtype=np.uint32).view(np.float32)
cmp('(c) specials', np.concatenate([sp,extra]))
# all rare-path finite inputs exhaustively: |x| in (87.33654, ...) up to over/underflow
u=np.concatenate([np.arange(0x42aeac50,0x42b17219,dtype=np.uint32),np.arange(0xc2aeac50,0xc2cff1b6,dtype=np.uint32)])
cmp('(d) every float with 87.3365<|x|, up to the overflow/underflow limits', u.view(np.float32))
