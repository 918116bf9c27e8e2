"""Rewind: the ring keeps a long run within its caps (moments, checkpoints, bytes), and a
session resumed from a checkpoint continues bit for bit as if it had never been
interrupted, for every trainable topic."""

from dataclasses import dataclass

import numpy as np
import pytest
import torch

from dlviz.activations.activation_race import ActivationRaceConfig, ActivationRaceSession
from dlviz.attention.session import AttentionConfig, AttentionSession
from dlviz.convolution.session import CnnConfig, CnnSession
from dlviz.descent.optimizer_race import OptimizerRaceConfig, OptimizerRaceSession
from dlviz.gan.digits import DigitsGanConfig, DigitsGanSession
from dlviz.gan.session import GanConfig, GanSession
from dlviz.live import Snapshot
from dlviz.neurons import PerceptronConfig, PerceptronSession, XorConfig, XorSession
from dlviz.playground.config import PlaygroundConfig
from dlviz.playground.session import PlaygroundSession
from dlviz.recurrent.race import CellRaceConfig, CellRaceSession
from dlviz.recurrent.session import RecurrentConfig, RecurrentSession
from dlviz.rewind import Rewind, nbytes
from dlviz.training import (
    ClassifierConfig,
    ClassifierSession,
    OverfitConfig,
    OverfitSession,
    RobustConfig,
    RobustSession,
)
from dlviz.weights import named_tensors

SESSIONS = [
    (PlaygroundSession, PlaygroundConfig()),  # the fused SGD step
    (PlaygroundSession, PlaygroundConfig(optimizer="adam", dropout=0.2, batch_norm=True)),
    (AttentionSession, AttentionConfig()),
    (RecurrentSession, RecurrentConfig()),
    (CellRaceSession, CellRaceConfig()),
    (GanSession, GanConfig()),
    (DigitsGanSession, DigitsGanConfig()),
    (CnnSession, CnnConfig()),
    (OptimizerRaceSession, OptimizerRaceConfig()),
    (ActivationRaceSession, ActivationRaceConfig()),
    (ClassifierSession, ClassifierConfig()),
    (OverfitSession, OverfitConfig(dropout=0.3)),
    (RobustSession, RobustConfig()),
    (PerceptronSession, PerceptronConfig(gate="xor", start="random", shuffle=True)),
    (XorSession, XorConfig()),
]
IDS = [f"{cls.__name__}-{i}" for i, (cls, _) in enumerate(SESSIONS)]


def watched(session, ticks: int, steps: int) -> None:
    """Train `ticks` times `steps` steps, building the snapshot after each as a page does."""
    for _ in range(ticks):
        session.train_steps(steps)
        session.snapshot()


@pytest.mark.parametrize(("cls", "config"), SESSIONS, ids=IDS)
def test_a_resumed_session_continues_as_if_never_interrupted(cls, config):
    interrupted = cls(config)
    interrupted.snapshot()
    watched(interrupted, 4, 10)
    back_to = interrupted.rewind.checkpoint_steps()[2]
    watched(interrupted, 3, 10)  # a future that resume() throws away
    assert interrupted.resume(back_to) == back_to
    assert interrupted.rewind.steps()[-1] == back_to  # the later moments are gone
    straight = cls(config)
    straight.snapshot()
    while straight.step_count < back_to:
        watched(straight, 1, 10)
    assert straight.step_count == back_to
    before, after = named_tensors(interrupted), named_tensors(straight)
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)  # bit-identical weights
    watched(interrupted, 3, 10)
    watched(straight, 3, 10)
    assert interrupted.step_count == straight.step_count
    assert dict(interrupted.latest.values) == dict(straight.latest.values)  # the same losses
    assert np.array_equal(interrupted.history.steps(), straight.history.steps())
    for name in straight.history.names:
        assert np.array_equal(interrupted.history.series(name), straight.history.series(name))


@pytest.mark.parametrize(("cls", "config"), SESSIONS, ids=IDS)
def test_the_data_checkpoints_share_never_changes_in_training(cls, config):
    session = cls(config)
    before = {name: getattr(session, name) for name in session.shared_attrs}
    copies = {name: nbytes(value) for name, value in before.items()}
    kept = {name: _frozen(value) for name, value in before.items()}
    watched(session, 3, 10)
    for name in session.shared_attrs:
        assert getattr(session, name) is before[name], name  # not replaced
        assert nbytes(before[name]) == copies[name]
        assert _frozen(before[name]) == kept[name], name  # not changed in place


def _frozen(value) -> bytes:
    """The bytes of every array inside `value`, for an exact comparison."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().tobytes()
    if isinstance(value, np.ndarray):
        return value.tobytes()
    return b"".join(_frozen(v) for v in vars(value).values() if hasattr(v, "shape"))


def test_resuming_keeps_the_live_knobs_set_now():
    session = PlaygroundSession(PlaygroundConfig(optimizer="adam"))
    session.snapshot()
    watched(session, 3, 10)
    session.retune(session.config.replace(learning_rate=0.3))
    session.resume(session.rewind.checkpoint_steps()[1])
    assert session.optimizer.param_groups[0]["lr"] == 0.3


def test_resume_without_a_checkpoint_says_so():
    session = XorSession(XorConfig())
    session.snapshot()
    with pytest.raises(ValueError, match="no checkpoint"):
        session.resume(-1)


def test_a_halted_moment_gets_no_checkpoint():
    session = XorSession(XorConfig())
    session.snapshot()
    session.train_steps(5)
    session.halt("stopped for the test")
    session.snapshot()
    assert session.rewind.steps()[-1] == session.step_count
    assert session.rewind.checkpoint_steps() == [0]


@dataclass(frozen=True)
class Picture(Snapshot):
    pixels: np.ndarray


def picture(step: int, size: int = 1000) -> Picture:
    return Picture(step=step, halted=None, pixels=np.zeros(size, dtype=np.float32))


def test_nbytes_counts_arrays_tensors_modules_and_optimizer_state_once():
    net = torch.nn.Linear(3, 2)
    optimizer = torch.optim.Adam(net.parameters())
    net(torch.ones(1, 3)).sum().backward()
    optimizer.step()  # Adam keeps two moments per parameter (and a step count each)
    params = sum(p.numel() for p in net.parameters()) * 4
    steps = sum(s["step"].numel() * s["step"].element_size() for s in optimizer.state.values())
    assert nbytes(net) == params
    assert nbytes(optimizer) == 2 * params + steps
    assert nbytes({"a": net, "b": [net, optimizer]}) == 3 * params + steps
    assert nbytes(picture(0, 250)) == 1000
    assert nbytes([np.zeros((2, 3)), "words", 4.0]) == 48


def test_a_long_run_stays_within_the_moment_cap_and_keeps_its_start_and_present():
    ring = Rewind(max_moments=16, max_checkpoints=4)
    for step in range(0, 5000, 7):
        ring.keep(picture(step), {"w": np.zeros(10)} if ring.wants_checkpoint(step) else None)
        assert len(ring) <= 16 + 4  # moments with a checkpoint are never thinned away
        assert len(ring.checkpoint_steps()) <= 4
    steps = ring.steps()
    assert steps[0] == 0 and steps[-1] == 4998
    assert steps == sorted(steps)
    held = ring.checkpoint_steps()
    assert held[0] == 0 and held[-1] > 2500  # spread over the whole run
    assert ring.at(2000).step == max(s for s in steps if s <= 2000)


def test_the_byte_cap_holds_on_a_long_run():
    cap = 64_000  # room for about 15 pictures of 4 kB and their checkpoints
    ring = Rewind(max_moments=1000, max_checkpoints=8, max_bytes=cap)
    for step in range(3000):
        state = {"w": np.zeros(250, dtype=np.float32)} if ring.wants_checkpoint(step) else None
        ring.keep(picture(step), state)
        assert ring.bytes <= cap
    assert ring.steps()[0] == 0 and ring.steps()[-1] == 2999
    assert ring.bytes == sum(4000 + (1000 if m.state else 0) for m in ring.moments)


def test_keeping_an_earlier_step_drops_the_moments_after_it():
    ring = Rewind()
    for step in (0, 10, 20, 30):
        ring.keep(picture(step), {"at": step})
    ring.keep(picture(20))  # training went back to 20 and drew it again
    assert ring.steps() == [0, 10, 20]
    assert ring.resume_point(25).state == {"at": 20}  # the same step keeps its checkpoint
    assert ring.resume_point(5).step == 0
    assert ring.resume_point(-1) is None


def test_a_real_session_stays_within_the_byte_cap():
    session = GanSession(GanConfig())
    session.rewind = Rewind(max_bytes=1_000_000)  # ~3 snapshots and a few checkpoints
    session.snapshot()
    for _ in range(40):
        session.train_steps(5)
        session.snapshot()
        assert session.rewind.bytes <= 1_000_000
    assert session.rewind.steps()[0] == 0
    assert session.rewind.steps()[-1] == session.step_count
    assert session.rewind.checkpoint_steps()
