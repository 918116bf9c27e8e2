"""The digits GAN (dlviz.gan.digits) and its quality score (dlviz.digit_classifier): the classifier
on held-out digits, the session's snapshot, learning, determinism and halting, and sampling,
truncation and interpolation from a snapshot."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from dlviz.digit_classifier import CONFIDENT, classify_digits, digit_split, score_quality
from dlviz.gan.digits import GRID, JUDGED, DigitsGanConfig, DigitsGanSession
from dlviz.gan.losses import LOSSES, get_loss
from dlviz.gan.sampling import (
    interpolate_digits,
    rebuild_generator,
    sample_digits,
    truncated_noise,
)

TRAINED_STEPS = 800  # ≥ 8 classes were first reached by steps 280–400 (seeds 0–7)


@pytest.fixture(scope="module")
def trained() -> DigitsGanSession:
    """A session with the defaults after TRAINED_STEPS steps."""
    session = DigitsGanSession(DigitsGanConfig())
    session.train_steps(TRAINED_STEPS)
    return session


def test_the_quality_classifier_is_accurate_and_sure_on_held_out_digits():
    _, _, x, y = digit_split()
    probs = classify_digits(x)
    assert probs.shape == (len(y), 10)
    assert np.allclose(probs.sum(1), 1.0, atol=1e-5)
    assert (probs.argmax(1) == y).mean() > 0.9
    assert (probs.max(1) >= CONFIDENT).mean() > 0.8


def test_the_quality_classifier_is_unsure_of_noise_and_of_blended_digits():
    gen = np.random.default_rng(5)
    noise = gen.random((300, 64), dtype=np.float32)
    assert (classify_digits(noise).max(1) >= CONFIDENT).mean() < 0.05
    _, _, x, y = digit_split()
    i, j = gen.integers(len(y), size=(2, 600))
    keep = y[i] != y[j]
    blends = 0.5 * x[i[keep]] + 0.5 * x[j[keep]]
    assert (classify_digits(blends).max(1) >= CONFIDENT).mean() < 0.15


def test_score_quality_counts_the_confident_labels():
    _, _, x, _ = digit_split()
    quality = score_quality(x.reshape(-1, 8, 8))
    probs = classify_digits(x)
    sure = probs.max(1) >= CONFIDENT
    assert quality.confident == pytest.approx(sure.mean())
    assert quality.counts.tolist() == np.bincount(probs.argmax(1)[sure], minlength=10).tolist()
    assert quality.classes == 10
    assert score_quality(np.zeros((20, 64), np.float32)).classes <= 1


def test_the_snapshot_holds_samples_in_range_and_what_rebuilds_g(trained):
    snap = trained.snapshot()
    assert snap.step == TRAINED_STEPS and snap.halted is None
    assert snap.samples.shape == (GRID, 8, 8) and snap.samples.dtype == np.float32
    assert snap.samples.min() >= 0.0 and snap.samples.max() <= 1.0
    assert snap.sample_labels.shape == (GRID,) and snap.sample_confidence.shape == (GRID,)
    assert set(snap.history) == set(trained._series())
    assert all(len(v) == len(snap.history_steps) for v in snap.history.values())
    assert snap.history_steps[-1] == TRAINED_STEPS
    assert all(w.dtype == np.float32 for w in snap.generator.values())
    assert snap.class_counts.sum() == round(snap.confident * JUDGED)
    with torch.no_grad():  # G rebuilt from the snapshot draws the snapshot's grid
        again = (rebuild_generator(snap)(trained.noise_judged[:GRID].cpu()) + 1) / 2
    assert np.allclose(again.numpy().reshape(GRID, 8, 8), snap.samples, atol=1e-5)


def test_the_samples_cover_most_classes_after_training(trained):
    start = DigitsGanSession(DigitsGanConfig()).snapshot()
    assert start.classes <= 2 and start.confident < 0.05
    snap = trained.snapshot()
    assert snap.classes >= 8
    assert snap.confident > 0.15


def test_ds_accuracy_on_fakes_moves_off_100_percent_as_g_learns(trained):
    still = DigitsGanSession(DigitsGanConfig(g_lr=1e-5))  # G barely moves: D wins
    still.train_steps(200)
    assert still.snapshot().d_fake_accuracy >= 0.99
    assert trained.snapshot().d_fake_accuracy <= 0.9


def test_the_same_seed_gives_the_same_snapshot():
    config = DigitsGanConfig(seed=7, g_width=64, d_width=64)
    snaps = []
    for _ in range(2):
        session = DigitsGanSession(config)
        session.train_steps(60)
        snaps.append(session.snapshot())
    for field in dataclasses.fields(snaps[0]):
        a, b = getattr(snaps[0], field.name), getattr(snaps[1], field.name)
        if isinstance(a, dict):
            assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
        else:
            assert np.array_equal(a, b), field.name
    other = DigitsGanSession(config.replace(seed=8))
    other.train_steps(60)
    assert not np.array_equal(other.snapshot().samples, snaps[0].samples)


def test_training_leaves_the_global_random_generator_alone():
    before = torch.get_rng_state()
    DigitsGanSession(DigitsGanConfig(g_width=64, d_width=64)).train_steps(10)
    assert torch.equal(torch.get_rng_state(), before)


@pytest.mark.parametrize("loss", LOSSES)
def test_the_largest_learning_rates_halt_with_a_reason(loss):
    session = DigitsGanSession(DigitsGanConfig(loss=loss, d_lr=10.0, g_lr=10.0))
    session.train_steps(100)
    snap = session.snapshot()
    assert session.step_count <= 100
    assert isinstance(snap.halted, str) and snap.halted.endswith(".")


@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_trains_without_halting_at_the_defaults(loss):
    session = DigitsGanSession(DigitsGanConfig(loss=loss, g_width=64, d_width=64))
    session.train_steps(200)
    assert session.halted is None
    assert all(math.isfinite(v) for v in session.latest.values.values())


def test_retuning_the_learning_rates_reaches_the_optimizers():
    session = DigitsGanSession(DigitsGanConfig(g_width=64, d_width=64))
    session.retune(session.config.replace(d_lr=1e-3, g_lr=5e-4, pace="max"))
    assert [g["lr"] for g in session.d_opt.param_groups] == [1e-3]
    assert [g["lr"] for g in session.g_opt.param_groups] == [5e-4]
    assert session.check_every == session.max_check_every
    with pytest.raises(ValueError, match="live"):
        session.retune(session.config.replace(latent=8))
    session.retune(session.config.replace(d_lr=10.0, g_lr=10.0))
    session.train_steps(100)
    assert session.halted is not None


def test_unknown_names_raise_listing_the_choices():
    for call in (lambda: DigitsGanConfig(loss="vanilla"), lambda: get_loss("vanilla")):
        with pytest.raises(ValueError) as error:
            call()
        assert all(name in str(error.value) for name in LOSSES)


def test_truncated_noise_stays_within_the_truncation():
    plain = truncated_noise(4000, 16, None, torch.Generator().manual_seed(1))
    cut = truncated_noise(4000, 16, 1.0, torch.Generator().manual_seed(1))
    assert cut.abs().max() <= 1.0 and plain.abs().max() > 3.0
    inside = plain.abs() <= 1.0
    assert torch.equal(cut[inside], plain[inside])  # only the outliers are redrawn
    # a standard normal cut to [−1, 1]: variance 1 − 2φ(1) / (2Φ(1) − 1)
    phi, mass = math.exp(-0.5) / math.sqrt(2 * math.pi), math.erf(1 / math.sqrt(2))
    assert float(cut.std()) == pytest.approx(math.sqrt(1 - 2 * phi / mass), abs=0.01)
    assert float(cut.mean()) == pytest.approx(0.0, abs=0.01)


def test_untruncated_noise_is_standard_normal():
    z = truncated_noise(4000, 16, None, torch.Generator().manual_seed(2))
    assert z.shape == (4000, 16)
    assert float(z.mean()) == pytest.approx(0.0, abs=0.01)
    assert float(z.std()) == pytest.approx(1.0, abs=0.01)
    same = truncated_noise(4000, 16, 0, torch.Generator().manual_seed(2))
    assert torch.equal(z, same)
    for bad in (-1.0, 0.05, math.nan):
        with pytest.raises(ValueError, match="truncation"):
            truncated_noise(4, 16, bad, torch.Generator())


def test_sample_digits_is_deterministic_in_its_seed(trained):
    snap = trained.snapshot()
    a = sample_digits(snap, seed=3, count=12)
    assert a.shape == (12, 8, 8) and a.dtype == np.float32
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert np.array_equal(a, sample_digits(snap, seed=3, count=12))
    assert not np.array_equal(a, sample_digits(snap, seed=4, count=12))
    assert not np.array_equal(a, sample_digits(snap, seed=3, count=12, truncation=0.5))


def test_interpolation_runs_from_one_seeds_sample_to_the_others(trained):
    snap = trained.snapshot()
    for truncation in (None, 0.7):
        path = interpolate_digits(snap, 3, 9, steps=5, truncation=truncation)
        assert path.shape == (5, 8, 8) and path.min() >= 0.0 and path.max() <= 1.0
        start, end = (sample_digits(snap, s, 1, truncation)[0] for s in (3, 9))
        assert np.allclose(path[0], start, atol=1e-5)
        assert np.allclose(path[-1], end, atol=1e-5)
        assert not np.allclose(path[2], start, atol=1e-2)
        assert not np.allclose(path[2], end, atol=1e-2)


def test_bad_sampling_arguments_raise_a_sentence(trained):
    snap = trained.snapshot()
    for call in (
        lambda: sample_digits(snap, seed=1, count=0),
        lambda: sample_digits(snap, seed=-1),
        lambda: sample_digits(snap, seed=1.5),
        lambda: sample_digits(snap, seed=1, truncation=0.01),
        lambda: interpolate_digits(snap, 1, 2, steps=1),
        lambda: interpolate_digits(snap, 1, -2),
    ):
        with pytest.raises(ValueError, match="must"):
            call()
