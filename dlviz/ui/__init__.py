"""The only dlviz package that imports streamlit: the page frame and sidebar (frame.py),
charts that update in place (charts.py), the live panel every trainable page uses
(live.py) and shared widget groups (widgets.py). It draws no topic charts itself.
"""

from dlviz.ui.charts import live_chart
from dlviz.ui.frame import TOPICS, Topic, page_intro, ranged_slider, setup_page, sidebar
from dlviz.ui.live import (
    TICK_BUDGET_S,
    TICK_INTERVAL_S,
    get_session,
    live_panel,
    live_session,
    race_readouts,
    session_lock,
)
from dlviz.ui.widgets import (
    LR_CHOICES,
    activation_label,
    activation_params,
    init_picker,
    knob_sliders,
    lr_slider,
    optimizer_label,
    optimizer_settings,
    point_sliders,
)

__all__ = [
    "LR_CHOICES",
    "TICK_BUDGET_S",
    "TICK_INTERVAL_S",
    "TOPICS",
    "Topic",
    "activation_label",
    "activation_params",
    "get_session",
    "init_picker",
    "knob_sliders",
    "live_chart",
    "live_panel",
    "live_session",
    "lr_slider",
    "optimizer_label",
    "optimizer_settings",
    "page_intro",
    "point_sliders",
    "race_readouts",
    "ranged_slider",
    "session_lock",
    "setup_page",
    "sidebar",
]
