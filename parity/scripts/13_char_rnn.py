"""A character-level LSTM language model, the way a first char-RNN is written: embed the characters, run an
nn.LSTM (two layers, batch_first), predict the next character with a Linear head, train with Adam on random
windows of the text, clip the gradient norm, then generate text by sampling, carrying (h, c) from step
to step. Also a one-step GRUCell, and an RNN's shapes."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# parity: fast
torch.manual_seed(0)
text = ("to be, or not to be, that is the question: whether 'tis nobler in the mind to suffer the slings and "
        "arrows of outrageous fortune, or to take arms against a sea of troubles and by opposing end them. ") * 3
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
itos = {i: c for c, i in stoi.items()}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
print(len(text), "characters,", len(chars), "distinct")


class CharRNN(nn.Module):
    def __init__(self, vocab, emb=16, hidden=48, layers=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


model = CharRNN(len(chars))
print(model)
print(sum(p.numel() for p in model.parameters()), "parameters")
for name, p in model.lstm.named_parameters():
    print(name, tuple(p.shape))

opt = torch.optim.Adam(model.parameters(), lr=0.01)
seq_len, batch = 16, 16
for step in range(61):
    starts = torch.randint(0, len(data) - seq_len - 1, (batch,))
    x = torch.stack([data[s:s + seq_len] for s in starts.tolist()])
    y = torch.stack([data[s + 1:s + seq_len + 1] for s in starts.tolist()])
    logits, _ = model(x)
    loss = F.cross_entropy(logits.reshape(-1, len(chars)), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if step % 10 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}  grad norm {norm.item():.4f}")


@torch.no_grad()
def generate(prompt, n, greedy=False):
    model.eval()
    x = torch.tensor([[stoi[c] for c in prompt]])
    logits, state = model(x)
    out = prompt
    for _ in range(n):
        probs = F.softmax(logits[0, -1], dim=-1)
        ix = probs.argmax().item() if greedy else torch.multinomial(probs, 1).item()
        out += itos[ix]
        logits, state = model(torch.tensor([[ix]]), state)
    model.train()
    return out


print(repr(generate("to be", 40, greedy=True)))
print(repr(generate("the ", 40)))

# the cells and a plain RNN, one step and shapes
cell = nn.GRUCell(4, 3)
h = torch.zeros(2, 3)
for t in range(3):
    h = cell(torch.ones(2, 4) * t, h)
print(h)
rnn = nn.RNN(5, 7, num_layers=2, bidirectional=True)
out, h_n = rnn(torch.randn(6, 2, 5))
print(out.shape, h_n.shape)
print(rnn)
