# parity: fast
"""What a program sets up before it trains, and the parts of torch it reaches for beyond tensors: the
quickstart's device choice, cuDNN and thread settings, special functions, checks with assert_close,
initialisations and the less common layers, each seeded."""
import torch
import torch.backends.cudnn
from torch import nn
from torch.nn.modules.loss import _Loss

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print("device", device, "cuda", torch.cuda.is_available(), torch.version.cuda, torch.backends.mps.is_available())
torch.backends.cudnn.benchmark = True
torch.backends.cudnn.deterministic = True
torch.use_deterministic_algorithms(True)
torch.set_float32_matmul_precision("high")
torch.set_num_threads(1)
print("settings", torch.backends.cudnn.benchmark, torch.are_deterministic_algorithms_enabled(),
      torch.get_float32_matmul_precision(), torch.get_num_threads())

x = torch.linspace(-3, 3, 7, dtype=torch.float64)
print("expit", torch.special.expit(x))
print("ndtr", torch.special.ndtr(x))
print("gammaln", torch.special.gammaln(x.abs() + 0.5))
print("digamma", torch.special.digamma(x.abs() + 0.5))
print("i0e", torch.special.i0e(x))
print("log_ndtr", torch.special.log_ndtr(x * 10))
print("promote", torch.promote_types(torch.int32, torch.float16), torch.result_type(torch.ones(2, dtype=torch.int8), 2.5))
print("broadcast", torch.broadcast_shapes((3, 1), (1, 4)))

torch.manual_seed(0)
w = torch.empty(4, 6)
nn.init.trunc_normal_(w, std=0.02)
print("trunc_normal", w)
nn.init.dirac_(torch.empty(2, 2, 3))
torch.testing.assert_close(w, w.clone())
try:
    torch.testing.assert_close(w, w + 1e-3)
except AssertionError as e:
    print("assert_close:", str(e).splitlines()[0], str(e).splitlines()[2])


class HalfMSE(_Loss):
    def forward(self, a, b):
        return 0.5 * ((a - b) ** 2).mean()


torch.manual_seed(1)
model = nn.Sequential(nn.Linear(6, 8), nn.RReLU(), nn.AlphaDropout(0.2), nn.Linear(8, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
data, target = torch.randn(16, 6), torch.randn(16, 1)
for step in range(5):
    opt.zero_grad()
    loss = HalfMSE()(model(data), target)
    loss.backward()
    opt.step()
    print("step", step, "loss", round(loss.item(), 6))

images = torch.rand(2, 3, 8, 8)
print("lppool", nn.LPPool2d(2, 2)(images).sum().item())
print("lrn", nn.LocalResponseNorm(2)(images).mean().item())
print("pad3d", nn.ConstantPad3d(1, 0.5)(images.unsqueeze(0)).shape)
