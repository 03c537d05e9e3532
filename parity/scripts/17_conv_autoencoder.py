"""A convolutional autoencoder the way a first one is written: generated 16x16 images (a bright square on a
dark noisy background), an encoder of strided Conv2d + BatchNorm2d + ReLU(inplace=True), a decoder of
ConvTranspose2d, nn.Upsample and a Conv2d with a sigmoid, MSE loss and Adam over shuffled mini-batches;
then the reconstruction error on held-out images in eval mode, and F.interpolate's bilinear resize of one
reconstruction."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
SIZE = 16


def make_images(n):
    """Squares of side 3 to 6 at random places, on a background of noise below 0.1."""
    images = torch.rand(n, 1, SIZE, SIZE) * 0.1
    corners = torch.randint(0, SIZE - 6, (n, 2))
    sides = torch.randint(3, 7, (n,))
    for i in range(n):
        row, col = corners[i].tolist()
        side = sides[i].item()
        images[i, 0, row:row + side, col:col + side] = 1.0
    return images


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True),    # 16 -> 8
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(inplace=True),  # 8 -> 4
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(inplace=True),  # 4 -> 8
            nn.Upsample(scale_factor=2, mode="nearest"),                                                 # 8 -> 16
            nn.Conv2d(8, 1, 3, padding=1), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


train, test = make_images(256), make_images(64)
model = AutoEncoder()
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))
print("code shape:", tuple(model.encoder(test[:2]).shape))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.MSELoss()

for epoch in range(5):
    model.train()
    total = 0.0
    for idx in torch.randperm(len(train)).split(32):
        batch = train[idx]
        loss = loss_fn(model(batch), batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        test_loss = loss_fn(model(test), test).item()
    print(f"epoch {epoch}: train loss {total / len(train):.5f}, test loss {test_loss:.5f}")

with torch.no_grad():
    recon = model(test[:1])
    print("pixels of a square, reconstructed:", [round(v, 3) for v in recon[0, 0, 7, 4:12].tolist()])
    small = F.interpolate(recon, size=(4, 4), mode="bilinear", align_corners=False)
    print("4x4 bilinear thumbnail:")
    print(small[0, 0])
print("first conv's weight gradient norm:", round(model.encoder[0].weight.grad.norm().item(), 4))
