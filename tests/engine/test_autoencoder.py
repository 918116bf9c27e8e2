"""Autoencoders and VAEs: the loss parts against torch's own, the reparameterised sample's
moments, the latent map against scikit-learn's PCA, decoding from a snapshot, and the
session: losses fall, the VAE's codes come out near N(0, I) and it can generate from it
where the plain autoencoder cannot, the same seed gives the same snapshot."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.decomposition import PCA
from torch.distributions import Normal, kl_divergence

from dlviz.autoencoder import AutoencoderConfig, AutoencoderSession, build_decoder, decode, walk
from dlviz.autoencoder import latent as lt
from dlviz.autoencoder.losses import kl_divergence as kl_closed_form
from dlviz.autoencoder.losses import reconstruction_loss, reparameterise
from dlviz.autoencoder.models import Autoencoder


def test_the_kl_term_is_torchs_kl_between_the_normals():
    gen = torch.Generator().manual_seed(0)
    mean, log_var = torch.randn(50, 6, generator=gen), torch.randn(50, 6, generator=gen)
    reference = kl_divergence(Normal(mean, torch.exp(0.5 * log_var)), Normal(0.0, 1.0))
    torch.testing.assert_close(kl_closed_form(mean, log_var), reference.sum(dim=1))
    assert torch.equal(kl_closed_form(torch.zeros(3, 4), torch.zeros(3, 4)), torch.zeros(3))


def test_the_reparameterised_sample_has_the_right_mean_and_variance():
    mean = torch.tensor([[1.5, -2.0, 0.0]]).expand(200_000, 3)
    log_var = torch.tensor([[0.0, np.log(4.0), np.log(0.25)]], dtype=torch.float32)
    log_var = log_var.expand(200_000, 3)
    z = reparameterise(mean, log_var, torch.Generator().manual_seed(1))
    # standard errors: σ/√n ≤ 0.0045 for the means, ≈ σ²·√(2/n) ≤ 0.013 for the variances
    torch.testing.assert_close(z.mean(0), torch.tensor([1.5, -2.0, 0.0]), atol=0.02, rtol=0)
    torch.testing.assert_close(z.var(0), torch.tensor([1.0, 4.0, 0.25]), atol=0.0, rtol=0.02)


def test_the_gradient_reaches_the_mean_and_the_variance_through_the_sample():
    mean = torch.tensor([[0.3, -1.0]], requires_grad=True)
    log_var = torch.tensor([[0.2, -0.4]], requires_grad=True)
    z = reparameterise(mean, log_var, torch.Generator().manual_seed(2))
    eps = (z - mean) / torch.exp(0.5 * log_var)
    z.sum().backward()
    torch.testing.assert_close(mean.grad, torch.ones(1, 2))  # ∂z/∂μ = 1
    expected = (0.5 * torch.exp(0.5 * log_var) * eps).detach()  # ∂z/∂log σ² = ½σε
    torch.testing.assert_close(log_var.grad, expected)


def test_the_reconstruction_term_is_binary_cross_entropy_summed_over_pixels():
    gen = torch.Generator().manual_seed(3)
    logits, x = torch.randn(7, 64, generator=gen), torch.rand(7, 64, generator=gen)
    reference = F.binary_cross_entropy(torch.sigmoid(logits), x, reduction="sum") / 7
    torch.testing.assert_close(reconstruction_loss(logits, x).mean(), reference)


def test_the_vae_samples_while_training_and_decodes_its_mean_when_judged():
    net = Autoencoder(latent=3, hidden=16, variational=True)
    x = torch.rand(5, 64)
    gen = torch.Generator().manual_seed(4)
    logits, mean, log_var = net(x, gen)
    assert mean.shape == log_var.shape == (5, 3) and logits.shape == (5, 64)
    assert not torch.equal(logits, net.decoder(mean))
    net.eval()
    torch.testing.assert_close(net(x)[0], net.decoder(mean))
    plain = Autoencoder(latent=3, hidden=16, variational=False)
    assert plain(x)[2] is None


def test_the_map_is_the_codes_principal_plane():
    codes = np.random.default_rng(5).normal(size=(300, 6)) * [5, 3, 1, 0.5, 0.2, 0.1]
    codes = codes.astype(np.float32)
    origin, axes = lt.map_axes(codes)
    reference = PCA(n_components=2).fit(codes)
    np.testing.assert_allclose(origin, reference.mean_, atol=1e-5)
    np.testing.assert_allclose(np.abs(axes @ reference.components_.T), np.eye(2), atol=1e-4)
    assert (axes[np.arange(2), np.abs(axes).argmax(1)] > 0).all()  # signed: no flips
    points = lt.on_map(codes, origin, axes)
    np.testing.assert_allclose(np.abs(points), np.abs(reference.transform(codes)), atol=1e-3)
    flat = np.random.default_rng(6).normal(size=(10, 2)).astype(np.float32)
    origin2, axes2 = lt.map_axes(flat)  # latent size 2: the codes themselves
    np.testing.assert_array_equal(lt.on_map(flat, origin2, axes2), flat)
    np.testing.assert_array_equal(lt.from_map(flat, origin2, axes2), flat)


def test_the_grid_runs_from_the_top_left_and_the_walk_ends_at_both_codes():
    grid = lt.grid_points((0.0, 2.0, -1.0, 1.0), 3)
    np.testing.assert_array_equal(grid[0], [0.0, 1.0])  # top row: high y
    np.testing.assert_array_equal(grid[2], [2.0, 1.0])
    np.testing.assert_array_equal(grid[-1], [2.0, -1.0])
    a, b = np.array([1.0, -2.0], np.float32), np.array([3.0, 0.0], np.float32)
    steps = walk(a, b, 5)
    np.testing.assert_array_equal(steps[0], a)
    np.testing.assert_array_equal(steps[-1], b)
    np.testing.assert_allclose(steps[2], (a + b) / 2)


@pytest.fixture(scope="module")
def trained() -> dict[int, AutoencoderSession]:
    """Sessions at latent sizes 2 and 8 after 2,000 steps (about 4 s each)."""
    found = {}
    for latent in (2, 8):
        session = AutoencoderSession(AutoencoderConfig(latent=latent, pace="max"))
        first = dict(session.latest.values)
        session.train_steps(2000)
        found[latent] = (session, first)
    return found


def test_both_networks_learn(trained):
    for session, first in trained.values():
        now = session.latest.values
        assert session.halted is None
        for kind in ("ae", "vae"):
            assert now[f"{kind}_loss"] < 0.6 * first[f"{kind}_loss"]
            assert now[f"{kind}_mse"] < 0.05
        assert now["ae_kl"] == 0.0 and now["vae_kl"] > 1.0


def test_the_vaes_codes_come_out_near_a_standard_normal_and_the_aes_do_not(trained):
    ae, vae = trained[2][0].snapshot().views
    assert np.abs(vae.codes.mean(0)).max() < 0.25
    assert ((vae.codes.std(0) > 0.7) & (vae.codes.std(0) < 1.3)).all()
    assert ae.codes.std(0).max() > 2.5  # the plain AE's codes sit wherever training left them


def test_the_vae_generates_from_a_standard_normal_and_the_plain_autoencoder_cannot(trained):
    ae, vae = trained[8][0].snapshot().views  # measured: 0.03 against 0.59
    assert vae.prior_digits > 0.4
    assert ae.prior_digits < 0.15


def test_decoding_from_the_snapshot_is_the_networks_decoder(trained):
    session, _ = trained[8]
    snap = session.snapshot()
    for net, view in zip(session.nets, snap.views):
        decoder = build_decoder(view.decoder, snap.latent, snap.hidden)
        with torch.no_grad():
            direct = torch.sigmoid(net.decoder(torch.from_numpy(view.codes[:5])))
        np.testing.assert_allclose(decode(decoder, view.codes[:5]).reshape(5, 64), direct,
                                   atol=1e-6)  # fmt: skip
        assert view.grid.shape == (12, 12, 8, 8) and view.samples.shape == (36, 8, 8)
        assert view.worst.tolist() == np.argsort(-view.errors)[:8].tolist()


def test_the_same_seed_gives_the_same_snapshot():
    snaps = []
    for _ in range(2):
        session = AutoencoderSession(AutoencoderConfig(latent=3, noise=0.2, pace="max"))
        session.train_steps(120)
        snaps.append(session.snapshot())
    for a, b in zip(snaps[0].views, snaps[1].views):
        for name in ("codes", "grid", "samples", "errors", "rebuilt"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    other = AutoencoderSession(AutoencoderConfig(latent=3, noise=0.2, seed=1, pace="max"))
    other.train_steps(120)
    assert not np.array_equal(other.snapshot().views[0].codes, snaps[0].views[0].codes)


def test_input_noise_changes_training_not_the_judging():
    clean = AutoencoderSession(AutoencoderConfig(pace="max"))
    noisy = AutoencoderSession(AutoencoderConfig(noise=0.3, pace="max"))
    assert clean.latest.values == noisy.latest.values  # the same start, judged on clean digits
    clean.train_steps(100)
    noisy.train_steps(100)
    assert clean.latest.values["ae_loss"] != noisy.latest.values["ae_loss"]


def test_beta_is_live_and_weighs_the_kl_term():
    session = AutoencoderSession(AutoencoderConfig(pace="max"))
    session.train_steps(60)
    session.retune(session.config.replace(beta=4.0))
    session.train_steps(1)
    v = session.latest.values
    assert v["vae_loss"] == pytest.approx(v["vae_recon"] + 4.0 * v["vae_kl"], rel=1e-5)


@pytest.mark.parametrize(
    ("field", "value"),
    [("latent", 17), ("latent", 1), ("hidden", 7), ("beta", -1.0), ("noise", 0.9),
     ("learning_rate", 0.0), ("batch_size", 3)],
)  # fmt: skip
def test_bad_knobs_are_refused_with_the_knobs_name(field, value):
    with pytest.raises(ValueError, match=field.replace("_", " ").split()[0]):
        AutoencoderConfig(**{field: value})
