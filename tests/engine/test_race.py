"""dlviz.race, the base of every race: contestants fed the very same mini-batches in lock-step
(shuffled epochs), starting from the same weights, losses measured on the whole training set,
a bounded history, a contestant that diverges stops with a reason while the others train on,
and the whole race halts when every one of them diverged. A tiny race defined here drives
the base; the two real races are checked against the same contract."""

from dataclasses import dataclass

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlviz.activations.activation_race import ActivationRaceConfig, ActivationRaceSession
from dlviz.data import load_classification
from dlviz.descent.optimizer_race import OptimizerRaceConfig, OptimizerRaceSession
from dlviz.device import DEVICE
from dlviz.knobs import Config, as_field, knob
from dlviz.models import DeepStack, initialise
from dlviz.race import (
    ALL_DIVERGED,
    BATCH_SIZE,
    RACE_CHUNK_STEPS,
    RaceSession,
    RaceSnapshot,
    race_seed,
    task_knob,
)


@dataclass(frozen=True)
class ToyConfig(Config):
    task: str = as_field(task_knob("spiral"))
    seed: int = race_seed()
    batch_size: int = as_field(BATCH_SIZE)
    rates: tuple[float, ...] = knob((0.3, 0.3, 0.3), "rates", low=1e-4, high=1e9, count=(1, 4),
                                    live=True)  # fmt: skip


class ToyRace(RaceSession[ToyConfig, RaceSnapshot]):
    """Plain SGD on copies of one small tanh network, contestant i at rates[i]."""

    def _contestants(self, inputs, classes):
        nets = []
        for _ in self.config.rates:
            net = DeepStack(inputs, 8, 1, classes, "tanh")
            initialise(net, "xavier", torch.Generator().manual_seed(self.config.seed))
            nets.append(net.to(DEVICE))
        rates = self.config.rates
        return nets, [torch.optim.SGD(n.parameters(), lr=r) for n, r in zip(nets, rates)]

    def _apply_live(self):
        self.set_learning_rates(list(self.config.rates))

    @torch.no_grad()
    def _build_snapshot(self):
        losses = [float(F.cross_entropy(n(self.x_train)[0], self.y_train)) for n in self.nets]
        names = tuple(f"net{i}" for i in range(len(self.nets)))
        return RaceSnapshot(**self.race_fields(names, names, np.array(losses)))


class ShortMemoryRace(ToyRace):
    history_points = 8


def _toy(**change) -> ToyRace:
    return ToyRace(ToyConfig(**change))


REAL_RACES = {
    "activations": lambda **kw: ActivationRaceSession(
        ActivationRaceConfig(activations=("tanh", "relu", "gelu"), depth=2, width=16, **kw)
    ),
    "optimizers": lambda **kw: OptimizerRaceSession(
        OptimizerRaceConfig(("sgd", "rmsprop", "adamw"), learning_rates=(0.3, 0.003, 0.01), **kw)
    ),
}
EVERY_RACE = {"toy": _toy, **REAL_RACES}


def _record_batches(race: RaceSession, size: int) -> list[list[torch.Tensor]]:
    """Hook every contestant so that each training batch (of `size` rows) it sees is kept."""
    seen: list[list[torch.Tensor]] = [[] for _ in race.nets]
    for net, kept in zip(race.nets, seen):

        def keep(_module, args, kept=kept):
            if len(args[0]) == size:
                kept.append(args[0].clone())

        net.register_forward_pre_hook(keep)
    return seen


@pytest.mark.parametrize("make", EVERY_RACE.values(), ids=EVERY_RACE.keys())
def test_every_contestant_sees_the_same_batches_in_shuffled_epochs(make):
    race = make(batch_size=84, seed=1)
    seen = _record_batches(race, 84)
    race.train_steps(RACE_CHUNK_STEPS)
    assert all(len(batches) == RACE_CHUNK_STEPS for batches in seen)
    for batches in seen[1:]:
        for mine, first in zip(batches, seen[0], strict=True):
            torch.testing.assert_close(mine, first, rtol=0, atol=0)
    # 2,100 samples: 5 whole epochs of the spiral's 420 training samples, 1 of digits' 1,258
    rows = torch.cat(seen[0]).cpu().numpy()
    x_train = load_classification(race.config.task, 1)[0]
    n = len(x_train)
    train_rows, train_counts = np.unique(x_train, axis=0, return_counts=True)
    for epoch in range(len(rows) // n):  # (both spirals start at the origin: one row twice)
        seen_rows, seen_counts = np.unique(rows[epoch * n : (epoch + 1) * n], axis=0,
                                           return_counts=True)  # fmt: skip
        np.testing.assert_array_equal(seen_rows, train_rows)
        np.testing.assert_array_equal(seen_counts, train_counts)
    assert not np.array_equal(seen[0][0].cpu().numpy(), x_train[:84])  # shuffled, not in order


@pytest.mark.parametrize("make", REAL_RACES.values(), ids=REAL_RACES.keys())
def test_every_race_starts_its_contestants_from_the_same_weights(make):
    race = make()
    first = race.nets[0].state_dict()
    for net in race.nets[1:]:
        for name, value in net.state_dict().items():
            torch.testing.assert_close(value, first[name], rtol=0, atol=0)
    assert race.snapshot().leader is None  # nobody leads before the start


def test_losses_and_accuracy_are_measured_on_the_whole_split():
    race = _toy(seed=3)
    race.train_steps(50)
    snap = race.snapshot()
    arrays = load_classification("spiral", 3)
    x_tr, y_tr, x_te, y_te = (torch.from_numpy(a).to(DEVICE) for a in arrays)
    with torch.no_grad():
        for i, net in enumerate(race.nets):
            assert snap.train_loss[i] == pytest.approx(float(F.cross_entropy(net(x_tr)[0], y_tr)))
            assert snap.history_loss[i, -1] == pytest.approx(snap.train_loss[i], rel=1e-6)
            right = (net(x_te)[0].argmax(1) == y_te).float().mean().item()
            assert snap.test_accuracy[i] == pytest.approx(right)
    np.testing.assert_array_equal(snap.history_steps, [0, 25, 50])
    assert snap.leader == int(np.argmin(snap.train_loss)) and snap.out == (None,) * 3


def test_the_history_stays_bounded_over_a_long_race():
    race = ShortMemoryRace(ToyConfig())
    race.train_steps(40 * RACE_CHUNK_STEPS)
    snap = race.snapshot()
    m = len(snap.history_steps)
    assert 2 <= m < 8 and snap.history_loss.shape == (3, m)
    assert snap.history_steps[0] == 0 and snap.history_steps[-1] >= 500  # the whole run shows
    assert np.all(np.diff(snap.history_steps) > 0)


def test_a_diverging_contestant_stops_with_a_reason_and_the_others_train_on():
    race = _toy(rates=(1e6, 0.3, 0.3))
    race.train_steps(100)
    snap = race.snapshot()
    at = race.out_at[0]
    assert snap.out[0] == f"stopped at step {at:,}: {race.out[0]}" and at <= 100
    assert snap.out[1:] == (None, None) and snap.halted is None
    assert snap.leader in (1, 2)
    frozen = {k: v.clone() for k, v in race.nets[0].state_dict().items()}
    moving = race.nets[1].out.weight.detach().clone()
    race.train_steps(100)
    assert race.step_count == 200 and race.snapshot().out[0] == snap.out[0]
    for name, value in race.nets[0].state_dict().items():  # no step after it stopped
        torch.testing.assert_close(value, frozen[name], rtol=0, atol=0, equal_nan=True)
    assert not torch.equal(race.nets[1].out.weight, moving)
    assert race.snapshot().train_loss[1] < race.history.series("loss_1")[0]


def test_when_every_contestant_diverged_the_race_halts():
    race = _toy(rates=(1e6, 1e7))
    race.train_steps(200)
    snap = race.snapshot()
    assert snap.halted == ALL_DIVERGED and race.halted == ALL_DIVERGED
    assert all(out.startswith("stopped at step") for out in snap.out) and snap.leader is None
    steps = race.step_count
    race.train_steps(100)
    assert race.step(0.0).step == steps  # a halted race trains no more


def test_retune_sets_the_new_rates_and_refuses_structural_changes():
    race = _toy()
    race.train_steps(25)
    race.retune(race.config.replace(rates=(0.1, 0.2, 0.4)))
    assert [opt.param_groups[0]["lr"] for opt in race.optimizers] == [0.1, 0.2, 0.4]
    with pytest.raises(ValueError, match="only live settings"):
        race.retune(race.config.replace(seed=5))


def test_race_knobs_check_their_values():
    assert task_knob("digits").check("spiral") == "spiral"
    seed = ToyConfig.knob("seed")
    for k, bad in [(task_knob("spiral"), "mnist"), (BATCH_SIZE, 0), (BATCH_SIZE, True),
                   (seed, -1), (seed, 1.5)]:  # fmt: skip
        with pytest.raises(ValueError):
            k.check(bad)
