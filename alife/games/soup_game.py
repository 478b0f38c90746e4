"""Empirical games between the species of a program soup (selfplay.md, "Soup species";
Agüera y Arcas et al. 2024 for the interaction).

The payoff of species i against species j (representative programs g_i, g_j, uint8[64]) comes
from the soup's own interaction: the tape g_i|g_j is run by the language's interpreter with the
run's step limit and split again into two 64-byte halves, and likewise g_j|g_i. In each order,
score (copies of g_i) - (copies of g_j) among the two output halves; the payoff is the mean over
both orders and over ``samples`` mutation draws:

    A_ij = mean_s [ (c_i - c_j)(g_i|g_j) + (c_i - c_j)(g_j|g_i) ] / 2   in [-2, 2],

so A_ji = -A_ij exactly ("who out-copies whom"). ``match="exact"`` counts identical halves (the
species key of :mod:`alife.measures.species`); ``match="bytes"`` counts the fraction of a half's
64 bytes equal to g_i's (a graded version that sees near-copies); ``match="mirror"`` counts a half
equal to g_i or to g_i reversed (the emerged BFF replicators copy themselves back to front, so
a program and its mirror image are one lineage). With mutation off (the default)
the runs are deterministic and one sample suffices; with ``mutation_prob > 0`` every sample draws
the soup's per-byte mutation (soup.md step 2) from hashes of (seed, sample, pair, order, byte).

All k(k-1)/2 pairs × samples run in one compiled parallel call. Other substrates (neural particle
soups, not in this codebase yet) plug in through :func:`outcomes_from_function` (a function of
(i, j, sample) returning i's score minus j's for one interaction, i first) and
:func:`game_from_outcomes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from alife.errors import AlifeError
from alife.games.payoff import EmpiricalGame
from alife.languages import DEFAULT_STEP_LIMIT, get
from alife.languages.dispatch import compiled
from alife.measures.species import top_species
from alife.rng import S

MATCHES = ("exact", "bytes", "mirror")
BOUND = 2.0  # |payoff| <= 2: both halves copies of one side


def _programs(programs: np.ndarray) -> np.ndarray:
    p = np.ascontiguousarray(programs, dtype=np.uint8)
    if p.ndim != 2 or len(p) < 1:
        raise AlifeError(f"species programs must be a k x P uint8 array with k >= 1, got "
                         f"shape {p.shape}")
    return p


def interaction_outcomes(programs: np.ndarray, language: str = "bff_noheads",
                         step_limit: int = DEFAULT_STEP_LIMIT, mutation_prob: float = 0.0,
                         samples: int = 1, seed: int = 0, match: str = "exact") -> np.ndarray:
    """float[k, k, samples, 2]: i's score minus j's when g_i|g_j (last index 0) and g_j|g_i (1)
    are run; antisymmetric in (i, j) with the two orders swapped; the diagonal is 0."""
    progs = _programs(programs)
    if match not in MATCHES:
        raise AlifeError(f"unknown match {match!r}; expected one of {', '.join(MATCHES)}")
    if samples < 1:
        raise AlifeError(f"samples must be >= 1, got {samples}")
    if not 0.0 <= mutation_prob <= 1.0:
        raise AlifeError(f"mutation_prob must be a probability in [0, 1], got {mutation_prob}")
    if step_limit < 1:
        raise AlifeError(f"step_limit must be >= 1, got {step_limit}")
    lang = get(language)  # unknown names raise AlifeError listing the languages
    lang.check_program_size(progs.shape[1])
    k = len(progs)
    iu = np.triu_indices(k, 1)
    pairs = np.ascontiguousarray(np.stack(iu, axis=1), dtype=np.int64)
    per_pair = np.zeros((len(pairs), samples, 2))
    mutation = np.uint64(round(mutation_prob * 2**30))
    if len(pairs):
        compiled("alife.games.species_kernel").species_game_kernel(
            progs, pairs, samples, lang.id, int(step_limit),
            np.uint64(S(np.uint64(seed), np.uint64(0x5EC1E5))), mutation,
            MATCHES.index(match), per_pair, lang.family.scratch_ints(2 * progs.shape[1]),
            lang.family.stack_bytes)
    out = np.zeros((k, k, samples, 2))
    out[iu] = per_pair
    out[iu[1], iu[0]] = -per_pair[:, :, ::-1]
    return out


def game_from_outcomes(outcomes: np.ndarray, bound: float = BOUND,
                       labels: Sequence[str] = ()) -> EmpiricalGame:
    """The game from per-interaction scores ``outcomes[i, j, s, o]`` (i's minus j's): the mean
    over orders o is one sample; the mean over samples is A_ij, with its standard error."""
    v = np.asarray(outcomes, dtype=np.float64).mean(axis=3)
    n = v.shape[2]
    a = v.mean(axis=2)
    se = v.std(axis=2, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(a)
    counts = np.full(a.shape, n, dtype=np.int64)
    np.fill_diagonal(counts, 0)
    return EmpiricalGame(0.5 * (a - a.T), counts, se, float(bound), tuple(labels))


def outcomes_from_function(outcome: Callable[[int, int, int], float], n: int,
                           samples: int = 1) -> np.ndarray:
    """float[n, n, samples, 2] from ``outcome(i, j, s)`` (i's score minus j's with i first): the
    extension point for substrates without a compiled kernel (e.g. neural particle soups)."""
    out = np.zeros((n, n, samples, 2))
    for i in range(n):
        for j in range(i + 1, n):
            for s in range(samples):
                out[i, j, s, 0] = outcome(i, j, s)
                out[i, j, s, 1] = -outcome(j, i, s)
                out[j, i, s] = -out[i, j, s, ::-1]
    return out


def species_game(programs: np.ndarray, language: str = "bff_noheads",
                 step_limit: int = DEFAULT_STEP_LIMIT, mutation_prob: float = 0.0,
                 samples: int = 1, seed: int = 0, match: str = "exact",
                 labels: Sequence[str] = ()) -> EmpiricalGame:
    """The empirical game among the species ``programs`` (uint8[k, 64]); see the module text."""
    return game_from_outcomes(interaction_outcomes(programs, language, step_limit, mutation_prob,
                                                   samples, seed, match), BOUND, labels)


def soup_species_game(soup: np.ndarray, k: int, language: str = "bff_noheads",
                      **options: object) -> tuple[EmpiricalGame, np.ndarray, np.ndarray]:
    """(game, species programs uint8[k', 64], counts int64[k']) among the ``k`` most common
    programs of ``soup`` (uint8[N, 64]); ``options`` go to :func:`species_game`."""
    if k < 1:
        raise AlifeError(f"k (species in the game) must be >= 1, got {k}")
    keys, counts = top_species(np.ascontiguousarray(soup, dtype=np.uint8), k)
    return species_game(keys, language, **options), keys, counts  # type: ignore[arg-type]


def species_frequencies(soup: np.ndarray, species: np.ndarray) -> np.ndarray:
    """int64[k]: how many programs of ``soup`` (uint8[N, P]) equal each of ``species``."""
    s = _programs(species)
    row = np.dtype((np.void, s.shape[1]))
    rows = np.ascontiguousarray(soup, dtype=np.uint8).view(row).ravel()
    keys = s.view(row).ravel()
    uniq, counts = np.unique(rows, return_counts=True)
    pos = np.searchsorted(uniq, keys)
    pos = np.clip(pos, 0, len(uniq) - 1)
    return np.where(uniq[pos] == keys, counts[pos], 0).astype(np.int64)


def first_mover_advantage(outcomes: np.ndarray) -> float:
    """Mean over ordered pairs i != j of the first program's score minus the second's (one run
    each, from :func:`interaction_outcomes`): +2 when whoever runs first always copies itself
    over its partner, 0 when the order does not matter."""
    k = outcomes.shape[0]
    if k < 2:
        return 0.0
    off = ~np.eye(k, dtype=bool)
    return float(outcomes[..., 0][off].mean())


def species_game_series(soups: Iterable[tuple[int, np.ndarray]], k: int,
                        language: str = "bff_noheads", step_limit: int = DEFAULT_STEP_LIMIT,
                        mutation_prob: float = 0.0, samples: int = 1, seed: int = 0,
                        match: str = "exact") -> list[dict[str, Any]]:
    """For each (epoch, soup uint8[N, 64]): the game among its top ``k`` species and every metric
    of :func:`alife.games.summary.game_summary`, plus ``epoch``, ``species``, ``counts``,
    ``share`` (of the soup held by the k species), ``first_mover`` and ``game``."""
    from alife.games.summary import game_summary

    if k < 1:
        raise AlifeError(f"k (species in the game) must be >= 1, got {k}")
    records = []
    for epoch, soup in soups:
        keys, counts = top_species(np.ascontiguousarray(soup, dtype=np.uint8), k)
        out = interaction_outcomes(keys, language, step_limit, mutation_prob, samples, seed,
                                   match)
        game = game_from_outcomes(out, BOUND)
        rec = {"epoch": int(epoch), "species": keys, "counts": counts,
               "share": float(counts.sum()) / len(soup), "game": game,
               "first_mover": first_mover_advantage(out)}
        rec.update(game_summary(game))
        records.append(rec)
    return records
