"""AdamW: Adam with decoupled weight decay (w *= 1 - lr * weight_decay before the Adam update), as torch 2.13
defines it: a subclass of Adam that always passes decoupled_weight_decay=True, so the update itself is
Adam's own code (minigrad/optim/adam.py) and rounds where torch's rounds."""
from .adam import Adam


class AdamW(Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict):
        # torch's AdamW.__setstate__: loaded groups always keep decoupled_weight_decay=True
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
