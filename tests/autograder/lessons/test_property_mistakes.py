"""Every property a prompt of lessons 01-09 states is checked: a wrong answer breaking it loses.

The wrong answers are written by hand from the prompts (:mod:`tests.autograder.property_mistakes`),
not from the checks' catalogues. Each is judged in-process by the grader's own judgement
(:func:`autograder.checks.testcells.local_verdicts`, what ``ann-course check`` and the self-check run);
the visible tests' share of them is measured with the catalogue's in ``test_visible_tests.py``,
and the self-check's verdicts against ``ann-course check``'s in ``test_selfcheck_agrees.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder import notebooks
from autograder.checks.testcells import exercise_of, local_verdicts, rows
from autograder.lessons import checks_module, hidden_tests
from autograder.settings import REPO
from tests.autograder.property_mistakes import MISTAKES, source
from tests.conftest import LESSONS

COURSE = [lesson for lesson in LESSONS if lesson in MISTAKES]


def solution_namespace(lesson):
    """A namespace holding the lesson's imports and solution answers, as a notebook would."""
    ns = {}
    for path in sorted((REPO / "solutions" / lesson).glob("*.ipynb")):
        for cell in notebooks.read(path).cells:
            if notebooks.nbgrader_meta(cell).get("grade_id") == "imports" or notebooks.is_answer(cell):
                exec(notebooks.student_answer(cell.source), ns)  # noqa: S102 - our own notebooks
    return ns


def answers(lesson):
    return [notebooks.nbgrader_meta(c)["grade_id"] for path in sorted(
        (REPO / "solutions" / lesson).glob("*.ipynb")) for c in notebooks.read(path).cells
        if notebooks.is_answer(c) and c.cell_type == "code"]


@pytest.mark.parametrize("lesson", COURSE)
def test_every_answer_has_a_wrong_variant_per_stated_property(lesson):
    covered = {answer for answer, _, _ in MISTAKES[lesson]}
    assert covered == set(answers(lesson)), set(answers(lesson)) ^ covered


@pytest.mark.parametrize("lesson", COURSE)
def test_every_property_mistake_loses_the_points_of_its_answer(lesson):
    module = checks_module(lesson)
    tests = hidden_tests(REPO, module.__name__)
    names = answers(lesson)
    own = {label: exercise_of(gid, names) for gid, label, _ in rows(module, tests)}
    kept = []
    for answer, stated, wrong in MISTAKES[lesson]:
        ns = solution_namespace(lesson)
        exec(source(wrong, answer), ns)  # noqa: S102 - the wrong answers of this test
        with np.errstate(all="ignore"):
            verdicts = dict(local_verdicts(module, ns, tests, seed=12345))
        mine = [label for label, exercise in own.items() if exercise == answer]
        assert mine, f"{lesson}: no test cell grades {answer}"
        if not any(verdicts[label] for label in mine):
            kept.append(f"{answer} ({stated}): {wrong.__name__}")
        right = [label for label, exercise in own.items() if exercise != answer and verdicts[label]
                 and not any(f"`{answer}`" in v for v in verdicts[label])]
        assert not right, f"{wrong.__name__} failed cells of other answers: {right}"
    assert not kept, f"{lesson}: wrong answers that keep their points:\n  " + "\n  ".join(kept)
