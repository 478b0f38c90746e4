"""Relative population performance (Balduzzi et al. 2019) on a meta-game worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from alife.errors import AlifeError


def test_relative_population_performance_of_a_hand_worked_2x2_meta_game():
    """P's members (rows) against Q's (columns): A = [[1, -1], [0, 1/2]] has no saddle point;
    P mixes its first member with weight p: min(p, 1/2 - 3p/2) is largest at p = 1/5, so
    RPP(P, Q) = 1/5, and from Q's side RPP(Q, P) = -1/5 (Balduzzi et al. 2019, Def. 3)."""
    from alife.games import relative_population_performance as rpp

    a = np.array([[1.0, -1.0], [0.0, 0.5]])
    assert rpp(a) == pytest.approx(0.2, abs=1e-9)
    assert rpp(-a.T) == pytest.approx(-0.2, abs=1e-9)
    assert rpp([[1.0], [0.5]]) == pytest.approx(1.0)  # Q's one member loses to P's best
    assert rpp([[0.3]]) == pytest.approx(0.3)
    with pytest.raises(AlifeError, match="finite"):
        rpp([[np.nan]])
