"""A bag-of-words text classifier as PyTorch's text classification tutorial writes one: sentences of different
lengths (generated token ids; the class decides which tokens are likely) concatenated into one flat tensor with
the offsets where each sentence starts, nn.EmbeddingBag (mean of a sentence's embeddings) and a Linear head,
weights initialised uniform_(-0.5, 0.5), cross-entropy, SGD with gradient clipping and a StepLR schedule;
accuracy under model.eval() and torch.no_grad()."""
import torch
import torch.nn as nn

# parity: fast
torch.manual_seed(0)
VOCAB, CLASSES, EMBED = 40, 3, 16


def make_sentence(label):
    """6 to 14 tokens: half from the class's own ten tokens, half from the shared vocabulary."""
    length = int(torch.randint(6, 15, (1,)))
    own = torch.randint(0, 10, (length,)) + 10 * label
    shared = torch.randint(0, VOCAB, (length,))
    return torch.where(torch.rand(length) < 0.5, own, shared)


labels = torch.randint(0, CLASSES, (240,))
sentences = [make_sentence(int(y)) for y in labels]


def collate_batch(batch):
    """The tutorial's collate function: one flat tensor of tokens, and the offset of each sentence in it."""
    label_list, text_list, offsets = [], [], [0]
    for label, text in batch:
        label_list.append(label)
        text_list.append(text)
        offsets.append(text.size(0))
    offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
    return torch.stack(label_list), torch.cat(text_list), offsets


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        return self.fc(self.embedding(text, offsets))


model = TextClassificationModel(VOCAB, EMBED, CLASSES)
print(model)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=2.0)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 100, gamma=0.5)
train = list(zip(labels[:200], sentences[:200]))
test_labels, test_text, test_offsets = collate_batch(list(zip(labels[200:], sentences[200:])))

for step in range(300):
    batch = [train[int(i)] for i in torch.randint(0, len(train), (16,))]
    label, text, offsets = collate_batch(batch)
    model.train()
    loss = criterion(model(text, offsets), label)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
    optimizer.step()
    scheduler.step()
    if step % 30 == 0 or step == 299:
        model.eval()
        with torch.no_grad():
            accuracy = (model(test_text, test_offsets).argmax(1) == test_labels).float().mean()
        print(f"step {step:3d} loss {loss.item():.4f} test accuracy {accuracy.item():.3f}")

with torch.no_grad():
    bag = model.embedding(torch.tensor([10, 11, 12, 13]), torch.tensor([0, 2]))
print("two bags", bag.shape, bag.grad_fn)
print("predicted", model(test_text[:test_offsets[3]], test_offsets[:3]).argmax(1).tolist(), "true",
      test_labels[:3].tolist())
