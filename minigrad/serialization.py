"""save / load: state dicts (nested dicts and lists of tensors, numbers and strings) to a .npz archive,
which holds arrays and JSON and so can never run code when loaded (unlike a pickle)."""
import io
import json
import os
import tempfile
import zipfile

import numpy as np

from .tensor import Tensor
from .nn.module import Module
from .nn import Parameter

_FORMAT = "minigrad-npz-1"


def _pack(obj, arrays):
    """Replace every tensor by a reference to an array entry; what remains must be JSON."""
    if isinstance(obj, Tensor):
        key = f"t{len(arrays)}"
        arrays[key] = obj._data
        return {"__tensor__": key, "requires_grad": bool(obj.requires_grad),
                "parameter": type(obj).__name__ == "Parameter"}
    if isinstance(obj, np.ndarray):
        key = f"t{len(arrays)}"
        arrays[key] = obj
        return {"__ndarray__": key}
    if isinstance(obj, dict):
        return {"__dict__": [[_pack(k, arrays), _pack(v, arrays)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_pack(v, arrays) for v in obj]}
    if isinstance(obj, list):
        return [_pack(v, arrays) for v in obj]
    if isinstance(obj, (np.generic,)):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, Module):
        raise TypeError(
            f"minigrad.save cannot store a whole model ({type(obj).__name__}): it stores data, never code. Save "
            "its weights instead, torch's recommended way: torch.save(model.state_dict(), PATH), and to load: "
            "model = {0}(...); model.load_state_dict(torch.load(PATH))".format(type(obj).__name__))
    raise TypeError(f"minigrad.save cannot store an object of type {type(obj).__name__}: only tensors, "
                    "arrays, numbers, strings, None and dicts/lists/tuples of them")


def _unpack(obj, arrays):
    if isinstance(obj, list):
        return [_unpack(v, arrays) for v in obj]
    if isinstance(obj, dict):
        if "__tensor__" in obj:
            data = arrays[obj["__tensor__"]]
            if obj.get("parameter"):
                return Parameter(Tensor._make(data), requires_grad=obj["requires_grad"])
            t = Tensor._make(data)
            t.requires_grad = obj["requires_grad"]
            return t
        if "__ndarray__" in obj:
            return arrays[obj["__ndarray__"]]
        if "__tuple__" in obj:
            return tuple(_unpack(v, arrays) for v in obj["__tuple__"])
        if "__dict__" in obj:
            from collections import OrderedDict
            return OrderedDict((_unpack(k, arrays), _unpack(v, arrays)) for k, v in obj["__dict__"])
    return obj


def save(obj, f):
    """Write `obj` to path (or file object) `f`. A path is written atomically: a temporary file in the
    same folder, renamed over the target only once complete, so a crash never leaves half a file."""
    arrays = {}
    meta = json.dumps({"format": _FORMAT, "object": _pack(obj, arrays)})
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.frombuffer(meta.encode(), dtype=np.uint8), **arrays)
    if hasattr(f, "write"):
        f.write(buf.getvalue())
        return
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".minigrad-save-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(buf.getvalue())
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(f, map_location=None, weights_only=True, **_ignored):
    """Read what `save` wrote. Never unpickles: a file that is not minigrad's format raises."""
    try:
        with np.load(f, allow_pickle=False) as z:
            if "__meta__" not in z.files:
                raise RuntimeError("not a minigrad checkpoint (no __meta__ entry)")
            meta = json.loads(z["__meta__"].tobytes().decode())
            if meta.get("format") != _FORMAT:
                raise RuntimeError(f"unknown checkpoint format {meta.get('format')!r}")
            arrays = {k: z[k] for k in z.files if k != "__meta__"}
    except (zipfile.BadZipFile, ValueError, OSError, KeyError, EOFError, json.JSONDecodeError,
            UnicodeDecodeError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise RuntimeError(f"minigrad.load: {f!s} is not a valid minigrad checkpoint ({e})") from None
    try:
        return _unpack(meta["object"], arrays)
    except (KeyError, TypeError, ValueError, AttributeError) as e:     # metadata naming arrays that are not there
        raise RuntimeError(f"minigrad.load: {f!s} is not a valid minigrad checkpoint ({e!r})") from None
