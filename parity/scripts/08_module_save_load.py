"""A Module subclass trained a little, its state_dict saved and loaded into a fresh model, predictions equal."""
import os
import tempfile

import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 8)
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


torch.manual_seed(3)
net = Net()
x = torch.randn(16, 3)
y = x.sum(dim=1, keepdim=True)
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
for epoch in range(30):
    loss = nn.functional.mse_loss(net(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(f"loss {loss.item():.5f}")
print([(name, tuple(p.shape)) for name, p in net.named_parameters()])

path = os.path.join(tempfile.mkdtemp(), "net.pt")
torch.save(net.state_dict(), path)
again = Net()
again.load_state_dict(torch.load(path))
again.eval()
with torch.no_grad():
    print(torch.equal(again(x), net(x)), again(x[:2]))
print(sum(p.numel() for p in net.parameters() if p.requires_grad))
