"""A first Transformer model, the way a beginner writes one: integer sequences labelled by the parity of
their sum, token embeddings plus a learned position embedding, nn.TransformerEncoder of two
nn.TransformerEncoderLayer (batch_first, dropout in attention and feed-forward), a mean over the positions
and a Linear head; AdamW with a LinearLR warm-up, gradient clipping, then evaluation under model.eval() and
torch.no_grad(). The dropout masks are torch's draws: the same seed gives the same masks."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
vocab, d_model, seq = 12, 16, 6
X = torch.randint(0, vocab, (64, seq))
y = (X.sum(dim=1) % 2)

class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.zeros(1, seq, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead=2, dim_feedforward=32, dropout=0.1, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(d_model, 2)
    def forward(self, x):
        h = self.enc(self.emb(x) + self.pos)
        return self.head(h.mean(dim=1))

model = Classifier()
print(model)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.2, total_iters=5)
for epoch in range(15):
    model.train()
    perm = torch.randperm(64)
    total = 0.0
    for i in range(0, 64, 16):
        idx = perm[i:i + 16]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        total += loss.item()
    sched.step()
    model.eval()
    with torch.no_grad():
        acc = (model(X).argmax(1) == y).float().mean()
    print(f"epoch {epoch} loss {total / 4:.4f} acc {acc.item():.3f} lr {sched.get_last_lr()[0]:.5f}")
