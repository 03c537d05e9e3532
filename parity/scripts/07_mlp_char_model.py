"""A tiny character MLP (makemore part 2 style): embeddings, tanh hidden layer, cross-entropy, manual SGD
with a learning-rate drop, gradient clipping; then sampling."""
import torch
import torch.nn.functional as F

words = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia", "harper", "evelyn",
         "abigail", "emily", "elizabeth", "mila", "ella", "avery", "sofia", "camila", "aria", "scarlett"] * 5
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
block = 3
X, Y = [], []
for w in words:
    context = [0] * block
    for ch in w + ".":
        X.append(context)
        Y.append(stoi[ch])
        context = context[1:] + [stoi[ch]]
X, Y = torch.tensor(X), torch.tensor(Y)
print(X.shape, Y.shape, X.dtype)

g = torch.Generator().manual_seed(2147483647)
C = torch.randn((len(stoi), 4), generator=g)
W1 = torch.randn((block * 4, 32), generator=g) * 0.2
b1 = torch.randn(32, generator=g) * 0.01
W2 = torch.randn((32, len(stoi)), generator=g) * 0.01
b2 = torch.zeros(len(stoi))
params = [C, W1, b1, W2, b2]
for p in params:
    p.requires_grad = True
print(sum(p.nelement() for p in params))

for i in range(300):
    ix = torch.randint(0, X.shape[0], (32,), generator=g)
    emb = C[X[ix]]
    h = torch.tanh(emb.view(-1, block * 4) @ W1 + b1)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, Y[ix])
    for p in params:
        p.grad = None
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 5.0)
    lr = 0.1 if i < 200 else 0.01
    for p in params:
        p.data += -lr * p.grad
    if i % 50 == 0:
        print(f"{i:4d} {loss.item():.4f}")

with torch.no_grad():
    emb = C[X]
    loss = F.cross_entropy(torch.tanh(emb.view(-1, block * 4) @ W1 + b1) @ W2 + b2, Y)
print(f"full loss {loss.item():.4f}")
for _ in range(5):
    out, context = [], [0] * block
    while True:
        h = torch.tanh(C[torch.tensor([context])].view(1, -1) @ W1 + b1)
        probs = F.softmax(h @ W2 + b2, dim=1)
        ix = torch.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        out.append(ix)
        if ix == 0 or len(out) > 20:
            break
    print("".join(itos[i] for i in out))
