"""torch.utils.data.dataloader: the module where torch defines DataLoader, for programs that import it from
there (`from torch.utils.data.dataloader import DataLoader`). minigrad defines it in minigrad.utils.data."""
from . import DataLoader, default_collate, default_convert

__all__ = ["DataLoader", "default_collate", "default_convert"]
