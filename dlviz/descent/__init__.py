"""Gradient descent and its optimizers: 2-D loss surfaces (surfaces.py), learning-rate
SCHEDULES of real lr_schedulers (schedules.py), trajectories on a surface (descend.py),
mini-batch noise on a linear regression (minibatch.py), the knobs of the page's sections
(views.py) and the live optimizer race on a real network (optimizer_race.py, with its loss
landscape slice in landscape.py). The optimizers themselves are dlviz.optimizers.
"""

from dlviz.descent.descend import MAX_STEPS, Trajectory, default_lr, descend, describe, lr_trio
from dlviz.descent.landscape import DIRECTIONS, LandscapeSlice
from dlviz.descent.minibatch import (
    BatchPath,
    RegressionData,
    batch_path,
    batch_paths,
    least_squares,
    mse,
    mse_contour,
    mse_grid,
    regression_data,
)
from dlviz.descent.optimizer_race import (
    LANDSCAPES,
    OptimizerRaceConfig,
    OptimizerRaceSession,
    OptimizerRaceSnapshot,
)
from dlviz.descent.schedules import SCHEDULES, ScheduleSpec, build_schedule, get_schedule
from dlviz.descent.surfaces import (
    SURFACES,
    ContourGrid,
    Surface,
    SurfaceSpec,
    contour_grid,
    get_surface,
    surface_grid,
)

__all__ = [
    "DIRECTIONS",
    "LANDSCAPES",
    "MAX_STEPS",
    "SCHEDULES",
    "SURFACES",
    "BatchPath",
    "ContourGrid",
    "LandscapeSlice",
    "OptimizerRaceConfig",
    "OptimizerRaceSession",
    "OptimizerRaceSnapshot",
    "RegressionData",
    "ScheduleSpec",
    "Surface",
    "SurfaceSpec",
    "Trajectory",
    "batch_path",
    "batch_paths",
    "build_schedule",
    "contour_grid",
    "default_lr",
    "descend",
    "describe",
    "get_schedule",
    "get_surface",
    "least_squares",
    "lr_trio",
    "mse",
    "mse_contour",
    "mse_grid",
    "regression_data",
    "surface_grid",
]
