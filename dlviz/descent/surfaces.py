"""The 2-D loss surfaces of the Gradient descent page, written in torch so autograd gives
their gradients: a quadratic bowl with a chosen condition number, a narrow diagonal valley,
a saddle, Rosenbrock, Beale, Himmelblau and Rastrigin. Each knows its formula, view box and
minima. It does not optimise anything (see descend.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor

from dlviz.knobs import Knob, fill

Box = tuple[float, float, float, float]  # x_min, x_max, y_min, y_max


@dataclass(frozen=True)
class Surface:
    """One loss L(x, y), ready to evaluate. `fn` maps a tensor (..., 2) to losses (...)."""

    name: str  # its SURFACES key
    latex: str  # the formula, with any parameter filled in
    fn: Callable[[Tensor], Tensor] = field(repr=False, compare=False)
    box: Box  # the default view
    minima: tuple[tuple[float, float], ...]  # known global minima (empty: unbounded below)
    start: tuple[float, float]  # a start that shows the surface's character
    lr: float  # a good learning rate for SGD-type optimizers (step = lr × gradient)
    step: float  # a good learning rate for adaptive ones (Adam moves ~lr per coordinate)
    steps: int  # enough steps to see what happens
    curvatures: tuple[float, float] | None = None  # Hessian eigenvalues, quadratics only
    log_view: bool = False  # draw heights as log10(1 + L − L_min): losses span decades

    def __call__(self, xy: Tensor) -> Tensor:
        return self.fn(xy)

    @property
    def sgd_limit(self) -> float | None:
        """2 / λmax for a convex quadratic: plain SGD converges only below it."""
        if self.curvatures is None or min(self.curvatures) <= 0:
            return None
        return 2.0 / max(self.curvatures)

    @property
    def radius(self) -> float:
        """Half the larger side of the view box."""
        x0, x1, y0, y1 = self.box
        return max(x1 - x0, y1 - y0) / 2


@dataclass(frozen=True)
class SurfaceSpec:
    """A registry entry: builds a Surface from parameter values."""

    label: str
    blurb: str  # what a learner should look for on it
    build: Callable[..., Surface] = field(repr=False)
    params: tuple[Knob, ...] = ()


def _bowl(condition: float = 10.0) -> Surface:
    k = float(condition)
    return Surface(
        "bowl", rf"L = \tfrac12\,(x^2 + {k:g}\,y^2)",
        lambda p: 0.5 * (p[..., 0] ** 2 + k * p[..., 1] ** 2),
        (-3.0, 3.0, -3.0, 3.0), ((0.0, 0.0),), (-2.5, 2.0),
        lr=0.5 / k, step=0.1, steps=60, curvatures=(1.0, k),
    )  # fmt: skip


def _valley_fn(p: Tensor) -> Tensor:
    u = (p[..., 0] + p[..., 1]) / math.sqrt(2)  # along the valley floor
    v = (p[..., 0] - p[..., 1]) / math.sqrt(2)  # across it
    return 0.05 * u**2 + 5.0 * v**2


def _valley() -> Surface:
    return Surface(
        "valley",
        r"L = 0.05\,u^2 + 5\,v^2,\quad u = \tfrac{x+y}{\sqrt2},\; v = \tfrac{x-y}{\sqrt2}",
        _valley_fn, (-3.0, 3.0, -3.0, 3.0), ((0.0, 0.0),), (-2.8, -1.6),
        lr=0.1, step=0.1, steps=120, curvatures=(0.1, 10.0),
    )  # fmt: skip


def _saddle() -> Surface:
    return Surface(
        "saddle", r"L = x^2 - y^2",
        lambda p: p[..., 0] ** 2 - p[..., 1] ** 2,
        (-2.0, 2.0, -2.0, 2.0), (), (-1.8, 0.02), lr=0.05, step=0.05, steps=80,
        curvatures=(2.0, -2.0),
    )  # fmt: skip


def _rosenbrock_fn(p: Tensor) -> Tensor:
    x, y = p[..., 0], p[..., 1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _beale_fn(p: Tensor) -> Tensor:
    x, y = p[..., 0], p[..., 1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _himmelblau_fn(p: Tensor) -> Tensor:
    x, y = p[..., 0], p[..., 1]
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _rastrigin_fn(p: Tensor) -> Tensor:
    x, y = p[..., 0], p[..., 1]
    tau = 2 * math.pi
    return 20 + x**2 - 10 * torch.cos(tau * x) + y**2 - 10 * torch.cos(tau * y)


def _rosenbrock() -> Surface:
    return Surface(
        "rosenbrock", r"L = (1 - x)^2 + 100\,(y - x^2)^2",
        _rosenbrock_fn, (-2.0, 2.0, -1.0, 3.0), ((1.0, 1.0),), (-1.5, 2.5),
        lr=0.001, step=0.05, steps=500, log_view=True,
    )  # fmt: skip


def _beale() -> Surface:
    return Surface(
        "beale",
        r"L = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        _beale_fn, (-4.5, 4.5, -4.5, 4.5), ((3.0, 0.5),), (1.0, 1.5),
        lr=0.005, step=0.05, steps=300, log_view=True,
    )  # fmt: skip


def _himmelblau() -> Surface:
    minima = ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126))
    return Surface(
        "himmelblau", r"L = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        _himmelblau_fn, (-5.0, 5.0, -5.0, 5.0), minima, (-0.3, -0.8),
        lr=0.01, step=0.1, steps=150, log_view=True,
    )  # fmt: skip


def _rastrigin() -> Surface:
    return Surface(
        "rastrigin",
        r"L = 20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y",
        _rastrigin_fn, (-5.12, 5.12, -5.12, 5.12), ((0.0, 0.0),), (3.3, 2.6),
        lr=0.002, step=0.1, steps=200,
    )  # fmt: skip


SURFACES: dict[str, SurfaceSpec] = {
    "bowl": SurfaceSpec(
        "Quadratic bowl",
        "a round bowl stretched along y by the condition number κ = λmax/λmin: the larger "
        "κ, the narrower the bowl and the smaller the largest stable step",
        _bowl,
        (
            Knob(
                10.0,
                "condition number κ",
                low=1.0,
                high=100.0,
                options=(1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0),
                name="condition",
            ),
        ),
    ),
    "valley": SurfaceSpec(
        "Narrow valley",
        "a long diagonal ravine (κ = 100): steep walls across, an almost flat floor along",
        _valley,
    ),
    "saddle": SurfaceSpec(
        "Saddle", "a minimum along x and a maximum along y: no lowest point at all", _saddle
    ),
    "rosenbrock": SurfaceSpec(
        "Rosenbrock",
        "a curved, flat-bottomed banana valley; the minimum (1, 1) is on its floor",
        _rosenbrock,
    ),
    "beale": SurfaceSpec(
        "Beale", "flat plateaus and very steep corners; the minimum is at (3, 0.5)", _beale
    ),
    "himmelblau": SurfaceSpec(
        "Himmelblau",
        "four equally deep minima: where you start decides where you end",
        _himmelblau,
    ),
    "rastrigin": SurfaceSpec(
        "Rastrigin",
        "a bowl covered in bumps: dozens of local minima around the global one",
        _rastrigin,
    ),
}


def get_surface(name: str, **params: float) -> Surface:
    """The surface `name` from SURFACES built with `params` (defaults fill the rest).
    Raises ValueError naming the choices for an unknown name or parameter, or a value out
    of its range."""
    if name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; choose one of {', '.join(SURFACES)}")
    spec = SURFACES[name]
    return spec.build(**fill(spec.params, params, name))


@dataclass(frozen=True)
class ContourGrid:
    """A loss on a grid, ready for a contour map: z[i, j] = L(xs[j], ys[i]), float64."""

    xs: np.ndarray  # (nx,)
    ys: np.ndarray  # (ny,)
    z: np.ndarray  # (ny, nx)
    minima: tuple[tuple[float, float], ...]  # known minima, drawn as stars
    log_view: bool  # heights drawn as log10(1 + L − L_min)
    box: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max of the view


def contour_grid(surface: Surface, n: int = 80) -> ContourGrid:
    """`surface` evaluated on an n × n grid over its view box, with its minima."""
    xs, ys, z = surface_grid(surface, n)
    return ContourGrid(xs, ys, z, surface.minima, surface.log_view, surface.box)


def surface_grid(surface: Surface, n: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss on an n × n grid over the view box: x (n,), y (n,), z (n, n) float64 with
    z[i, j] = L(x[j], y[i]) (Plotly's contour/surface layout). 8 ≤ n ≤ 400."""
    if not 8 <= n <= 400:
        raise ValueError(f"grid size must be 8..400, got {n}")
    x0, x1, y0, y1 = surface.box
    xs, ys = (
        torch.linspace(x0, x1, n, dtype=torch.float64),
        torch.linspace(y0, y1, n, dtype=torch.float64),
    )
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")  # (n, n) each, rows along y
    with torch.no_grad():
        z = surface(torch.stack([xx, yy], dim=-1))  # (n, n, 2) → (n, n)
    return xs.numpy(), ys.numpy(), z.numpy()
