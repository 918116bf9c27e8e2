"""GanSession, GanConfig and what the page shows of them (dlviz.gan.session, .models, .view):
the non-saturating GAN covering the ring's modes from a fixed seed, the config's refusals,
same seed same snapshot, the largest learning rates pausing the session while the defaults
do not, D-only and G-only steps, D and G steps per iteration, live retuning, the snapshot
against D and G evaluated directly (the plane's orientation, G's push by autograd, the
manifold), targets without modes, the drawn target, the collapse warning, the readouts,
the networks' layers, and a CUDA smoke test where a GPU is.
"""

import dataclasses
import math

import numpy as np
import pytest
import torch
from torch import nn

from dlviz.device import DEVICE
from dlviz.gan.losses import LOSSES, get_loss
from dlviz.gan.metrics import MIN_SHARE, coverage
from dlviz.gan.models import LEAK, Mlp
from dlviz.gan.session import (
    GRID,
    JUDGED,
    MANIFOLD,
    MIN_DRAWN,
    SHOWN,
    GanConfig,
    GanSession,
    GanSnapshot,
)
from dlviz.gan.targets import EXTENT, NOISES, TARGETS, get_target
from dlviz.gan.view import (
    LAYERS,
    PLAYER_STEPS,
    PlaneView,
    collapse_note,
    drawn_target,
    game_readouts,
)
from dlviz.knobs import MAX_PACE_STEPS


def _session(**change) -> GanSession:
    return GanSession(GanConfig(**change))


def _params(net: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in net.parameters()]


def _same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def _none_same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(not torch.equal(x, y) for x, y in zip(a, b, strict=True))


def _canvas(inked: int, h: int = 40, w: int = 40) -> np.ndarray:
    """A black RGBA canvas with `inked` white pixels along a diagonal stroke."""
    canvas = np.zeros((h, w, 4), np.uint8)
    for k in range(inked):
        canvas[k % h, (3 * k + k // h) % w] = 255
    return canvas


# --- the required behaviour: the ring's modes get covered -----------------------------------------


def test_the_non_saturating_gan_covers_seven_of_the_rings_eight_modes():
    session = _session(seed=2)
    cfg = session.config
    assert (cfg.target, cfg.loss, cfg.g_layers, cfg.g_width, cfg.d_layers, cfg.d_width) == (
        "ring", "nonsaturating", 2, 128, 2, 128,
    )  # fmt: skip
    assert (cfg.d_lr, cfg.g_lr, cfg.batch_size, cfg.pace) == (2e-4, 2e-4, 256, "max")
    assert session.d_opt.param_groups[0]["betas"] == (0.5, 0.999)
    start = session.snapshot()
    assert start.covered == 0 and start.off_mode > 0.9  # G starts as a blob in the middle
    # Measured here: 7 of 8 at iteration 1,300, 8 at 2,340; 3,000 leaves more than 2× margin.
    while session.step_count < 3000 and session.snapshot().covered < 7:
        session.train_steps(260)
    snap = session.snapshot()
    assert snap.halted is None
    assert snap.covered >= 7, f"{snap.covered} of 8 modes after {snap.step} iterations"
    assert snap.best_covered >= snap.covered
    assert snap.off_mode < 0.8 and snap.js < 0.5 * start.js
    assert (snap.per_mode >= MIN_SHARE * JUDGED / 8).sum() == snap.covered


# --- the config ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "bad", "choices"),
    [("target", "circle", TARGETS), ("loss", "wgan", LOSSES), ("noise", "normal", NOISES)],
)
def test_an_unknown_name_is_refused_with_the_choices(field, bad, choices):
    with pytest.raises(ValueError, match=rf"\({field}\) must be one of") as err:
        GanConfig(**{field: bad})
    for name in choices:
        assert name in str(err.value)


@pytest.mark.parametrize(
    "bad",
    [dict(latent=3), dict(d_lr=20.0), dict(g_lr=0.0), dict(d_steps=6), dict(batch_size=16),
     dict(g_width=300), dict(d_layers=0), dict(pace="3")],
    ids=repr,
)  # fmt: skip
def test_out_of_range_knobs_are_refused(bad):
    with pytest.raises(ValueError, match=rf"\({next(iter(bad))}\)"):
        GanConfig(**bad)


def test_the_drawn_target_needs_a_drawing():
    with pytest.raises(ValueError, match="draw a shape on the canvas first"):
        GanConfig(target="drawn")
    few = tuple((0.1 * k, 0.0) for k in range(MIN_DRAWN - 1))
    with pytest.raises(ValueError, match="draw a shape"):
        GanConfig(target="drawn", drawn=few)
    assert len(GanConfig(target="drawn", drawn=((0.0, 0.0),) * MIN_DRAWN).drawn) == MIN_DRAWN


# --- the snapshot is a function of the seed ------------------------------------------------------


def _assert_same_snapshot(a: GanSnapshot, b: GanSnapshot) -> None:
    for field in dataclasses.fields(GanSnapshot):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), field.name
        elif isinstance(x, dict):
            assert x.keys() == y.keys(), field.name
            for key in x:
                assert np.array_equal(x[key], y[key], equal_nan=True), f"history {key}"
        else:
            assert x == y, field.name


OTHER = dict(target="moons", loss="hinge", latent=1, noise="uniform", batch_norm=True)


@pytest.mark.parametrize("change", [{}, OTHER], ids=["defaults", "other"])
def test_the_same_seed_gives_the_same_snapshot_and_another_seed_another(change):
    a, b, c = _session(seed=4, **change), _session(seed=4, **change), _session(seed=5, **change)
    for s in (a, b, c):
        s.train_steps(60)
        s.train_d()
        s.train_g()
    sa, sb, sc = a.snapshot(), b.snapshot(), c.snapshot()
    assert set(sa.history) == {"d_loss", "g_loss", "coverage", "off_mode", "kl", "js"}
    assert len(sa.history_steps) >= 3  # step 0, the checks, the buttons
    _assert_same_snapshot(sa, sb)
    assert sa.step == sc.step == 62
    assert not np.array_equal(sa.fake, sc.fake) and not np.array_equal(sa.real, sc.real)
    assert not np.array_equal(sa.surface, sc.surface) and sa.d_loss != sc.d_loss


@pytest.mark.parametrize(
    "spectral",
    [False, True],
    ids=["plain", "spectral_norm"],
)  # fmt: skip
def test_looking_at_a_session_does_not_change_its_training(spectral):
    cfg = GanConfig(seed=3, spectral_norm=spectral, batch_norm=True)
    watched, unwatched = GanSession(cfg), GanSession(cfg)
    for _ in range(3):
        watched.train_steps(20)  # a check after each
        watched.snapshot()
    unwatched.train_steps(60)  # one check at the end
    a, b = watched.snapshot(), unwatched.snapshot()
    for name in ("fake", "push", "surface", "manifold"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


# --- pausing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "loss",
    # min-max saturates at once (both losses exactly 0, G's push 0, the fakes ~3·10⁷ off the
    # plane): calm losses, so only its runaway weights can pause it
    ["nonsaturating", "least_squares", "hinge", "wgan_gp", "minimax"],
)
def test_the_largest_learning_rates_pause_the_session_with_a_reason(loss):
    top = GanConfig.knob("d_lr").high
    assert top == GanConfig.knob("g_lr").high == 10.0
    session = _session(loss=loss, d_lr=top, g_lr=top)
    while session.halted is None and session.step_count < 200:
        session.train_steps(20)
    assert session.halted is not None, f"still running after {session.step_count} steps"
    assert len(session.halted) > 30 and session.halted.endswith(".")  # a sentence
    assert any(word in session.halted for word in ("loss", "weight"))
    stopped = session.step_count
    session.train_steps(40)
    session.train_d()
    assert session.step_count == stopped  # a paused session trains no more
    snap = session.snapshot()  # and still shows itself
    assert snap.halted == session.halted and snap.step == stopped


@pytest.mark.parametrize(
    "loss",
    # WGAN-GP's first loss is ≈ 0.03 and |D's loss| reaches ≈ 4 by iteration 100: a rule of
    # 100 × the first loss would pause it
    ["nonsaturating", "minimax", "least_squares", "hinge", "wgan_gp"],
)
def test_a_healthy_run_at_the_default_rates_does_not_pause(loss):
    session = _session(loss=loss, seed=1)
    session.train_steps(300)
    assert session.halted is None, session.halted
    assert session.step_count == 300


# --- the players' steps ---------------------------------------------------------------------------


def test_a_d_only_step_changes_only_d_and_counts_one_iteration():
    session = _session(seed=6)
    session.train_steps(20)
    before = session.snapshot()
    d0, g0 = _params(session.d), _params(session.g)
    session.train_d()
    after = session.snapshot()
    assert _none_same(d0, _params(session.d)) and _same(g0, _params(session.g))
    assert after.step == before.step + 1
    assert (after.d_updates, after.g_updates) == (before.d_updates + 1, before.g_updates)
    assert after.history_steps[-1] == after.step  # the button's step was checked
    np.testing.assert_array_equal(after.fake, before.fake)  # G did not move
    assert not np.array_equal(after.surface, before.surface)  # D did


def test_a_g_only_step_changes_only_g_and_counts_one_iteration():
    session = _session(seed=6, batch_norm=True)
    session.train_steps(20)
    before = session.snapshot()
    d0, g0 = _params(session.d), _params(session.g)
    session.train_g()
    after = session.snapshot()
    assert _same(d0, _params(session.d)) and _none_same(g0, _params(session.g))
    assert after.step == before.step + 1
    assert (after.d_updates, after.g_updates) == (before.d_updates, before.g_updates + 1)
    np.testing.assert_array_equal(after.surface, before.surface)  # D did not move
    assert not np.array_equal(after.fake, before.fake)  # G did


def test_the_buttons_name_the_sessions_methods():
    assert [(key, method) for key, _, method, _ in PLAYER_STEPS] == [
        ("d_only", "train_d"), ("g_only", "train_g")
    ]  # fmt: skip
    for _, _, method, _ in PLAYER_STEPS:
        assert callable(getattr(GanSession, method))


@pytest.mark.parametrize(("pace", "steps"), [("1", 3), ("5", 10), ("max", MAX_PACE_STEPS)])
def test_d_and_g_steps_per_iteration_are_honoured(pace, steps):
    session = _session(d_steps=3, g_steps=2, pace=pace)
    session.train_steps(steps)
    snap = session.snapshot()
    assert snap.step == steps
    assert (snap.d_updates, snap.g_updates) == (3 * steps, 2 * steps)


def test_live_knobs_retune_the_running_session_and_structural_ones_need_a_new_one():
    session = _session(seed=8)
    session.train_steps(20)
    d, g, d_opt = session.d, session.g, session.d_opt
    weights = _params(d)
    session.retune(session.config.replace(d_lr=1e-3, g_lr=5e-3, d_steps=2, g_steps=3, pace="5"))
    assert session.d is d and session.g is g and session.d_opt is d_opt  # the same networks
    assert _same(weights, _params(d)) and session.step_count == 20
    assert {grp["lr"] for grp in session.d_opt.param_groups} == {1e-3}
    assert {grp["lr"] for grp in session.g_opt.param_groups} == {5e-3}
    assert session.chunk_steps == 5 and session.check_every == 1
    before = session.snapshot()
    session.train_steps(10)
    after = session.snapshot()
    assert after.step == 30
    assert (after.d_updates - before.d_updates, after.g_updates - before.g_updates) == (20, 30)
    assert list(after.history_steps[-3:]) == [20, 25, 30]  # a check after every chunk
    for change in (dict(loss="hinge"), dict(seed=9), dict(d_width=64), dict(latent=1),
                   dict(target="grid"), dict(spectral_norm=True)):  # fmt: skip
        with pytest.raises(ValueError, match="only live settings"):
            session.retune(session.config.replace(**change))


# --- what the snapshot holds ---------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["nonsaturating", "minimax", "least_squares", "hinge"])
def test_the_surface_is_d_on_the_plane_with_rows_along_y(loss):
    # the line target is not symmetric under swapping x and y, so a transposed surface shows
    session = _session(target="line", loss=loss, seed=1)
    session.train_steps(100)
    snap = session.snapshot()
    assert snap.grid.shape == (GRID,) and snap.surface.shape == (GRID, GRID)
    np.testing.assert_allclose(snap.grid, np.linspace(-EXTENT, EXTENT, GRID), atol=1e-6)
    xs, ys = np.meshgrid(snap.grid, snap.grid)  # xs[i, j] = grid[j], ys[i, j] = grid[i]
    points = torch.tensor(np.stack([xs, ys], -1).reshape(-1, 2), device=DEVICE)
    with torch.no_grad():
        raw = session.d(points).cpu().numpy().reshape(GRID, GRID)
    probability = loss in ("minimax", "nonsaturating")
    assert snap.probability is probability
    expected = 1 / (1 + np.exp(-raw.astype(np.float64))) if probability else raw
    np.testing.assert_allclose(snap.surface, expected, rtol=1e-5, atol=1e-6)
    assert np.abs(snap.surface - snap.surface.T).max() > 0.01  # so orientation is tested
    if probability:
        assert snap.surface.min() >= 0 and snap.surface.max() <= 1
    else:
        assert np.abs(snap.surface - 1 / (1 + np.exp(-raw))).max() > 0.01  # not squashed


# −∂(G's loss summed over samples)/∂s at D's raw output s: push = that × ∇ₓ s
PUSH_FACTOR = {
    "minimax": lambda s: 1 / (1 + np.exp(-s)),  # G's loss −softplus(s): −∂ = σ(s)
    "nonsaturating": lambda s: 1 / (1 + np.exp(s)),  # softplus(−s): −∂ = σ(−s)
    "least_squares": lambda s: 1 - s,  # ½(s − 1)²: −∂ = 1 − s
    "wgan_gp": lambda s: np.ones_like(s),  # −s
    "hinge": lambda s: np.ones_like(s),  # −s
}


@pytest.mark.parametrize("loss", list(PUSH_FACTOR))
def test_g_pushes_each_fake_sample_down_its_own_loss(loss):
    session = _session(loss=loss, seed=2)
    session.train_steps(40)
    snap = session.snapshot()
    assert snap.real.shape == snap.fake.shape == snap.push.shape == (SHOWN, 2)
    x = torch.tensor(snap.fake, device=DEVICE, requires_grad=True)
    scores = session.d(x)  # (N, 1), each row from its own sample
    (grad,) = torch.autograd.grad(scores.sum(), x)  # row i: ∇ₓ D at fake sample i
    s = scores.detach().cpu().numpy().astype(np.float64)  # (N, 1)
    expected = PUSH_FACTOR[loss](s) * grad.cpu().numpy()
    np.testing.assert_allclose(snap.push, expected, rtol=1e-4, atol=1e-6 * np.abs(expected).max())
    assert np.abs(snap.push).max() > 0


def test_the_snapshot_holds_the_fixed_samples_both_losses_and_coverage_of_g_now():
    session = _session(seed=5)
    first = session.snapshot()
    session.train_steps(100)
    snap = session.snapshot()
    np.testing.assert_array_equal(snap.real, first.real)  # the shown real points are fixed
    assert coverage(snap.real, snap.modes)[0] == 8  # and drawn from the ring
    session.g.eval()
    with torch.no_grad():
        fake = session.g(session.noise_shown).cpu().numpy()  # (JUDGED, 2)
        d_real = session.d(torch.tensor(snap.real, device=DEVICE))
        d_fake = session.d(torch.tensor(snap.fake, device=DEVICE))
    np.testing.assert_allclose(snap.fake, fake[:SHOWN], rtol=1e-6, atol=1e-6)
    loss = get_loss("nonsaturating")
    assert snap.d_loss == pytest.approx(float(loss.d(d_real, d_fake)), rel=1e-5)
    assert snap.g_loss == pytest.approx(float(loss.g(d_fake)), rel=1e-5)
    covered, off, per_mode = coverage(fake, get_target("ring").modes)
    np.testing.assert_array_equal(snap.per_mode, per_mode)
    assert (snap.covered, snap.off_mode) == (covered, pytest.approx(off))
    np.testing.assert_array_equal(snap.modes, get_target("ring").modes)
    assert snap.history_steps[-1] == 100 and snap.history["js"][-1] == pytest.approx(snap.js)
    assert snap.history["coverage"][-1] == snap.covered


@pytest.mark.parametrize(("latent", "noise", "top"), [(2, "gaussian", 2.0), (2, "uniform", 1.0),
                                                      (1, "gaussian", 2.0)])  # fmt: skip
def test_the_manifold_is_g_over_a_grid_of_the_noise(latent, noise, top):
    session = _session(latent=latent, noise=noise, batch_norm=True, seed=1)
    session.train_steps(20)
    snap = session.snapshot()
    session.g.eval()  # batch norm: G as the snapshot draws it, on its running statistics
    if latent == 2:
        assert snap.manifold.shape == (MANIFOLD, MANIFOLD, 2) == (21, 21, 2)
        ticks = np.linspace(-top, top, MANIFOLD)
        i, j = 3, 17  # manifold[i, j] is G at (tick i, tick j)
        z = torch.tensor([[ticks[i], ticks[j]]], dtype=torch.float32, device=DEVICE)
        with torch.no_grad():
            np.testing.assert_allclose(snap.manifold[i, j], session.g(z).cpu().numpy()[0],
                                       rtol=1e-5, atol=1e-6)  # fmt: skip
        z = torch.tensor(np.stack(np.meshgrid(ticks, ticks, indexing="ij"), -1).reshape(-1, 2),
                         dtype=torch.float32, device=DEVICE)  # fmt: skip
    else:
        assert snap.manifold.shape == (10 * MANIFOLD, 2) == (210, 2)
        z = torch.linspace(-top, top, 10 * MANIFOLD, device=DEVICE)[:, None]
    with torch.no_grad():
        expected = session.g(z).cpu().numpy().reshape(snap.manifold.shape)
    np.testing.assert_allclose(snap.manifold, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("target", ["moons", "line", "spiral"])
def test_a_target_without_modes_has_no_coverage(target):
    session = _session(target=target)
    session.train_steps(20)
    snap = session.snapshot()
    assert snap.modes is None and snap.per_mode is None and snap.covered is None
    assert snap.best_covered is None and snap.off_mode is None
    assert np.isnan(snap.history["coverage"]).all() and np.isfinite(snap.history["js"]).all()
    assert math.isfinite(snap.kl) and 0 <= snap.js <= math.log(2)
    assert collapse_note(snap) is None


def test_a_drawn_target_trains_on_points_near_the_drawing():
    drawn = drawn_target(_canvas(60))
    session = _session(target="drawn", drawn=drawn, seed=3)
    session.train_steps(20)
    snap = session.snapshot()
    points = np.array(drawn)
    gaps = np.linalg.norm(snap.real[:, None] - points[None], axis=-1).min(1)
    assert gaps.max() < 0.05 * 6  # each real sample is a drawn point blurred by 0.05
    assert len(set(np.linalg.norm(snap.real[:, None] - points[None], axis=-1).argmin(1))) > 40
    assert snap.modes is None and snap.covered is None


# --- the page's helpers ---------------------------------------------------------------------------


def test_a_drawing_becomes_target_points_at_the_inked_pixels():
    assert drawn_target(None) == ()
    assert drawn_target(_canvas(MIN_DRAWN - 1)) == ()  # too little ink
    points = drawn_target(_canvas(MIN_DRAWN))
    assert len(points) == MIN_DRAWN and all(len(p) == 2 for p in points)
    cell = 2 * EXTENT / 40
    for k, (x, y) in enumerate(sorted(points, key=lambda p: -p[1])):  # top row first
        row, col = k, 3 * k
        assert x == pytest.approx(-EXTENT + (col + 0.5) * cell, abs=0.005 + 1e-6)
        assert y == pytest.approx(EXTENT - (row + 0.5) * cell, abs=0.005 + 1e-6)
    GanConfig(target="drawn", drawn=points)  # a valid target


def test_a_drawings_points_are_rounded_to_a_hundredth():
    for x, y in drawn_target(_canvas(MIN_DRAWN)):
        assert (x, y) == (round(x, 2), round(y, 2))


def _ring_snapshot() -> GanSnapshot:
    session = _session(seed=0)
    session.train_steps(20)
    return session.snapshot()


@pytest.fixture(scope="module")
def ring_snapshot() -> GanSnapshot:
    return _ring_snapshot()


@pytest.mark.parametrize(
    ("step", "best", "covered", "says"),
    [
        (300, 8, 6, "covered 8 of 8 modes and now covers 6"),
        (300, 5, 3, "covered 5 of 8 modes and now covers 3"),
        (300, 8, 7, None),  # one mode dropped: noise, not collapse
        (300, 3, 3, None),  # early days
        (999, 2, 2, None),
        (1200, 4, 4, "after 1,200 iterations the generator covers only 4 of 8 modes, and 4 are"),
        (1200, 5, 5, None),
        (1200, 8, 8, None),
    ],
)
def test_the_collapse_note_fires_on_dropped_modes_or_few_late(ring_snapshot, step, best,
                                                              covered, says):  # fmt: skip
    piled = np.array([200, 200, 200, 200, 0, 0, 0, 0], np.int64)  # four modes left empty
    snap = dataclasses.replace(ring_snapshot, step=step, best_covered=best, covered=covered,
                               per_mode=piled)  # fmt: skip
    note = collapse_note(snap)
    if says is None:
        assert note is None
    else:
        assert note is not None and note.startswith("Mode collapse:") and says in note


def test_a_generator_that_reaches_every_mode_too_thinly_is_not_called_collapsed(ring_snapshot):
    assert ring_snapshot.needed == pytest.approx(0.2 * 4096 / 8)
    thin = np.array([150, 150, 150, 150, 60, 60, 60, 60], np.int64)  # 4 under the 102 needed
    snap = dataclasses.replace(ring_snapshot, step=1200, best_covered=4, covered=4,
                               per_mode=thin, off_mode=0.41)  # fmt: skip
    assert collapse_note(snap) == ("Spread too thin: the generator reaches every mode but "
                                   "covers only 4 of 8: 41% of its samples fall between the "
                                   "modes.")  # fmt: skip


def test_the_readouts_name_coverage_for_a_mixture_and_kl_otherwise(ring_snapshot):
    snap = dataclasses.replace(ring_snapshot, covered=7, js=0.123456, d_loss=1.23456,
                               g_loss=-0.000123456, kl=0.0456789)  # fmt: skip
    assert game_readouts(snap) == [("Modes covered", "7 of 8"), ("JS", "0.123"),
                                   ("D's loss", "1.23"), ("G's loss", "-0.000123")]  # fmt: skip
    plain = dataclasses.replace(snap, modes=None, covered=None, best_covered=None)
    assert game_readouts(plain)[0] == ("KL(real ‖ fake)", "0.0457")
    assert [label for label, _ in game_readouts(plain)[1:]] == ["JS", "D's loss", "G's loss"]


def test_the_plane_view_shows_every_layer_by_default_and_refuses_unknown_ones():
    assert PlaneView().layers == ("surface", "real", "fake", "arrows", "manifold") == tuple(LAYERS)
    assert PlaneView(layers=()).layers == ()
    with pytest.raises(ValueError, match=r"\(layers\)"):
        PlaneView(layers=("surface", "heat"))


# --- the networks ----------------------------------------------------------------------------


def test_the_mlp_is_linear_leaky_relu_layers_as_written_out():
    torch.manual_seed(0)
    net = Mlp(2, 5, 2, 3).double()
    kinds = [type(m).__name__ for m in net.net]
    assert kinds == ["Linear", "LeakyReLU", "Linear", "LeakyReLU", "Linear"]
    assert LEAK == 0.2 and net.net[1].negative_slope == 0.2
    x = np.random.default_rng(1).normal(size=(6, 2))
    h = x
    for layer in (net.net[0], net.net[2]):
        h = h @ layer.weight.detach().numpy().T + layer.bias.detach().numpy()
        h = np.where(h > 0, h, 0.2 * h)
    out = h @ net.net[4].weight.detach().numpy().T + net.net[4].bias.detach().numpy()
    np.testing.assert_allclose(net(torch.tensor(x)).detach().numpy(), out, rtol=1e-12)


def test_the_mlps_options_add_their_layers():
    mlp = Mlp(1, 4, 1, 2, batch_norm=True, dropout=0.3, generator=torch.Generator())
    kinds = [type(m).__name__ for m in mlp.net]
    assert kinds[:3] == ["Linear", "BatchNorm1d", "LeakyReLU"] and kinds[4] == "Linear"
    assert "Dropout" in kinds[3] and len(kinds) == 5
    spectral = Mlp(2, 4, 2, 1, spectral=True)
    linears = [m for m in spectral.net if isinstance(m, nn.Linear)]
    assert len(linears) == 3
    assert all(torch.nn.utils.parametrize.is_parametrized(m, "weight") for m in linears)
    session = _session(spectral_norm=True, batch_norm=True)
    assert any(isinstance(m, nn.BatchNorm1d) for m in session.g.modules())
    assert not any(isinstance(m, nn.BatchNorm1d) for m in session.d.modules())
    assert all(torch.nn.utils.parametrize.is_parametrized(m, "weight")
               for m in session.d.modules() if isinstance(m, nn.Linear))  # fmt: skip


# --- a GPU where one is lent ------------------------------------------------------------------


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize("loss", ["nonsaturating", "wgan_gp"])  # WGAN-GP: a double backward
def test_a_session_trains_and_snapshots_on_cuda(loss):
    assert DEVICE.type == "cuda"
    session = _session(loss=loss, spectral_norm=True, batch_norm=True)
    assert all(p.is_cuda for p in session.d.parameters())
    assert all(p.is_cuda for p in session.g.parameters())
    session.train_steps(20)
    session.train_d()
    session.train_g()
    snap = session.snapshot()
    assert snap.halted is None
    assert snap.step == 22 and (snap.d_updates, snap.g_updates) == (21, 21)
    for name in ("real", "fake", "push", "surface", "manifold", "grid"):
        value = getattr(snap, name)
        assert isinstance(value, np.ndarray) and np.isfinite(value).all(), name
    assert snap.covered is not None and math.isfinite(snap.js)
