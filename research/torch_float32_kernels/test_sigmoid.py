import numpy as np, torch, ctypes
from np_sleef_expf import sleef_expf_u10
libm=ctypes.CDLL('libm.so.6'); libm.expf.restype=ctypes.c_float; libm.expf.argtypes=[ctypes.c_float]
def sig_replay(x):
    n=x.size; nv=n//32*32
    out=np.empty_like(x)
    a=np.float32(0)-x[:nv]; out[:nv]=np.float32(1)/(sleef_expf_u10(a)+np.float32(1))
    for i in range(nv,n): out[i]=np.float32(1)/(np.float32(1)+np.float32(libm.expf(float(-x[i]))))
    return out
rng=np.random.default_rng(2)
for n in (1000, 31, 4096+17):
    x=(rng.standard_normal(n)*8).astype(np.float32)
    torch.set_num_threads(1)
    t=torch.sigmoid(torch.from_numpy(x)).numpy()
    print(n,'sigmoid mismatches',(sig_replay(x).view(np.uint32)!=t.view(np.uint32)).sum())
torch.set_num_threads(2)
from np_softmax import softmax_lastdim
x=(rng.standard_normal((300,77))*4).astype(np.float32)
print('softmax 2 threads mismatches',(softmax_lastdim(x).view(np.uint32)!=torch.softmax(torch.from_numpy(x),-1).numpy().view(np.uint32)).sum())
