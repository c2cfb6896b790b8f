"""Shared fixtures: a whole synthetic class graded once by the real ``ann-course grade``."""

from __future__ import annotations

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

LESSONS = lessons()


def exercise_of(test_id, names):
    """The exercise (answer grade_id) a test cell belongs to: ``test_<name>`` or ``test_<name>_*``."""
    matches = [n for n in names if test_id == f"test_{n}" or test_id.startswith(f"test_{n}_")]
    return max(matches, key=len) if matches else None


@dataclass(frozen=True)
class Mutant:
    student: str
    lesson: str
    notebook: str
    exercise: str
    mistake: str
    message: str


def _mutants():
    out = []
    for lesson in LESSONS:
        for path in sorted((REPO / "course" / lesson).glob("*.ipynb")):
            for name, check in checks_of(lesson).items():
                for mistake in check.all_mistakes():
                    sid = f"mut--{lesson}--{name}--{mistake.key}"
                    out.append(Mutant(sid, lesson, path.name, name, mistake.key, mistake.message))
    return out


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
        source = checks_of(m.lesson)[m.exercise].all_mistakes()
        src = next(x for x in source if x.key == m.mistake).source(m.exercise)
        notebooks.write(submission(m.lesson, m.notebook, {m.exercise: src}),
                        submitted / m.student / m.lesson / m.notebook)
    out = root / "out"
    rows = grade(submitted, out)
    return rows, out


def autograded_errors(out, student, lesson, notebook):
    """``{test grade_id: error message}`` from a graded notebook's failing test cells."""
    nb = notebooks.read(out / ".nbgrader" / "autograded" / student / lesson / notebook)
    errors = {}
    for cell in nb.cells:
        if notebooks.is_test(cell):
            for o in cell.get("outputs", []):
                if o.get("output_type") == "error":
                    errors[notebooks.nbgrader_meta(cell)["grade_id"]] = (
                        f"{o.get('ename')}: {o.get('evalue')}")
    return errors


def html_text(path):
    """Visible text of an HTML file (tags dropped, entities kept simple)."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", Path(path).read_text()))
