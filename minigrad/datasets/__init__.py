"""The data sets the tutorials use, offline: MNIST_SAMPLE ships with minigrad (mnist_sample.tgz beside this
file); full MNIST is read from ../shared/data/mnist or $MINIGRAD_DATA, never downloaded.

`untar_data(URLs.MNIST_SAMPLE)` verifies the archive's SHA-256, extracts it safely (no absolute paths, no
`..`, no links, nothing but plain files and folders) into a temporary folder beside the cache, and renames
it into place only when complete, so a failed or tampered extraction leaves nothing half-done behind."""
import gzip
import hashlib
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent

# name -> (archive file name, sha256 of the archive, folder it extracts to)
KNOWN = {
    "mnist_sample": ("mnist_sample.tgz", "b95dcc4fa02613476a87e65f4bdef25a131e760513fa396fbb7f7bf5b9aa512f",
                     "mnist_sample"),
}
MNIST_SHA256 = {
    "t10k-images-idx3-ubyte.gz": "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be",
    "t10k-labels-idx1-ubyte.gz": "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b",
    "train-images-idx3-ubyte.gz": "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971",
    "train-labels-idx1-ubyte.gz": "1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203",
}


class URLs:
    """fastai's names for its data sets; minigrad knows the ones it can provide offline."""
    MNIST_SAMPLE = "https://s3.amazonaws.com/fast-ai-sample/mnist_sample.tgz"
    MNIST = "https://s3.amazonaws.com/fast-ai-imageclas/mnist_png.tgz"
    IMAGENETTE = "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2.tgz"


def data_home():
    """Where extracted data sets live: $MINIGRAD_DATA, else ~/.minigrad/data."""
    return Path(os.environ.get("MINIGRAD_DATA") or Path.home() / ".minigrad" / "data")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _name_of(url):
    name = url.rstrip("/").split("/")[-1]
    for ext in (".tgz", ".tar.gz", ".zip"):
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


def _archive_for(name):
    """The shipped archive, or one the user placed in the data folder."""
    if name not in KNOWN:
        raise FileNotFoundError(
            f"minigrad has no offline copy of the data set '{name}' and never downloads. Put its archive "
            f"'{name}.tgz' in {data_home()} (or set $MINIGRAD_DATA to the folder holding it) and call "
            "untar_data again.")
    archive, digest, folder = KNOWN[name]
    for candidate in (data_home() / archive, _HERE / archive):
        if candidate.exists():
            return candidate, digest, folder
    raise FileNotFoundError(f"the archive {archive} is missing from {_HERE} and {data_home()}")


def safe_extract(archive, dest):
    """Extract a tar archive into `dest`, refusing any member that would land outside it or is not a plain
    file or folder (symlinks, hard links, devices)."""
    dest = Path(dest).resolve()
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        for m in members:
            target = (dest / m.name).resolve()
            if m.name.startswith(("/", "\\")) or ".." in Path(m.name).parts or not (
                    target == dest or dest in target.parents):
                raise ValueError(f"refusing to extract {m.name!r}: it points outside {dest}")
            if not (m.isfile() or m.isdir()):
                raise ValueError(f"refusing to extract {m.name!r}: not a plain file or folder")
        for m in members:
            target = dest / m.name
            if m.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(m) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


def untar_data(url, archive=None, data=None, c_key="data", force_download=False, base=None):
    """Give the folder of a data set, extracting its verified archive on first use (fastai's untar_data,
    offline). A second call finds the extracted folder and returns it at once."""
    name = _name_of(url)
    home = Path(data) if data is not None else data_home()
    src, digest, folder = _archive_for(name)
    dest = home / folder
    marker = home / f".{folder}.complete"          # beside the folder, so path.ls() shows only the data
    if marker.exists() and not force_download:
        return dest
    actual = sha256(src)
    if actual != digest:
        raise RuntimeError(f"checksum mismatch for {src}: expected sha256 {digest}, got {actual}. The archive "
                           "is corrupt or has been changed; replace it with a good copy.")
    home.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=home, prefix=f".{folder}-extracting-"))
    try:
        safe_extract(src, tmp)
        extracted = tmp / folder
        if not extracted.is_dir():
            raise ValueError(f"{src} does not contain the folder {folder}/")
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(extracted, dest)
        marker.write_text(digest + "\n")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def mnist_folder():
    """Where the full MNIST IDX files are: $MINIGRAD_DATA/mnist, else ../shared/data/mnist."""
    candidates = [data_home() / "mnist", Path.cwd().parent / "shared" / "data" / "mnist",
                  _HERE.parents[2] / "shared" / "data" / "mnist"]
    for c in candidates:
        if (c / "train-images-idx3-ubyte.gz").exists():
            return c
    raise FileNotFoundError("full MNIST not found: put the four IDX .gz files in $MINIGRAD_DATA/mnist "
                            "(minigrad never downloads)")


def _read_idx(path):
    digest = sha256(path)
    if MNIST_SHA256.get(path.name) != digest:
        raise RuntimeError(f"checksum mismatch for {path}: the file is corrupt or has been changed")
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist(train=True):
    """Full MNIST as uint8 arrays (images (n, 28, 28), labels (n,)), verified against known checksums."""
    folder = mnist_folder()
    prefix = "train" if train else "t10k"
    return (_read_idx(folder / f"{prefix}-images-idx3-ubyte.gz"),
            _read_idx(folder / f"{prefix}-labels-idx1-ubyte.gz"))
