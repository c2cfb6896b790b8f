"""What a learner sees of a failing answer: the self-check cell in a real kernel, and the HTML
feedback of a submission graded by the real ``ann-course grade`` (nbgrader, sandboxed kernel),
read as text and laid out by a real Chromium."""

import base64
import re

import pytest

from autograder import notebooks
from autograder.grading.grade import grade
from autograder.grading.kernel_channels import PromptNotebookClient
from autograder.lessons import checks_of
from autograder.outputs.feedback import WRAP_CSS
from autograder.release.sample_class import submission
from autograder.settings import REPO
from tests.browser.conftest import CHROMIUM_ARGS, chromium  # noqa: F401 - the fixture
from tests.conftest import hidden_tests, html_text

LESSON, NOTEBOOK = "04_activations", "04_activations.ipynb"
#: The exponent halved: every value wrong but sigmoid(0) (an element-wise picture), and so is
#: the derivative built on it (a flipped sign would not do: s(-z) (1 - s(-z)) = s(z) (1 - s(z))).
WRONG_SIGMOID = "def sigmoid(z):\n    return 1 / (1 + np.exp(-z / 2))\n"
BUILDS_ON = "This exercise builds on your `sigmoid`, which is not right yet: fix it first"
PNG = b"\x89PNG\r\n\x1a\n"


def _tests_of(answers):
    """The grade_ids of the lesson's test cells that check one of ``answers``."""
    return sorted(gid for gid, calls in hidden_tests(LESSON).items()
                  if any(answer in answers for _, answer in calls))


def _building_on_sigmoid():
    return {c.function for c in checks_of(LESSON).values() if "sigmoid" in c.uses}


def _pngs(outputs):
    return [base64.b64decode(o["data"]["image/png"]) for o in outputs
            if o.get("output_type") == "display_data" and "image/png" in o.get("data", {})]


def test_the_self_check_cell_shows_its_table_and_the_picture_of_a_mistake_and_no_result():
    nb = submission(LESSON, NOTEBOOK, {"sigmoid": WRONG_SIGMOID})
    nb.cells = [c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") == "imports"
                or notebooks.is_answer(c) or "self_check(globals())" in c.source]
    assert "self_check(globals())" in nb.cells[-1].source
    PromptNotebookClient(nb, timeout=120, kernel_name="python3",
                         resources={"metadata": {"path": str(REPO / "course" / LESSON)}}).execute()
    outputs = nb.cells[-1].outputs
    assert [o for o in outputs if o.output_type == "execute_result"] == []
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert re.search(r"^sigmoid +FAIL$", text, re.M), text
    assert _building_on_sigmoid() and BUILDS_ON in " ".join(text.split()), text
    pngs = _pngs(outputs)
    assert pngs and all(p.startswith(PNG) for p in pngs)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One submission of lesson 04 whose sigmoid is wrong, graded; its autograded notebook and
    its feedback page."""
    root = tmp_path_factory.mktemp("feedback")
    student = "wrong_sigmoid"
    notebooks.write(submission(LESSON, NOTEBOOK, {"sigmoid": WRONG_SIGMOID}),
                    root / "submitted" / student / LESSON / NOTEBOOK)
    rows = grade(root / "submitted", root / "out", jobs=1).rows
    page = root / "out" / "feedback" / student / LESSON / NOTEBOOK.replace(".ipynb", ".html")
    assert page.is_file(), sorted({(r.status, r.flags) for r in rows})
    autograded = notebooks.read(root / "out" / ".nbgrader" / "autograded" / student / LESSON / NOTEBOOK)
    return autograded, page


def _cell(nb, grade_id):
    return next(c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") == grade_id)


def test_the_grader_adds_the_picture_of_an_elementwise_mistake_to_the_cell_and_its_feedback(graded):
    autograded, page = graded
    html = page.read_text()
    sigmoid_tests = _tests_of({"sigmoid"})
    assert sigmoid_tests
    for gid in sigmoid_tests:
        outputs = _cell(autograded, gid).outputs
        assert [o["ename"] for o in outputs if o.output_type == "error"][-1] == "CheckFailed"
        pngs = _pngs(outputs)
        assert pngs and pngs[0].startswith(PNG), gid
        encoded = next(o["data"]["image/png"] for o in outputs if o.output_type == "display_data")
        assert f'src="data:image/png;base64,{encoded}"' in html.replace("\n", ""), gid


def test_the_feedback_says_to_fix_the_answer_a_failing_one_builds_on_first(graded):
    autograded, page = graded
    text = html_text(page)
    dependents = _tests_of(_building_on_sigmoid())
    # a test of an answer that uses `sigmoid` fails only if that answer calls the wrong one (the
    # solution's sigmoid_grad does, its tanh does not); every one that fails says so first
    failing = [gid for gid in dependents if notebooks.error_of(_cell(autograded, gid))]
    assert failing, dependents
    for gid in failing:
        assert notebooks.error_of(_cell(autograded, gid)).startswith(f"CheckFailed: {BUILDS_ON}"), gid
    assert text.count(BUILDS_ON) >= len(failing)


def test_long_feedback_messages_wrap_within_the_page(graded, chromium):  # noqa: F811
    from playwright.sync_api import sync_playwright

    _, page = graded
    assert WRAP_CSS.strip() in page.read_text()

    def measure():
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                tab = browser.new_page(viewport={"width": 800, "height": 900})
                tab.goto(page.as_uri())
                return tab.eval_on_selector_all(
                    "div.output_area pre",
                    "els => els.map(e => [e.scrollWidth, e.clientWidth, e.innerText.length])")
            finally:
                browser.close()

    # a thread of its own: Playwright's sync API refuses a thread where an asyncio loop runs
    # (an earlier test of this process may have left one, e.g. jupyter_client's)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        widths = pool.submit(measure).result(timeout=300)
    long = [w for w in widths if w[2] > 200]
    assert long, "no long message in the feedback"
    assert all(scroll <= client + 1 for scroll, client, _ in widths), widths
