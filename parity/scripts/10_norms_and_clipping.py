"""Vector and matrix norms, and gradients clipped by norm and by value before an optimizer step."""
import torch

A = torch.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
print(torch.linalg.norm(A), torch.linalg.norm(A, dim=1), torch.linalg.norm(A, ord=1))
print(torch.linalg.vector_norm(A, ord=float("inf")), torch.linalg.matrix_norm(A))
print(A.norm(), A.norm(dim=0), A.norm(p=1))

torch.manual_seed(5)
model = torch.nn.Linear(3, 2)
x = torch.randn(4, 3) * 10
loss = model(x).pow(2).mean()
loss.backward()
before = torch.nn.utils.parameters_to_vector([p.grad for p in model.parameters()])
total = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
after = torch.nn.utils.parameters_to_vector([p.grad for p in model.parameters()])
print(f"total norm {total.item():.4f}, before {before.norm().item():.4f}, after {after.norm().item():.4f}")
torch.nn.utils.clip_grad_value_(model.parameters(), 0.1)
print(model.weight.grad, model.bias.grad)
