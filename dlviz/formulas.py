"""Numbers written into LaTeX formulas the same way on every page (a worked convolution sum,
an LSTM gate with its weights). Text only: no torch, no streamlit.
"""

from __future__ import annotations


def latex_number(v: float) -> str:
    """A term of a written-out sum: 3 significant digits, a negative one in brackets."""
    text = f"{v + 0.0:.3g}"  # + 0.0 turns −0.0 (e.g. −0.5 × 0) into 0
    return f"({text})" if v < 0 else text
