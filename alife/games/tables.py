"""Payoff tables of small real games, computed exactly over their pure strategies (Czarnecki
et al. 2020, "Real world games look like spinning tops": Colonel Blotto and Kuhn poker).

Every table is an antisymmetric matrix A (float[n, n]) with A_ij the expected payoff of pure
strategy i against j, and labels that name each strategy.

>>> a, labels = blotto_table(fields=3, coins=2)
>>> labels[:3], a.shape
(('0-0-2', '0-1-1', '0-2-0'), (6, 6))
"""

from __future__ import annotations

import itertools

import numpy as np

from alife.errors import AlifeError


def blotto_allocations(fields: int, coins: int) -> np.ndarray:
    """Every way to place ``coins`` identical coins on ``fields`` ordered fields (int[n, fields],
    lexicographic): the pure strategies of Colonel Blotto."""
    if fields < 2 or coins < 1:
        raise AlifeError(f"Blotto needs fields >= 2 and coins >= 1, got fields={fields}, "
                         f"coins={coins}")
    rows = []
    for bars in itertools.combinations(range(coins + fields - 1), fields - 1):
        edges = (-1, *bars, coins + fields - 1)
        rows.append([edges[k + 1] - edges[k] - 1 for k in range(fields)])
    return np.array(rows, dtype=np.int64)


def blotto_table(fields: int, coins: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Colonel Blotto: the payoff is +1 to whoever wins more fields, -1 to the other, 0 on a
    tie in fields won; a field goes to whoever put more coins on it."""
    x = blotto_allocations(fields, coins)
    won = np.sign(x[:, None, :] - x[None, :, :]).sum(axis=2)
    labels = tuple("-".join(str(int(c)) for c in row) for row in x)
    return np.sign(won).astype(np.float64), labels


#: Kuhn poker's cards, lowest first.
KUHN_CARDS = ("J", "Q", "K")


def _kuhn_seat_payoffs() -> np.ndarray:
    """U[a, b]: first seat's expected chips with pure policy a (6 bits) against the second
    seat's pure policy b (6 bits), over the 6 equally likely deals.

    First seat, per card c: bit c = bet at the start; bit 3 + c = call after check-bet.
    Second seat, per card c: bit c = bet after a check; bit 3 + c = call a bet.
    """
    u = np.zeros((64, 64))
    for a, b in itertools.product(range(64), range(64)):
        total = 0.0
        for c1, c2 in itertools.permutations(range(3), 2):
            win = 1.0 if c1 > c2 else -1.0
            if a >> c1 & 1:  # first seat bets
                total += 2.0 * win if b >> (3 + c2) & 1 else 1.0
            elif b >> c2 & 1:  # check, second seat bets
                total += 2.0 * win if a >> (3 + c1) & 1 else -1.0
            else:  # check, check
                total += win
        u[a, b] = total / 6.0
    return u


def kuhn_table() -> tuple[np.ndarray, tuple[str, ...]]:
    """Kuhn poker (1 chip ante, 1 chip bet) played once in each seat: pure strategy (a, b) is
    first-seat policy a and second-seat policy b, 4096 in all; A = (U[a, b'] - U[a', b]) / 2.

    A label reads ``first/second``: for J, Q, K the first seat's opening (b bet, k check) and
    its answer to a bet after checking (c call, f fold), then the second seat's answer to a
    check (b, k) and to a bet (c, f).
    """
    u = _kuhn_seat_payoffs()
    a = 0.5 * (u[:, None, None, :] - u.T[None, :, :, None])  # [a, b, a', b']
    table = a.reshape(4096, 4096)

    def word(bits: int, yes: str, no: str) -> str:
        return "".join(yes if bits >> c & 1 else no for c in range(3))

    labels = tuple(f"{word(p, 'b', 'k')}{word(p >> 3, 'c', 'f')}/"
                   f"{word(q, 'b', 'k')}{word(q >> 3, 'c', 'f')}"
                   for p in range(64) for q in range(64))
    return 0.5 * (table - table.T), labels
