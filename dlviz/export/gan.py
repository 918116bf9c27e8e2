"""Exporter of the GAN page's game on the plane: the same target samples, generator and
discriminator, loss, Adam optimizers, noise and batches as a plain PyTorch + NumPy script
that gives the session's D and G losses. The digits GAN's is gan_digits.py."""

from __future__ import annotations

import textwrap

import numpy as np

from dlviz.export.gan_game import BETA1, adam_code, game_source, uses_functional, wrapped
from dlviz.gan.losses import LOSS_LABELS, LOSSES
from dlviz.gan.models import LEAK
from dlviz.gan.session import JUDGED, SHOWN, GanConfig
from dlviz.gan.targets import MODE_SIGMA, NOISES, get_target

CHECK_EVERY = 50  # iterations between the printed checks (the session's at pace "max": 50)

MIXTURE_SOURCE = '''
MODE_SIGMA = {sigma!r}  # the spread of each Gaussian
{modes}


def sample_target(n: int, gen: torch.Generator) -> torch.Tensor:
    """n points (n, 2) of the mixture: a mode picked at random, blurred by MODE_SIGMA."""
    which = torch.randint(0, len(MODES), (n,), generator=gen)
    return torch.from_numpy(MODES)[which] + MODE_SIGMA * torch.randn(n, 2, generator=gen)
'''

# Every shape that is not a mixture draws a position u along it, then a blur, per point.
SHAPE_SOURCE = '''

def sample_target(n: int, gen: torch.Generator) -> torch.Tensor:
    """n points (n, 2) {about}."""
    {u_line}
    jitter = torch.randn(n, 2, generator=gen)
{body}
'''

# Each target's sampler: MIXTURE_SOURCE's modes, or SHAPE_SOURCE's (about, body).
TARGET_CODE: dict[str, str | tuple[str, str]] = {
    "ring": """ANGLES = 2 * math.pi * np.arange(8) / 8  # 8 modes on a circle of radius 2
MODES = np.stack([2 * np.cos(ANGLES), 2 * np.sin(ANGLES)], 1).astype(np.float32)  # (8, 2)""",
    "grid": """TICKS = np.linspace(-2, 2, 5)  # 25 modes on a 5 x 5 grid
MODES = np.stack(np.meshgrid(TICKS, TICKS), -1).reshape(-1, 2).astype(np.float32)  # (25, 2)""",
    "moons": ("along two interleaved half circles, blurred", """\
    upper = torch.rand(n, generator=gen) < 0.5
    angle = math.pi * u
    x = torch.where(upper, torch.cos(angle), 1 - torch.cos(angle))
    y = torch.where(upper, torch.sin(angle), 0.5 - torch.sin(angle))
    return 1.6 * torch.stack([x - 0.5, y - 0.25], 1) + 0.06 * jitter"""),
    "line": ("along a thin slanted segment", """\
    return torch.stack([4 * u - 2, 2 * u - 1], 1) + 0.03 * jitter"""),
    "spiral": ("along one arm winding out from the centre, blurred", """\
    angle, radius = 3 * math.pi * u, 0.3 + 2.2 * u
    points = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], 1)
    return points + 0.05 * jitter"""),
    "drawn": ("of the drawing: drawn points picked at random, blurred", """\
    which = torch.randint(0, len(DRAWN), (n,), generator=gen)
    return torch.from_numpy(DRAWN)[which] + 0.05 * jitter"""),
}  # fmt: skip

DRAWN_SOURCE = '''
# The points drawn on the canvas, x y point after point, as float32 (as dlviz keeps them).
DRAWN_TEXT = """
{numbers}
"""
DRAWN = np.asarray([float(v) for v in DRAWN_TEXT.split()], np.float32).reshape(-1, 2)  # (m, 2)
'''

NOISE_CODE = {
    "gaussian": "torch.randn(n, LATENT, generator=gen)",
    "uniform": "2 * torch.rand(n, LATENT, generator=gen) - 1",
}

GAN_SCRIPT = '''"""{intro}
"""

import argparse
{math_import}from collections import OrderedDict

{numpy_import}import torch
{functional_import}from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

SEED = {seed}
LATENT = {latent}  # G's input: LATENT noise numbers per sample
G_LAYERS, G_WIDTH, BATCH_NORM = {g_layers}, {g_width}, {batch_norm}  # batch norm in G's layers
D_LAYERS, D_WIDTH, SPECTRAL_NORM = {d_layers}, {d_width}, {spectral_norm}  # spectral norm in D's
LEAK = {leak!r}  # LeakyReLU's slope below 0
D_LR, G_LR = {d_lr!r}, {g_lr!r}
BETA1 = {beta1!r}  # Adam's β₁: 0.5 instead of 0.9, as GAN tutorials train
D_STEPS, G_STEPS = {d_steps}, {g_steps}  # D steps, then G steps, per iteration
BATCH_SIZE = {batch_size}
SHOWN = {shown}  # the printed losses are measured on SHOWN fixed real samples and fakes
JUDGED = {judged}  # dlviz measures coverage on JUDGED more real samples and fakes
CHECK_EVERY = {check_every}
{target_source}

def sample_noise(n: int, gen: torch.Generator) -> torch.Tensor:
    """G's input: n noise vectors (n, LATENT) from {noise_label}."""
    return {noise_code}
{game_source}

def mlp(
    inputs: int, width: int, layers: int, outputs: int, batch_norm: bool, spectral: bool
) -> nn.Sequential:
    """`layers` hidden layers of `width` units (linear, batch norm if asked, LeakyReLU), then
    a linear output; spectral norm wraps every linear if asked."""
    named = OrderedDict()
    size = inputs
    for i in range(1, layers + 1):
        linear = nn.Linear(size, width)
        named[f"linear{{i}}"] = spectral_norm(linear) if spectral else linear
        if batch_norm:
            named[f"norm{{i}}"] = nn.BatchNorm1d(width)
        named[f"act{{i}}"] = nn.LeakyReLU(LEAK)
        size = width
    out = nn.Linear(size, outputs)
    named["out"] = spectral_norm(out) if spectral else out
    return nn.Sequential(named)


@torch.no_grad()
def losses(
    d: nn.Module, g: nn.Module, real: torch.Tensor, noise: torch.Tensor
) -> tuple[float, float]:
    """D's loss (without a penalty) and G's on the fixed real samples and G's samples of the
    fixed noise, in eval mode (batch norm's running statistics, no power iteration)."""
    g.eval()
    d.eval()
    fake = g(noise)[:SHOWN]  # G of all JUDGED noise vectors, as dlviz computes it
    d_real, d_fake = d(real), d(fake)
    return float(d_loss(d_real, d_fake)), float(g_loss(d_fake))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=3000)
    steps = parser.parse_args().steps

    torch.manual_seed(SEED)  # the first weights (and spectral norm's vectors), G's then D's
    g = mlp(LATENT, G_WIDTH, G_LAYERS, 2, BATCH_NORM, False)
    d = mlp(2, D_WIDTH, D_LAYERS, 1, False, SPECTRAL_NORM)
    d_opt = {d_adam}
    g_opt = {g_adam}
    batches = torch.Generator().manual_seed(SEED + 1)  # every training batch and noise
    fixed = torch.Generator().manual_seed(SEED + 2)
    real_shown = sample_target(SHOWN, fixed)
    sample_target(JUDGED, fixed)  # dlviz's coverage samples: drawn, so the noise is the same
    noise_shown = sample_noise(JUDGED, fixed)

    for step in range(steps + 1):
        if step % CHECK_EVERY == 0:
            d_now, g_now = losses(d, g, real_shown, noise_shown)
            print(f"step {{step}} D {{d_now!r}} G {{g_now!r}}")
        if step == steps:
            break
        g.train()  # D and G both train in train mode: in D's step, G's batch norm
        d.train()  # updates its statistics; D's spectral norm iterates on every call
        for _ in range(D_STEPS):
            real = sample_target(BATCH_SIZE, batches)  # a fresh real batch, then fresh noise
            train_d(d, g, d_opt, real, sample_noise(BATCH_SIZE, batches){gen_arg})
        for _ in range(G_STEPS):
            train_g(d, g, g_opt, sample_noise(BATCH_SIZE, batches))


if __name__ == "__main__":
    main()
'''


def _float32_text(value: float) -> str:
    """The shortest text that float() then float32 turns into float32(value)."""
    single = np.float32(value)
    short = str(single)
    return short if np.float32(float(short)) == single else repr(float(single))


def target_source(cfg: GanConfig) -> str:
    """The source of sample_target(n, gen) for the config's target, with what it needs."""
    code = TARGET_CODE[get_target(cfg.target).name]
    if isinstance(code, str):
        return MIXTURE_SOURCE.format(sigma=MODE_SIGMA, modes=code)
    about, body = code
    drawn = cfg.target == "drawn"
    source = SHAPE_SOURCE.format(
        about=about, body=body,
        u_line="torch.rand(n, generator=gen)  # dlviz draws a position for every shape: unused"
        if drawn else "u = torch.rand(n, generator=gen)  # the position along the shape",
    )  # fmt: skip
    if not drawn:
        return source
    numbers = " ".join(_float32_text(v) for point in cfg.drawn for v in point)
    return DRAWN_SOURCE.format(numbers=textwrap.fill(numbers, 96)) + source


def _intro(cfg: GanConfig, numpy: bool) -> str:
    """The script's docstring: what it is, its settings, how to run it."""
    target = get_target(cfg.target)
    return wrapped(
        f'A GAN learns the 2-D target "{target.label}" ({target.about}), as on dlviz\'s GAN '
        f"page, in plain PyTorch{' and NumPy' if numpy else ''}.",
        f"Settings: {LOSS_LABELS[cfg.loss]} loss; {cfg.latent}-D {NOISES[cfg.noise]} noise; G "
        f"with {cfg.g_layers} hidden layer(s) of {cfg.g_width} units (batch norm "
        f"{cfg.batch_norm}); D with {cfg.d_layers} hidden layer(s) of {cfg.d_width} units "
        f"(spectral norm {cfg.spectral_norm}); Adam (β₁={BETA1!r}) at {cfg.d_lr!r} for D "
        f"and {cfg.g_lr!r} for G; {cfg.d_steps} D step(s), then {cfg.g_steps} G step(s) per "
        f"iteration; batch {cfg.batch_size}; seed {cfg.seed}.",
        f"Run it with `python dlviz_gan_seed{cfg.seed}.py [--steps N]`; every {CHECK_EVERY} "
        "iterations it prints D's and G's loss on fixed samples. With one CPU thread "
        "(OMP_NUM_THREADS=1, as dlviz trains) the numbers are the page's to the last digit; "
        "on more threads a matrix product may add up in another order. dlviz also pauses a "
        "game whose losses or weights blow up; this script lets it run.",
    )


def gan_script(cfg: GanConfig) -> str:
    """The script of a GanSession of `cfg`: the same target, fixed samples, networks and
    first weights, loss, Adam optimizers, step ratio, noise and batches; D's and G's losses
    every CHECK_EVERY iterations (the session's values at those checks)."""
    targets = target_source(cfg)
    numpy = "np." in targets
    return GAN_SCRIPT.format(
        intro=_intro(cfg, numpy), latent=cfg.latent, noise_label=NOISES[cfg.noise],
        g_layers=cfg.g_layers, g_width=cfg.g_width, batch_norm=cfg.batch_norm,
        d_layers=cfg.d_layers, d_width=cfg.d_width, spectral_norm=cfg.spectral_norm,
        beta1=BETA1, d_lr=cfg.d_lr, g_lr=cfg.g_lr, d_steps=cfg.d_steps, g_steps=cfg.g_steps,
        batch_size=cfg.batch_size, seed=cfg.seed, leak=LEAK, shown=SHOWN, judged=JUDGED,
        check_every=CHECK_EVERY,
        target_source=targets, noise_code=NOISE_CODE[cfg.noise],
        game_source=game_source(cfg.loss),
        math_import="import math\n" if "math." in targets else "",
        numpy_import="import numpy as np\n" if numpy else "",
        functional_import="import torch.nn.functional as F\n" if uses_functional(cfg.loss)
        else "",
        d_adam=adam_code("d.parameters()", "D_LR"), g_adam=adam_code("g.parameters()", "G_LR"),
        gen_arg=", batches" if LOSSES[cfg.loss].penalty else "",
    )  # fmt: skip
