"""How long a learner who opens a page in a fresh tab waits for its first chart: for every
page, `streamlit run app.py` started anew, then headless Chromium (a fresh browser context
per visit, so nothing is cached) opens the page once on the fresh server (cold) and again
(warm), and times from navigation start to the first chart drawn.

    python bench/first_chart.py [--warm N] [PAGE ...]     (default: 2 warm visits, all pages)

A chart is drawn when a live chart (`dlvizLiveChart`) or an st.plotly_chart holds Plotly's
`.main-svg`, or an Altair chart holds its canvas, with a non-empty box. The home page has no
chart: its "first chart" is its first topic card's link. The breakdown, all in ms from
navigation start: the first live chart drawn; the page's first byte; the websocket's
new-session message (the script run starts) and first delta; the first script run's end;
the first chart element in the DOM; every chart drawn (when the last one present appeared);
each Plotly bundle fetched (resource timing) and run (its <script>'s load event). Timings
from a shared machine are noisy: compare medians of several warm visits.
Needs Debian's chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT))

from browser_launch import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

from bench.live_app import start_server  # noqa: E402

PAGES = ["/", *(f"/{p.stem}" for p in sorted((ROOT / "pages").glob("*.py")))]
SETTLE_MS = 1500  # the page counts as settled once no chart appeared for this long
VISIT_TIMEOUT_S = 60.0

# Runs in the page before any of its scripts. Wraps WebSocket to note when Streamlit's
# ForwardMsgs arrive (the oneof field number after hash=1 and metadata=2 says the kind:
# 4 new_session, 5 delta, 6 script_finished), and watches the DOM for charts drawn and for
# Plotly's <script> tag running.
PROBE_JS = """
(() => {
  const home = %(home)s;
  const fc = (window.__fc = {
    first: null, kind: null, firstLive: null, all: null, mounted: null,
    drawn: 0, total: 0, lastChange: 0,
    newSession: null, firstDelta: null, scriptFinished: null, frames: 0, bytes: 0,
    scripts: [],
  });
  performance.setResourceTimingBufferSize(5000);
  const kindOf = (buf) => {
    const b = new Uint8Array(buf);
    let i = 0;
    const varint = () => {
      let x = 0, s = 0, c;
      do { c = b[i++]; x += (c & 0x7f) * 2 ** s; s += 7; } while (c & 0x80 && i < b.length);
      return x;
    };
    while (i < b.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag & 7;
      if (field > 2) return field;
      if (wire === 0) varint();
      else if (wire === 2) { const n = varint(); i += n; }  // not i += varint(): reads i first
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return -1;
    }
    return 0;
  };
  const note = (t, buf) => {
    fc.frames += 1;
    fc.bytes += buf.byteLength;
    const kind = kindOf(buf);
    if (kind === 4 && fc.newSession === null) fc.newSession = t;
    if (kind === 5 && fc.firstDelta === null) fc.firstDelta = t;
    if (kind === 6 && fc.scriptFinished === null && fc.newSession !== null) fc.scriptFinished = t;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (ev) => {
        const t = performance.now();
        if (ev.data instanceof ArrayBuffer) note(t, ev.data);
        else if (ev.data instanceof Blob) ev.data.arrayBuffer().then((b) => note(t, b));
      });
    }
  };
  const CHARTS = [
    ["live", '[data-testid="dlvizLiveChart"]', ".main-svg"],
    ["plotly_chart", '[data-testid="stPlotlyChart"]', ".main-svg"],
    ["altair", '[data-testid="stVegaLiteChart"]', "canvas, svg"],
  ];
  const shown = (el) => {
    const r = el && el.getBoundingClientRect();
    return !!r && r.width > 0 && r.height > 0;
  };
  const scan = () => {
    const now = performance.now();
    let drawn = 0, total = 0;
    for (const [kind, box, mark] of CHARTS) {
      for (const el of document.querySelectorAll(box)) {
        total += 1;
        if (shown(el.querySelector(mark))) {
          drawn += 1;
          if (fc.first === null) { fc.first = now; fc.kind = kind; }
          if (kind === "live" && fc.firstLive === null) fc.firstLive = now;
        }
      }
    }
    if (home && fc.first === null) {
      const link = document.querySelector('[data-testid="stMain"] [data-testid="stPageLink"]');
      if (shown(link)) { fc.first = now; fc.kind = "page link"; }
    }
    if (total > 0 && fc.mounted === null) fc.mounted = now;
    if (drawn !== fc.drawn || total !== fc.total) {
      fc.drawn = drawn; fc.total = total; fc.lastChange = now;
      if (drawn > 0 && drawn === total) fc.all = now;
    }
    for (const s of document.querySelectorAll("script[src*=plotly]:not([data-fc])")) {
      s.dataset.fc = "1";
      s.addEventListener("load", () => fc.scripts.push({
        name: new URL(s.src).pathname.split("/static/").pop(), loaded: performance.now(),
      }));
    }
  };
  new MutationObserver(scan).observe(document, { childList: true, subtree: true });
  setInterval(scan, 50);
})();
"""

COLLECT_JS = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const plotly = performance.getEntriesByType("resource")
    .filter((e) => /plotly/i.test(e.name))
    .map((e) => ({ name: new URL(e.name).pathname.split("/static/").pop(),
                   start: e.startTime, end: e.responseEnd,
                   transfer: e.transferSize, body: e.encodedBodySize,
                   decoded: e.decodedBodySize }));
  return { ...window.__fc, ttfb: nav ? nav.responseStart : null, plotly, now: performance.now() };
}
"""


def visit(browser: Browser, url: str, home: bool) -> dict:
    """One visit in a fresh context: the probe's timings, once the page settled."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.add_init_script(PROBE_JS % {"home": "true" if home else "false"})
        page.goto(url, wait_until="commit")
        deadline = time.monotonic() + VISIT_TIMEOUT_S
        while True:
            got = page.evaluate(COLLECT_JS)
            ready = got["first"] is not None and got["scriptFinished"] is not None
            if ready and got["now"] - max(got["lastChange"], got["first"]) > SETTLE_MS:
                return got
            if time.monotonic() > deadline:
                got["timed_out"] = True
                return got
            page.wait_for_timeout(100)
    finally:
        context.close()


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def plotly_summary(got: dict) -> str:
    """Each Plotly bundle the page fetched: name, bytes on the wire, fetch span, run end."""
    parts = []
    loaded = {s["name"]: s["loaded"] for s in got["scripts"]}
    for r in got["plotly"]:
        wire = r["transfer"] or r["body"]
        ran = loaded.get(r["name"])
        ran_text = f", ran by {_ms(ran)}" if ran is not None else ""
        parts.append(f"{r['name']} {wire / 1e6:.2f} MB {_ms(r['start'])}→{_ms(r['end'])}{ran_text}")
    return "; ".join(parts) or "none"


def row(label: str, got: dict) -> str:
    cells = [
        label,
        _ms(got["first"]) + (" (timed out)" if got.get("timed_out") else ""),
        got["kind"] or "—",
        _ms(got["firstLive"]),
        _ms(got["ttfb"]),
        _ms(got["newSession"]),
        _ms(got["firstDelta"]),
        _ms(got["scriptFinished"]),
        _ms(got["mounted"]),
        _ms(got["all"]),
        f"{got['drawn']}/{got['total']}",
        plotly_summary(got),
    ]
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| visit | first chart | kind | first live chart | first byte | new session | first delta "
    "| script done | chart in DOM | all charts | charts drawn | Plotly JS: size, fetched, ran |\n"
    "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"
)


def measure(path: str, warm: int, browser: Browser) -> list[tuple[str, dict]]:
    """A fresh server: one cold visit, then `warm` more, each in a fresh browser context."""
    port = free_port()
    server = start_server(port)
    try:
        url = f"http://127.0.0.1:{port}{path}"
        home = path == "/"
        visits = [("cold", visit(browser, url, home))]
        visits += [(f"warm {k + 1}", visit(browser, url, home)) for k in range(warm)]
        return visits
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=2, help="warm visits per page")
    parser.add_argument("pages", nargs="*", default=PAGES)
    args = parser.parse_args()
    summary = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for path in args.pages:
            visits = measure(path, args.warm, browser)
            print(f"\n### {path}\n\nms from navigation start\n\n{HEADER}")
            for label, got in visits:
                print(row(label, got))
            warm_firsts = [g["first"] for label, g in visits[1:] if g["first"] is not None]
            summary.append((path, visits[0][1], warm_firsts))
            sys.stdout.flush()
        browser.close()
    print("\n### First chart, s from navigation start\n")
    print("| page | cold | warm (median) | charts |\n|---|--:|--:|--:|")
    for path, cold, warm_firsts in summary:
        warm_text = f"{statistics.median(warm_firsts) / 1000:.2f}" if warm_firsts else "—"
        first = "—" if cold["first"] is None else f"{cold['first'] / 1000:.2f}"
        print(f"| {path} | {first} | {warm_text} | {cold['total']} |")


if __name__ == "__main__":
    main()
