"""What a learner takes away from a live panel: a popover with the experiment as a plain
PyTorch script, the run's histories as CSV and the trained weights as safetensors, and the
loading of weights back from a safetensors file (checked by dlviz.weights). Files are made
when clicked, on Streamlit's own thread, under the session's lock."""

from __future__ import annotations

from functools import partial

import streamlit as st

from dlviz.export import exported
from dlviz.live import LiveSession
from dlviz.ui.session_lock import session_lock
from dlviz.ui.text import escape
from dlviz.weights import MAX_WEIGHTS_BYTES, modules, weights_file


def _csv(session: LiveSession) -> str:
    with session_lock(session):
        return session.history.csv()


def _weights(session: LiveSession) -> bytes:
    with session_lock(session):
        return weights_file(session) or b""


def _load(key: str) -> None:
    """Uploader callback: the file's weights into the session, or why not (the engine
    checks the size, the names, the shapes and the numbers)."""
    upload = st.session_state.get(f"{key}_weights_in")
    if upload is None:
        return
    session = st.session_state[f"{key}_session"]
    with session_lock(session):
        said = session.load_weights(upload.getvalue())
    st.session_state[f"{key}_loaded"] = (
        said is None,
        said or f"Loaded the weights of {upload.name}.",
    )


def takeaway(key: str, session: LiveSession) -> None:
    """The Take away popover (widget keys `{key}_script`, `{key}_csv`, `{key}_weights`,
    `{key}_weights_in`) and, after an upload, what became of it."""
    script = exported(session.config)
    stem = script.file_name.removesuffix(".py") if script else f"dlviz_{key}"
    with st.popover(
        "Take away", icon=":material/download:", width="stretch", key=f"{key}_takeaway"
    ):
        if script:
            st.download_button(
                "PyTorch script (.py)", script.text, file_name=script.file_name,
                mime="text/x-python", key=f"{key}_script", icon=":material/code:",
                on_click="ignore", width="stretch",
                help="This experiment as one plain PyTorch script (no dlviz needed): the "
                "same data, model, seed and training; it prints the losses the page shows.",
            )  # fmt: skip
        st.download_button(
            "Losses (.csv)", partial(_csv, session), file_name=f"{stem}_history.csv",
            mime="text/csv", key=f"{key}_csv", icon=":material/table:", on_click="ignore",
            width="stretch", help="Every recorded check of this run: step, then "
            "each loss and score the charts draw over time.",
        )  # fmt: skip
        if modules(session):
            st.download_button(
                "Weights (.safetensors)", partial(_weights, session),
                file_name=f"{stem}_weights.safetensors", mime="application/octet-stream",
                key=f"{key}_weights", icon=":material/memory:", on_click="ignore",
                width="stretch", help="The trained weights now, by layer name, in "
                "the safetensors format (torch: safetensors.torch.load_file).",
            )  # fmt: skip
            st.file_uploader(
                "Load weights", type=["safetensors"], key=f"{key}_weights_in",
                max_upload_size=max(1, MAX_WEIGHTS_BYTES // 2**20),
                on_change=_load, args=(key,),
                help="A .safetensors file saved here from the same model (the same layers "
                f"and sizes), at most {MAX_WEIGHTS_BYTES // 2**20} MB.",
            )  # fmt: skip
        st.caption(":material/photo_camera: Each chart saves itself as a PNG: hover over it "
                   "and press the camera at its top right.")  # fmt: skip
    if loaded := st.session_state.pop(f"{key}_loaded", None):
        done, said = loaded
        (st.success if done else st.warning)(escape(said), icon=":material/memory:")
