"""dlviz.ui.tick_costs: off by default; with a path, one JSON line per tick, its phases'
CPU times (ms) nested inside the whole view's."""

import json

from dlviz.ui import tick_costs


def _spin(n: int = 200_000) -> int:
    return sum(i * i for i in range(n))  # CPU time a phase can measure


def test_off_by_default_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(tick_costs, "PATH", None)
    tick_costs.begin()
    with tick_costs.phase("draw"):
        _spin()
    tick_costs.end("pg", training=0.1)  # nothing open, nothing written, no error


def test_a_tick_writes_its_phases(tmp_path, monkeypatch):
    log = tmp_path / "ticks.jsonl"
    monkeypatch.setattr(tick_costs, "PATH", str(log))
    for _ in range(2):
        tick_costs.begin()
        with tick_costs.phase("draw"):
            with tick_costs.phase("json"):
                _spin()
            _spin()
        tick_costs.end("pg", training=0.25)
    ticks = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(ticks) == 2
    for tick in ticks:
        assert tick["panel"] == "pg" and tick["training"] == 250.0
        assert 0 < tick["json"] < tick["draw"] <= tick["fragment"]
    tick_costs.end("pg")  # a second end without a begin writes nothing
    assert len(log.read_text().splitlines()) == 2
