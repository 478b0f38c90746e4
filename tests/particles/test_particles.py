"""Weightwise and aggregating particles (Gabor, Illium et al. 2019): kernels vs the numpy twin,
the fixpoint classifier on hand-built particles, and the papers' single-particle figures."""

from __future__ import annotations

import numpy as np
import pytest

from alife.errors import AlifeError
from alife.particles import kernel as P
from alife.particles import reference as R

KINDS = list(P.KINDS)


def test_positions_are_the_authors_normalised_indices():
    # W1 (4x2): layer 0, cells 0..3 divided by 3, outputs 0/1; W2: layer 1/2; W3: layer 1
    assert P.POSITIONS.shape == (14, 3)
    assert P.POSITIONS[:8, 0].tolist() == [0.0] * 8
    assert P.POSITIONS[:8, 1].tolist() == [0, 0, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 1, 1]
    assert P.POSITIONS[:8, 2].tolist() == [0, 1] * 4
    assert P.POSITIONS[8:12, 0].tolist() == [0.5] * 4
    assert P.POSITIONS[12:, 0].tolist() == [1.0, 1.0]
    assert P.POSITIONS[12:, 2].tolist() == [0.0, 0.0]


def test_a_linear_particle_is_one_vector_on_value_and_positions():
    w = P.random_particles(1, seed=5)[0]
    t = P.random_particles(1, seed=6)[0]
    v = R.layers(w)[0] @ R.layers(w)[1] @ R.layers(w)[2]
    assert np.allclose(P.end_vectors(w)[0], v[:, 0], atol=1e-14)
    expected = v[0, 0] * t + P.POSITIONS @ v[1:, 0]
    assert np.allclose(P.apply(w, t)[0], expected, atol=1e-14)
    assert np.allclose(P.end_vectors(P.identity_fixpoint(3.0)), [[1, 0, 0, 0]], atol=1e-15)


@pytest.mark.parametrize("kind", [pytest.param(k, marks=pytest.mark.slow) if k == "aggregating"
                                  else k for k in KINDS])
def test_kernels_agree_with_the_numpy_twin(kind):
    w = P.random_particles(40, seed=1, kind=kind)
    t = P.random_particles(40, seed=2, kind=kind)
    applied = np.array([R.apply(w[i], t[i], kind) for i in range(40)])
    assert np.allclose(P.apply(w, t, kind), applied, rtol=0, atol=1e-12)
    trained, losses = P.self_train(w, 25, kind=kind)
    twin = [R.self_train(w[i], 25, kind=kind) for i in range(40)]
    assert np.allclose(trained, [x[0] for x in twin], rtol=1e-10, atol=1e-12)
    assert np.allclose(losses, [x[1] for x in twin], rtol=1e-9, atol=1e-14)
    learned, _ = P.learn_from(w, t, 4, kind=kind)
    assert np.allclose(learned, [R.learn_from(w[i], t[i], 4, kind=kind)[0] for i in range(40)],
                       rtol=1e-10, atol=1e-12)
    for batch in (w, trained, P.self_apply(w, 3, kind)):
        assert P.classify(batch, kind=kind).tolist() == [R.classify(x, kind=kind) for x in batch]


def test_a_hand_built_fixpoint_is_a_fixpoint_at_any_scale():
    for scale in (0.5, 1.0, 3.0):
        w = P.identity_fixpoint(scale)
        assert np.allclose(P.self_apply(w)[0], w, atol=0)
        assert P.classify(w)[0] == P.FIXPOINT


def test_zero_nan_inf_reflection_and_random_particles_are_classified():
    reflection = P.identity_fixpoint(2.0)
    reflection[0] = -2.0  # v = (-1, 0, 0, 0): f(w) = -w, f(f(w)) = w
    cases = np.array([np.zeros(14), np.full(14, 1e-6), np.r_[np.nan, np.ones(13)],
                      np.r_[np.inf, np.ones(13)], reflection, P.random_particles(1, 9)[0]])
    assert P.classify(cases).tolist() == [P.ZERO, P.ZERO, P.DIVERGENT, P.DIVERGENT,
                                          P.SECOND_ORDER, P.OTHER]
    # the tolerance is absolute: a fixpoint nudged by 2 eps is no longer one
    nudged = P.identity_fixpoint(1.0)
    nudged[2] = 2e-5  # W1[1, 0]: v1 = 2e-5, so weights of layer 1 move by 2e-5
    assert P.classify(nudged)[0] != P.FIXPOINT
    assert P.classify(nudged, eps=1e-3)[0] == P.FIXPOINT


def test_attack_rewrites_the_target_with_the_attacker():
    attacker = P.identity_fixpoint(1.0)
    target = P.random_particles(1, seed=4)[0]
    assert np.array_equal(P.apply(attacker, target)[0], target)  # identity copies the target
    zero = np.zeros(14)
    assert np.array_equal(P.apply(zero, target)[0], np.zeros(14))  # the zero net kills it


def test_self_training_makes_non_zero_fixpoints():
    # Gabor et al.: 1000 self-training steps turn ~100 % of random particles into fixpoints.
    # Tolerance: at least 95 of 100 over each of 3 seeds (measured: 100/100 for all three).
    for seed in range(3):
        trained, _ = P.self_train(P.random_particles(100, seed=seed), 1000)
        census = P.census(P.classify(trained))
        assert census["fixpoint"] >= 95, census


def test_repeated_self_application_ends_at_zero_or_divergence():
    # Gabor et al.: 100 self-applications send random particles to zero or divergence
    # (at least 95 of 100 per seed; measured 100/100).
    for seed in range(3):
        census = P.census(P.classify(P.self_apply(P.random_particles(100, seed=seed), 100)))
        assert census["zero"] + census["divergent"] >= 95, census


def test_aggregating_fixpoints_after_training():
    trained, _ = P.self_train(P.random_particles(50, seed=0, kind="aggregating"), 2000,
                              kind="aggregating")
    classes = P.classify(trained, kind="aggregating")
    assert (classes != P.DIVERGENT).all()
    after = P.self_apply(trained, kind="aggregating")
    # applying writes each group's output to all 5 weights: groups are constant afterwards
    assert np.allclose(after.reshape(50, 4, 5), after.reshape(50, 4, 5)[:, :, :1])


@pytest.mark.slow
def test_noise_is_keyed_and_has_the_requested_spread():
    w = np.zeros((2000, 14))
    a = P.add_noise(w, 0.01, seed=1, generation=3)
    assert np.array_equal(a, P.add_noise(w, 0.01, seed=1, generation=3))
    assert not np.array_equal(a, P.add_noise(w, 0.01, seed=1, generation=4))
    # 28,000 normal draws: mean within 4 standard errors of 0, std within 2 % of 0.01
    assert abs(a.mean()) < 4 * 0.01 / np.sqrt(a.size)
    assert abs(a.std() / 0.01 - 1) < 0.02


def test_random_particles_are_keyed_glorot_uniform():
    w = P.random_particles(5000, seed=0)
    assert np.array_equal(w, P.random_particles(5000, seed=0))
    assert np.all(np.abs(w) <= P.GLOROT_WEIGHTWISE)
    assert np.abs(w[:, :8]).max() > 0.99 and np.abs(w[:, 12:]).max() > 1.4


def test_bad_shapes_and_kinds_are_one_clear_error():
    with pytest.raises(AlifeError, match="accepted: \\(14,\\) or \\(N, 14\\)"):
        P.classify(np.zeros(13))
    with pytest.raises(AlifeError, match="unknown; accepted: weightwise, aggregating"):
        P.classify(np.zeros(14), kind="recurrent")
