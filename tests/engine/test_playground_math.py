"""The Playground's hand-written math against independent references: each head's loss and
gradient against autograd / torch.nn.functional, and the fused SGD step against autograd +
torch.optim.SGD on the same network, batches and regularization."""

import copy

import pytest
import torch
import torch.nn.functional as F

from dlviz.activations import ACTIVATIONS
from dlviz.playground.fused import FusedSGD
from dlviz.playground.heads import make_head
from dlviz.playground.model import PlaygroundNet, feature_matrix, initialise

HEADS = [
    ("binary", "mse", 2),
    ("binary", "cross_entropy", 2),
    ("multiclass", "mse", 3),
    ("multiclass", "cross_entropy", 3),
    ("regression", "mse", 0),
]


def _labels(kind: str, n: int, gen: torch.Generator):
    if kind == "binary":
        return (torch.randint(0, 2, (n,), generator=gen) * 2 - 1).float().numpy()
    if kind == "multiclass":
        return torch.randint(0, 3, (n,), generator=gen).float().numpy()
    return torch.randn(n, generator=gen).numpy()


@pytest.mark.parametrize(("kind", "loss", "k"), HEADS)
def test_head_gradient_matches_autograd(kind, loss, k):
    gen = torch.Generator().manual_seed(1)
    head = make_head(kind, loss, k)
    z = torch.randn(7, head.n_out, generator=gen, dtype=torch.float64, requires_grad=True)
    t = head.target(_labels(kind, 7, gen), torch.device("cpu")).double()
    (auto,) = torch.autograd.grad(head.loss(z, t) * len(z), z)  # per-sample sum
    torch.testing.assert_close(head.grad(z.detach(), t), auto)


def test_cross_entropy_heads_match_torch_functional():
    gen = torch.Generator().manual_seed(2)
    z = torch.randn(9, 3, generator=gen)
    labels = torch.randint(0, 3, (9,), generator=gen)
    head = make_head("multiclass", "cross_entropy", 3)
    t = head.target(labels.float().numpy(), torch.device("cpu"))
    torch.testing.assert_close(head.loss(z, t), F.cross_entropy(z, labels))
    binary = make_head("binary", "cross_entropy", 2)
    zb = torch.randn(9, 1, generator=gen)
    yb = (labels[:, None] % 2).float()
    tb = binary.target((yb[:, 0] * 2 - 1).numpy(), torch.device("cpu"))
    torch.testing.assert_close(binary.loss(zb, tb), F.binary_cross_entropy(torch.sigmoid(zb), yb))


def test_binary_mse_is_half_mean_squared_error_of_tanh_output():
    head = make_head("binary", "mse", 2)
    z = torch.tensor([[0.3], [-2.0]])
    t = head.target(torch.tensor([1.0, -1.0]).numpy(), torch.device("cpu"))
    expected = 0.5 * ((torch.tanh(z) - t) ** 2).mean()
    assert torch.isclose(head.loss(z, t), expected)
    assert torch.isclose(head.loss(z, t), 0.5 * F.mse_loss(torch.tanh(z), t))


def _reference_step(net, opt, x, t, head, reg, rate):
    opt.zero_grad()
    z, _ = net(x)
    loss = head.loss(z, t)
    weights = [lin.weight for lin in net.linears]
    if reg == "l2":
        loss = loss + 0.5 * rate * sum((w * w).sum() for w in weights)
    elif reg == "l1":
        loss = loss + rate * sum(w.abs().sum() for w in weights)
    loss.backward()
    opt.step()


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize(("kind", "loss", "k"), HEADS)
@pytest.mark.parametrize("reg", ["none", "l1", "l2"])
def test_fused_sgd_equals_autograd_and_torch_optim(activation, kind, loss, k, reg):
    gen = torch.Generator().manual_seed(3)
    head = make_head(kind, loss, k)
    n_in = 3
    net = PlaygroundNet(n_in, (5, 4), head.n_out, activation).double()
    initialise(net, "playground", gen)
    ref = copy.deepcopy(net)
    initial = [p.detach().clone() for p in net.parameters()]
    fused = FusedSGD(net, activation, head)
    fused.learning_rate, fused.regularization, fused.reg_rate = 0.1, reg, 0.01
    opt = torch.optim.SGD(ref.parameters(), lr=0.1)
    for batch in range(6):
        x = torch.randn(4 + batch % 3, n_in, generator=gen, dtype=torch.float64)
        t = head.target(_labels(kind, len(x), gen), torch.device("cpu")).double()
        assert fused.run([(FusedSGD.augment(x), t)]) == 1
        _reference_step(ref, opt, x, t, head, reg, 0.01)
    for mine, theirs in zip(net.parameters(), ref.parameters()):
        torch.testing.assert_close(mine, theirs, rtol=1e-9, atol=1e-11)
    moved = not torch.equal(net.linears[0].weight, initial[0])
    # it did train; behind a step activation only weight decay moves the first layer
    assert moved == (activation != "step" or reg != "none")


def test_fused_sgd_without_hidden_layers_is_logistic_regression():
    gen = torch.Generator().manual_seed(4)
    head = make_head("binary", "cross_entropy", 2)
    net = PlaygroundNet(2, (), 1, "tanh").double()
    initialise(net, "pytorch", gen)
    ref = copy.deepcopy(net)
    fused = FusedSGD(net, "tanh", head)
    opt = torch.optim.SGD(ref.parameters(), lr=0.03)
    x = torch.randn(10, 2, generator=gen, dtype=torch.float64)
    t = head.target(_labels("binary", 10, gen), torch.device("cpu")).double()
    fused.run([(FusedSGD.augment(x), t)])
    _reference_step(ref, opt, x, t, head, "none", 0.0)
    torch.testing.assert_close(net.linears[0].weight, ref.linears[0].weight)


def test_feature_matrix_columns():
    xy = torch.tensor([[1.0, 2.0], [-0.5, 3.0]])
    names = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
    f = feature_matrix(xy, names)
    expected = torch.stack(
        [
            xy[:, 0],
            xy[:, 1],
            xy[:, 0] ** 2,
            xy[:, 1] ** 2,
            xy[:, 0] * xy[:, 1],
            torch.sin(xy[:, 0]),
            torch.sin(xy[:, 1]),
        ],
        1,
    )
    torch.testing.assert_close(f, expected)
