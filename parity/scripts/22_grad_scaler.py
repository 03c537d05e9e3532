# parity: fast
"""Loss scaling as the AMP recipe writes it: autocast on the device when it is CUDA, a GradScaler on the CPU
otherwise (unscaled before clipping, the scale grown every 5 good steps), Adam on a small regression."""
import torch
import torch.cuda.amp
from torch.amp import GradScaler, autocast
from torch.cuda.amp import GradScaler as G2
device = "cuda" if torch.cuda.is_available() else "cpu"
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
scaler = GradScaler(device, init_scale=256.0, growth_interval=5)
x, y = torch.randn(64, 8), torch.randn(64, 1)
for step in range(20):
    with autocast(device_type=device, enabled=device == "cuda"):
        loss = torch.nn.functional.mse_loss(model(x), y)
    opt.zero_grad()
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    scaler.step(opt)
    scaler.update()
    print(step, round(loss.item(), 6), scaler.get_scale())
print(scaler.state_dict())
