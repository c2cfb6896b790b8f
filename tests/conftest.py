"""Shared fixtures: a whole synthetic class graded once by the real ``ann-course grade``."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder import notebooks
from autograder.grading.grade import grade
from autograder.lessons import checks_of
from autograder.release.build import lessons
from autograder.release.sample_class import submission
from autograder.settings import REPO

#: Every lesson; a developer may narrow the lesson tests to a few with e.g.
#: ``ANN_COURSE_LESSONS=05_losses,07_gradient_descent`` (CI never sets it: it runs them all).
LESSONS = [lesson for lesson in lessons()
           if lesson in os.environ.get("ANN_COURSE_LESSONS", lesson).split(",")]


@dataclass(frozen=True)
class Mutant:
    """A submission whose answer ``exercise`` is one catalogued mistake of the check ``check``.

    ``bundle`` names every answer that is wrong in the same submission: one catalogued mistake
    each, for answers whose test cells are disjoint (no test cell grades or uses two of them), so
    each mistake's points are still told apart, cell by cell, in one graded notebook.
    """

    student: str
    lesson: str
    notebook: str
    exercise: str
    check: str
    mistake: str
    message: str
    bundle: tuple = ()


def affected_cells(lesson, function):
    """The test cells that may fail when the answer ``function`` is wrong: the cells whose
    checks grade it, or grade an answer that uses it."""
    checks = checks_of(lesson)
    return {cell for cell, calls in hidden_tests(lesson).items()
            if any(c in checks and (checks[c].function == function or function in checks[c].uses)
                   for c, _ in calls)}


def _mutants():
    """One per (check, mistake) of every lesson, bundled into as few submissions as can be."""
    out = []
    for lesson in LESSONS:
        checks = checks_of(lesson)
        units = {}  # (answer, mistake) -> its checks: two checks of one answer share a mistake
        for name, check in checks.items():
            for mistake in check.all_mistakes():
                units.setdefault((check.function, mistake.key), []).append((name, mistake))
        bundles = []  # [{answer: (mistake key, cells)}]
        for (function, key) in units:
            cells = affected_cells(lesson, function)
            for bundle in bundles:
                if function not in bundle and all(not cells & c for _, c in bundle.values()):
                    bundle[function] = (key, cells)
                    break
            else:
                bundles.append({function: (key, cells)})
        for path in sorted((REPO / "course" / lesson).glob("*.ipynb")):
            for k, bundle in enumerate(bundles):
                sid = f"mut--{lesson}--{k:02d}"
                for function, (key, _) in bundle.items():
                    for name, mistake in units[(function, key)]:
                        out.append(Mutant(sid, lesson, path.name, function, name, key,
                                          mistake.message, tuple(sorted(bundle))))
    return out


def hidden_tests(lesson):
    """``{test grade_id: [(check, answer), ...]}`` of a lesson, as the grader reads them."""
    from autograder.lessons import checks_module
    from autograder.lessons import hidden_tests as read

    return read(REPO, checks_module(lesson).__name__)


MUTANTS = _mutants()


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """Every lesson handed in complete, blank, and with every catalogued mistake; then graded.

    Returns ``(rows, out)``: the grade rows and the output folder.
    """
    root = tmp_path_factory.mktemp("class")
    submitted = root / "submitted"
    for lesson in LESSONS:
        for path in sorted((REPO / "course" / lesson).glob("*.ipynb")):
            notebooks.write(submission(lesson, path.name), submitted / "complete" / lesson / path.name)
            notebooks.write(notebooks.read(path), submitted / "blank" / lesson / path.name)
    bundles = {}
    for m in MUTANTS:
        mistakes = checks_of(m.lesson)[m.check].all_mistakes()
        src = next(x for x in mistakes if x.key == m.mistake).source(m.exercise)
        bundles.setdefault((m.student, m.lesson, m.notebook), {})[m.exercise] = src
    for (student, lesson, notebook), wrong in bundles.items():
        notebooks.write(submission(lesson, notebook, wrong), submitted / student / lesson / notebook)
    out = root / "out"
    # the lesson's figures are not drawn here (hundreds of notebooks; none of the tests that use
    # this class reads them): tests/autograder/outputs/test_feedback_figures.py grades them
    saved = os.environ.get("ANN_COURSE_FIGURES")
    os.environ["ANN_COURSE_FIGURES"] = "0"
    try:
        rows = grade(submitted, out).rows
    finally:
        if saved is None:
            os.environ.pop("ANN_COURSE_FIGURES")
        else:
            os.environ["ANN_COURSE_FIGURES"] = saved
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
