"""Replay of torch.softmax(x, dim=-1) for contiguous float32 CPU on AVX512 ATen (torch 2.13.0+cpu), using np_sleef_expf."""
import numpy as np
from np_sleef_expf import sleef_expf_u10

def _reduce16_add(v):   # v: (rows,16) -> AVX512 vec_reduce_all tree: xor 8, 4, 2, 1
    for k in (8, 4, 2, 1):
        idx = np.arange(16) ^ k
        v = v + v[:, idx]
    return v[:, 0]

def softmax_lastdim(x, variant='mul_recip'):
    x = np.ascontiguousarray(x, np.float32)
    R, N = x.shape
    mx = x.max(axis=1, keepdims=True)
    e = sleef_expf_u10(x - mx)                   # (x - max) rounded to f32, then Sleef exp
    pad = (-N) % 16
    ep = np.concatenate([e, np.zeros((R, pad), np.float32)], axis=1).reshape(R, -1, 16)
    if N < 16:                                  # reduce_all size<16: sequential left-to-right sum
        s = e[:, 0].copy()
        for i in range(1, N): s = s + e[:, i]
    else:
        acc = ep[:, 0].copy()
        for blk in range(1, ep.shape[1]):
            acc = acc + ep[:, blk]              # tail block: zeros in padding lanes, acc + 0 = acc
        s = _reduce16_add(acc)
    if variant == 'mul_recip':
        return e * (np.float32(1) / s)[:, None]
    return e / s[:, None]
