"""Fit a logistic growth curve to noisy data with LBFGS (step() takes a closure that recomputes the loss), then
a cubic to sin(x) with NAdam and with RAdam; print the losses and the fitted parameters."""
# parity: fast
import math

import torch

torch.manual_seed(0)
days = torch.linspace(0, 10, 60)
counts = 5 / (1 + torch.exp(-1.2 * (days - 4))) + 0.1 * torch.randn(60)

# capacity, growth rate and midpoint, from a rough first guess
params = torch.tensor([4.0, 1.0, 5.0], requires_grad=True)


def logistic(t):
    capacity, rate, midpoint = params
    return capacity / (1 + torch.exp(-rate * (t - midpoint)))


optimizer = torch.optim.LBFGS([params], lr=1, max_iter=5, history_size=10, line_search_fn="strong_wolfe")
print(optimizer)


def closure():
    optimizer.zero_grad()
    loss = ((logistic(days) - counts) ** 2).mean()
    loss.backward()
    return loss


for step in range(4):
    loss = optimizer.step(closure)
    print(f"LBFGS step {step}: loss before {loss.item():.6f}")
print("final loss", closure().item())
print("capacity {:.3f}, rate {:.3f}, midpoint {:.3f}".format(*params.tolist()))

# the same cubic fit with two Adam variants
x = torch.linspace(-math.pi, math.pi, 500)
y = torch.sin(x)
features = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
for name in ["NAdam", "RAdam"]:
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    if name == "NAdam":
        optimizer = torch.optim.NAdam(model.parameters(), lr=0.01, momentum_decay=4e-3)
    else:
        optimizer = torch.optim.RAdam(model.parameters(), lr=0.01, weight_decay=1e-4, decoupled_weight_decay=True)
    for t in range(300):
        loss = torch.nn.functional.mse_loss(model(features).squeeze(1), y)
        if t % 100 == 99:
            print(name, t, round(loss.item(), 6))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(name, "coefficients", [round(w, 4) for w in model.weight[0].tolist()], "bias", round(model.bias.item(), 4))
