"""``ann-course check NOTEBOOK``: grade one notebook as the grader would, before handing it in.

The student's notebook is read, its lesson identified (from its nbgrader cells' grade_ids, or
failing that its folder or file name), every locked and test cell is restored from the lesson's
graded cells (package data written by ``ann-course build``, :mod:`autograder.release.release_data`: no
``solutions/`` needed) by grade_id (as nbgrader's ``OverwriteCells`` does, so the hidden tests
run too and an edited test cell counts for nothing), and the result is executed in a real kernel by
the grader's own Execute preprocessor (:class:`autograder.grading.execution.GuardedExecute`) with the course's
settings: the hidden tests are judged by this process, exactly as ``ann-course grade`` does.

The report gives each exercise's points and, for a failing one, the error's ``name: message`` (the
checks' message names the mistake when it recognises one). It never shows a test cell's source
or traceback: the hidden tests stay hidden.
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from autograder import notebooks
from autograder.checks.testcells import exercise_of, row_label
from autograder.limits import Limits
from autograder.settings import CODE_STUB, REPO

#: The limits of ``ann-course check``: the learner's own machine, so no address-space cap.
CHECK_LIMITS = Limits(memory=0)


class NotACourseNotebook(ValueError):
    """The file is not a notebook of this course; the message says why."""


@dataclass
class Result:
    """One test cell's outcome."""

    grade_id: str
    exercise: str
    score: float
    max_score: float
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score


@dataclass
class Report:
    path: Path
    lesson: str
    solution: object  # the lesson's graded cells (autograder.release.release_data)
    results: list[Result] = field(default_factory=list)
    answer_errors: dict[str, str] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.max_score for r in self.results)

    def lines(self) -> list[str]:
        """The report as printable lines."""
        width = max([len("exercise")] + [len(r.exercise) for r in self.results])
        out = [f"{self.path}: lesson {self.lesson}", ""]
        for r in self.results:
            label = row_label(r.grade_id, r.exercise)
            out.append(f"{'PASS' if r.passed else 'FAIL'}  {label:<{width}}  "
                       f"{r.score:g} / {r.max_score:g}")
            if not r.passed:
                out.append(textwrap.indent(r.message or "the test cell produced error output",
                                           " " * 6))
                if r.exercise in self.answer_errors:
                    out.append(f"      (its answer cell raised {self.answer_errors[r.exercise]})")
        passed = sum(r.passed for r in self.results)
        out += ["", f"{passed} of {len(self.results)} tests pass: {self.score:g} of "
                f"{self.max_score:g} points."]
        return out


def _load(path: Path) -> NotebookNode:
    try:
        return notebooks.load(path)
    except notebooks.NotebookError as exc:
        raise NotACourseNotebook(str(exc)) from None


def _grade_ids(nb):
    return {notebooks.nbgrader_meta(c).get("grade_id") for c in nb.cells} - {None}


def identify(nb: NotebookNode, path: Path, root: Path | str = REPO) -> tuple[str, NotebookNode]:
    """``(lesson, graded-cells notebook)`` of a student's notebook.

    The lessons' graded cells (locked and test cells, hidden tests included) are the package's
    data (:mod:`autograder.release.release_data`), so this works without ``solutions/``. The lesson
    notebook sharing the most nbgrader grade_ids wins (ties: the one whose lesson folder or file
    name matches ``path``'s). ``root`` is unused (kept for callers).
    """
    from autograder.release import release_data

    ids = _grade_ids(nb)
    names = {path.parent.name, path.stem}
    best, best_key = None, (0, False)
    for lesson, name, graded in release_data.available():
        overlap = len(ids & _grade_ids(graded))
        key = (overlap, lesson in names or Path(name).stem in names)
        if overlap and key > best_key:
            best, best_key = (lesson, graded), key
    if best is None:
        if ids:
            raise NotACourseNotebook(
                f"{path} has nbgrader cells, but none matches a lesson of this course")
        raise NotACourseNotebook(
            f"{path} is not a course notebook: it has no nbgrader cells (exercises or tests)")
    return best


def restore(student_nb: NotebookNode, solution_nb: NotebookNode) -> NotebookNode:
    """The notebook the grader runs: locked and test cells restored as ``grade`` restores them.

    :func:`autograder.grading.restore.restore_cells` does it, against the release made from the solution
    (answers as stubs): a deleted answer cell comes back blank, never solved.
    """
    from autograder.grading.restore import restore_cells

    release = copy.deepcopy(solution_nb)
    for cell in release.cells:
        if notebooks.is_answer(cell) and cell.cell_type == "code":
            cell.source = CODE_STUB
    nb, _ = restore_cells(copy.deepcopy(student_nb), release)
    nb = copy.deepcopy(nb)
    nb.metadata["kernelspec"] = copy.deepcopy(solution_nb.metadata.get("kernelspec", {})) or {
        "name": "python3", "display_name": "Python 3", "language": "python"}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def execute(nb: NotebookNode, cwd: Path | str, lesson: str, root: Path | str = REPO,
            limits: Limits = CHECK_LIMITS) -> NotebookNode:
    """Run ``nb`` as ``ann-course grade`` does: nbgrader's Execute, the grader judging the tests.

    Configured by the one function ``grade`` uses (:func:`configure_grading`), without a sandbox:
    the student's own notebook on her own machine.
    """
    from nbgrader import utils
    from nbgrader.preprocessors import IgnorePattern
    from traitlets.config import Config

    from autograder.grading.configuration import configure_grading
    from autograder.grading.execution import GuardedExecute
    from autograder.lessons import module_name
    from autograder.nbgrader_api import configure

    c = Config()
    configure(c)
    configure_grading(c, limits, f"autograder.lessons.{module_name(lesson)}", root, sandbox=False)
    c.GuardedExecute.figures = False  # a text report: the lesson's figures are not drawn
    resources = {"metadata": {"path": str(cwd)}}
    # Agg, as in the grading kernel: the lessons' figures are made but never rendered
    with utils.setenv(NBGRADER_EXECUTION="autograde", MPLBACKEND="Agg"):
        nb, resources = GuardedExecute(config=c).preprocess(nb, resources)
    nb, resources = IgnorePattern(config=c).preprocess(nb, resources)
    return nb


def check(path: Path | str, root: Path | str = REPO, limits: Limits = CHECK_LIMITS) -> Report:
    """Grade the notebook at ``path`` as the grader would; see the module docstring."""
    from nbgrader.utils import determine_grade

    path = Path(path)
    student = _load(path)
    lesson, solution = identify(student, path, root)
    nb = execute(restore(student, solution), path.resolve().parent, lesson, root, limits)
    names = [notebooks.nbgrader_meta(c)["grade_id"] for c in solution.cells if notebooks.is_answer(c)]
    report = Report(path, lesson, solution)
    for cell in nb.cells:
        gid: str = notebooks.nbgrader_meta(cell).get("grade_id", "")
        if notebooks.is_answer(cell) and notebooks.error_of(cell):
            report.answer_errors[gid] = notebooks.error_of(cell)
        if notebooks.is_test(cell):
            score, max_score = determine_grade(cell)
            report.results.append(Result(gid, exercise_of(gid, names), float(score or 0),
                                         float(max_score), notebooks.error_of(cell)))
    return report
