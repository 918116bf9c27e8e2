"""AttentionSession, the live training of the tiny transformer: its config (every refusal,
pace → chunk_steps), it learns reverse and a head finds the mirror, same seed same
snapshot, the snapshot's shapes and causal mask, ablation, positional choices, live
retuning of the rate and the pace, divergence, and a CUDA smoke test where a GPU is."""

import numpy as np
import pytest
import torch

from dlviz.attention import (
    AttentionConfig,
    AttentionSession,
    AttentionView,
    probe_line,
    similarity,
    sinusoidal,
    token_names,
)
from dlviz.device import DEVICE
from dlviz.knobs import PACES
from dlviz.live import LiveSession


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (dict(task="nope"), r"\(task\).*copy, reverse, sort, shift, induction"),
        (dict(positional="alibi"), r"\(positional\).*learned, sinusoidal, rope, none"),
        (dict(length=3), r"\(length\)"),
        (dict(length=40), r"\(length\)"),
        (dict(vocab=True), r"\(vocab\)"),
        (dict(vocab=27), r"\(vocab\)"),
        (dict(layers=3), r"\(layers\)"),
        (dict(heads=5), r"\(heads\)"),
        (dict(d_model=8), r"\(d_model\)"),
        (dict(batch_size=4), r"\(batch_size\)"),
        (dict(seed=-1), r"\(seed\)"),
        (dict(learning_rate=float("nan")), r"\(learning_rate\)"),
        (dict(learning_rate=0.0), r"\(learning_rate\)"),
        (dict(pace="0"), r"\(pace\).*1, 5, 20, max"),
        (dict(pace=5), r"\(pace\)"),
        (dict(heads=3), "split evenly into 3 heads"),
        (dict(task="induction", length=9), "even sequence length"),
        (dict(d_model=20, heads=4, positional="rope"), "must be even"),
        (dict(d_model=17, heads=1, positional="sinusoidal"), "even d_model"),
    ],
    ids=repr,
)
def test_bad_configs_raise_value_errors_naming_the_problem(bad, message):
    with pytest.raises(ValueError, match=message):
        AttentionConfig(**bad)


def test_pace_sets_the_steps_per_chunk():
    assert AttentionConfig().pace == "5"
    sessions = [AttentionSession(AttentionConfig(pace=p)) for p in PACES]
    assert [s.chunk_steps for s in sessions] == [1, 5, 20, 20]
    assert all(s.check_every == 1 for s in sessions)  # a check after every chunk
    session = AttentionSession(AttentionConfig(pace="1"))
    assert session.chunk_words() == "1 step"
    session.step(0.0)  # a zero budget trains one chunk
    assert session.step_count == 1
    session.retune(session.config.replace(pace="20"))
    assert session.chunk_words() == "20 steps" and session.step_count == 1
    session.step(0.0)
    assert session.step_count == 21
    session.train_steps(30)  # rounded up to whole chunks of 20
    assert session.step_count == 61


def test_retuning_the_pace_keeps_the_run():
    cfg = AttentionConfig(task="shift", seed=3)
    paced = AttentionSession(cfg)
    paced.train_steps(10)
    paced.retune(cfg.replace(pace="1"))
    paced.train_steps(10)
    steady = AttentionSession(cfg)
    steady.train_steps(20)
    assert paced.step_count == steady.step_count == 20
    # the pace only decides when to evaluate: the same batches, the same weights
    for mine, theirs in zip(paced.model.parameters(), steady.model.parameters(), strict=True):
        assert torch.equal(mine, theirs)
    assert len(paced.history) > len(steady.history)  # evaluated after every single step


def _trained_reverse(seed=0, limit=1000):
    session = AttentionSession(AttentionConfig(task="reverse", length=8, vocab=10, layers=1,
                                               seed=seed))  # fmt: skip
    while session.accuracy() < 0.99 and session.step_count < limit:
        session.train_steps(20)
    return session


@pytest.mark.parametrize("seed", [0, 1])
def test_reverse_reaches_99_percent_and_a_head_finds_the_mirror(seed):
    session = _trained_reverse(seed)
    assert isinstance(session, LiveSession)
    assert session.accuracy() >= 0.99, f"only {session.accuracy():.3f} after 1000 steps"
    reached = session.step_count
    session.train_steps(600)
    mass = session.pattern_mass()  # (layers, heads, graded queries), fresh evaluation set
    assert mass.shape == (1, 2, 8)
    best = mass.min(-1).max()  # the head whose weakest query is strongest
    assert best >= 0.8, f"best head puts only {best:.2f} on the mirror (99% at step {reached})"
    snap = session.snapshot()
    head = snap.best_head
    assert snap.pattern_mass[head] == snap.pattern_mass.max()
    probe_weights = snap.attention[head]
    assert (probe_weights.argmax(-1) == np.arange(8)[::-1]).all()
    assert (snap.probe_predictions == snap.probe[::-1]).all()
    assert (snap.probe_targets == snap.probe[::-1]).all()
    assert snap.halted is None


def test_untrained_model_does_not_know_the_task():
    session = AttentionSession(AttentionConfig())
    snap = session.snapshot()
    assert snap.step == 0 and snap.halted is None
    assert snap.accuracy < 0.3 and snap.pattern_mass.max() < 0.4
    np.testing.assert_allclose(snap.attention.sum(-1), 1.0, atol=1e-5)


def test_same_seed_gives_identical_snapshots_and_another_seed_does_not():
    def run(seed):
        session = AttentionSession(AttentionConfig(task="shift", heads=2, seed=seed))
        session.train_steps(60)
        return session.snapshot()

    a, b, c = run(4), run(4), run(5)
    for field in ("attention", "history_loss", "history_accuracy", "probe", "ablation",
                  "positions", "position_similarity"):  # fmt: skip
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert a.loss == b.loss and a.step == b.step == 60
    assert not np.array_equal(a.attention, c.attention)


def test_probe_line_writes_tokens_and_dots_for_ungraded_positions():
    session = AttentionSession(AttentionConfig(task="induction", vocab=12))
    snap = session.snapshot()
    line = probe_line(snap)
    letters = " ".join("ABCDEFGHIJKL"[t] for t in snap.probe)
    assert line.startswith(f"Probe `{letters}` → target `· · · · ")
    assert line.endswith("(· = not graded)") and line.count("·") == 2 * 5 + 1
    reverse = probe_line(AttentionSession(AttentionConfig()).snapshot())
    assert "·" not in reverse and reverse.count("`") == 6


def test_token_names_are_digits_up_to_ten_then_letters():
    assert token_names(10) == tuple("0123456789")
    assert token_names(12) == tuple("ABCDEFGHIJKL")


def test_snapshot_shapes_for_two_layers_and_causal_mask():
    session = AttentionSession(AttentionConfig(task="induction", layers=2, heads=4, length=10))
    session.train_steps(20)
    snap = session.snapshot()
    assert snap.attention.shape == (2, 4, 10, 10) and snap.attention.dtype == np.float32
    upper = np.triu_indices(10, 1)
    assert (snap.attention[..., upper[0], upper[1]] == 0).all()
    assert snap.pattern_mass.shape == snap.ablation.shape == (2, 4)
    assert snap.scored.sum() == 4 and snap.pattern[~snap.scored].sum() == 0
    assert snap.positions.shape == (10, 32)
    assert snap.position_similarity.shape == (10, 10)
    np.testing.assert_allclose(snap.position_similarity, similarity(snap.positions), atol=1e-6)
    assert snap.history_steps.tolist() == [0, 5, 10, 15, 20]  # a check after every chunk
    assert len(snap.history_loss) == len(snap.history_accuracy) == 5
    assert snap.probe.dtype == snap.probe_predictions.dtype == np.int64


def test_ablating_the_mirror_head_breaks_reverse():
    session = AttentionSession(AttentionConfig(task="reverse", heads=1))
    session.train_steps(400)
    snap = session.snapshot()
    assert snap.accuracy > 0.99 and snap.ablation[0, 0] < 0.3
    assert snap.ablation_baseline > 0.99


def test_positional_choices_matter_for_reverse():
    rope_only = AttentionSession(AttentionConfig(task="reverse", positional="rope"))
    rope_only.train_steps(400)
    sinus = AttentionSession(AttentionConfig(task="reverse", positional="sinusoidal"))
    sinus.train_steps(400)
    blind = AttentionSession(AttentionConfig(task="reverse", positional="none"))
    blind.train_steps(400)
    # RoPE alone knows only offsets (the edges give it a little more); no positions at all
    # leaves attention blind to order.
    assert sinus.accuracy() > 0.95 > 0.85 > rope_only.accuracy() > 0.5 > blind.accuracy()
    rope_snap, sinus_snap = rope_only.snapshot(), sinus.snapshot()
    assert rope_snap.positions is None and rope_snap.position_similarity is None
    np.testing.assert_allclose(sinus_snap.positions, sinusoidal(8, 32).numpy())
    np.testing.assert_allclose(np.diag(sinus_snap.position_similarity), 1.0, atol=1e-6)


def test_retune_and_divergence_pause_without_raising():
    session = AttentionSession(AttentionConfig())
    session.train_steps(20)
    session.retune(AttentionConfig(learning_rate=1e-3))
    assert session.optimizer.param_groups[0]["lr"] == 1e-3 and session.step_count == 20
    assert session.config.learning_rate == 1e-3
    wild = AttentionSession(AttentionConfig(learning_rate=10.0))
    snap = wild.step(0.0)  # one chunk at the highest rate: the loss leaps 500× or more
    assert snap.halted and snap.step == 5
    assert wild.step(0.0).step == snap.step  # a paused session does not train
    wild.train_steps(20)
    assert wild.step_count == snap.step


@pytest.mark.parametrize(
    "changes",
    [dict(task="copy"), dict(heads=1), dict(positional="rope"), dict(seed=1), dict(vocab=12)],
)
def test_retune_refuses_a_structural_knob(changes):
    session = AttentionSession(AttentionConfig())
    with pytest.raises(ValueError, match="only live settings"):
        session.retune(session.config.replace(**changes))


def test_view_outlines_the_pattern_by_default():
    assert AttentionView().overlay is True and AttentionView(overlay=False).overlay is False
    with pytest.raises(ValueError, match=r"\(overlay\)"):
        AttentionView(overlay="no")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_session_runs_on_the_gpu_and_takes_a_cpu_head_mask():
    assert DEVICE.type == "cuda"
    session = AttentionSession(AttentionConfig(layers=2))
    assert next(session.model.parameters()).is_cuda and session.x_eval.is_cuda
    session.train_steps(20)
    assert session.step_count == 20 and session.halted is None
    snap = session.snapshot()
    assert snap.attention.shape == (2, 2, 8, 8) and 0 <= snap.accuracy <= 1
    assert np.isfinite(snap.attention).all() and snap.ablation.shape == (2, 2)
    # a CPU mask is moved over; all ones changes nothing (beyond a near-tie's rounding)
    assert session.accuracy(torch.ones(2, 2)) == pytest.approx(session.accuracy(), abs=0.01)
    assert 0 <= session.accuracy(torch.zeros(2, 2)) <= 1
    assert session.step(0.0).step == 25  # the page's tick too
