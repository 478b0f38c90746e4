"""Replicator emergence across seeds and within a run (analysis.md, "Replicator emergence").

The transition epoch T of a run is its first observation with high-order entropy above 3 bits.
Across a sweep: the fraction of runs transitioned by the cap with a Wilson 95 % interval (Wilson
1927), the Kaplan–Meier survival S(t) = P(T > t) with runs that never transitioned censored at
their cap (Kaplan & Meier 1958), the median T, the mean residual life E[T - t | T > t] (flat
means memoryless emergence) and the exponential rate (events / total exposure epochs). Within a
run, :class:`ReplicatorRegistry` records every species first seen above a share threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from alife.errors import AlifeError
from alife.history.format import ENTRY_DTYPE
from alife.languages import DEFAULT_STEP_LIMIT, get
from alife.measures.entropy import TRANSITION_THRESHOLD
from alife.measures.replication import REPLICATOR, replication_scores

L = 64
Z95 = 1.959963984540054


def transition_epoch(epochs: np.ndarray | list, higher_entropy: np.ndarray | list,
                     threshold: float = TRANSITION_THRESHOLD) -> int | None:
    """Epoch of the first observation with ``higher_entropy > threshold``; None if none."""
    e = np.asarray(epochs).ravel()
    h = np.asarray(higher_entropy, dtype=np.float64).ravel()
    if len(e) != len(h):
        raise AlifeError(f"epochs and higher_entropy must have the same length, "
                         f"got {len(e)} and {len(h)}")
    above = np.flatnonzero(h > threshold)
    return int(e[above[0]]) if len(above) else None


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval (low, high) for a proportion of ``k`` successes in ``n`` trials."""
    if n <= 0 or not 0 <= k <= n:
        raise AlifeError(f"Wilson interval needs 0 <= k <= n and n > 0, got k={k}, n={n}")
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _times_and_events(times: np.ndarray | list,
                      observed: np.ndarray | list) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(times, dtype=np.float64).ravel()
    d = np.asarray(observed, dtype=np.bool_).ravel()
    if len(t) == 0 or len(t) != len(d) or not np.all(np.isfinite(t)) or np.any(t < 0):
        raise AlifeError("survival data need one finite non-negative time and one observed flag "
                         f"per run, got {len(t)} times and {len(d)} flags")
    return t, d


@dataclass(frozen=True, eq=False)
class KaplanMeier:
    """Kaplan–Meier estimate of S(t) = P(T > t), a right-continuous step at each event time."""

    times: np.ndarray  #: float64[K] distinct event times, ascending
    survival: np.ndarray  #: float64[K] S just after each event time
    at_risk: np.ndarray  #: int64[K] runs with T >= the time (censored ties count as at risk)
    events: np.ndarray  #: int64[K] events at the time
    cap: float  #: the largest follow-up time (event or censoring); no information beyond it

    def survival_at(self, t: float | np.ndarray) -> float | np.ndarray:
        """S(t) at any time(s) ``t`` (1 before the first event)."""
        i = np.searchsorted(self.times, t, side="right")
        s = np.r_[1.0, self.survival][i]
        return float(s) if np.ndim(s) == 0 else s

    @property
    def median(self) -> float | None:
        """Smallest time with S(t) <= 0.5; None if S stays above 0.5."""
        below = np.flatnonzero(self.survival <= 0.5)
        return float(self.times[below[0]]) if len(below) else None

    def mean_residual_life(self, t: float) -> float:
        """E[T - t | T > t] restricted to the cap: (integral of S from t to cap) / S(t).

        Only the curve up to the cap is known, so this is the restricted mean residual life; NaN
        where S(t) = 0 or t >= cap.
        """
        s_t = self.survival_at(t)
        if t >= self.cap or s_t == 0:
            return math.nan
        inside = self.times[(self.times > t) & (self.times < self.cap)]
        grid = np.r_[t, inside, self.cap]
        return float((self.survival_at(grid[:-1]) * np.diff(grid)).sum() / s_t)


def kaplan_meier(times: np.ndarray | list, observed: np.ndarray | list) -> KaplanMeier:
    """Kaplan–Meier curve of event ``times`` with ``observed`` False for censored runs."""
    t, d = _times_and_events(times, observed)
    event_times = np.unique(t[d])
    at_risk = (t[None, :] >= event_times[:, None]).sum(axis=1).astype(np.int64)
    events = (t[d][None, :] == event_times[:, None]).sum(axis=1).astype(np.int64)
    survival = np.cumprod(1.0 - events / at_risk)
    return KaplanMeier(event_times, survival, at_risk, events, float(t.max()))


def exponential_rate(times: np.ndarray | list, observed: np.ndarray | list) -> float:
    """Maximum-likelihood exponential rate: events / total exposure (sum of all times)."""
    t, d = _times_and_events(times, observed)
    exposure = float(t.sum())
    events = int(d.sum())
    if exposure == 0:
        return math.inf if events else math.nan
    return events / exposure


@dataclass(frozen=True, eq=False)
class EmergenceSummary:
    """Replicator emergence across the seeds of a sweep (analysis.md, "Across seeds")."""

    n: int  #: runs
    transitioned: int  #: runs with a transition epoch by their cap
    fraction: float
    wilson_low: float  #: Wilson 95 % interval of the fraction
    wilson_high: float
    median: float | None  #: Kaplan–Meier median transition epoch (None: not reached)
    km: KaplanMeier
    rate: float  #: exponential rate, transitions per exposure epoch
    mean_epochs: float  #: 1 / rate
    mrl: tuple[tuple[float, float], ...] = field(default=())  #: (t, restricted MRL at t)

    def record(self) -> dict[str, Any]:
        """A flat record (one table row) of the summary, the KM curve left out."""
        out = {k: getattr(self, k) for k in ("n", "transitioned", "fraction", "wilson_low",
                                             "wilson_high", "median", "rate", "mean_epochs")}
        out.update({f"mrl_{t:g}": v for t, v in self.mrl})
        return out


def summarise_sweep(transition_epochs: list[int | None], caps: list[int] | int,
                    mrl_times: list[float] | None = None) -> EmergenceSummary:
    """Summary of a sweep's transition epochs (None: not transitioned, censored at its cap).

    ``caps`` is each run's epoch cap (or one cap for all); the mean residual life is reported at
    ``mrl_times`` (default: 0, 1/4, 1/2 and 3/4 of the smallest cap).
    """
    n = len(transition_epochs)
    cap_list = [caps] * n if isinstance(caps, (int, np.integer)) else list(caps)
    if n == 0 or len(cap_list) != n:
        raise AlifeError(f"a sweep summary needs one cap per run and at least one run, got "
                         f"{n} transition epochs and {len(cap_list)} caps")
    for t, c in zip(transition_epochs, cap_list, strict=True):
        if t is not None and not 0 <= t <= c:
            raise AlifeError(f"transition epoch {t} lies outside its run's 0..{c} epochs")
    observed = np.array([t is not None for t in transition_epochs])
    times = np.array([c if t is None else t for t, c in zip(transition_epochs, cap_list,
                                                             strict=True)], dtype=np.float64)
    km = kaplan_meier(times, observed)
    k = int(observed.sum())
    low, high = wilson_interval(k, n)
    rate = exponential_rate(times, observed)
    if mrl_times is None:
        cap = min(cap_list)
        mrl_times = sorted({0, cap // 4, cap // 2, 3 * cap // 4})
    return EmergenceSummary(
        n=n, transitioned=k, fraction=k / n, wilson_low=low, wilson_high=high, median=km.median,
        km=km, rate=rate, mean_epochs=1.0 / rate if rate else math.inf,
        mrl=tuple((float(t), km.mean_residual_life(t)) for t in mrl_times))


# ---------------------------------------------------------------- replicators within a run


@dataclass(frozen=True)
class ReplicatorEntry:
    """A species first seen above the registry's share threshold."""

    program: bytes  #: the 64-byte program
    first_epoch: int
    first_share: float
    score: int  #: replication score, computed once at first sight
    peak_share: float
    peak_epoch: int


class ReplicatorRegistry:
    """Every species seen with share >= ``share``: first epoch and share, score, peak share.

    A new species is scored once, at its first sighting, as the reference scores a one-program
    soup (:func:`alife.measures.replication.replication_score` with the sighting's epoch and the
    registry's ``seed``); :meth:`replicators` keeps those with score >= ``min_score``.
    """

    def __init__(self, share: float = 0.01, min_score: int = REPLICATOR,
                 language: str = "bff_noheads", seed: int = 0,
                 step_limit: int = DEFAULT_STEP_LIMIT) -> None:
        if not 0 < share <= 1:
            raise AlifeError(f"share threshold must be in (0, 1], got {share!r}")
        get(language)
        self.share = float(share)
        self.min_score = int(min_score)
        self.language = language
        self.seed = int(seed)
        self.step_limit = int(step_limit)
        self._entries: dict[bytes, ReplicatorEntry] = {}  # in order of first sighting

    def update(self, epoch: int, keys: np.ndarray, counts: np.ndarray, total: int) -> int:
        """Record the species ``keys`` (uint8[k, 64]) with ``counts`` (int64[k]) in a soup of
        ``total`` programs at ``epoch``; return how many species were new."""
        keys = np.ascontiguousarray(keys, dtype=np.uint8)
        counts = np.asarray(counts, dtype=np.int64).ravel()
        if keys.ndim != 2 or keys.shape[1] != L or len(keys) != len(counts) or total <= 0:
            raise AlifeError(f"registry update needs keys uint8[k, {L}], one count per key and a "
                             f"positive total, got keys {keys.shape}, {len(counts)} counts, "
                             f"total {total}")
        shares = counts / float(total)
        above = np.flatnonzero(shares >= self.share)
        new_rows = []
        for i in above:
            program = keys[i].tobytes()
            old = self._entries.get(program)
            if old is None:
                new_rows.append(i)
            elif shares[i] > old.peak_share:
                self._entries[program] = replace(old, peak_share=float(shares[i]),
                                                 peak_epoch=int(epoch))
        if new_rows:
            rows = np.array(new_rows)
            scores = replication_scores(keys[rows], self.language, int(epoch), self.seed,
                                        indices=np.zeros(len(rows), dtype=np.int64),
                                        num_programs=1, step_limit=self.step_limit)
            for i, score in zip(rows, scores, strict=True):
                program = keys[i].tobytes()
                if program not in self._entries:  # a key repeated within this update
                    s = float(shares[i])
                    self._entries[program] = ReplicatorEntry(program, int(epoch), s, int(score),
                                                             s, int(epoch))
        return len({keys[i].tobytes() for i in new_rows})

    def entries(self) -> list[ReplicatorEntry]:
        """All entries, in order of first sighting."""
        return list(self._entries.values())

    def replicators(self) -> list[ReplicatorEntry]:
        """The entries whose score is >= ``min_score``."""
        return [e for e in self._entries.values() if e.score >= self.min_score]

    def to_array(self) -> np.ndarray:
        """The entries as a structured array (:data:`ENTRY_DTYPE`), e.g. for a history file."""
        out = np.zeros(len(self._entries), dtype=ENTRY_DTYPE)
        for i, e in enumerate(self._entries.values()):
            out[i] = (np.frombuffer(e.program, dtype=np.uint8), e.first_epoch, e.first_share,
                      e.score, e.peak_share, e.peak_epoch)
        return out

    def load_array(self, array: np.ndarray) -> None:
        """Replace the entries with those of :meth:`to_array` output (to resume a run)."""
        self._entries = {}
        for r in np.asarray(array, dtype=ENTRY_DTYPE):
            program = r["program"].tobytes()
            self._entries[program] = ReplicatorEntry(
                program, int(r["first_epoch"]), float(r["first_share"]), int(r["score"]),
                float(r["peak_share"]), int(r["peak_epoch"]))
