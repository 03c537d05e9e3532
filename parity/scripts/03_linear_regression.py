"""Fit y = 3x + 2 with nn.Linear, MSELoss and SGD; print the loss every 20 steps and the learned weights."""
import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.rand(100, 1) * 10
y = 3 * X + 2 + torch.randn(100, 1) * 0.5

model = nn.Linear(1, 1)
loss_fn = nn.MSELoss()
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for step in range(100):
    loss = loss_fn(model(X), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 20 == 0:
        print(f"step {step:3d} loss {loss.item():.4f}")
print("weight", model.weight.item(), "bias", model.bias.item())
print(model.state_dict())
