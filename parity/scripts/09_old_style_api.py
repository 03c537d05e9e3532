# parity: fast
"""Code in the style of 2017-era tutorials: Variable, FloatTensor/LongTensor constructors, .data updates."""
import torch
from torch.autograd import Variable

torch.manual_seed(7)
x = Variable(torch.FloatTensor([[1.0, 2.0], [3.0, 4.0]]), requires_grad=False)
y = Variable(torch.LongTensor([0, 1]))
w = Variable(torch.randn(2, 2), requires_grad=True)
print(x, y, isinstance(x, torch.FloatTensor))
for step in range(5):
    loss = torch.nn.functional.cross_entropy(x.mm(w), y)
    loss.backward()
    w.data -= 0.1 * w.grad.data
    w.grad.data.zero_()
    print(step, loss.data.item())
print(w.data)
print(torch.FloatTensor(2, 3).shape, torch.LongTensor(3).dtype, torch.multiply(x, 2))
