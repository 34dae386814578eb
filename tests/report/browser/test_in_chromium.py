"""The HTML report in a real browser: headless Chromium from Debian, driven by Playwright (its own
browser download is unreachable here), opening the reports of real zoo drift runs (the founding
case, merges reordered, a chat template change, a zero embedding row, a training run over two
checkpoints). Each page loads with no
console error and no request, shows every finding of its JSON report and every counterexample's
ids in order, and its filters work; screenshots go to artifacts/browser/ (gitignored; or
$TOKCHECK_ARTIFACTS), whose path the test prints, with each report's JSON and HTML. Without Playwright or Chromium, these skip."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.checks.model.fixtures import Checkpoints
from tokcheck.cli import main
from tokcheck.plugin import BASE_OPTION, QUICK_OPTION, REPORT_OPTION, TUNED_OPTION

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)")

REPO = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("TOKCHECK_ARTIFACTS", REPO / "artifacts")) / "browser"
CASES = {
    "founding-case": ("zoo:llama3", "zoo:llama3-eom"),
    "merges-reordered": ("zoo:llama3", "zoo:llama3-merges-reordered"),
    "template-change": ("zoo:llama3.1", "zoo:llama3.1-tool-template"),
    "zero-embedding-row": ("{base}", "{eom_zero_row}"),  # the <|eom_id|> checkpoint with a zero row
    "training-run": ("{base}", "{run}"),  # checkpoint-100 the base's files, checkpoint-200 the zero row's
}
# The run's page is for its matrix: the static and model checks fill it (the behaviour cells show "-").
SELECTION = {"training-run": ["-m", "not behaviour"]}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, checkpoints: Checkpoints) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Each case's JSON report, written by a real run of the built-in suite (quick settings), and
    its HTML page rendered from it by `tokcheck report`. The four runs go at once: each is mostly one
    process's CPU, and on two cores that halves the wait."""
    run = tmp_path_factory.mktemp("training") / "sft"
    shutil.copytree(checkpoints.base, run / "checkpoint-100")
    shutil.copytree(checkpoints.eom_zero_row, run / "checkpoint-200")
    runs = {}
    for name, (base, tuned) in CASES.items():
        directory = tmp_path_factory.mktemp(name)
        specs = [spec.format(base=checkpoints.base, eom_zero_row=checkpoints.eom_zero_row, run=run) for spec in (base, tuned)]
        runs[name] = directory, subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "-q", BASE_OPTION, specs[0],
             TUNED_OPTION, specs[1], QUICK_OPTION, REPORT_OPTION, "drift.json", *SELECTION.get(name, [])],
            cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    made = {}
    for name, (directory, run) in runs.items():
        stdout, stderr = run.communicate(timeout=900)
        assert run.returncode == 1, stdout[-3000:] + stderr[-2000:]  # every case is drift
        assert main(["report", str(directory / "drift.json"), "-o", str(directory / "drift.html")]) == 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for suffix in ("json", "html"):  # kept with the screenshots, to open or render again
            shutil.copyfile(directory / f"drift.{suffix}", ARTIFACTS / f"{name}.{suffix}")
        made[name] = (directory / "drift.html", json.loads((directory / "drift.json").read_text(encoding="utf-8")))
    return made


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


class OpenedPage:
    """A report opened in a fresh page whose every request is routed to fail and recorded."""

    def __init__(self, browser: Any, page_path: Path) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))

        def refuse(route: Any) -> None:
            self.requests.append(route.request.url)
            route.abort()

        self.page.route("**/*", refuse)
        # set_content: the page arrives without a request of its own, so any request is the page's.
        self.page.set_content(page_path.read_text(encoding="utf-8"), wait_until="load")

    def ids(self, selector: str) -> list[int]:
        return [int(value) for value in self.page.eval_on_selector_all(selector, "els => els.map(e => e.dataset.id)")]

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        return path


@pytest.mark.parametrize("case", list(CASES))
def test_the_report_shows_every_finding_and_its_ids_offline(
        browser: Any, reports: dict[str, tuple[Path, dict[str, Any]]], case: str) -> None:
    page_path, data = reports[case]
    opened = OpenedPage(browser, page_path)
    page = opened.page
    assert page.title().startswith("tokcheck: DRIFT")
    assert page.locator("h1").inner_text() == "tokcheck drift report"
    opened.shot(case)  # as it opens: the behaviour examples under each cause folded
    page.click("#expand-all")
    for index, finding in enumerate(data["findings"]):
        shown = page.locator(f'[data-finding="{index}"]')
        assert shown.count() == 1 and shown.is_visible(), finding["code"]
        assert shown.locator(".message").first.inner_text() == finding["message"]
        if isinstance(finding["base"], list) and isinstance(finding["tuned"], list) and finding.get("evidence"):
            for side in ("base", "tuned"):
                drawn = opened.ids(f'[data-finding="{index}"] > figure .tok[data-side="{side}"]')
                assert drawn == finding[side][: len(drawn)] and len(drawn) == min(len(finding[side]), 256), finding["code"]
    opened.shot(f"{case}-expanded")
    assert opened.requests == [] and opened.errors == []
    page.close()


def test_the_founding_case_leads_with_one_eom_entry_and_pad_is_eos(
        browser: Any, reports: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    opened = OpenedPage(browser, reports["founding-case"][0])
    errors = opened.page.locator('section.entry[data-severity="error"]')
    assert errors.count() == 2
    first = errors.nth(0)
    assert "One root cause: '<|eom_id|>'" in first.locator(".cause").inner_text()
    assert "Also seen by" in first.locator("details.seen-by > summary").inner_text()
    assert "pad_token" in errors.nth(1).locator("h4 .message").inner_text()
    tuned = first.locator('.seen-by .tok[data-side="tuned"][data-id="128256"]').first
    assert "special" in (tuned.get_attribute("class") or "")
    opened.page.close()


def test_the_filters_hide_and_show_entries(browser: Any, reports: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    opened = OpenedPage(browser, reports["merges-reordered"][0])
    page = opened.page
    entries = page.locator("section.entry")
    info = page.locator('section.entry[data-severity="info"]')
    assert info.count() >= 1 and all(info.nth(i).is_visible() for i in range(info.count()))
    page.uncheck('input[name="severity"][value="info"]')
    assert not any(info.nth(i).is_visible() for i in range(info.count()))
    assert page.locator('section.severity[data-severity="info"]').is_hidden()
    assert page.locator("#filter-status").inner_text() == f"{entries.count() - info.count()} entr" + (
        "y shown" if entries.count() - info.count() == 1 else "ies shown")
    page.check('input[name="severity"][value="info"]')
    page.select_option("#check-filter", "sweep.merges")
    visible = [entries.nth(i) for i in range(entries.count()) if entries.nth(i).is_visible()]
    assert len(visible) == 1 and "sweep.merges" in (visible[0].get_attribute("data-checks") or "").split()
    page.select_option("#check-filter", "")
    assert all(entries.nth(i).is_visible() for i in range(entries.count()))
    page.click("#collapse-all")
    assert page.locator("main details[open]").count() == 0
    page.click("#expand-all")
    assert page.locator("main details:not([open])").count() == 0
    opened.shot("merges-reordered-filtered")
    assert opened.requests == [] and opened.errors == []
    page.close()


def test_the_model_check_draws_its_row_norms(browser: Any, reports: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    page_path, data = reports["zero-embedding-row"]
    codes = [finding["code"] for finding in data["findings"]]
    assert "model.row-zero" in codes
    opened = OpenedPage(browser, page_path)
    figure = opened.page.locator(f'[data-finding="{codes.index("model.row-zero")}"] svg.norms')
    assert figure.count() == 1
    assert 128256 in opened.ids(f'[data-finding="{codes.index("model.row-zero")}"] svg.norms g.row.bad')
    assert "zero" in figure.locator('g.row[data-id="128256"] title').text_content()
    assert figure.locator("line.threshold").count() >= 1 and figure.locator("rect.bar").count() > 3
    opened.page.close()


def test_a_runs_matrix_shows_each_cell_of_its_json_and_links_it_to_its_finding(
        browser: Any, reports: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    page_path, data = reports["training-run"]
    opened = OpenedPage(browser, page_path)
    page = opened.page
    cells = page.eval_on_selector_all(
        "#matrix td[data-kind]", "els => els.map(e => [e.dataset.checkpoint, e.dataset.kind, e.dataset.state])")
    assert sorted(map(tuple, cells)) == sorted(
        (checkpoint, kind, state) for checkpoint, row in data["checkpoints"]["matrix"].items() for kind, state in row.items())
    assert {state for checkpoint, _, state in cells if checkpoint == "checkpoint-100"} <= {"ok", "skipped", "-"}
    link = page.locator('#matrix td[data-checkpoint="checkpoint-200"][data-state="error"] > a').first
    target = (link.get_attribute("href") or "").lstrip("#")
    page.click("#collapse-all")
    link.click()
    finding = page.locator(f"[id='{target}']")
    assert finding.is_visible() and finding.get_attribute("data-finding") == target.removeprefix("f")
    assert data["findings"][int(target.removeprefix("f"))]["severity"] == "error"
    opened.shot("training-run-matrix")
    assert opened.requests == [] and opened.errors == []
    page.close()
