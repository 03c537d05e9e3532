"""torch.utils.data.get_worker_info: which DataLoader worker process a dataset's code runs in."""


def get_worker_info():
    """None: minigrad's DataLoader loads every batch in the main process (num_workers is accepted and ignored),
    which is where torch gives None too. An IterableDataset that splits its stream per worker therefore yields
    it whole, as under torch with num_workers=0."""
    return None
