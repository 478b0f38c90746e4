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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from alife.errors import AlifeError
from alife.measures.entropy import TRANSITION_THRESHOLD
from alife.measures.replicators import (  # noqa: F401 (re-exported: older imports)
    ENTRY_DTYPE,
    ReplicatorEntry,
    ReplicatorRegistry,
)

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


#: The share of a report's sampled programs that must be replicators (the reference's
#: replication score >= 5) for :func:`replicator_onset`.
REPLICATOR_SHARE = 0.1


def replicator_onset(epochs: np.ndarray | list, replicator_fraction: np.ndarray | list,
                     share: float = REPLICATOR_SHARE) -> int | None:
    """Epoch of the first report whose sampled programs are at least ``share`` replicators by
    the reference's replication score (Agüera y Arcas et al. 2024, its ``eval_selfrep``); None
    if none. Unlike the entropy threshold it also counts replicators that later die out."""
    e = np.asarray(epochs).ravel()
    f = np.asarray(replicator_fraction, dtype=np.float64).ravel()
    if len(e) != len(f):
        raise AlifeError(f"epochs and replicator_fraction must have the same length, "
                         f"got {len(e)} and {len(f)}")
    if not 0 < share <= 1:
        raise AlifeError(f"share must lie in (0, 1], got {share}")
    above = np.flatnonzero(f >= share)
    return int(e[above[0]]) if len(above) else None


@dataclass(frozen=True)
class WindowCount:
    """Reset windows of a run and how many crossed a threshold (the paper's short-run control)."""

    windows: int  #: windows with at least one report
    crossed: int  #: windows with a report above the threshold
    first: int | None  #: epoch of the first report above it (None: none)


def window_crossings(epochs: np.ndarray | list, values: np.ndarray | list, interval: int,
                     threshold: float) -> WindowCount:
    """Count the ``interval``-epoch windows between soup resets whose reports exceed
    ``threshold`` (Agüera y Arcas et al. 2024, the short-run control).

    The soup is re-initialised after 0-based epoch ``e`` when ``e % interval == 0``, so the
    report after ``r`` completed epochs sees a soup ``(r - 1) % interval`` epochs after its
    reset, in window ``(r - 1) // interval`` (a report at a reset sees the fresh soup).
    """
    e = np.asarray(epochs, dtype=np.int64).ravel()
    v = np.asarray(values, dtype=np.float64).ravel()
    if len(e) != len(v):
        raise AlifeError(f"epochs and values must have the same length, got {len(e)} and "
                         f"{len(v)}")
    if interval <= 0:
        raise AlifeError(f"the reset interval must be a positive number of epochs, got "
                         f"{interval}")
    keep = e > 0  # the report of epoch 0 sees the initial soup, before any window
    e, v = e[keep], v[keep]
    window = (e - 1) // interval
    above = v > threshold
    return WindowCount(windows=len(np.unique(window)), crossed=len(np.unique(window[above])),
                       first=int(e[above][0]) if above.any() else None)


def fraction_by(transition_epochs: list[int | None], caps: list[int], epoch: int
                ) -> tuple[int, int, float, float] | None:
    """(transitioned by ``epoch``, runs followed that long, Wilson 95 % low, high); None when
    no run was followed to ``epoch``. Compares sweeps with different caps at a common one."""
    followed = [(t, c) for t, c in zip(transition_epochs, caps, strict=True)
                if c >= epoch or (t is not None and t <= epoch)]
    if not followed:
        return None
    k = sum(t is not None and t <= epoch for t, _ in followed)
    low, high = wilson_interval(k, len(followed))
    return k, len(followed), low, high
