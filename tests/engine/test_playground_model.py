"""The Playground network's parts: the feature map against its formulas, the forward pass's
shapes (hidden activations per layer), seeded dropout, and batch norm in the stack."""

import pytest
import torch

from dlviz.models import SeededDropout, initialise
from dlviz.playground import FEATURES
from dlviz.playground.model import PlaygroundNet, feature_matrix


def test_feature_matrix_columns():
    xy = torch.tensor([[1.0, 2.0], [-0.5, 3.0]])
    names = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
    assert names == tuple(FEATURES)  # every feature the config offers
    f = feature_matrix(xy, names)
    x1, x2 = xy[:, 0], xy[:, 1]
    expected = torch.stack([x1, x2, x1**2, x2**2, x1 * x2, torch.sin(x1), torch.sin(x2)], 1)
    torch.testing.assert_close(f, expected)
    torch.testing.assert_close(feature_matrix(xy, ("x2^2", "x1")), expected[:, [3, 0]])


@pytest.mark.parametrize("hidden", [(), (3,), (5, 4, 2)])
def test_forward_returns_outputs_and_each_hidden_activation(hidden):
    net = PlaygroundNet(3, hidden, 2, "tanh")
    initialise(net, "playground", torch.Generator().manual_seed(0))
    x = torch.randn(6, 3, generator=torch.Generator().manual_seed(1))
    z, hiddens = net(x)
    assert z.shape == (6, 2) and [h.shape for h in hiddens] == [(6, h) for h in hidden]
    a = x
    for lin in net.linears[:-1]:  # the same net written out: tanh(W a + b) per layer
        a = torch.tanh(a @ lin.weight.T + lin.bias)
    torch.testing.assert_close(z, a @ net.linears[-1].weight.T + net.linears[-1].bias)


def test_seeded_dropout_is_reproducible_inverted_and_off_in_eval():
    a = torch.ones(200, 50)
    drop = SeededDropout(0.25, torch.Generator().manual_seed(3))
    first = drop(a)
    again = SeededDropout(0.25, torch.Generator().manual_seed(3))(a)
    assert torch.equal(first, again)
    assert not torch.equal(first, drop(a))  # the generator moves on
    kept = first != 0
    assert torch.all(first[kept] == 1 / 0.75)  # survivors scaled so the mean is kept
    assert 0.2 < 1 - kept.float().mean().item() < 0.3
    drop.eval()
    assert torch.equal(drop(a), a)
    assert torch.equal(SeededDropout(0.0, torch.Generator())(a), a)


def test_dropout_and_batch_norm_only_act_in_training_mode():
    gen = torch.Generator().manual_seed(0)
    net = PlaygroundNet(2, (8, 8), 1, "relu", dropout=0.5, batch_norm=True, generator=gen)
    initialise(net, "default", torch.Generator().manual_seed(1))
    x = torch.randn(32, 2, generator=torch.Generator().manual_seed(2))
    train_a, train_b = net(x)[0], net(x)[0]
    assert not torch.equal(train_a, train_b)  # fresh dropout masks each pass
    net.eval()
    assert torch.equal(net(x)[0], net(x)[0])
    bn = PlaygroundNet(2, (8,), 1, "linear", batch_norm=True).train()
    initialise(bn, "default", torch.Generator().manual_seed(3))
    (h,) = bn(x)[1]  # linear activation: the batch-normed pre-activations themselves
    z = bn.linears[0](x)  # (32, 8)
    mean, var = z.mean(0), z.var(0, unbiased=False)
    torch.testing.assert_close(h, (z - mean) / torch.sqrt(var + 1e-5))  # BatchNorm1d's formula
