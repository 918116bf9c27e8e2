"""dlviz.models: DeepStack's forward pass against a hand-written one, the INITS schemes'
textbook ranges and variances (TF Playground, PyTorch default, Xavier, He, N(0, σ²)), drawn
only from the generator given, and per-layer gradient norms against autograd."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlviz.models import INIT_LABELS, INITS, SIGMA, DeepStack, gradient_norms, init_knob, initialise


def _init(init: str, seed: int = 0, sigma: float = 1.0) -> DeepStack:
    net = DeepStack(200, 300, 2, 10, "relu")
    initialise(net, init, torch.Generator().manual_seed(seed), sigma)
    return net


def test_deep_stack_shapes_and_layers_in_order():
    net = DeepStack(5, 8, 3, 4, "tanh")
    out, pre = net(torch.randn(7, 5, generator=torch.Generator().manual_seed(0)))
    assert out.shape == (7, 4) and [z.shape for z in pre] == [(7, 8)] * 3
    assert [lin.weight.shape for lin in net.linears] == [(8, 5), (8, 8), (8, 8), (4, 8)]
    assert net.linears[-1] is net.out


def test_deep_stack_forward_matches_a_hand_written_one_with_its_parameters():
    net = DeepStack(3, 6, 2, 2, "elu", {"alpha": 0.5}).double()
    initialise(net, "xavier", torch.Generator().manual_seed(1))
    x = torch.randn(9, 3, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    out, pre = net(x)
    h = x.numpy()
    for lin, z in zip(net.hidden, pre, strict=True):
        w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
        zz = h @ w.T + b
        np.testing.assert_allclose(z.detach().numpy(), zz, rtol=1e-12)
        h = np.where(zz > 0, zz, 0.5 * np.expm1(np.minimum(zz, 0)))  # ELU, α = 0.5
    w, b = net.out.weight.detach().numpy(), net.out.bias.detach().numpy()
    np.testing.assert_allclose(out.detach().numpy(), h @ w.T + b, rtol=1e-12)


def test_deep_stack_rejects_unknown_activations_and_parameters():
    with pytest.raises(ValueError, match="choose one of sigmoid"):
        DeepStack(2, 4, 1, 1, "swish")
    with pytest.raises(ValueError, match="has no setting 'beta'"):
        DeepStack(2, 4, 1, 1, "elu", {"beta": 1.0})
    with pytest.raises(ValueError, match=r"\(alpha\)"):
        DeepStack(2, 4, 1, 1, "leaky_relu", {"alpha": 0.9})


@pytest.mark.parametrize(
    ("init", "expected_var"),
    [
        ("playground", lambda fi, fo: 1 / 12),  # U(−0.5, 0.5)
        ("default", lambda fi, fo: 1 / (3 * fi)),  # U(±1/√fan_in)
        ("xavier", lambda fi, fo: 2 / (fi + fo)),
        ("he", lambda fi, fo: 2 / fi),
        ("normal", lambda fi, fo: 0.5**2),
    ],
)
def test_initialisation_schemes_have_their_textbook_variance(init, expected_var):
    w = _init(init, sigma=0.5).hidden[1].weight  # (300, 300)
    assert w.var().item() == pytest.approx(expected_var(300, 300), rel=0.05)
    assert abs(w.mean().item()) < 0.05 * math.sqrt(expected_var(300, 300))


def test_playground_init_is_uniform_half_with_biases_one_tenth():
    net = _init("playground")
    for lin in net.linears:
        w = lin.weight.detach()
        assert w.min() >= -0.5 and w.max() <= 0.5
        assert w.min() < -0.49 and w.max() > 0.49  # it fills the whole range
        assert torch.all(lin.bias == 0.1)


def test_default_init_draws_biases_like_nn_linear_and_the_others_zero_them():
    net = _init("default")
    bound = 1 / math.sqrt(300)
    b = net.hidden[1].bias.detach()
    assert b.abs().max() <= bound and b.var().item() == pytest.approx(bound**2 / 3, rel=0.2)
    for init in ("xavier", "he", "normal"):
        assert all(torch.all(lin.bias == 0) for lin in _init(init).linears)


def test_initialise_draws_only_from_the_generator_it_is_given():
    def weights(global_seed: int, seed: int) -> torch.Tensor:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(global_seed)
            net = _init("he", seed)
        return torch.cat([p.detach().reshape(-1) for p in net.parameters()])

    torch.testing.assert_close(weights(1, 0), weights(2, 0), rtol=0, atol=0)
    assert not torch.equal(weights(1, 0), weights(1, 1))


def test_inits_registry_labels_and_knobs():
    assert set(INITS) == set(INIT_LABELS) == {"playground", "default", "xavier", "he", "normal"}
    knob = init_knob("he", ("default", "he"))
    assert knob.check("default") == "default"
    with pytest.raises(ValueError, match="one of default, he"):
        knob.check("xavier")
    with pytest.raises(ValueError, match="choose one of playground, default"):
        _init("lecun")
    with pytest.raises(ValueError, match=r"\(sigma\)"):
        _init("normal", sigma=0.0)
    assert SIGMA.check(2) == 2.0


def test_gradient_norms_match_autograd_and_are_zero_before_a_backward_pass():
    net = DeepStack(4, 6, 3, 2, "tanh").double()
    initialise(net, "xavier", torch.Generator().manual_seed(0))
    assert torch.all(gradient_norms(net) == 0)
    x = torch.randn(16, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    y = torch.randn(16, 2, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    loss = F.mse_loss(net(x)[0], y)
    grads = torch.autograd.grad(loss, [lin.weight for lin in net.linears])
    expected = [np.linalg.norm(g.numpy()) for g in grads]
    F.mse_loss(net(x)[0], y).backward()
    norms = gradient_norms(net)
    assert norms.shape == (4,)  # three hidden layers and the readout, readout last
    np.testing.assert_allclose(norms.numpy(), expected, rtol=1e-12)
