"""dlviz.descent.surfaces: every surface against its formula written in NumPy, flat and zero
at its known minima, the quadratics' Hessian eigenvalues by autograd, the grid layout
(rows run along y) and the registry's errors."""

import math

import numpy as np
import pytest
import torch

from dlviz.descent.surfaces import SURFACES, ContourGrid, contour_grid, get_surface, surface_grid

FORMULAS = {  # L(x, y) in NumPy, written independently of the torch code
    "bowl": lambda x, y: 0.5 * (x**2 + 10 * y**2),
    "valley": lambda x, y: 0.05 * ((x + y) / math.sqrt(2)) ** 2 + 5 * ((x - y) / math.sqrt(2)) ** 2,
    "saddle": lambda x, y: x**2 - y**2,
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "beale": lambda x, y: (
        (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2
    ),
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "rastrigin": lambda x, y: (
        20 + x**2 - 10 * np.cos(2 * np.pi * x) + y**2 - 10 * np.cos(2 * np.pi * y)
    ),
}


@pytest.mark.parametrize("name", list(SURFACES))
def test_each_surface_matches_its_formula(name):
    surf = get_surface(name)
    points = np.random.default_rng(0).uniform(-3, 3, (50, 2))
    got = surf(torch.from_numpy(points)).numpy()
    np.testing.assert_allclose(got, FORMULAS[name](points[:, 0], points[:, 1]), rtol=1e-12)
    assert surf.name == name and surf.latex and SURFACES[name].blurb


# how many minima each surface lists: Himmelblau's four equal ones, none for the saddle
MINIMA = {"bowl": 1, "valley": 1, "saddle": 0, "rosenbrock": 1, "beale": 1, "himmelblau": 4,
          "rastrigin": 1}  # fmt: skip


@pytest.mark.parametrize("name", list(SURFACES))
def test_each_surface_is_flat_and_zero_at_its_minima(name):
    surf = get_surface(name)
    assert len(surf.minima) == MINIMA[name]  # the loop below checks something unless saddle
    for point in surf.minima:
        p = torch.tensor(point, dtype=torch.float64, requires_grad=True)
        loss = surf(p)
        loss.backward()
        assert abs(loss.item()) < 1e-9
        assert np.abs(p.grad.numpy()).max() < 1e-4
    x0, x1, y0, y1 = surf.box
    assert x0 < surf.start[0] < x1 and y0 < surf.start[1] < y1


def test_the_saddle_is_flat_at_the_origin_but_goes_down_along_y():
    surf = get_surface("saddle")
    origin = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    surf(origin).backward()
    assert surf(origin).item() == 0.0 and origin.grad.abs().max().item() < 1e-12
    step = 0.1
    along = surf(torch.tensor([[0.0, step], [0.0, -step], [step, 0.0], [-step, 0.0]]))
    assert (along[:2] < 0).all() and (along[2:] > 0).all()  # no minimum: a way down along y


@pytest.mark.parametrize(("name", "params"), [("bowl", {"condition": 50.0}), ("valley", {}),
                                              ("saddle", {})])  # fmt: skip
def test_quadratic_curvatures_are_the_hessian_eigenvalues(name, params):
    surf = get_surface(name, **params)
    hessian = torch.autograd.functional.hessian(surf, torch.zeros(2, dtype=torch.float64))
    eigen = np.linalg.eigvalsh(hessian.numpy())
    np.testing.assert_allclose(sorted(surf.curvatures), eigen, atol=1e-12)


def test_sgd_limit_is_two_over_the_largest_curvature_and_only_for_convex_quadratics():
    assert get_surface("bowl", condition=20.0).sgd_limit == pytest.approx(0.1)
    assert get_surface("saddle").sgd_limit is None  # a negative curvature: no bound
    assert get_surface("rosenbrock").sgd_limit is None  # not a quadratic
    assert get_surface("beale").radius == 4.5


def test_surface_grid_rows_run_along_y():
    surf = get_surface("himmelblau")
    xs, ys, z = surface_grid(surf, n=30)
    i, j = 7, 21
    expected = (xs[j] ** 2 + ys[i] - 11) ** 2 + (xs[j] + ys[i] ** 2 - 7) ** 2
    assert z.shape == (30, 30) and z[i, j] == pytest.approx(expected)
    assert (xs[0], xs[-1], ys[0], ys[-1]) == surf.box
    with pytest.raises(ValueError, match=r"8\.\.400"):
        surface_grid(surf, n=4)


def test_contour_grid_carries_the_surface_s_view():
    surf = get_surface("rosenbrock")
    grid = contour_grid(surf, n=12)
    assert isinstance(grid, ContourGrid) and grid.z.shape == (12, 12)
    assert grid.minima == ((1.0, 1.0),) and grid.log_view and grid.box == surf.box
    np.testing.assert_array_equal(grid.z, surface_grid(surf, 12)[2])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: get_surface("volcano"), ", ".join(SURFACES)),
        (lambda: get_surface("bowl", width=3), r"has no setting 'width' \(it has: condition\)"),
        (lambda: get_surface("bowl", condition=1e3), r"\(condition\) must be a number from 1 to"),
        (lambda: get_surface("bowl", condition=math.nan), r"\(condition\)"),
        (lambda: get_surface("valley", condition=2.0), "it has: none"),
    ],
)
def test_unknown_names_and_bad_parameters_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
