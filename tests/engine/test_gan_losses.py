"""The GAN losses (dlviz.gan.losses) against their formulas written out in NumPy on fixed
logits, saturated ones included (min-max, non-saturating, least squares, WGAN-GP, hinge; D's
loss and G's), which loss carries the penalty, and the WGAN-GP gradient penalty against two
hand computations: a linear critic whose input gradient is its weight vector, and a tanh
critic whose gradient is written out, on the very ε the penalty draws from its generator.
"""

import numpy as np
import pytest
import torch
from torch import nn

from dlviz.gan.losses import GP_WEIGHT, LOSS_LABELS, LOSSES, get_loss, gradient_penalty

# D's raw outputs (N, 1): ordinary values, and saturated ones that a naive log(σ) breaks on
REAL = np.array([[2.0], [-0.5], [0.0], [1.25], [40.0], [-35.0]])
FAKE = np.array([[-1.0], [0.3], [3.0], [-2.5], [-60.0], [45.0], [0.0]])  # another N


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)  # log(1 + eˣ), exact for large |x|


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


# log D = log σ(s), log(1 − D) = log σ(−s)
FORMULAS = {
    "minimax": (
        lambda r, f: -_log_sigmoid(r).mean() - _log_sigmoid(-f).mean(),
        lambda f: _log_sigmoid(-f).mean(),  # G minimises log(1 − D(G(z)))
    ),
    "nonsaturating": (
        lambda r, f: -_log_sigmoid(r).mean() - _log_sigmoid(-f).mean(),
        lambda f: -_log_sigmoid(f).mean(),  # G maximises log D(G(z))
    ),
    "least_squares": (
        lambda r, f: 0.5 * np.mean((r - 1) ** 2) + 0.5 * np.mean(f**2),
        lambda f: 0.5 * np.mean((f - 1) ** 2),
    ),
    "wgan_gp": (lambda r, f: f.mean() - r.mean(), lambda f: -f.mean()),
    "hinge": (
        lambda r, f: np.maximum(0, 1 - r).mean() + np.maximum(0, 1 + f).mean(),
        lambda f: -f.mean(),
    ),
}


def test_every_loss_has_a_formula_here():
    assert set(LOSSES) == set(FORMULAS) == set(LOSS_LABELS)


@pytest.mark.parametrize("name", list(FORMULAS))
@pytest.mark.parametrize("rows", [slice(0, 4), slice(None)], ids=["ordinary", "saturated"])
def test_each_loss_matches_its_formula(name, rows):
    loss, (d_ref, g_ref) = get_loss(name), FORMULAS[name]
    r, f = REAL[rows], FAKE[rows]
    tr, tf = torch.tensor(r, dtype=torch.float32), torch.tensor(f, dtype=torch.float32)
    d, g = loss.d(tr, tf), loss.g(tf)
    assert d.shape == g.shape == ()  # scalars, means over the batch
    assert float(d) == pytest.approx(d_ref(r, f), rel=1e-5, abs=1e-6)
    assert float(g) == pytest.approx(g_ref(f), rel=1e-5, abs=1e-6)


def test_the_minimax_and_non_saturating_generators_differ_where_d_rejects_the_fakes():
    # the same fixed point, different gradients: at a confidently rejected fake (s = −6)
    # min-max's G gradient has all but vanished while the non-saturating one's is ≈ 1
    s = torch.tensor([[-6.0]], requires_grad=True)
    (minimax,) = torch.autograd.grad(get_loss("minimax").g(s), s)
    (nonsat,) = torch.autograd.grad(get_loss("nonsaturating").g(s), s)
    sig = 1 / (1 + np.exp(6.0))
    assert float(minimax) == pytest.approx(-sig, rel=1e-5)  # d/ds log(1 − σ(s)) = −σ(s)
    assert float(nonsat) == pytest.approx(-(1 - sig), rel=1e-5)  # d/ds −log σ(s) = −(1 − σ(s))


def test_only_wgan_gp_carries_the_gradient_penalty():
    assert {n for n, loss in LOSSES.items() if loss.penalty} == {"wgan_gp"}
    assert GP_WEIGHT == 10.0  # λ of Gulrajani et al.


def test_an_unknown_loss_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="unknown loss") as err:
        get_loss("wgan")
    for name in LOSSES:
        assert name in str(err.value)


# --- the gradient penalty --------------------------------------------------------------------


@pytest.mark.parametrize("w", [(0.6, 0.8), (3.0, -4.0), (0.1, 0.2)])
def test_a_linear_critics_penalty_is_its_weights_norm_minus_one_squared(w):
    critic = nn.Linear(2, 1)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([w]))
        critic.bias.fill_(0.7)
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(16, 2, generator=g), torch.randn(16, 2, generator=g) + 3
    norm = float(np.hypot(*w))
    penalty = gradient_penalty(critic, real, fake, torch.Generator().manual_seed(1))
    assert float(penalty.detach()) == pytest.approx((norm - 1) ** 2, rel=1e-5, abs=1e-10)
    # the penalty is differentiable in the critic's weights (D's step trains on it):
    # ∂(‖w‖ − 1)²/∂w = 2(‖w‖ − 1) w/‖w‖
    (grad,) = torch.autograd.grad(penalty, critic.weight)
    expected = 2 * (norm - 1) * np.array(w) / norm
    np.testing.assert_allclose(grad.numpy()[0], expected, rtol=1e-4, atol=1e-7)


class _TanhCritic(nn.Module):
    """c(x) = vᵀ tanh(A x + b), so ∇ₓ c = Aᵀ (v ⊙ (1 − tanh²(A x + b)))."""

    def __init__(self, a: np.ndarray, b: np.ndarray, v: np.ndarray) -> None:
        super().__init__()
        self.a, self.b, self.v = (torch.tensor(t, dtype=torch.float64) for t in (a, b, v))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x @ self.a.T + self.b) @ self.v[:, None]  # (N, 1)


def test_a_nonlinear_critics_penalty_matches_the_gradient_written_out_on_the_same_eps():
    rng = np.random.default_rng(0)
    a, b, v = rng.normal(size=(5, 2)), rng.normal(size=5), rng.normal(size=5)
    real, fake = rng.normal(size=(12, 2)), rng.normal(size=(12, 2)) + 1.5
    critic = _TanhCritic(a, b, v)
    tr, tf = torch.tensor(real), torch.tensor(fake)
    got = gradient_penalty(critic, tr, tf, torch.Generator().manual_seed(42))
    eps = torch.rand(12, 1, generator=torch.Generator().manual_seed(42)).double().numpy()
    mixed = eps * real + (1 - eps) * fake  # (N, 2)
    grad = (v * (1 - np.tanh(mixed @ a.T + b) ** 2)) @ a  # (N, 2), row i: ∇c at x̂ᵢ
    expected = np.mean((np.linalg.norm(grad, axis=1) - 1) ** 2)
    assert float(got.detach()) == pytest.approx(expected, rel=1e-5)
    # the penalty depends on where on the segments x̂ falls: another ε, another value
    other = gradient_penalty(critic, tr, tf, torch.Generator().manual_seed(43))
    assert abs(float(other.detach()) - expected) > 1e-3


def test_the_penalty_draws_one_eps_per_pair_from_the_generator_it_is_given():
    critic = _TanhCritic(np.ones((3, 2)), np.zeros(3), np.ones(3))
    gen = torch.Generator().manual_seed(5)
    gradient_penalty(critic, torch.zeros(7, 2).double(), torch.ones(7, 2).double(), gen)
    same = torch.Generator().manual_seed(5)
    torch.rand(7, 1, generator=same)  # the draw the penalty makes
    assert torch.equal(gen.get_state(), same.get_state())
