"""A sequence classifier the way a first GRU model is written: a toy data set of integer sequences (is the
sum of the sequence above its median?), a Dataset and a shuffling DataLoader, an embedding, a two-layer
nn.GRU with dropout between the layers, nn.Dropout before the Linear head, cross-entropy, Adam, then
evaluation with model.eval() (dropout off) and torch.no_grad(). The dropout masks are torch's draws: the
same seed gives the same masks."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

# parity: fast
torch.manual_seed(0)
VOCAB, LENGTH = 10, 12


class SumDataset(Dataset):
    def __init__(self, n):
        self.x = torch.randint(0, VOCAB, (n, LENGTH))
        sums = self.x.sum(dim=1).float()
        self.y = (sums > sums.median()).long()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class GRUClassifier(nn.Module):
    def __init__(self, emb=8, hidden=16):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, emb)
        self.gru = nn.GRU(emb, hidden, num_layers=2, batch_first=True, dropout=0.1)
        self.drop = nn.Dropout(0.2)
        self.head = nn.Linear(hidden, 2)

    def forward(self, x):
        out, h = self.gru(self.embed(x))
        return self.head(self.drop(h[-1]))


train, test = SumDataset(256), SumDataset(64)
loader = DataLoader(train, batch_size=32, shuffle=True)
model = GRUClassifier()
print(model)
opt = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(4):
    model.train()
    total = 0.0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        acc = (model(test.x).argmax(dim=1) == test.y).float().mean().item()
    print(f"epoch {epoch}: train loss {total / len(train):.4f}, test accuracy {acc:.3f}")

drop = nn.Dropout(0.5)
print("a dropout mask:", drop(torch.ones(12)).tolist())
print("bernoulli draws:", torch.bernoulli(torch.full((8,), 0.3)).tolist())
