"""Pictures a learner gives a page: a file upload (bounded by the server's upload cap; the
engine decodes and checks it) and a canvas to draw on. Streamlit only; no decoding here.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

IMAGE_TYPES = ("png", "jpg", "jpeg", "gif", "bmp", "webp")


def upload(label: str, key: str, help: str | None = None) -> bytes | None:
    """An image file chooser (key `key`); the file's bytes, or None before one is chosen.
    Streamlit refuses files over server.maxUploadSize before they reach the page."""
    chosen = st.file_uploader(label, type=list(IMAGE_TYPES), key=key, help=help)
    return None if chosen is None else chosen.getvalue()


def drawing(key: str, size: int = 200) -> np.ndarray | None:
    """A square canvas to draw on with the mouse or a finger, white ink on black; its pixels
    as RGBA uint8 (size, size, 4), or None before anything is drawn."""
    from streamlit_drawable_canvas import st_canvas  # its component registers on first use

    result = st_canvas(stroke_width=max(8, size // 11), stroke_color="#ffffff",
                       background_color="#000000", height=size, width=size,
                       drawing_mode="freedraw", return_image_data=True, key=key)  # fmt: skip
    pixels = result.image_data
    return None if pixels is None else np.asarray(pixels, dtype=np.uint8)
