"""torch.return_types: the named tuples returned by ops with several results (`x.max(dim=1)` gives
(values, indices)), printed as torch prints them."""
from collections import namedtuple


def return_type(name, fields=("values", "indices")):
    """torch.return_types.<name>: a named tuple of these fields, each on its own line when printed."""
    base = namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{field}={getattr(self, field)!r}" for field in fields)
        return f"torch.return_types.{name}(\n{body})"
    return type(name, (base,), {"__slots__": (), "__repr__": __repr__})
