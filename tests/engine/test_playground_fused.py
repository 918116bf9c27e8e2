"""The Playground's fused SGD step against an independent reference: autograd +
torch.optim.SGD on a copy of the same network, batches and regularization, for every
activation and every head."""

import copy

import pytest
import torch
from playground_cases import CPU, HEADS, labels

from dlviz.activations import ACTIVATIONS
from dlviz.models import initialise
from dlviz.playground.fused import FusedSGD
from dlviz.playground.heads import make_head
from dlviz.playground.model import PlaygroundNet


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
        t = head.target(labels(kind, len(x), gen), CPU).double()
        assert fused.run([(FusedSGD.augment(x), t)]) == 1
        _reference_step(ref, opt, x, t, head, reg, 0.01)
    for mine, theirs in zip(net.parameters(), ref.parameters(), strict=True):
        torch.testing.assert_close(mine, theirs, rtol=1e-9, atol=1e-11)
    moved = not torch.equal(net.linears[0].weight, initial[0])
    # it did train; behind a step activation only weight decay moves the first layer
    assert moved == (activation != "step" or reg != "none")


def test_fused_sgd_without_hidden_layers_is_logistic_regression():
    gen = torch.Generator().manual_seed(4)
    head = make_head("binary", "cross_entropy", 2)
    net = PlaygroundNet(2, (), 1, "tanh").double()
    initialise(net, "default", gen)
    ref = copy.deepcopy(net)
    w, b = (p.detach().clone() for p in (net.linears[0].weight, net.linears[0].bias))
    fused = FusedSGD(net, "tanh", head)
    opt = torch.optim.SGD(ref.parameters(), lr=0.03)
    x = torch.randn(10, 2, generator=gen, dtype=torch.float64)
    t = head.target(labels("binary", 10, gen), CPU).double()
    fused.run([(FusedSGD.augment(x), t)])
    _reference_step(ref, opt, x, t, head, "none", 0.0)
    torch.testing.assert_close(net.linears[0].weight, ref.linears[0].weight)
    torch.testing.assert_close(net.linears[0].bias, ref.linears[0].bias)
    # the closed form of one logistic-regression step: θ −= lr · mean((σ(wx + b) − t) [x, 1])
    error = torch.sigmoid(x @ w.T + b) - t  # (10, 1)
    torch.testing.assert_close(net.linears[0].weight.detach(), w - 0.03 * (error * x).mean(0))
    torch.testing.assert_close(net.linears[0].bias.detach(), b - 0.03 * error.mean(0))


def test_run_trains_every_batch_and_keeps_the_net_s_parameters_as_views():
    gen = torch.Generator().manual_seed(5)
    head = make_head("regression", "mse", 0)
    net = PlaygroundNet(2, (3,), 1, "tanh")
    initialise(net, "playground", gen)
    fused = FusedSGD(net, "tanh", head)
    assert all(lin.weight.data_ptr() == wb.data_ptr() for lin, wb in zip(net.linears,
               fused.augmented, strict=True))  # fmt: skip
    x = torch.randn(12, 2, generator=gen)
    t = (x[:, :1] - x[:, 1:]) / 2
    loss = lambda: head.loss(net(x)[0], t).item()  # noqa: E731
    first = loss()
    batches = [(FusedSGD.augment(xb), tb) for xb, tb in zip(x.split(4), t.split(4))]
    assert fused.run(batches * 50) == 150
    assert loss() < 0.5 * first  # the net itself learned: its parameters are the matrices
