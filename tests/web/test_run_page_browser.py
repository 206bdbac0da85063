"""The run page in a real browser: form, live animation, playback, permalink.

Debian's chromium runs headless through Playwright against Daphne in
embedded mode. Screenshots go to $ARTIFACTS, else build/screenshots.
"""

import json
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Response, sync_playwright

from tests.web.processes import Server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
WAIT_MS = 30_000


def artifacts_dir() -> Path:
    folder = Path(os.environ.get("ARTIFACTS") or ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page_errors() -> list[str]:
    """Uncaught script errors and failed requests of the page, in order."""
    return []


def record_http_error(response: Response, errors: list[str]) -> None:
    # Browsers ask for /favicon.ico on their own, and the site has none.
    if response.status >= 400 and not response.url.endswith("/favicon.ico"):
        errors.append(f"{response.status} {response.url}")


@pytest.fixture
def page(page_errors: list[str]) -> Iterator[Page]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; install the chromium package")
        pytest.skip(f"{CHROMIUM} is missing; install it with apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1000, "height": 1400})
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.on("response", lambda response: record_http_error(response, page_errors))
        yield page
        browser.close()


def readout(page: Page) -> tuple[float, int, str]:
    """Return (t, k, mode) from the player's readout line."""
    text = page.locator("#readout").inner_text()
    match = re.fullmatch(r"t = ([\d.]+) ms · event (\d+) of \d+ · (\w+)", text)
    assert match, text
    return float(match[1]), int(match[2]), match[3]


def next_frame(page: Page) -> None:
    """Wait until the page has drawn twice, so the controls are current."""
    page.evaluate(
        "() => new Promise((done) =>"
        " requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


def committed(page: Page, node: int) -> int:
    text = page.locator(f'.card[data-node="{node}"] .commit-count').inner_text()
    return int(text.split()[0])


def caption(page: Page, node: int) -> str:
    text = page.locator(f'g.node[data-node="{node}"] .node-caption').text_content()
    return text or ""


def submit_run(page: Page, server: Server, fields: dict[str, str]) -> None:
    """Fill the form's fields (by id), submit it and wait until the run ends."""
    page.goto(f"{server.http}/runs/new")
    for field, value in fields.items():
        if field == "protocol":
            page.select_option("#id_protocol", value)
        else:
            page.fill(f"#id_{field}", value)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/runs/[\w-]+/$"))
    page.wait_for_function(
        "document.getElementById('status').textContent.trim() === 'done'"
    )


def submit_pbft_crash(page: Page, server: Server) -> None:
    fields = {"protocol": "pbft", "faults": "0 crash at_ms=300"}
    submit_run(page, server, fields | {"stop_time_ms": "3000"})


def test_run_page_plays_run(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """Replay a PBFT run whose first primary crashes: view 0 commits, then
    view 1 takes over; pause, step and a ?t= link reproduce a moment."""
    screenshots = artifacts_dir()
    submit_pbft_crash(page, embedded_server)

    page.reload()
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('playing')"
    )
    assert caption(page, 1).startswith("v0")
    page.wait_for_function(
        "Number(document.querySelector('.card[data-node=\"1\"] .commit-count')"
        ".textContent.split(' ')[0]) >= 3"
    )
    early = committed(page, 1)
    page.keyboard.press("+")
    page.keyboard.press("+")
    page.wait_for_function(
        "document.querySelector('g.node[data-node=\"1\"] .node-caption')"
        ".textContent.startsWith('v1')"
    )
    # The cards are redrawn a few times a second, so wait for node 1's count
    # to grow rather than assume that a commit is drawn by now.
    page.wait_for_function(
        "Number(document.querySelector('.card[data-node=\"1\"] .commit-count')"
        f".textContent.split(' ')[0]) > {early}"
    )
    # Pause before the screenshot, which takes long enough for the
    # playback to reach the end of the log.
    page.keyboard.press("Space")
    next_frame(page)
    page.screenshot(path=str(screenshots / "run-page-view-1.png"), full_page=True)
    assert committed(page, 1) > early
    assert page.locator('g.node[data-node="0"].crashed').count() == 1
    assert page.locator("#spacetime g.arrow").count() > 0

    paused = readout(page)
    assert paused[2] == "paused"
    page.wait_for_timeout(300)
    assert readout(page) == paused
    page.keyboard.press("ArrowRight")
    next_frame(page)
    assert readout(page)[1] == paused[1] + 1
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    next_frame(page)
    assert readout(page)[1] == paused[1] - 1

    page.click("#copy-link")
    next_frame(page)
    link = page.locator("#link-output").input_value()
    moment, stepped, _ = readout(page)
    assert round(float(parse_qs(urlsplit(link).query)["t"][0]), 1) == moment
    page.goto(link)
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('paused')"
    )
    reloaded = readout(page)
    assert reloaded[0] == moment
    assert reloaded[1] == stepped
    assert caption(page, 1).startswith("v1")
    page.screenshot(path=str(screenshots / "run-page-permalink.png"), full_page=True)
    assert page_errors == []


def test_charts_load_plotly(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """Opening the charts loads plotly.js and draws the six charts."""
    submit_pbft_crash(page, embedded_server)
    page.click("#charts summary")
    charts = ("heights", "views", "messages", "latency", "throughput", "view-map")
    for chart in charts:
        page.wait_for_selector(f"#chart-{chart} .main-svg")
    titles = page.locator("#charts .gtitle").all_text_contents()
    page.locator("#charts").screenshot(path=str(artifacts_dir() / "run-charts.png"))
    assert titles == [
        "committed height",
        "view (round)",
        "sends per 100 ms",
        "commit latency (ms)",
        "commits per second",
        "view per node",
    ]
    assert page_errors == []


def test_edit_and_rerun_link(page: Page, embedded_server: Server) -> None:
    """The run page links to the form, filled from the run's scenario."""
    submit_pbft_crash(page, embedded_server)
    page.click("#edit-rerun")
    page.wait_for_url(re.compile(r"/runs/new\?from="))
    assert page.locator("#id_faults").input_value().startswith("0 crash")


def test_hotstuff_faults_and_key(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """Seven HotStuff nodes, one equivocating and one crashing at 500 ms:
    at 1500 ms the marks and the key show."""
    faults = "1 equivocate\n2 crash at_ms=500"
    fields = {"protocol": "hotstuff", "n": "7", "faults": faults}
    submit_run(page, embedded_server, fields | {"stop_time_ms": "2000"})
    page.goto(page.url.split("?")[0] + "?t=1500")
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('paused')"
    )
    labels = page.locator(".fault-label").all_text_contents()
    page.screenshot(path=str(artifacts_dir() / "run-page-hotstuff.png"), full_page=True)
    assert readout(page)[0] == 1500
    assert labels == ["equivocate", "crash"]
    assert page.locator('g.node[data-node="2"].crashed').count() == 1
    assert "key" in page.locator('.card[data-node="0"] dl').inner_text()
    assert committed(page, 0) > 0
    counters = page.locator("#run-counters").inner_text()
    assert re.search(r"view \d+: leader \d+, \d+ reports", counters), counters
    assert page_errors == []


def test_spacetime_shows_drops(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """Four PBFT nodes, node 0 crashing at 300 ms: at 400 ms the space-time
    diagram shows messages, and those to node 0 end in a cross."""
    submit_pbft_crash(page, embedded_server)
    page.goto(page.url.split("?")[0] + "?t=400")
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('paused')"
    )
    next_frame(page)
    arrows = page.locator("#spacetime g.arrow")
    dropped = page.locator("#spacetime g.arrow[data-dropped]")
    page.locator("#spacetime").screenshot(path=str(artifacts_dir() / "spacetime.png"))
    assert arrows.count() > 0
    assert dropped.count() > 0
    assert page_errors == []


def test_colluding_nodes_show_violation(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """Two of four PBFT nodes collude (an equivocating primary and a double
    voter): the page shows the agreement violation with its evidence, the
    honest nodes' locks, and running timers."""
    fields = {"protocol": "pbft", "faults": "0 equivocate\n1 double_vote"}
    submit_run(page, embedded_server, fields | {"stop_time_ms": "2000"})
    run_page = page.url

    page.goto(f"{run_page}?t=100")
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('paused')"
    )
    assert page.locator(".timer-arc").count() > 0

    page.goto(f"{run_page}?t=2000")
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('paused')"
    )
    violation = page.locator("#violations .violation").first
    page.screenshot(
        path=str(artifacts_dir() / "run-page-violation.png"), full_page=True
    )
    assert "agreement violated" in violation.inner_text()
    assert '"quorum"' in violation.inner_text()
    labels = page.locator('.card[data-node="2"] dt').all_inner_texts()
    assert any(label in ("lock", "prepared") for label in labels), labels
    assert page_errors == []


def test_lagging_node_shows_violation(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """A toy node cut off until 2000 ms never catches up, because a toy node
    catches up only from one height behind. The page names it in a liveness
    violation, with the height the others reached."""
    fields = {
        "protocol": "toy",
        "partitions": "0 1 2 | 3 start_ms=0 heal_ms=2000",
        "stall_ms": "2000",
        "stop_time_ms": "6000",
    }
    submit_run(page, embedded_server, fields)
    page.goto(f"{page.url}?t=6000")
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('paused')"
    )
    violations = page.locator("#violations .violation")
    text = violations.first.inner_text()
    page.screenshot(path=str(artifacts_dir() / "run-page-lag.png"), full_page=True)
    assert violations.count() == 1
    assert "liveness violated" in text
    assert "node 3 lags: no commit from 2000 to " in text
    assert "with no height committed while others reached height " in text
    assert '"others_last_commit"' in text
    assert page_errors == []


def run_events(page: Page, run_page: str) -> list[dict[str, Any]]:
    """Return the run's event log, read from its JSON lines download."""
    response = page.request.get(f"{run_page}events.jsonl")
    assert response.ok, response.status
    return [json.loads(line) for line in response.text().splitlines() if line]


def first_event(events: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [event for event in events if event["kind"] == kind and event["t"] > 0]
    assert found, f"the log has no {kind} event after time 0"
    return found[0]


def open_paused_at(page: Page, run_page: str, t: float) -> None:
    """Open the run page at simulated time t (ms), rounded up, and wait until
    it is drawn there."""
    page.goto(f"{run_page}?t={math.ceil(t)}")
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('paused')"
    )
    next_frame(page)


def ring_screenshot(page: Page, name: str) -> None:
    page.locator("#ring .ring-row").screenshot(path=str(artifacts_dir() / name))


def test_timer_arc_drains_while_playing(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """After node 0 crashes, node 1's state timer runs out untouched: while
    the run plays at 1x from 500 ms, its arc grows shorter."""
    submit_pbft_crash(page, embedded_server)
    open_paused_at(page, page.url, 500)
    arc = page.locator('g.node[data-node="1"] .timer-arc[data-timer="state"]')
    before = float(arc.get_attribute("data-left") or "nan")
    page.keyboard.press("Space")
    page.wait_for_timeout(400)
    after = float(arc.get_attribute("data-left") or "nan")
    page.keyboard.press("Space")
    assert 0 < before <= 0.8
    assert 0 < after < before
    assert readout(page)[0] > 500
    assert page_errors == []


def test_fired_and_cancelled_timers_marked(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """PBFT resets its state timer at every step, so a cancelled mark shows
    early. The first backup whose timer fires after the primary crashed
    shows a fired mark."""
    submit_pbft_crash(page, embedded_server)
    run_page = page.url
    events = run_events(page, run_page)

    cancel = first_event(events, "timer_cancel")
    open_paused_at(page, run_page, cancel["t"])
    node = page.locator(f'g.node[data-node="{cancel["node"]}"]')
    cancelled = node.locator('.timer-ended[data-ended="cancelled"]')
    ring_screenshot(page, "ring-timer-cancelled.png")
    assert cancelled.count() == 1
    assert cancelled.get_attribute("data-timer") == cancel["timer"]
    assert node.locator('.timer-ended[data-ended="fired"]').count() == 0

    fire = first_event(events, "timer_fire")
    open_paused_at(page, run_page, fire["t"])
    node = page.locator(f'g.node[data-node="{fire["node"]}"]')
    fired = node.locator('.timer-ended[data-ended="fired"]')
    ring_screenshot(page, "ring-timer-fired.png")
    assert fired.count() == 1
    assert fired.get_attribute("data-timer") == fire["timer"]
    assert page_errors == []


def test_hotstuff_certificate_marked(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """The first certificate of a HotStuff run shows a burst and its label
    at the leader that formed it, with its signers' votes converging."""
    fields = {"protocol": "hotstuff", "n": "7", "stop_time_ms": "500"}
    submit_run(page, embedded_server, fields)
    run_page = page.url
    qc = first_event(run_events(page, run_page), "qc")
    open_paused_at(page, run_page, qc["t"])
    mark = page.locator(f'.certificate-mark[data-node="{qc["node"]}"]')
    label = page.locator(f'.certificate-label[data-node="{qc["node"]}"]')
    lines = page.locator(f'.converging[data-node="{qc["node"]}"]')
    ring_screenshot(page, "ring-certificate.png")
    assert mark.count() == 1
    assert mark.get_attribute("data-view") == str(qc["view"])
    assert label.text_content() == f"QC {qc['phase']} v{qc['view']}"
    assert lines.count() == 1
    # One line per signer other than the collector itself.
    others = [signer for signer in qc["signers"] if signer != qc["node"]]
    assert (lines.get_attribute("d") or "").count("M") == len(others)
    assert page_errors == []


def test_large_ring_draws_tallies(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """A PBFT run of 32 nodes draws a tally per link, not single messages,
    and its certificate bursts in one shared path per fade step."""
    fields = {"protocol": "pbft", "n": "32", "stop_time_ms": "100"}
    submit_run(page, embedded_server, fields)
    run_page = page.url
    sends = [e for e in run_events(page, run_page) if e["kind"] == "send"]
    assert len(sends) > 1000
    open_paused_at(page, run_page, sends[len(sends) // 2]["t"])
    ring_screenshot(page, "ring-tallies-n32.png")
    tallies = page.locator("#ring path.tally")
    assert tallies.count() > 0
    assert sum(int(t.get_attribute("data-count") or 0) for t in tallies.all()) > 0
    assert page.locator("#ring [data-msg]").count() == 0
    bursts = page.locator("#ring path.certificate-mark")
    assert 1 <= bursts.count() <= 4
    assert sum(int(b.get_attribute("data-count") or 0) for b in bursts.all()) > 1
    assert page.locator("#ring .timer-ended").count() == 0
    assert page_errors == []


def panels_text(page: Page) -> tuple[str, str, int]:
    """Return the last card's text, the first card's text and the number of
    arrows in the space-time diagram."""
    cards = page.locator("#ring .card")
    last = cards.last.inner_text()
    first = cards.first.inner_text()
    return last, first, page.locator("#spacetime g.arrow").count()


def test_large_ring_pause_draws_offscreen(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """During playback a ring of 32 nodes skips the cards and the space-time
    diagram off screen. On pause they show the same as a page opened at
    that moment. With a fixed latency about 2,000 events share each time,
    so a page that plays or opens while the log still streams in must not
    stop inside such a group."""
    fields = {"protocol": "pbft", "n": "32", "stop_time_ms": "300"}
    submit_run(page, embedded_server, fields)
    run_page = page.url
    times = [event["t"] for event in run_events(page, run_page)]
    page.set_viewport_size({"width": 1000, "height": 700})
    open_paused_at(page, run_page, 0)
    page.keyboard.press("Space")
    page.wait_for_function("Number(document.querySelector('#seek').value) > 50")
    page.keyboard.press("Space")
    next_frame(page)
    assert readout(page)[2] == "paused"
    moment = page.locator("#seek").input_value()
    played = panels_text(page)
    played_events = readout(page)[1]

    page.goto(f"{run_page}?t={moment}")
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('paused')"
    )
    next_frame(page)
    expected_events = len([t for t in times if t <= float(moment)])
    assert page.locator("#seek").input_value() == moment
    assert played_events == expected_events
    assert readout(page)[1] == expected_events
    assert panels_text(page) == played
    assert played[2] > 0
    assert page_errors == []


def test_large_run_page_loads_every_event(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """The first 5,000 events of a HotStuff-2 run of 256 nodes take more
    than 1 MB of JSON, more than one websocket message may carry, and the
    page still receives all of them when it opens after the run."""
    fields = {"protocol": "hotstuff2", "n": "256", "stop_events": "5000"}
    submit_run(page, embedded_server, fields)
    run_page = page.url
    events = run_events(page, run_page)
    assert len(json.dumps(events[:5000])) > 1_048_576
    page.goto(run_page)
    page.wait_for_function(
        f"document.getElementById('animation').receivedEvents.length === {len(events)}"
    )
    received = page.evaluate(
        "() => document.getElementById('animation').receivedEvents.map(e => e.seq)"
    )
    assert received == [event["seq"] for event in events]
    assert page.locator("#event-count").inner_text() == str(len(events))
    assert page.locator("#status").inner_text() == "done"


# Serializes what the panels show: per card its sorted classes, whether it is
# hidden, its text and its commit strip, then the counters, the violations
# and the whole space-time diagram.
PANELS_SNAPSHOT = """() => ({
  cards: [...document.querySelectorAll('#ring .card')].map((card) => [
    [...card.classList].sort().join(' '),
    card.hidden,
    card.innerText,
    card.querySelector('.commit-strip').innerHTML,
  ]),
  counters: document.querySelector('#run-counters').innerText,
  violations: document.querySelector('#violations').innerHTML,
  spacetime: document.querySelector('#spacetime svg').outerHTML,
})"""


def seek_to(page: Page, t: float) -> None:
    """Move the seek slider to simulated time t (ms) as a drag would."""
    page.locator("#seek").evaluate(
        "(slider, t) => {"
        " slider.value = String(t);"
        " slider.dispatchEvent(new Event('input')); }",
        t,
    )
    next_frame(page)


def test_large_ring_seek_back_redraws_panels(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """A ring of 32 nodes plays with its cards, then its space-time diagram
    on screen, pauses after node 0 crashed and seeks back to before the
    crash. The cards, counters and diagram then show what a page opened at
    that moment shows, so the card rows and commit cells kept between
    redraws hold no value of the later moment."""
    fields = {"protocol": "pbft", "n": "32", "faults": "0 crash at_ms=100"}
    submit_run(page, embedded_server, fields | {"stop_time_ms": "400"})
    run_page = page.url
    commits = [e for e in run_events(page, run_page) if e["kind"] == "commit"]
    open_paused_at(page, run_page, 0)
    page.locator("#ring .cards").evaluate("(cards) => cards.scrollIntoView()")
    page.keyboard.press("Space")
    page.wait_for_function("Number(document.querySelector('#seek').value) > 150")
    page.locator("#spacetime").evaluate("(panel) => panel.scrollIntoView()")
    page.wait_for_function("Number(document.querySelector('#seek').value) > 250")
    page.keyboard.press("Space")
    next_frame(page)
    assert readout(page)[2] == "paused"
    late = page.evaluate(PANELS_SNAPSHOT)

    seek_to(page, 75)
    moment = page.locator("#seek").input_value()
    counts = [
        len([c for c in commits if c["node"] == node and c["t"] <= float(moment)])
        for node in range(32)
    ]
    seeked = page.evaluate(PANELS_SNAPSHOT)
    page.goto(f"{run_page}?t={moment}")
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('paused')"
    )
    next_frame(page)
    fresh = page.evaluate(PANELS_SNAPSHOT)

    assert page.locator("#seek").input_value() == moment
    assert "crashed" in late["cards"][0][0]
    assert "crashed" not in fresh["cards"][0][0]
    assert late["cards"] != fresh["cards"]
    assert late["spacetime"] != fresh["spacetime"]
    assert seeked["cards"] == fresh["cards"]
    assert seeked["counters"] == fresh["counters"]
    assert seeked["violations"] == fresh["violations"]
    assert seeked["spacetime"] == fresh["spacetime"]
    assert page.locator("#spacetime g.arrow").count() > 0
    # Both pages draw through the same kept elements, so the commit counts
    # are also checked against the log.
    card_counts = [
        int(card[2].split(" committed")[0].split()[-1]) for card in seeked["cards"]
    ]
    assert max(counts) > 0
    assert card_counts == counts
    assert page_errors == []


def test_copied_link_keeps_fractional_time(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """With a random latency events fall between whole ms, and a copied
    link opens at the exact event time the page was paused at."""
    scenario = {
        "protocol": "pbft",
        "n": 4,
        "network": {"latency": {"dist": "uniform", "low_ms": 5, "high_ms": 15}},
        "stop": {"time_ms": 300},
    }
    response = page.request.post(f"{embedded_server.http}/api/runs", data=scenario)
    assert response.status == 201, response.text()
    run_page = f"{embedded_server.http}/runs/{response.json()['slug']}/"
    page.goto(run_page)
    page.wait_for_function(
        "document.getElementById('status').textContent.trim() === 'done'"
    )
    times = [e["t"] for e in run_events(page, run_page)]
    fractional = next(t for t in times if t > 50 and t != round(t, 1))
    page.goto(f"{run_page}?t={fractional}")
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('paused')"
    )
    paused = readout(page)
    assert paused[1] == len([t for t in times if t <= fractional])

    page.click("#copy-link")
    next_frame(page)
    link = page.locator("#link-output").input_value()
    assert float(link.split("?t=")[1]) == fractional
    page.goto(link)
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('paused')"
    )
    assert readout(page) == paused
    assert page_errors == []


def test_copied_link_keeps_step_inside_moment(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """With a constant latency many events share one time. A step back
    stops among them, and the copied link opens at that same event."""
    fields = {"protocol": "pbft", "stop_time_ms": "300"}
    submit_run(page, embedded_server, fields)
    run_page = page.url
    times = [e["t"] for e in run_events(page, run_page)]
    moment = next(t for t in times if t > 50 and times.count(t) > 3)
    open_paused_at(page, run_page, moment)
    page.keyboard.press("ArrowLeft")
    next_frame(page)
    paused = readout(page)
    assert paused[0] == moment
    assert paused[1] == len([t for t in times if t <= moment]) - 1

    page.click("#copy-link")
    next_frame(page)
    link = page.locator("#link-output").input_value()
    assert link.endswith(f"?t={moment}&k={paused[1]}")
    page.goto(link)
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('paused')"
    )
    assert readout(page) == paused
    assert page_errors == []


def test_link_time_must_be_decimal(
    page: Page, page_errors: list[str], embedded_server: Server
) -> None:
    """A ?t= that is not decimal milliseconds is ignored, so the finished
    run plays from the start instead of pausing at a misread time."""
    submit_run(page, embedded_server, {"protocol": "pbft", "stop_time_ms": "300"})
    run_page = page.url
    page.goto(f"{run_page}?t=0x10")
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('playing')"
    )
    page.goto(f"{run_page}?t=16")
    page.wait_for_function(
        "document.querySelector('#readout').textContent.includes('paused')"
    )
    assert readout(page)[0] == 16
    assert page_errors == []
