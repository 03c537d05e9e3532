# parity: fast
"""Gradients by hand and by backward(): a scalar function, a chain, accumulation, no_grad, detach."""
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 3 + 2 * x
y.backward()
print(y, x.grad)

w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
b = torch.tensor(0.5, requires_grad=True)
inp = torch.tensor([0.1, 0.2, 0.3])
z = torch.sigmoid(w @ inp + b)
z.backward()
print(z, w.grad, b.grad)
print(z.grad_fn, z.requires_grad)

w.grad.zero_()
for _ in range(3):
    (w * w).sum().backward()
print(w.grad)

with torch.no_grad():
    v = w * 2
print(v.requires_grad, w.detach().requires_grad)

q = torch.linspace(-1, 1, 5, requires_grad=True)
out = torch.tanh(q).sum()
print(torch.autograd.grad(out, q))
