"""The loss and the metric chapter 4 writes for 3-vs-7, as the chapter writes them."""
from .. import where

__all__ = ["mnist_loss", "batch_accuracy"]


def mnist_loss(predictions, targets):
    "How far each sigmoid prediction is from its 0/1 target, averaged (the chapter's second mnist_loss)."
    predictions = predictions.sigmoid()
    return where(targets == 1, 1 - predictions, predictions).mean()


def batch_accuracy(xb, yb):
    "The share of predictions on the right side of 0.5 after the sigmoid."
    preds = xb.sigmoid()
    correct = (preds > 0.5) == yb
    return correct.float().mean()
