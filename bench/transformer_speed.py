"""How fast could a transformer detector be on this machine? A speed ceiling, not a model.

The issue that set the detector's targets puts fine-tuned transformers at about 0.85 F1, the
accuracy target, and asks for at least 5,000 mentions per second on one core. This script
times only the matrix products of the smallest common sentence encoder (6 layers, 384 wide,
feed-forward 1,536, as in MiniLM-L6) on sentences of 24 tokens, with random weights, on one
core: no tokenizer, no attention softmax, no framework overhead, so a real model can only be
slower. Run from the project root: ``python bench/transformer_speed.py`` (numpy comes with
py3langid, a dependency of the project).
"""

import os

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"  # one core, as the detector's target is stated

import time  # noqa: E402

import numpy as np  # noqa: E402

BATCH, TOKENS, HIDDEN, FEED_FORWARD, LAYERS = 64, 24, 384, 1536, 6
SECONDS = 3.0


def main() -> None:
    """Print the sentences per second and the GFLOP/s reached."""
    rng = np.random.default_rng(0)
    shape = (BATCH * TOKENS, HIDDEN)
    x = rng.random(shape, dtype=np.float32)
    qkv = rng.random((HIDDEN, 3 * HIDDEN), dtype=np.float32)
    out = rng.random((HIDDEN, HIDDEN), dtype=np.float32)
    up = rng.random((HIDDEN, FEED_FORWARD), dtype=np.float32)
    down = rng.random((FEED_FORWARD, HIDDEN), dtype=np.float32)

    def layer(h):
        attention = (h @ qkv)[:, :HIDDEN] @ out
        return np.maximum(h @ up, 0.0) @ down + attention

    layer(x)
    sentences, start = 0, time.perf_counter()
    while time.perf_counter() - start < SECONDS:
        for _ in range(LAYERS):
            layer(x)
        sentences += BATCH
    elapsed = time.perf_counter() - start
    per_token = HIDDEN * 3 * HIDDEN + HIDDEN * HIDDEN + 2 * HIDDEN * FEED_FORWARD
    flops = 2 * per_token * TOKENS * LAYERS * sentences
    print(
        f"{LAYERS}-layer {HIDDEN}-wide encoder, {TOKENS} tokens a sentence: "
        f"{sentences / elapsed:,.0f} sentences/s on one core "
        f"({flops / elapsed / 1e9:.1f} GFLOP/s); the detector's target is 5,000"
    )


if __name__ == "__main__":
    main()
