import numpy as np, torch
from np_softmax import softmax_lastdim
torch.set_num_threads(1)
rng=np.random.default_rng(1)
for shape in [(64,50),(100,16),(100,7),(50,1),(50,2),(50,15),(50,17),(50,31),(50,32),(10,1000),(128,33),(7,257)]:
  for scale in (1,5,30):
    x=(rng.standard_normal(shape)*scale).astype(np.float32)
    t=torch.softmax(torch.from_numpy(x),dim=-1).numpy()
    res=[]
    for v in ('mul_recip','div'):
        m=softmax_lastdim(x,v); res.append(int((m.view(np.uint32)!=t.view(np.uint32)).sum()))
    print(shape,scale,'mismatches mul_recip=%d div=%d of %d'%(res[0],res[1],x.size))
