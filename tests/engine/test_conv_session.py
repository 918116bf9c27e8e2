"""CnnSession and SmallCnn: the config's refusals, the model's shapes for every architecture,
batch norm folded into the conv weights against torch's own layers, it learns the digits
to ≥ 97 % test accuracy, same seed same snapshot, the snapshot's readouts (confusion matrix,
worst mistakes, probe maps), live retuning, divergence, and a CUDA smoke test."""

import itertools
import re

import numpy as np
import pytest
import sklearn.metrics
import torch
import torch.nn.functional as F

from dlviz.convolution.model import SmallCnn, prepare, widths
from dlviz.convolution.session import WORST, CnnConfig, CnnSession
from dlviz.data import load_classification
from dlviz.device import DEVICE
from dlviz.knobs import PACES


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (dict(size=32), "size"),
        (dict(blocks=4), "blocks"),
        (dict(channels=1), "channels"),
        (dict(kernel=7), "kernel"),
        (dict(pool="median"), "pool"),
        (dict(batch_norm=1), "batch_norm"),
        (dict(batch_size=0), "batch_size"),
        (dict(learning_rate=float("inf")), "learning_rate"),
        (dict(learning_rate=1e3), "learning_rate"),
        (dict(pace="2"), "pace"),
        (dict(probe=0), "probe"),
        (dict(probe=41), "probe"),
    ],
    ids=repr,
)
def test_bad_configs_raise_value_errors_naming_the_field(bad, field):
    with pytest.raises(ValueError, match=rf"\({field}\)"):
        CnnConfig(**bad)


def test_an_even_kernel_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="must be odd, got 4"):
        CnnConfig(kernel=4)


@pytest.mark.parametrize(
    ("size", "blocks", "pool", "kernel"),
    list(itertools.product((8, 16), (1, 2, 3), ("max", "avg", "none"), (3, 5))),
)
def test_every_architecture_maps_digits_to_ten_logits_with_the_sides_it_says(
    size, blocks, pool, kernel
):
    net = SmallCnn(size, blocks, 4, kernel, pool, batch_norm=True).eval()
    x = torch.rand(3, 1, size, size, generator=torch.Generator().manual_seed(0))
    seen = net.stages(x)
    assert seen.logits.shape == (3, 10)
    sides = [size // 2**b if pool != "none" else size for b in range(blocks)]  # 'same' convs
    for b, (conv, pooled) in enumerate(zip(seen.conv, seen.pooled, strict=True)):
        assert conv.shape == (3, widths(4, blocks)[b], sides[b], sides[b])
        side = sides[b] // 2 if pool != "none" else sides[b]
        assert pooled.shape[-2:] == (side, side)
    torch.testing.assert_close(net(x), seen.logits)


def test_widths_double_per_block_and_prepare_upsamples_like_torch():
    assert widths(8, 3) == (8, 16, 32)
    x, _, _, _ = load_classification("digits", 0)
    assert torch.equal(prepare(x[:4], 8), torch.as_tensor(x[:4]).reshape(4, 1, 8, 8))
    up = prepare(x[:4], 16)
    reference = F.interpolate(torch.as_tensor(x[:4]).reshape(4, 1, 8, 8), scale_factor=2,
                              mode="bilinear")  # fmt: skip
    torch.testing.assert_close(up, reference)


def test_unknown_pooling_lists_the_choices():
    with pytest.raises(ValueError, match="max, avg, none"):
        SmallCnn(16, 1, 4, 3, "median", True)


def test_folded_batch_norm_equals_conv_then_batch_norm_in_eval_mode():
    session = CnnSession(CnnConfig(blocks=2, channels=4, seed=3))
    session.train_steps(40)  # running statistics and affine weights away from their start
    net = session.model.eval()
    x = session.x_test[:5]
    with torch.no_grad():
        seen = net.stages(x)
        for b, (w, bias) in enumerate(net.folded()):
            inputs = x if b == 0 else seen.pooled[b - 1]
            folded = F.conv2d(inputs, torch.as_tensor(w), torch.as_tensor(bias),
                              padding=w.shape[-1] // 2)  # fmt: skip
            torch.testing.assert_close(folded, seen.conv[b], atol=1e-4, rtol=1e-4)
            assert not np.allclose(w, net.convs[b].weight.numpy())  # batch norm did something


def test_without_batch_norm_the_folded_weights_are_the_conv_weights():
    net = SmallCnn(16, 2, 4, 3, "max", batch_norm=False)
    for (w, b), conv in zip(net.folded(), net.convs, strict=True):
        assert np.array_equal(w, conv.weight.detach().numpy())
        assert np.array_equal(b, conv.bias.detach().numpy())


def test_the_cnn_learns_the_digits_to_97_percent_test_accuracy():
    session = CnnSession(CnnConfig(pace="20"))
    start = session.snapshot()
    assert start.test_accuracy < 0.3 and start.loss > 2.0  # chance before training
    for _ in range(40):  # at most 800 steps; it needs about 150 on this machine
        session.train_steps(20)
        if session.latest.values["test_accuracy"] >= 0.97:
            break
    snap = session.snapshot()
    assert snap.test_accuracy >= 0.97, snap.test_accuracy
    assert snap.train_accuracy >= 0.97 and snap.halted is None
    assert snap.loss < start.loss / 10


def _arrays(snap) -> dict[str, np.ndarray]:
    out = {}
    for name, value in vars(snap).items():
        values = value if isinstance(value, tuple) else (value,)
        for i, v in enumerate(values):
            out[f"{name}[{i}]"] = np.asarray(v)
    return out


def test_same_seed_gives_the_same_snapshot_and_another_seed_does_not():
    snaps = []
    for seed in (5, 5, 6):
        session = CnnSession(CnnConfig(seed=seed, pace="5"))
        session.train_steps(30)
        snaps.append(_arrays(session.snapshot()))
    assert snaps[0].keys() == snaps[1].keys()
    for name, value in snaps[0].items():
        assert np.array_equal(value, snaps[1][name]), name
    assert not np.array_equal(snaps[0]["weights[0]"], snaps[2]["weights[0]"])


def test_snapshot_readouts_agree_with_the_model():
    session = CnnSession(CnnConfig(blocks=2, channels=4, probe=3))
    session.train_steps(25)
    snap = session.snapshot()
    n_test, y = len(session.y_test), session.y_test.numpy()
    with torch.no_grad():  # the model itself, in eval mode, on the whole test split
        probs = torch.softmax(session.model.eval()(session.x_test), 1).numpy()
    said = probs.argmax(1)
    expected = sklearn.metrics.confusion_matrix(y, said, labels=range(10))  # rows true
    np.testing.assert_array_equal(snap.confusion, expected)
    assert np.trace(snap.confusion) / n_test == pytest.approx(snap.test_accuracy, abs=1e-6)
    assert snap.history_steps.tolist() == [0, 5, 10, 15, 20, 25]  # a check per 5-step chunk
    assert len(snap.history_test_accuracy) == 6 and snap.step == 25
    # the worst mistakes: the test images the model is surest of and wrong about, in order
    wrong = np.flatnonzero(said != y)
    surest = wrong[np.argsort(-probs[wrong, said[wrong]], kind="stable")][:WORST]
    assert len(surest) > 0
    np.testing.assert_array_equal(snap.worst_images, session.raw_test[surest])
    np.testing.assert_array_equal(snap.worst_true, y[surest])
    np.testing.assert_array_equal(snap.worst_predicted, said[surest])
    np.testing.assert_allclose(snap.worst_confidence, probs[surest, said[surest]], rtol=1e-5)
    # the probe is test image 3 and its maps are the model's
    torch.testing.assert_close(torch.as_tensor(snap.probe), session.x_test[2, 0])
    assert snap.probe_label == int(session.y_test[2])
    with torch.no_grad():
        seen = session.model.eval().stages(session.x_test[2:3])
    for b in range(2):
        np.testing.assert_allclose(snap.relu[b], seen.relu[b][0].numpy(), atol=1e-6)
        assert snap.relu[b].min() >= 0
    assert snap.probe_probs.sum() == pytest.approx(1.0, abs=1e-5)
    assert [w.shape for w in snap.weights] == [(4, 1, 3, 3), (8, 4, 3, 3)]


def test_live_knobs_retune_and_structural_ones_refuse():
    session = CnnSession(CnnConfig())
    session.retune(session.config.replace(learning_rate=0.01, pace="max", probe=7))
    assert session.optimizer.param_groups[0]["lr"] == 0.01
    assert session.check_every == 100 and session.chunk_words() == "20 steps"
    assert session.snapshot().probe_label == int(session.y_test[6])
    with pytest.raises(ValueError, match="only live settings"):
        session.retune(session.config.replace(kernel=5))
    assert [CnnSession(CnnConfig(pace=p)).chunk_words() for p in PACES[:2]] == ["1 step", "5 steps"]


def test_at_full_pace_it_checks_every_100_steps_and_at_the_end():
    session = CnnSession(CnnConfig(pace="max"))
    session.train_steps(200)
    assert session.history.steps().tolist() == [0, 100, 200]
    session.train_steps(30)  # ends between checks: the end of a run is checked too
    assert session.history.steps().tolist() == [0, 100, 200, 240]


def test_the_largest_learning_rate_pauses_with_a_reason():
    top = CnnConfig.knob("learning_rate").high
    session = CnnSession(CnnConfig(learning_rate=top))
    for _ in range(20):
        session.step(0.0)
    snap = session.snapshot()
    assert re.match(r"The loss (exploded to|became (NaN|infinite))", snap.halted or "")
    step = snap.step
    session.step(0.0)
    assert session.step_count == step  # a paused session trains no more


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_smoke_trains_on_the_gpu():
    assert DEVICE.type == "cuda"
    session = CnnSession(CnnConfig(pace="20"))
    assert next(session.model.parameters()).is_cuda and session.x_train.is_cuda
    session.train_steps(200)
    assert session.snapshot().test_accuracy > 0.9
