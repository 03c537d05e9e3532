"""The ops, one module per family; each op is a Function subclass with its forward and backward side by side.

- elementwise: + - * / ** neg exp log sqrt abs sigmoid tanh relu clamp where maximum minimum
- reduce:      sum mean max min std var argmax argmin
- shape:       view reshape permute transpose expand squeeze unsqueeze indexing stack cat
- matmul:      matmul (mm, mv, dot, batched), linear
- nn_ops:      softmax log_softmax and the losses (fused where that buys speed or stability)
"""
