"""The only dlviz package that imports streamlit: the page frame, prose and sidebar
(frame.py), widgets drawn from knobs and bound to the URL (knobs.py), shared widget groups
over registries (widgets.py), charts that update in place (charts.py), the live panel
(live.py), the race panel (race.py) and safe display of typed text (text.py). It draws no
topic's charts itself.
"""

from dlviz.ui.charts import browser_chart, clicked, live_chart
from dlviz.ui.frame import TOPICS, Page, Topic, classroom, controls, render, sidebar
from dlviz.ui.knobs import (
    counted,
    knob_columns,
    knob_items,
    knob_set,
    knob_widget,
    knobs,
    make_config,
)
from dlviz.ui.live import TICK_BUDGET_S, TICK_INTERVAL_S, last_snapshot, live_panel
from dlviz.ui.pictures import drawing, upload
from dlviz.ui.race import PER_CONTESTANT, race_panel, race_readouts, stopped_captions
from dlviz.ui.text import code, escape
from dlviz.ui.widgets import (
    activation_params,
    optimizer_rates,
    optimizer_settings,
    point_sliders,
)

__all__ = [
    "PER_CONTESTANT",
    "TICK_BUDGET_S",
    "TICK_INTERVAL_S",
    "TOPICS",
    "Page",
    "Topic",
    "activation_params",
    "browser_chart",
    "classroom",
    "clicked",
    "code",
    "controls",
    "counted",
    "drawing",
    "escape",
    "knob_columns",
    "knob_items",
    "knob_set",
    "knob_widget",
    "knobs",
    "last_snapshot",
    "live_chart",
    "live_panel",
    "make_config",
    "optimizer_rates",
    "optimizer_settings",
    "point_sliders",
    "race_panel",
    "race_readouts",
    "render",
    "sidebar",
    "stopped_captions",
    "upload",
]
