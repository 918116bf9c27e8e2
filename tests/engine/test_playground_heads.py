"""The Playground's output heads against independent references: each head's hand-written
gradient against autograd, its losses against torch.nn.functional, and what it shows and
counts as correct against the formulas they stand for."""

import pytest
import torch
import torch.nn.functional as F
from playground_cases import CPU, HEADS, labels

from dlviz.playground.heads import make_head


@pytest.mark.parametrize(("kind", "loss", "k"), HEADS)
def test_head_gradient_matches_autograd(kind, loss, k):
    gen = torch.Generator().manual_seed(1)
    head = make_head(kind, loss, k)
    z = torch.randn(7, head.n_out, generator=gen, dtype=torch.float64, requires_grad=True)
    t = head.target(labels(kind, 7, gen), CPU).double()
    (auto,) = torch.autograd.grad(head.loss(z, t) * len(z), z)  # per-sample sum
    torch.testing.assert_close(head.grad(z.detach().clone(), t), auto)


@pytest.mark.parametrize(("kind", "loss", "k"), HEADS)
def test_targets_have_the_head_shape(kind, loss, k):
    head = make_head(kind, loss, k)
    assert head.n_out == (3 if kind == "multiclass" else 1)
    y = labels(kind, 5, torch.Generator().manual_seed(0))
    t = head.target(y, CPU)
    assert t.shape == (5, head.n_out) and t.dtype == torch.float32
    if kind == "multiclass":
        assert (t.sum(1) == 1).all() and (t.argmax(1).numpy() == y).all()  # one-hot
    elif loss == "cross_entropy":
        assert (t[:, 0].numpy() == (y + 1) / 2).all()  # ±1 → {0, 1}
    else:
        assert (t[:, 0].numpy() == y).all()


def test_cross_entropy_heads_match_torch_functional():
    gen = torch.Generator().manual_seed(2)
    z = torch.randn(9, 3, generator=gen)
    classes = torch.randint(0, 3, (9,), generator=gen)
    head = make_head("multiclass", "cross_entropy", 3)
    t = head.target(classes.float().numpy(), CPU)
    torch.testing.assert_close(head.loss(z, t), F.cross_entropy(z, classes))
    binary = make_head("binary", "cross_entropy", 2)
    zb = torch.randn(9, 1, generator=gen)
    yb = (classes[:, None] % 2).float()
    tb = binary.target((yb[:, 0] * 2 - 1).numpy(), CPU)
    torch.testing.assert_close(binary.loss(zb, tb), F.binary_cross_entropy(torch.sigmoid(zb), yb))


def test_mse_heads_are_half_the_mean_squared_error_of_their_outputs():
    head = make_head("binary", "mse", 2)
    z = torch.tensor([[0.3], [-2.0]])
    t = head.target(torch.tensor([1.0, -1.0]).numpy(), CPU)
    assert torch.isclose(head.loss(z, t), 0.5 * F.mse_loss(torch.tanh(z), t))
    gen = torch.Generator().manual_seed(3)
    multi = make_head("multiclass", "mse", 3)
    zm = torch.randn(6, 3, generator=gen)
    tm = multi.target(labels("multiclass", 6, gen), CPU)
    # ½ Σ over classes, mean over points = ½ · K · (mean over every entry)
    expected = 0.5 * 3 * F.mse_loss(torch.softmax(zm, 1), tm)
    torch.testing.assert_close(multi.loss(zm, tm), expected)
    reg = make_head("regression", "mse", 0)
    zr, tr = torch.randn(6, 1, generator=gen), torch.randn(6, 1, generator=gen)
    torch.testing.assert_close(reg.loss(zr, tr), 0.5 * F.mse_loss(zr, tr))


def test_display_maps_outputs_to_what_the_plane_shows():
    z = torch.linspace(-3, 3, 7)[:, None]
    mse = make_head("binary", "mse", 2).display(z)
    torch.testing.assert_close(mse, torch.tanh(z[:, 0]))
    ce = make_head("binary", "cross_entropy", 2).display(z)
    torch.testing.assert_close(ce, 2 * torch.sigmoid(z[:, 0]) - 1)  # the probability, on ±1
    torch.testing.assert_close(make_head("regression", "mse", 0).display(z), z[:, 0])
    zm = torch.randn(4, 3, generator=torch.Generator().manual_seed(4))
    probs = make_head("multiclass", "cross_entropy", 3).display(zm)
    torch.testing.assert_close(probs, F.softmax(zm, 1))


@pytest.mark.parametrize(("kind", "loss", "k"), HEADS[:4])
def test_correct_agrees_with_the_predicted_sign_or_class(kind, loss, k):
    gen = torch.Generator().manual_seed(5)
    head = make_head(kind, loss, k)
    y = labels(kind, 50, gen)
    z = torch.randn(50, head.n_out, generator=gen)
    right = head.correct(z, head.target(y, CPU))
    predicted = z.argmax(1).numpy() if kind == "multiclass" else (z[:, 0] > 0).numpy() * 2 - 1
    assert (right.numpy() == (predicted == y)).all()
    assert 0 < right.sum() < 50  # random outputs: some right, some wrong
