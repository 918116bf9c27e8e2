"""Gradient descent and its optimizers: 2-D loss surfaces (surfaces.py), the OPTIMIZERS and
SCHEDULES registries of real torch.optim optimizers and lr_schedulers (optimizers.py,
schedules.py), trajectories on a surface (descend.py), mini-batch noise on a linear
regression (minibatch.py) and the live optimizer race on a real network (race.py).
"""

from dlviz.descent.descend import MAX_STEPS, Trajectory, default_lr, descend, describe, lr_trio
from dlviz.descent.knobs import Hyper
from dlviz.descent.minibatch import (
    BatchPath,
    RegressionData,
    batch_path,
    batch_paths,
    least_squares,
    mse,
    mse_grid,
    regression_data,
)
from dlviz.descent.optimizers import (
    OPTIMIZERS,
    OptimizerSpec,
    build_optimizer,
    get_optimizer,
    rate_label,
)
from dlviz.descent.race import (
    DIRECTIONS,
    LandscapeSlice,
    OptimizerRaceConfig,
    OptimizerRaceSession,
    OptimizerRaceSnapshot,
)
from dlviz.descent.schedules import SCHEDULES, ScheduleSpec, build_schedule, get_schedule
from dlviz.descent.surfaces import SURFACES, Surface, SurfaceSpec, get_surface, surface_grid

__all__ = [
    "DIRECTIONS",
    "MAX_STEPS",
    "OPTIMIZERS",
    "SCHEDULES",
    "SURFACES",
    "BatchPath",
    "Hyper",
    "LandscapeSlice",
    "OptimizerRaceConfig",
    "OptimizerRaceSession",
    "OptimizerRaceSnapshot",
    "OptimizerSpec",
    "RegressionData",
    "ScheduleSpec",
    "Surface",
    "SurfaceSpec",
    "Trajectory",
    "batch_path",
    "batch_paths",
    "build_optimizer",
    "build_schedule",
    "default_lr",
    "descend",
    "describe",
    "get_optimizer",
    "get_schedule",
    "get_surface",
    "least_squares",
    "lr_trio",
    "mse",
    "mse_grid",
    "rate_label",
    "regression_data",
    "surface_grid",
]  # fmt: skip
