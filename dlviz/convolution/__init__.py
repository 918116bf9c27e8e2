"""Convolution: explicit 2-D convolution and pooling window by window (windows.py), transposed
convolution (transposed.py), receptive fields (receptive.py), the kernel registry and typed
kernels (kernels.py), photos, uploads and drawn digits (images.py), the page's by-hand and
photo views (hand.py), a small CNN trained live on the digits (model.py, session.py), and
units and digits read from its snapshot (units.py)."""

from dlviz.convolution.hand import (
    UPLOAD,
    Filtered,
    Hand,
    HandConfig,
    PhotoConfig,
    PoolConfig,
    filter_photo,
    photo_of,
    pool_by_hand,
    products_line,
    size_formula,
    work_by_hand,
)
from dlviz.convolution.images import (
    PHOTOS,
    UploadError,
    decode_upload,
    digit_from,
    digit_from_drawing,
    digit_from_upload,
    load_photo,
)
from dlviz.convolution.kernels import KERNELS, get_kernel, parse_grid, parse_kernel
from dlviz.convolution.session import CnnConfig, CnnSession, CnnSnapshot
from dlviz.convolution.units import (
    Reading,
    Unit,
    UnitConfig,
    open_picked,
    open_unit,
    read_digit,
    read_learners_digit,
    unit_limits,
    unit_line,
)
from dlviz.convolution.windows import Windows, conv_windows, output_size, pool_windows

__all__ = [
    "KERNELS",
    "PHOTOS",
    "UPLOAD",
    "CnnConfig",
    "CnnSession",
    "CnnSnapshot",
    "Filtered",
    "Hand",
    "HandConfig",
    "PhotoConfig",
    "PoolConfig",
    "Reading",
    "Unit",
    "UnitConfig",
    "UploadError",
    "Windows",
    "conv_windows",
    "decode_upload",
    "digit_from",
    "digit_from_drawing",
    "digit_from_upload",
    "filter_photo",
    "get_kernel",
    "load_photo",
    "open_picked",
    "open_unit",
    "output_size",
    "parse_grid",
    "parse_kernel",
    "photo_of",
    "pool_by_hand",
    "pool_windows",
    "products_line",
    "read_digit",
    "read_learners_digit",
    "size_formula",
    "unit_limits",
    "unit_line",
    "work_by_hand",
]
