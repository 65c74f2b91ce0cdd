r"""Learn the name encoder (matching.names.encoder) from bilingual company registers.

    python -m matching.names.learn_encoder --out data/names/name_encoder.npz \
        --hk data/hk_companies_registry/SP_2.csv [--gleif golden-copy.csv]

Each batch of pairs is scored all against all (the cosine of every Han name's vector with every
Latin name's, over a temperature), and the vectors move so that each name's own translation
wins in both directions (a symmetric softmax cross-entropy, as in contrastive retrieval
training). Only the units a batch uses are updated (Adam on those rows). A fixed seed makes a
run repeatable on the same machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from matching.names.encoder import REFERENCE_NAMES, encoder_of, han_units, latin_units
from matching.names.learn_lexicon import read_gleif, read_hk_register


@dataclass(frozen=True)
class Settings:
    dimensions: int = 128
    temperature: float = 0.1
    epochs: int = 6
    batch: int = 256
    learning_rate: float = 0.005
    min_count: int = 2  # a unit in fewer training names is left out
    seed: int = 0


def vocabulary(bags: Sequence[tuple[str, ...]], min_count: int) -> list[str]:
    counts = Counter(u for bag in bags for u in set(bag))
    return sorted(u for u, c in counts.items() if c >= min_count)


def unit_rows(bags: Sequence[tuple[str, ...]], units: list[str]) -> list[np.ndarray]:
    row_of = {u: i for i, u in enumerate(units)}
    return [np.array([row_of[u] for u in bag if u in row_of], dtype=np.int64) for bag in bags]


@dataclass
class Side:
    """One side's unit vectors with their Adam moments."""

    vectors: np.ndarray
    first: np.ndarray = field(init=False)
    second: np.ndarray = field(init=False)
    steps: int = 0

    def __post_init__(self) -> None:
        self.first = np.zeros_like(self.vectors)
        self.second = np.zeros_like(self.vectors)

    def encode(self, bags: list[np.ndarray]) -> tuple[np.ndarray, Batch]:
        batch = Batch.of(bags)
        summed = np.zeros((len(bags), self.vectors.shape[1]), dtype=np.float32)
        np.add.at(summed, batch.owner, self.vectors[batch.rows])
        summed *= batch.scale[:, None]
        batch.length = np.linalg.norm(summed, axis=1) + 1e-6
        return summed / batch.length[:, None], batch

    def update(self, batch: Batch, encoded: np.ndarray, gradient: np.ndarray, rate: float) -> None:
        """Back through the normalisation and the sum, then Adam on the rows used."""
        along = (encoded * gradient).sum(axis=1, keepdims=True)
        per_name = (gradient - encoded * along) / batch.length[:, None] * batch.scale[:, None]
        rows, slot = np.unique(batch.rows, return_inverse=True)
        grad = np.zeros((len(rows), self.vectors.shape[1]), dtype=np.float32)
        np.add.at(grad, slot, per_name[batch.owner])
        self.steps += 1
        self.first[rows] = 0.9 * self.first[rows] + 0.1 * grad
        self.second[rows] = 0.999 * self.second[rows] + 0.001 * grad * grad
        step = (self.first[rows] / (1 - 0.9**self.steps)) / (
            np.sqrt(self.second[rows] / (1 - 0.999**self.steps)) + 1e-8
        )
        self.vectors[rows] -= rate * step


@dataclass
class Batch:
    rows: np.ndarray  # the unit rows of every name, one after another
    owner: np.ndarray  # which name of the batch each row belongs to
    scale: np.ndarray  # one over the square root of each name's unit count
    length: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    @staticmethod
    def of(bags: list[np.ndarray]) -> Batch:
        counts = np.array([len(b) for b in bags])
        rows = np.concatenate(bags) if bags else np.zeros(0, dtype=np.int64)
        owner = np.repeat(np.arange(len(bags)), counts)
        return Batch(rows, owner, (1 / np.sqrt(np.maximum(counts, 1))).astype(np.float32))


def _softmax(scores: np.ndarray, axis: int) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=axis, keepdims=True))
    share: np.ndarray = shifted / shifted.sum(axis=axis, keepdims=True)
    return share


def train_step(han: Side, latin: Side, han_bags: list[np.ndarray],
               latin_bags: list[np.ndarray], settings: Settings) -> float:  # fmt: skip
    """One batch: the symmetric contrastive loss, and the update it asks for."""
    han_encoded, han_batch = han.encode(han_bags)
    latin_encoded, latin_batch = latin.encode(latin_bags)
    scores = han_encoded @ latin_encoded.T / settings.temperature
    by_row, by_column = _softmax(scores, 1), _softmax(scores, 0)
    size = len(han_bags)
    loss = -(np.log(np.diag(by_row) + 1e-9).mean() + np.log(np.diag(by_column) + 1e-9).mean())
    target = np.eye(size, dtype=np.float32)
    d_scores = (by_row - target + by_column - target) / (2 * size * settings.temperature)
    han.update(han_batch, han_encoded, d_scores @ latin_encoded, settings.learning_rate)
    latin.update(latin_batch, latin_encoded, d_scores.T @ han_encoded, settings.learning_rate)
    return float(loss / 2)


def train(pairs: Sequence[tuple[str, str]], settings: Settings) -> dict[str, np.ndarray]:
    """Unit lists and vectors for both sides, learned from (Han, Latin) name pairs."""
    han_bags = [han_units(zh) for zh, _ in pairs]
    latin_bags = [latin_units(en) for _, en in pairs]
    han_vocab = vocabulary(han_bags, settings.min_count)
    latin_vocab = vocabulary(latin_bags, settings.min_count)
    han_rows, latin_rows = unit_rows(han_bags, han_vocab), unit_rows(latin_bags, latin_vocab)
    rng = np.random.default_rng(settings.seed)
    shape = settings.dimensions
    han = Side((rng.standard_normal((len(han_vocab), shape)) * 0.1).astype(np.float32))
    latin = Side((rng.standard_normal((len(latin_vocab), shape)) * 0.1).astype(np.float32))
    batch = min(settings.batch, len(pairs))  # a small corpus is one batch
    for epoch in range(settings.epochs):
        order, loss = rng.permutation(len(pairs)), 0.0
        for start in range(0, len(pairs) - batch + 1, batch):
            chosen = order[start : start + batch]
            loss += train_step(han, latin, [han_rows[i] for i in chosen],
                               [latin_rows[i] for i in chosen], settings)  # fmt: skip
        print(f"epoch {epoch + 1}: loss {loss:.1f}", flush=True)
    arrays = {
        "han_units": np.array(han_vocab),
        "han_vectors": han.vectors.astype(np.float16),
        "latin_units": np.array(latin_vocab),
        "latin_vectors": latin.vectors.astype(np.float16),
    }
    arrays["reference_vectors"] = reference_vectors(pairs, arrays, settings.seed)
    return arrays


def reference_vectors(
    pairs: Sequence[tuple[str, str]], arrays: dict[str, np.ndarray], seed: int
) -> np.ndarray:
    """The vectors of a fixed sample of the training Han names: what a Latin name's closeness
    to names in general is measured against (see `matching.names.encoder.hub_values`)."""
    encoder = encoder_of(arrays)
    chosen = np.random.default_rng(seed).permutation(len(pairs))[:REFERENCE_NAMES]
    vectors = [encoder.encode(han_units(pairs[i][0]), han=True) for i in sorted(chosen)]
    return np.stack(vectors).astype(np.float16)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--hk", type=Path, action="append", default=[])
    parser.add_argument("--gleif", type=Path, action="append", default=[])
    parser.add_argument("--epochs", type=int, default=Settings.epochs)
    args = parser.parse_args(argv)
    pairs = [p for path in args.hk for p in read_hk_register(path)]
    pairs += [p for path in args.gleif for p in read_gleif(path)]
    if not pairs:
        parser.error("no bilingual name pairs in the files given")
    settings = Settings(epochs=args.epochs)
    arrays = train(pairs, settings)
    provenance = {
        "what": "Name encoder for oad cross-script company matching (unit vectors, float16).",
        "learned_from": [str(p) for p in [*args.hk, *args.gleif]],
        "pairs": len(pairs),
        "command": "python -m matching.names.learn_encoder "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "date": datetime.date.today().isoformat(),
        "settings": vars(settings),
        "licence": "derived facts from public registers; this file Apache-2.0 as the project",
    }
    arrays["provenance"] = np.array(json.dumps(provenance))
    np.savez_compressed(args.out, allow_pickle=False, **arrays)
    print(f"{len(pairs)} pairs → {args.out}")


if __name__ == "__main__":
    main()
