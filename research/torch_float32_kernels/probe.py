import os, signal, sys, torch
import torch.nn.functional as F
torch.set_num_threads(1)
x = torch.linspace(-3,3,1000, dtype=torch.float32)
x2 = torch.randn(64,50)
tgt = torch.randint(0,50,(64,))
ops = {
 'exp': lambda: torch.exp(x),
 'log': lambda: torch.log(x.abs()+0.1),
 'tanh': lambda: torch.tanh(x),
 'sigmoid': lambda: torch.sigmoid(x),
 'softmax': lambda: torch.softmax(x2, dim=-1),
 'log_softmax': lambda: torch.log_softmax(x2, dim=-1),
 'ce': lambda: F.cross_entropy(x2, tgt),
}
name = sys.argv[1]
f = ops[name]
y=x.abs()+0.1  # precompute
os.kill(os.getpid(), signal.SIGTRAP)
f()
print("done", name)
