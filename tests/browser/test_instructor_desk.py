"""The instructor's desk in real Chromium: report.html on a phone and a desktop, formgrader.

One class of lesson 01 graded once by the real ``ann-course grade`` (a subprocess, as an
instructor runs it): the three sample students and ``mallory``, whose answer and markdown carry
scripts (and whose suspicious line is therefore quoted in the report's flags). Then:

* report.html opened at 390 px and 1280 px: no horizontal scrolling, screenshots in
  test-artifacts/browser/, a Content-Security-Policy that allows no script, and no script of
  mallory's ran (nothing of it in ``window``);
* ``ann-course formgrader OUT``: mallory's submission opened there runs none of her scripts (her
  markdown's, her HTML, JavaScript and SVG outputs'); the grader's scores and messages are shown,
  a manual grade and a comment are typed and saved in formgrader, then ``ann-course export OUT`` puts them in
  grades.csv and totals.csv and in carol's feedback, written again.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from autograder import notebooks
from autograder.lessons import checks_of
from autograder.release.sample_class import submission, write_sample_class
from autograder.settings import REPO
from tests.browser.conftest import ARTIFACTS, _free_port, served

L = "01_neuron"
NB = f"{L}.ipynb"
MARKS = ("pwnedAnswer", "pwnedImage", "pwnedMarkdown", "pwnedHtml", "pwnedHtmlImage", "pwnedJs",
         "pwnedSvg")
DISPLAYS = (  # what mallory's own cell shows: script-capable outputs of every kind
    "from IPython.display import HTML, SVG, Javascript, display\n"
    "display(HTML(\"<script>window.pwnedHtml=1</script>"
    "<img src=x onerror='window.pwnedHtmlImage=1'>\"))\n"
    "display(Javascript('window.pwnedJs=1'))\n"
    "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"window.pwnedSvg=1\">"
    "<script>window.pwnedSvg=1</script></svg>'))\n")
HOSTILE = (
    "def weighted_sum(x, w, b):\n"
    "    import os; os.system(\"echo '<script>window.pwnedAnswer=1</script>"
    "<img src=x onerror=window.pwnedImage=1>'\")\n"
    "    return float(np.dot(x, w) + b)\n")
COMMENT = "Close: the bias is added once, after the sum."


def _cli(*argv, timeout=600):
    done = subprocess.run([sys.executable, "-m", "autograder", *argv], cwd=REPO, timeout=timeout,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def graded(tmp_path_factory, chromium):
    root = tmp_path_factory.mktemp("desk")
    submitted = root / "submitted"
    write_sample_class(submitted, [L])
    nb = submission(L, NB, {"weighted_sum": HOSTILE})
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(
        "<script>window.pwnedMarkdown=1</script> my notes"))
    nb.cells.insert(3, nbformat.v4.new_code_cell(DISPLAYS))
    notebooks.write(nb, submitted / "mallory" / L / NB)
    out = root / "out"
    _cli("grade", str(submitted), "--out", str(out), "--jobs", "2")
    return out


def test_the_report_fits_a_phone_and_a_desktop_and_runs_no_script(graded, browser):
    page_html = (graded / "report.html").read_text()
    assert "window.pwnedAnswer" in page_html.replace("&#x27;", "'")  # the flag quotes the line
    assert "<script" not in page_html  # ... escaped
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        tab = browser.new_page()
        try:
            tab.set_viewport_size({"width": width, "height": 900})
            tab.goto(graded.joinpath("report.html").as_uri())
            tab.screenshot(path=str(ARTIFACTS / f"report-{width}.png"), full_page=True)
            scroll, client = tab.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert scroll <= client, f"{width} px: the page scrolls sideways ({scroll} > {client})"
            too_wide = tab.evaluate(
                "[...document.querySelectorAll('body *')].filter(e => "
                "e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
                ".map(e => e.tagName)")
            assert too_wide == [], f"{width} px: {too_wide}"
            assert tab.evaluate(f"{list(MARKS)}.filter(k => k in window)") == []
            csp = tab.get_attribute("meta[http-equiv='Content-Security-Policy']", "content")
            assert "default-src 'none'" in csp and "script-src" not in csp
            assert tab.get_attribute("meta[name='viewport']", "content").startswith(
                "width=device-width")
            assert tab.evaluate("document.scripts.length") == 0
        finally:
            tab.close()


@pytest.fixture(scope="module")
def formgrader(graded):
    port, token = _free_port(), os.urandom(16).hex()
    runtime = graded.parent / "runtime"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(runtime))
    cmd = [sys.executable, "-m", "autograder", "formgrader", str(graded), "--port", str(port),
           f"--IdentityProvider.token={token}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    with served(cmd, port, token, graded.parent / "formgrader.log", "ann-course formgrader",
                cwd=graded.parent, env=env) as url:
        yield url, token


def _submission_id(url, token, student):
    with urllib.request.urlopen(f"{url}/formgrader/api/submitted_notebooks/{L}/{L}?token={token}",
                                timeout=30) as r:
        found = {s["student"]: s["id"] for s in json.load(r)}
    return found[student]


def test_a_grade_given_in_formgrader_reaches_the_csvs_and_the_feedback(graded, formgrader, page):
    url, token = formgrader
    check = next(c for c in checks_of(L).values() if c.function == "weighted_sum")
    mistake = check.all_mistakes()[0].message  # carol's, diagnosed by the grader
    page.goto(f"{url}/login")  # as the instructor does: the token the server printed, once
    page.fill("input#password_input", token)
    page.press("input#password_input", "Enter")
    page.wait_for_url("**/formgrader/**")
    page.goto(f"{url}/formgrader/submissions/{_submission_id(url, token, 'carol_partial')}/")
    score = page.locator("input.score#test_weighted_sum")
    score.wait_for()
    page.wait_for_function("document.querySelector('input.score#test_step').placeholder !== ''")
    assert mistake in page.inner_text("#notebook")  # the grader's message, as the student sees it
    assert score.get_attribute("placeholder") == "0"  # the autograder's score
    assert page.locator("input.score#test_step").get_attribute("placeholder") == "1"
    score.fill("0.5")
    score.press("Tab")
    comment = page.locator("textarea#weighted_sum-comment")
    comment.fill(COMMENT)
    comment.press("Tab")
    page.wait_for_timeout(1500)  # formgrader saves on change; then look in the gradebook
    page.screenshot(path=str(ARTIFACTS / "formgrader-manual-grade.png"), full_page=False)
    from nbgrader.api import Gradebook

    db = json.loads((graded / ".nbgrader" / "last_run.json").read_text())["db_url"]
    deadline = time.monotonic() + 30
    while True:
        with Gradebook(db) as gb:
            nb = gb.find_submission_notebook(L, L, "carol_partial")
            saved = ({g.name: g.manual_score for g in nb.grades}["test_weighted_sum"],
                     {c.name: c.manual_comment for c in nb.comments}["weighted_sum"])
        if saved == (0.5, COMMENT) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert saved == (0.5, COMMENT), "formgrader did not save the grade and comment"
    _cli("export", str(graded))
    rows = {(r["student_id"], r["exercise"]): r for r in csv.DictReader((graded / "grades.csv").open())}
    assert rows[("carol_partial", "test_weighted_sum")]["score"] == "0.5"
    assert rows[("carol_partial", "test_weighted_sum")]["comment"] == f"weighted_sum: {COMMENT}"
    totals = {r["student_id"]: r["total"] for r in csv.DictReader((graded / "totals.csv").open())}
    assert totals["carol_partial"] == "3.5"
    feedback = graded / "feedback" / "carol_partial" / L / NB.replace(".ipynb", ".html")
    page.goto(feedback.as_uri())
    text = page.inner_text("body")
    assert "Score: 3.5 / 5" in text and COMMENT in text


def test_formgrader_shows_a_submission_without_running_its_scripts(graded, formgrader, page):
    """Mallory's markdown and her HTML/JavaScript/SVG outputs are in the autograded notebook that
    formgrader renders; opened there, none of them runs (asked of ``window``, not of the text)."""
    autograded = notebooks.read(graded / ".nbgrader" / "autograded" / "mallory" / L / NB)
    kinds = {k for c in autograded.cells if c.cell_type == "code" for o in c.get("outputs", [])
             for k in o.get("data", {})}
    assert {"text/html", "application/javascript", "image/svg+xml"} <= kinds, kinds
    assert any("window.pwnedMarkdown" in c.source for c in autograded.cells)
    url, token = formgrader
    page.goto(f"{url}/login")
    if page.locator("input#password_input").count():  # not logged in by an earlier test yet
        page.fill("input#password_input", token)
        page.press("input#password_input", "Enter")
        page.wait_for_url("**/formgrader/**")
    page.goto(f"{url}/formgrader/submissions/{_submission_id(url, token, 'mallory')}/")
    page.locator("input.score#test_weighted_sum").wait_for()
    page.wait_for_load_state("load")
    page.wait_for_timeout(1000)
    assert page.evaluate(f"{list(MARKS)}.filter(k => k in window)") == []
    assert page.evaluate("document.querySelectorAll('#notebook-container script').length") == 0
    assert "my notes" in page.inner_text("#notebook")  # her markdown is shown, as text
    assert page.locator("input.score#test_weighted_sum").get_attribute("placeholder") == "1"
