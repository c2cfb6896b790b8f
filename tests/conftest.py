"""Shared fixtures: a whole synthetic class graded once by the real ``ann-course grade``."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder import notebooks
from autograder.build import lessons
from autograder.grade import grade
from autograder.lessons import checks_of
from autograder.sample_class import submission
from autograder.settings import REPO

#: Every lesson; a developer may narrow the lesson tests to a few with e.g.
#: ``ANN_COURSE_LESSONS=05_losses,07_gradient_descent`` (CI never sets it: it runs them all).
LESSONS = [lesson for lesson in lessons()
           if lesson in os.environ.get("ANN_COURSE_LESSONS", lesson).split(",")]


@dataclass(frozen=True)
class Mutant:
    """A submission whose answer ``exercise`` is one catalogued mistake of the check ``check``."""

    student: str
    lesson: str
    notebook: str
    exercise: str
    check: str
    mistake: str
    message: str


def _mutants():
    """One per (check, mistake) of every lesson; two checks of one answer share the notebook."""
    out = []
    for lesson in LESSONS:
        for path in sorted((REPO / "course" / lesson).glob("*.ipynb")):
            for name, check in checks_of(lesson).items():
                for mistake in check.all_mistakes():
                    sid = f"mut--{lesson}--{check.function}--{mistake.key}"
                    out.append(Mutant(sid, lesson, path.name, check.function, name, mistake.key,
                                      mistake.message))
    return out


def hidden_tests(lesson):
    """``{test grade_id: [(check, answer), ...]}`` of a lesson, as the grader reads them."""
    from autograder.guard import hidden_tests as read
    from autograder.lessons import checks_module

    return read(REPO, checks_module(lesson).__name__)


MUTANTS = _mutants()


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """Every lesson handed in complete, blank, and once per catalogued mistake; then graded.

    Returns ``(rows, out)``: the grade rows and the output folder.
    """
    root = tmp_path_factory.mktemp("class")
    submitted = root / "submitted"
    for lesson in LESSONS:
        for path in sorted((REPO / "course" / lesson).glob("*.ipynb")):
            notebooks.write(submission(lesson, path.name), submitted / "complete" / lesson / path.name)
            notebooks.write(notebooks.read(path), submitted / "blank" / lesson / path.name)
    for m in MUTANTS:
        if (submitted / m.student).exists():
            continue  # the same wrong answer, for another check of the same function
        source = checks_of(m.lesson)[m.check].all_mistakes()
        src = next(x for x in source if x.key == m.mistake).source(m.exercise)
        notebooks.write(submission(m.lesson, m.notebook, {m.exercise: src}),
                        submitted / m.student / m.lesson / m.notebook)
    out = root / "out"
    rows = grade(submitted, out)
    return rows, out


def autograded_errors(out, student, lesson, notebook):
    """``{test grade_id: error message}`` from a graded notebook's failing test cells."""
    nb = notebooks.read(out / ".nbgrader" / "autograded" / student / lesson / notebook)
    return {notebooks.nbgrader_meta(c)["grade_id"]: notebooks.error_of(c)
            for c in nb.cells if notebooks.is_test(c) and notebooks.error_of(c)}


def html_text(path):
    """Visible text of an HTML file (tags dropped, entities kept simple)."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", Path(path).read_text()))
