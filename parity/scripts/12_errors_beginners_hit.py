# parity: fast
"""The errors a beginner meets, caught and printed: shapes that do not multiply, backward on a non-scalar,
a second backward, an in-place change to a leaf."""
import torch


def show(fn):
    try:
        fn()
    except Exception as e:
        print(f"{type(e).__name__}: {e}")


a, b = torch.ones(2, 3), torch.ones(2, 3)
show(lambda: a @ b)
x = torch.ones(3, requires_grad=True)
show(lambda: (x * 2).backward())
y = (x * x).sum()
y.backward()
show(lambda: y.backward())
show(lambda: x.add_(1))
show(lambda: torch.nn.Linear(3, 2)(torch.ones(4, 5)))
print("done")
