"""Every number the prose states is one the code prints.

Every decimal number of a lesson's markdown (0.731, 3.2, 99.1, 1e-3) must be either an input
that appears in the lesson's code cells or a result that appears in the outputs of the executed
solution notebook, to the digits the prose gives (0.750 is a rounding of a printed 0.7502601;
0.75 is not a rounding of a printed 0.8). A number worked out by hand in the prose, or one left
behind when the code changed, fails here with the cell it is in.

Each lesson's solution notebook runs once, in a real kernel (nbclient), for the whole module.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

import nbformat
import pytest

from autograder.grading.kernel_channels import PromptNotebookClient
from autograder.settings import REPO
from tests.conftest import LESSONS

#: A decimal number: digits with a decimal point, or a mantissa with an exponent (1e-3, 2.5e-4).
NUMBER = re.compile(r"(?<![\w.])(\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?![\w.]*\d)")
#: Any number of code or output, integers included.
ANY_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)")
#: What is numbered, not measured: section headings and references to them.
SECTION = re.compile(r"^#+\s*\d+(\.\d+)+|\b(section|sections|exercise|lesson)s?\s+\d+\.\d+",
                     re.IGNORECASE)

#: Seconds a cell may take; the longest (the capstone's training) takes well under a minute.
CELL_TIMEOUT = 600


def _decimal(text):
    """``(value, unit)``: the number and the unit of its last digit (0.750 -> 0.001)."""
    value = Decimal(text.lower().replace("e+", "e"))
    return value, Decimal(1).scaleb(value.as_tuple().exponent)


def prose_numbers(markdown):
    """The decimal numbers a markdown text states, as written, section numbers left out."""
    text = "\n".join(SECTION.sub(" ", line) for line in markdown.splitlines())
    return NUMBER.findall(text)


def known_numbers(texts):
    """Every number written in `texts` (code or outputs), as ``(value, unit)`` pairs."""
    return {_decimal(n) for text in texts for n in ANY_NUMBER.findall(text) if n != "."}


def stated_by(number, known):
    """Whether the prose's `number` is a known number or a rounding of one to its digits."""
    value, unit = _decimal(number)
    return any(k == value or (k_unit <= unit and abs(k - value) <= unit / 2)
               for k, k_unit in known)


def _outputs(cell):
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            yield out.text
        elif out.output_type in ("execute_result", "display_data"):
            data = out.get("data", {})
            yield data.get("text/plain", "") if "image/png" not in data else ""
            yield data.get("text/html", "")


@cache
def executed(lesson):
    """The lesson's solution notebook after one run in a real kernel."""
    nb = nbformat.read(REPO / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    PromptNotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                         resources={"metadata": {"path": str(REPO)}}).execute()
    return nb


def unstated_numbers(nb):
    """``["cell id: number"]`` for every number of the prose that no code cell writes or prints."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    known = known_numbers([c.source for c in code] + [t for c in code for t in _outputs(c)])
    return [f"{cell.get('id')}: {number}" for cell in nb.cells if cell.cell_type == "markdown"
            for number in prose_numbers(cell.source) if not stated_by(number, known)]


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_number_the_prose_states_is_an_input_or_a_printed_result(lesson):
    missing = unstated_numbers(executed(lesson))
    assert not missing, (f"{lesson}: numbers of the prose that no code cell writes and no output "
                         "prints (print them, or say what the code prints):\n" + "\n".join(missing))


@pytest.mark.parametrize("number, printed, ok", [
    ("0.750", "a = 0.7502601", True),
    ("0.75", "a = 0.7502601", True),
    ("0.751", "a = 0.7502601", False),
    ("0.8808", "p = 0.88", False),           # more digits than the code ever printed
    ("99.1", "accuracy 99.1% (106 of 107)", True),
    ("1e-3", "learning_rate=0.001", True),
    ("2.5e-4", "7.3e-05", False),
    ("3.2", "ratio 2.2", False),
    ("0.1", "std = 0.1", True),
])
def test_a_prose_number_is_stated_by_a_printed_one_only_if_it_rounds_to_it(number, printed, ok):
    assert stated_by(number, known_numbers([printed])) is ok


def test_section_numbers_are_not_numbers_the_prose_states():
    assert prose_numbers("### 3.1 All weights equal\nAs section 3.4 shows, 0.25 of them") == ["0.25"]


def test_a_number_worked_out_by_hand_is_found_in_its_cell():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("so the output is $\\sigma(1.1) \\approx 0.750$", id="md-1"),
        nbformat.v4.new_code_cell("print(1.1 + 0.5)", id="code-1",
                                  outputs=[nbformat.v4.new_output("stream", text="1.6\n")])])
    assert unstated_numbers(nb) == ["md-1: 0.750"]
