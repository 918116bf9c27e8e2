"""AppTest of the sidebar's replica name: with DLVIZ_REPLICA set (deploy/replicas.py sets
it for each replica behind the balancer) the "Compute: ..." caption names the server; an
unset, empty, too long or odd value is ignored."""

import pytest
from pagekit import open_page

from dlviz.ui.frame import REPLICA_ENV, replica_name


def compute_caption(at) -> str:
    (found,) = [c.value for c in at.sidebar.caption if c.value.startswith("Compute: ")]
    return found


def test_the_compute_caption_names_the_replica_and_escapes_markdown(monkeypatch):
    monkeypatch.delenv(REPLICA_ENV, raising=False)
    assert "server" not in compute_caption(open_page("app.py"))
    monkeypatch.setenv(REPLICA_ENV, "room_2-b")
    assert compute_caption(open_page("app.py")).endswith(r" · server room\_2-b")


@pytest.mark.parametrize(
    "value", ["", "x" * 33, "<b>r1</b>", "r 1", "r1\n", "**r1**", "r1;", "é", "[r](x)"]
)
def test_an_odd_replica_name_is_ignored(monkeypatch, value):
    monkeypatch.setenv(REPLICA_ENV, value)
    assert replica_name() is None


def test_a_plain_replica_name_is_kept(monkeypatch):
    for value in ("r1", "a", "x" * 32, "eu-west_3"):
        monkeypatch.setenv(REPLICA_ENV, value)
        assert replica_name() == value
