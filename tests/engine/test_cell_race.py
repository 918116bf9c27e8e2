"""CellRaceSession, the race of recurrent cells: each net starts from the seed exactly as a
RecurrentSession of its cell does and, fed the same batch sequence, trains to the very same
losses; the snapshot's per-cell series, signals and regression flag; the LSTM beating the
vanilla RNN on the adding problem; and RaceSession.clip_norm clipping every gradient. (The
base's default classification race is checked by test_race.py.)"""

from dataclasses import dataclass

import numpy as np
import pytest
import torch

from dlviz.device import DEVICE
from dlviz.knobs import Config, as_field, knob
from dlviz.models import DeepStack, initialise
from dlviz.race import BATCH_SIZE, RACE_CHUNK_STEPS, RaceSession, RaceSnapshot, race_seed, task_knob
from dlviz.recurrent.losses import sequence_loss
from dlviz.recurrent.race import CellRaceConfig, CellRaceSession
from dlviz.recurrent.session import CLIP_NORM, RecurrentConfig, RecurrentSession

CELLS3 = ("rnn", "lstm", "gru")


def _race(**change) -> CellRaceSession:
    return CellRaceSession(CellRaceConfig(**change))


def _single(cell: str, **change) -> RecurrentSession:
    return RecurrentSession(RecurrentConfig(cell=cell, pace="max", **change))


def test_each_net_starts_from_the_seed_like_a_session_of_its_cell():
    race = _race(cells=CELLS3, task="recall", length=20, seed=3)
    for cell, net in zip(CELLS3, race.nets, strict=True):
        single = _single(cell, task="recall", length=20, seed=3).model.state_dict()
        mine = net.state_dict()
        assert mine.keys() == single.keys()
        for key, value in mine.items():
            torch.testing.assert_close(value, single[key], rtol=0, atol=0)
    other = _race(cells=CELLS3, task="recall", length=20, seed=4)
    assert not torch.equal(other.nets[0].head.weight, race.nets[0].head.weight)


def test_the_race_trains_each_cell_exactly_as_its_own_session_would():
    # both draw their batches with make_memory_batch from a generator seeded with seed + 1,
    # clip to CLIP_NORM and step Adam: 100 steps is 4 race chunks and 5 session chunks
    race = _race(cells=CELLS3, task="recall", length=20, seed=1)
    race.train_steps(100)
    snap = race.snapshot()
    assert snap.step == 100
    for i, cell in enumerate(CELLS3):
        single = _single(cell, task="recall", length=20, seed=1)
        single.train_steps(100)
        alone = single.snapshot()
        assert alone.step == 100
        assert snap.train_loss[i] == np.float32(alone.loss)
        assert snap.test_accuracy[i] == np.float32(alone.score)
        np.testing.assert_array_equal(snap.signal[i], alone.probe.signal)
        for key, value in race.nets[i].state_dict().items():
            np.testing.assert_array_equal(value.cpu().numpy(), alone.weights[key])


def test_the_snapshot_records_every_cells_loss_score_and_signal():
    race = _race(cells=("lstm", "rnn"), task="brackets", length=15, hidden=4)
    race.train_steps(3 * RACE_CHUNK_STEPS)
    snap = race.snapshot()
    m = len(snap.history_steps)
    np.testing.assert_array_equal(snap.history_steps, [0, 25, 50, 75])
    assert snap.history_loss.shape == snap.history_score.shape == (2, m)
    assert snap.signal.shape == (2, 15) and snap.signal.dtype == np.float32
    assert (snap.signal > 0).all()
    assert snap.names == ("lstm", "rnn") and snap.labels == ("LSTM", "RNN")
    assert not snap.regression and snap.tokens == race.probe.tokens
    with torch.no_grad():
        for i, net in enumerate(race.nets):
            loss = float(sequence_loss(net(race.held.x)[0], race.held, race.classes))
            assert snap.train_loss[i] == pytest.approx(loss, rel=1e-6)
            assert snap.history_loss[i, -1] == pytest.approx(loss, rel=1e-6)
            assert snap.history_score[i, -1] == pytest.approx(snap.test_accuracy[i], rel=1e-6)
    assert snap.history_loss[0, 0] != snap.history_loss[1, 0]  # each cell its own series
    assert snap.leader == int(np.argmin(snap.train_loss)) and snap.out == (None, None)


def test_a_regression_race_says_so():
    race = _race(cells=("gru", "lstm"), task="sine", length=10, hidden=4)
    snap = race.snapshot()
    assert snap.regression and snap.signal.shape == (2, 10)
    assert snap.guess == pytest.approx(float(race.held.y.var(correction=0)), rel=1e-5)
    assert snap.leader is None  # nobody leads before the start


def test_the_lstm_beats_the_vanilla_rnn_on_the_adding_problem():
    race = _race(cells=("rnn", "lstm"), task="adding", length=50)
    while race.step_count < 2000:
        race.train_steps(250)
        if race.snapshot().train_loss[1] < 0.05:
            break
    snap = race.snapshot()
    rnn, lstm = snap.train_loss
    assert lstm < 0.05, f"the LSTM is still at {lstm:.3f} after {snap.step} steps"
    assert rnn > 0.8 * snap.guess
    assert snap.leader == 1
    assert snap.test_accuracy[1] > 0.7 and snap.test_accuracy[0] < 0.2
    assert snap.regression and snap.history_score.shape == snap.history_loss.shape


def test_an_absurd_learning_rate_stops_every_cell_and_halts_the_race():
    race = _race(cells=("rnn", "gru"), task="recall", length=20, learning_rate=100.0)
    for _ in range(40):
        if race.halted is not None:
            break
        race.train_steps(RACE_CHUNK_STEPS)
    snap = race.snapshot()
    assert snap.halted is not None
    assert all(out.startswith("stopped at step") for out in snap.out)


def test_retune_sets_every_cells_learning_rate():
    race = _race(cells=CELLS3, task="recall", length=20)
    race.retune(race.config.replace(learning_rate=2e-3))
    assert [opt.param_groups[0]["lr"] for opt in race.optimizers] == [2e-3] * 3
    with pytest.raises(ValueError, match="only live settings"):
        race.retune(race.config.replace(hidden=8))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (dict(cells=("lstm",)), r"\(cells\) must have 2 to 3 items"),
        (dict(cells=("lstm", "lstm")), r"\(cells\) must be different choices"),
        (dict(cells=("lstm", "nope")), "among rnn, lstm, gru"),
        (dict(task="recall", delay=10, length=10), r"\(delay\) must be at most 9"),
    ],
    ids=repr,
)
def test_bad_race_configs_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        CellRaceConfig(**bad)


# --- RaceSession.clip_norm -------------------------------------------------------------------


@dataclass(frozen=True)
class ClipConfig(Config):
    task: str = as_field(task_knob("spiral"))
    seed: int = race_seed()
    batch_size: int = as_field(BATCH_SIZE)
    rate: float = knob(1.0, "rate", low=1e-4, high=1e3)


class ClipRace(RaceSession[ClipConfig, RaceSnapshot]):
    """Two copies of one small tanh network on plain SGD; clip_norm set per test."""

    def _contestants(self, inputs, classes):
        nets = []
        for _ in range(2):
            net = DeepStack(inputs, 16, 2, classes, "tanh")
            initialise(net, "normal", torch.Generator().manual_seed(self.config.seed), 3.0)
            nets.append(net.to(DEVICE))
        return nets, [torch.optim.SGD(n.parameters(), lr=self.config.rate) for n in nets]

    def _build_snapshot(self):
        raise NotImplementedError


def _gradient_norms(race: RaceSession) -> list[float]:
    """The whole gradient norm of each net at every optimiser step of one chunk."""
    norms: list[float] = []
    for opt in race.optimizers:

        def record(optimizer, _args, _kwargs):
            grads = [p.grad for g in optimizer.param_groups for p in g["params"]]
            norms.append(float(torch.linalg.vector_norm(torch.cat([g.flatten() for g in grads]))))

        opt.register_step_pre_hook(record)
    race.train_steps(RACE_CHUNK_STEPS)
    return norms


@pytest.mark.parametrize("clip", [None, 0.01])
def test_clip_norm_clips_every_gradient_before_the_step(monkeypatch, clip):
    monkeypatch.setattr(ClipRace, "clip_norm", clip)
    race = ClipRace(ClipConfig())
    before = [p.detach().clone() for p in race.nets[0].parameters()]
    norms = _gradient_norms(race)
    assert len(norms) == 2 * RACE_CHUNK_STEPS
    moved = torch.cat([(p.detach() - b).flatten() for p, b in
                       zip(race.nets[0].parameters(), before)]).norm()  # fmt: skip
    if clip is None:
        assert min(norms) > 0.1  # the raw gradients are far larger than the clip
        assert moved > 25 * 0.01
    else:
        assert max(norms) <= clip * (1 + 1e-5)
        assert min(norms) > 0.99 * clip  # every one of them was clipped down to it
        assert moved <= RACE_CHUNK_STEPS * race.config.rate * clip * (1 + 1e-5)


def test_the_cell_race_clips_to_the_sessions_norm():
    assert CellRaceSession.clip_norm == CLIP_NORM == 1.0
    race = _race(cells=("rnn", "lstm"), task="adding", length=20, learning_rate=1.0)
    norms = _gradient_norms(race)
    assert len(norms) == 2 * RACE_CHUNK_STEPS and max(norms) <= CLIP_NORM * (1 + 1e-5)
    assert max(norms) > 0.99 * CLIP_NORM  # some gradients were large enough to be clipped
