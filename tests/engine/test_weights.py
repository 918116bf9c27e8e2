"""Weights out and back in as safetensors, and histories out as CSV: a round trip gives the
same model and losses; a corrupt, oversized, pickled, mismatched or non-finite file gets a
sentence and changes nothing."""

import csv
import io

import numpy as np
import pytest
import torch
from safetensors import safe_open

from dlviz.gan.digits import DigitsGanConfig, DigitsGanSession
from dlviz.live import History
from dlviz.neurons import PerceptronConfig, PerceptronSession, XorConfig, XorSession
from dlviz.playground.config import PlaygroundConfig
from dlviz.playground.session import PlaygroundSession
from dlviz.training import ClassifierConfig, ClassifierSession, OverfitConfig, OverfitSession
from dlviz.weights import MAX_WEIGHTS_BYTES, named_tensors, weights_file

ROUND_TRIPS = [
    (XorSession, XorConfig()),
    (ClassifierSession, ClassifierConfig()),
    (PlaygroundSession, PlaygroundConfig()),  # the fused step's weights are views
    (PlaygroundSession, PlaygroundConfig(optimizer="adam", batch_norm=True)),  # and buffers
    (OverfitSession, OverfitConfig()),  # a race: nets.0 and nets.1
]


def copied(session) -> dict[str, torch.Tensor]:
    return {k: t.detach().clone() for k, t in named_tensors(session).items()}


@pytest.mark.parametrize(("cls", "config"), ROUND_TRIPS, ids=lambda c: type(c).__name__)
def test_saved_weights_load_into_a_fresh_session_of_the_same_model(cls, config, tmp_path):
    trained = cls(config)
    trained.train_steps(60)
    data = weights_file(trained)
    (tmp_path / "w.safetensors").write_bytes(data)
    with safe_open(str(tmp_path / "w.safetensors"), framework="pt") as f:  # the library reads it
        saved = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (safe_open has no iter)
    assert saved.keys() == named_tensors(trained).keys()
    assert all(torch.equal(saved[k], t.detach()) for k, t in named_tensors(trained).items())
    fresh = cls(config)
    assert fresh.load_weights(data) is None
    assert all(torch.equal(fresh_t, saved[k]) for k, fresh_t in copied(fresh).items())
    assert fresh.latest.losses == trained.latest.losses  # the same model on the same data


def test_loaded_weights_reach_the_fused_steps_matrices():
    trained, fresh = PlaygroundSession(PlaygroundConfig()), PlaygroundSession(PlaygroundConfig())
    trained.train_steps(100)
    assert fresh.load_weights(weights_file(trained)) is None
    for lin, wb in zip(fresh.net.linears, fresh.fused.augmented):
        assert torch.equal(wb, torch.cat([lin.weight, lin.bias[:, None]], 1))
        assert lin.weight.untyped_storage().data_ptr() == wb.untyped_storage().data_ptr()


def good_file() -> bytes:
    return weights_file(ClassifierSession(ClassifierConfig(seed=1)))


def pickled() -> bytes:
    buffer = io.BytesIO()
    torch.save(ClassifierSession(ClassifierConfig()).net.state_dict(), buffer)
    return buffer.getvalue()


def with_nan() -> bytes:
    from safetensors.torch import load, save

    tensors = load(good_file())
    next(iter(tensors.values()))[0] = float("nan")
    return save(tensors)


def reshaped() -> bytes:
    from safetensors.torch import load, save

    tensors = load(good_file())
    name = next(iter(tensors))
    tensors[name] = torch.zeros(*tensors[name].shape[:-1], tensors[name].shape[-1] + 1)
    return save(tensors)


BAD_FILES = {
    "junk": (lambda: b"\x00\x01 certainly not weights", "not a safetensors"),
    "truncated": (lambda: good_file()[:-40], "not a safetensors"),
    "pickle": (pickled, "not a safetensors"),
    "empty": (lambda: b"", "not a safetensors"),
    "oversized": (
        lambda: b"\0" * (MAX_WEIGHTS_BYTES + 1),
        f"at most {MAX_WEIGHTS_BYTES // 2**20} MB",
    ),
    "another model": (lambda: weights_file(XorSession(XorConfig())), "another model"),
    "other shapes": (reshaped, "another model"),
    "non-finite": (with_nan, "NaN or infinite"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_weights_file_gets_a_sentence_and_changes_nothing(name):
    make, said = BAD_FILES[name]
    session = ClassifierSession(ClassifierConfig())
    session.train_steps(20)
    before, latest = copied(session), dict(session.latest.values)
    reply = session.load_weights(make())
    assert said in reply
    after = copied(session)
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert dict(session.latest.values) == latest


def test_a_session_without_a_network_offers_no_weights():
    assert weights_file(PerceptronSession(PerceptronConfig())) is None
    assert weights_file(DigitsGanSession(DigitsGanConfig())) is not None


def test_history_csv_holds_every_sample():
    history = History(("train", "test"), max_points=8)
    for step in range(0, 40, 3):
        history.add(step, train=1 / (step + 1), test=float(step) ** 0.5)
    rows = list(csv.reader(io.StringIO(history.csv())))
    assert rows[0] == ["step", "train", "test"]
    table = np.array(rows[1:], dtype=np.float64)
    assert np.array_equal(table[:, 0], history.steps())
    assert np.array_equal(table[:, 1].astype(np.float32), history.series("train"))
    assert np.array_equal(table[:, 2].astype(np.float32), history.series("test"))
