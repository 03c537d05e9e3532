# parity: fast
"""Tensors as a first lesson shows them: making, shaping, indexing, arithmetic, dtypes, NumPy round trips."""
import numpy as np
import torch

x = torch.tensor([[1, 2], [3, 4]])
print(x, x.dtype, x.shape)
y = torch.ones_like(x, dtype=torch.float32)
print(y, y.dtype)
r = torch.arange(12).reshape(3, 4)
print(r[1], r[:, 2], r[1:, ::2])
print(r.sum(), r.sum(dim=0), r.float().mean(dim=1, keepdim=True))
a = torch.linspace(0, 1, 5, dtype=torch.float64)
print(a, a * 2 + 1, a ** 2)
print(torch.cat([r, r], dim=0).shape, torch.stack([a, a]).shape)
n = np.arange(6, dtype=np.float32).reshape(2, 3)
t = torch.from_numpy(n)
print(t.T, t.numpy().dtype, t.view(-1))
print(torch.zeros(2, 3), torch.eye(3))
print(r.max(), r.argmax(dim=1), (r > 5).sum())
print(torch.where(r > 5, r, torch.zeros_like(r)))
