"""A first text CNN, the way a beginner writes one: integer token sequences labelled by whether token 3
occurs, classes balanced with a WeightedRandomSampler, an embedding, two nn.Conv1d of different widths
with max-over-time pooling (F.adaptive_max_pool1d), dropout and a Linear head, cross-entropy with label
smoothing, SGD with Nesterov momentum and CosineAnnealingWarmRestarts; evaluation under model.eval()."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader, WeightedRandomSampler

torch.manual_seed(1)
N, L, V = 120, 20, 30
X = torch.randint(0, V, (N, L))
y = ((X == 3).sum(1) > 0).long()
print("class counts", torch.bincount(y))
w = 1.0 / torch.bincount(y).float()
sampler = WeightedRandomSampler(w[y], num_samples=N, replacement=True)
dl = DataLoader(TensorDataset(X, y), batch_size=20, sampler=sampler)

class TextCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, 8)
        self.convs = nn.ModuleList([nn.Conv1d(8, 6, k, padding=k // 2) for k in (3, 5)])
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(12, 2)
    def forward(self, x):
        e = self.emb(x).transpose(1, 2)
        hs = [F.adaptive_max_pool1d(F.relu(c(e)), 1).squeeze(-1) for c in self.convs]
        return self.fc(self.drop(torch.cat(hs, 1)))

model = TextCNN()
print(model)
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3)
for epoch in range(8):
    model.train()
    tot = 0.0
    for xb, yb in dl:
        loss = F.cross_entropy(model(xb), yb, label_smoothing=0.05)
        opt.zero_grad(); loss.backward(); opt.step()
        tot += loss.item()
    sched.step()
    model.eval()
    with torch.no_grad():
        pred = model(X).argmax(1)
    print(f"epoch {epoch}: loss {tot / len(dl):.4f} acc {(pred == y).float().mean():.3f} lr {opt.param_groups[0]['lr']:.4f}")
print(torch.topk(model.fc.weight.abs().flatten(), 3))
