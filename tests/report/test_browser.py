"""The HTML reports of a run, a comparison, a sweep, a plan and a metastability map in headless
Chromium (Debian's, driven by Selenium through chromium-driver): no console error, every figure
loaded, nothing requested over the network, and the numbers on the page are summary.json's,
sweep.json's, plan.json's or metastability.json's."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.metrics.registry import lookup
from sim.report.content import figure_text
from sim.report.folder import FIGURES
from sim.report.run_content import HEADLINES
from tests.report.conftest import SWEEP_LEFT_OUT, Folders, Grids, read_json

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1280,2400",
)


def _browser_paths() -> tuple[str, str]:
    chromium = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    driver = CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.skip(
            "no Debian chromium and chromium-driver here (apt-get install chromium "
            "chromium-driver; .ci/run installs them)"
        )
    return str(chromium), str(driver)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium with a fresh profile, background networking off, logging the console
    and the network (Chrome DevTools performance log)."""
    chromium, driver_path = _browser_paths()
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed (pip install -e '.[browser]')"
    )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def load(driver: Any, path: Path) -> dict[str, Any]:
    """Open the page and return what the checks need: console, requests, figures, metrics."""
    driver.get("about:blank")
    driver.get_log("browser")  # drop what the browser and an earlier page logged
    driver.get_log("performance")
    url = path.resolve().as_uri()
    driver.get(url)
    driver.execute_script("return document.readyState")
    page: dict[str, Any] = driver.execute_script(
        """
        const svg = document.querySelector('svg.gantt');
        return {
          images: Array.from(document.images).map(i => ({
            complete: i.complete, width: i.naturalWidth, scheme: i.currentSrc.split(':')[0],
            figure: i.closest('figure') ? i.closest('figure').dataset.figure : null})),
          svgs: document.querySelectorAll('svg').length,
          gantt: svg && {
            width: svg.getBBox().width, faults: svg.querySelectorAll('g.fault').length},
          metrics: Array.from(document.querySelectorAll('[data-metric]')).map(e => ({
            metric: e.dataset.metric, variant: e.dataset.variant || null,
            point: e.dataset.point === undefined ? null : Number(e.dataset.point),
            value: e.dataset.value, low: e.dataset.ciLow || null, high: e.dataset.ciHigh || null,
            card: e.classList.contains('card'),
            shown: (e.querySelector('.value, .mean') || e).textContent.trim()})),
          answer: Array.from(document.querySelectorAll('[data-answer]')).map(e => ({
            value: e.dataset.answer, shown: e.querySelector('.value').textContent.trim()})),
          sentence: Array.from(document.querySelectorAll('[data-sentence]')).map(
            e => e.textContent.trim()),
          verdicts: Array.from(document.querySelectorAll('[data-verdict]')).map(
            e => e.dataset.verdict),
          classes: Array.from(document.querySelectorAll('td[data-class]')).map(e => ({
            cls: e.dataset.class, value: e.dataset.value || null,
            variant: e.closest('tr').dataset.variant, shown: e.textContent.trim()})),
          resources: performance.getEntriesByType('resource').map(r => r.name),
          title: document.querySelector('h1').textContent,
        };
        """
    )
    page["decoded"] = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        Promise.all(Array.from(document.images).map(
          i => i.decode().then(() => true, () => false))).then(done);
        """
    )
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        # every request of this page: the page itself, and whatever it asked for
        if message["method"] == "Network.requestWillBeSent" and params["documentURL"] == url:
            requests.append(params["request"]["url"])
    page["requests"] = requests
    page["console"] = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    page["url"] = url
    return page


def check_self_contained(page: dict[str, Any], folder: Path, kind: str) -> None:
    """No console error or warning, every figure of the folder loaded from a data: URI, the
    fault timeline drawn (a run's and a comparison's: two faults), and no request but the file
    itself and its data: images."""
    assert page["console"] == []
    present = [f.name for f in FIGURES[kind] if (folder / f.name).is_file()]
    assert present and [i["figure"] for i in page["images"]] == present
    for image in page["images"]:
        assert image["complete"] and image["width"] > 0 and image["scheme"] == "data", image
    assert page["decoded"] == [True] * len(present)
    if kind in ("run", "compare"):
        assert page["svgs"] == 1 and page["gantt"]["width"] > 0 and page["gantt"]["faults"] == 2
    else:
        assert page["svgs"] == 0
    assert page["url"] in page["requests"], "the performance log did not record the page"
    assert all(r == page["url"] or r.startswith("data:") for r in page["requests"]), page[
        "requests"
    ]
    assert all(r.startswith("data:") for r in page["resources"]), page["resources"]


def test_the_run_report_in_a_browser(browser: Any, folders: Folders, tmp_path: Path) -> None:
    """The run's page: self-contained, and every headline card shows summary.json's value."""
    page = load(browser, folders.run / "report.html")
    check_self_contained(page, folders.run, "run")
    summary = read_json(folders.run / "summary.json")
    cards = [m for m in page["metrics"] if m["card"]]
    assert [c["metric"] for c in cards] == [p for p, _ in HEADLINES]
    for card in cards:
        value = lookup(summary, card["metric"])
        assert json.loads(card["value"]) == value
        assert card["shown"] == figure_text(card["metric"], value)
    assert page["title"] == "Small world for the report"
    shot = tmp_path / "run.png"
    browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_compare_report_in_a_browser(browser: Any, folders: Folders, tmp_path: Path) -> None:
    """The comparison's page: self-contained, and every metric cell (the ranking's and the
    table's) shows its variant's mean from summary.json, the ranking in summary.json's order."""
    page = load(browser, folders.compare / "report.html")
    check_self_contained(page, folders.compare, "compare")
    data = read_json(folders.compare / "summary.json")
    cells = page["metrics"]
    assert len(cells) == len(data["variants"]) * (1 + len(data["metrics"]))
    for cell in cells:
        figure = data["variants"][cell["variant"]]["figures"][cell["metric"]]
        assert json.loads(cell["value"]) == figure["mean"]
    first = data["metrics"][0]
    assert [c["variant"] for c in cells if c["metric"] == first][:3] == data["ranking"]
    shot = tmp_path / "compare.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("which", ["sweep", "sweep2"])
def test_the_sweep_report_in_a_browser(
    browser: Any, grids: Grids, tmp_path: Path, which: str
) -> None:
    """A sweep's page (one parameter: curves; two: heatmaps): self-contained, and every cell
    of the table of points shows sweep.json's mean, with its interval in data-ci-*."""
    folder = getattr(grids, which)
    page = load(browser, folder / "report.html")
    check_self_contained(page, folder, "sweep")
    data = read_json(folder / "sweep.json")
    cells = page["metrics"]
    shown = [m for m in data["metrics"] if m not in SWEEP_LEFT_OUT]
    assert len(cells) == len(shown) * len(data["points"]) > 0
    for cell in cells:
        point = data["points"][cell["point"]]
        assert json.loads(cell["value"]) == point[cell["metric"]]
        low = point[f"{cell['metric']}.ci95_low"]
        assert (json.loads(cell["low"]) if cell["low"] else None) == low
        assert cell["shown"] == figure_text(cell["metric"], point[cell["metric"]])
    assert page["title"] == "A 10 min stall draining through c connections"
    shot = tmp_path / f"{which}.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_the_plan_report_in_a_browser(browser: Any, grids: Grids, tmp_path: Path) -> None:
    """A plan's page: self-contained; the answer is plan.json's, the sentence the command's,
    each value's mean and verdict plan.json's."""
    page = load(browser, grids.plan / "report.html")
    check_self_contained(page, grids.plan, "plan")
    data = read_json(grids.plan / "plan.json")
    (answer,) = page["answer"]
    assert json.loads(answer["value"]) == data["answer"] and answer["shown"] == "3"
    assert page["sentence"] == [grids.plan_stdout.splitlines()[0]]
    assert [json.loads(c["value"]) for c in page["metrics"]] == [p["mean"] for p in data["points"]]
    assert page["verdicts"] == [p["verdict"] for p in data["points"]]
    shot = tmp_path / "plan.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_the_metastability_report_in_a_browser(browser: Any, meta: Path, tmp_path: Path) -> None:
    """A map's page: self-contained (the phase diagram a data: image); each variant's class
    counts, each point's class and figures metastability.json's."""
    page = load(browser, meta / "report.html")
    check_self_contained(page, meta, "metastability")
    data = read_json(meta / "metastability.json")
    counts = [c for c in page["classes"] if c["value"] is not None]
    assert {(c["variant"], c["cls"]): json.loads(c["value"]) for c in counts} == {
        (v, cls): sum(p["variant"] == v and p["class"] == cls for p in data["points"])
        for v in data["variants"]
        for cls in data["classes"]
    }
    assert [c["shown"] for c in counts] == [c["value"] for c in counts]
    points = [c for c in page["classes"] if c["value"] is None]
    assert [json.loads(c["cls"]) for c in points] == [p["class"] for p in data["points"]]
    metrics = page["metrics"]
    assert len(metrics) == 3 * len(data["points"]) > 0
    for cell in metrics:
        assert json.loads(cell["value"]) == data["points"][cell["point"]][cell["metric"]]
    assert page["title"] == "Small metastable world"
    shot = tmp_path / "metastability.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
