"""Every CSV an instructor gets, written from nbgrader's gradebook, the one truth.

* :func:`from_gradebook`: the grade rows as the gradebook has them now: a score given by hand in
  formgrader (``manual_score``, plus extra credit) replaces the autograder's, the instructor's
  comments ride along, late penalties are the gradebook's. A row of a submission that was not
  graded (not submitted, unreadable, a grader failure) keeps its 0 and its status.
* :func:`write_all_csv`: ``grades.csv``, ``totals.csv`` and the LMS files (:mod:`autograder.outputs.lms`),
  every cell written by :func:`write_csv` (text neutralised against CSV injection).
* :func:`export`: ``ann-course export``, the same files again without grading, from a graded
  ``OUT`` folder or from a course's own gradebook.

CSV injection (OWASP): a *text* cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is written with a leading ``'``, so a spreadsheet shows it as text instead of
running it as a formula. Numbers (scores, points, totals; a late penalty is ``-2``) are not text:
they are written as plain numbers, so that an LMS imports them as numbers.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

from autograder.grading.course_gradebook import PENALTY, facts_of, penalty_rows
from autograder.outputs.csvfile import FORMULA_START, Number, cell, write_csv  # noqa: F401 - also here
from autograder.outputs.grades import UNSANDBOXED, Row
from autograder.settings import REPO

# --- the rows, from the gradebook -----------------------------------------------------------

def _comments(nb, test_cells, answers_of):
    """``{test grade_id: comment}``: the instructor's comments of a graded notebook.

    A comment on an answer cell goes to the test cells that grade that answer (the checks each
    test cell calls, :func:`autograder.lessons.hidden_tests`); one on a cell no test
    grades goes to the notebook's first test cell, named by its cell.
    """
    found = {}
    for c in sorted(nb.comments, key=lambda c: c.name):
        text = (c.manual_comment or "").strip()
        if not text:
            continue
        targets = [t for t in test_cells if c.name in answers_of.get(t, ()) or c.name == t]
        for t in targets or test_cells[:1]:
            found.setdefault(t, []).append(f"{c.name}: {text}")
    return {t: " | ".join(v) for t, v in found.items()}


def _answers_of(assignment, root):
    """``{test grade_id: {answer, ...}}``: which answers each test cell of a lesson grades."""
    try:
        from autograder.lessons import hidden_tests, module_name

        calls = hidden_tests(root, f"autograder.lessons.{module_name(assignment)}")
    except Exception:  # noqa: BLE001 - not a lesson of this course: comments go to the first cell
        return {}
    return {t: {answer for _, answer in v} for t, v in calls.items()}


def from_gradebook(db_url: str, rows: list[Row], root: Path = REPO) -> list[Row]:
    """``rows`` with the gradebook's scores, comments and late penalties (a new list).

    Graded rows take the gradebook's score of their cell (``Grade.score``: the manual score when
    one was given, else the autograder's, plus extra credit); late-penalty rows are rebuilt from
    the gradebook's penalties; rows of submissions that were not graded are kept as they are.
    """
    from nbgrader.api import Gradebook, MissingEntry

    out, graded, notebooks, answers = [], set(), {}, {}
    stated = {(r.student_id, r.assignment, r.score): r.status for r in rows
              if r.exercise == PENALTY and not r.notebook}
    with Gradebook(db_url) as gb:
        for r in rows:
            if r.exercise == PENALTY and not r.notebook:
                continue  # rebuilt below, from the gradebook
            if not (r.notebook and r.graded):
                out.append(r)
                continue
            key = (r.student_id, r.assignment, r.notebook)
            if key not in notebooks:
                try:
                    nb = gb.find_submission_notebook(r.notebook.removesuffix(".ipynb"),
                                                     r.assignment, r.student_id)
                except MissingEntry:
                    nb = None
                if nb is not None:
                    if r.assignment not in answers:
                        answers[r.assignment] = _answers_of(r.assignment, root)
                    tests = sorted(g.name for g in nb.grades)
                    nb = ({g.name: (g.score, g.max_score) for g in nb.grades},
                          _comments(nb, tests, answers[r.assignment]))
                notebooks[key] = nb
            nb = notebooks[key]
            if nb is None or r.exercise not in nb[0]:
                out.append(r)
                continue
            score, max_score = nb[0][r.exercise]
            graded.add((r.student_id, r.assignment))
            out.append(replace(r, score=float(score or 0.0), max_score=float(max_score),
                               comment=nb[1].get(r.exercise, "")))
        for student, assignment in sorted(graded):
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            penalties = {f"{nb.name}.ipynb": nb.late_submission_penalty for nb in sub.notebooks}
            for row in penalty_rows(type(rows[0]), student, assignment, penalties, facts_of(sub)):
                # the grading run's status says the course's rule in words (late_policy.describe)
                said = stated.get((student, assignment, row.score))
                out.append(replace(row, status=said) if said else row)
    out.sort(key=lambda r: (r.student_id, r.assignment, r.notebook))
    return out


def gradebook_rows(db_url: str) -> list[Row]:
    """Every graded cell of every submission in a gradebook, as grade rows (a course's export)."""
    from nbgrader.api import Gradebook

    from autograder.outputs.grades import Row

    rows = []
    with Gradebook(db_url) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                for nb in sub.notebooks:
                    for g in nb.grades:
                        rows.append(Row(sub.student.id, assignment.name, f"{nb.name}.ipynb",
                                        g.name, 0.0, float(g.max_score)))
    return rows


# --- the files ------------------------------------------------------------------------------

def write_all_csv(rows: list[Row], out: str | Path, roster: str | Path | None = None,
                  db_url: str | None = None, quiet: bool = False) -> list[Path]:
    """grades.csv, totals.csv and the LMS files in ``out``; returns their paths.

    ``roster`` (a file; a copy is kept as ``out/.nbgrader/roster.csv`` and used by the next runs
    that are given none), else that copy, else the gradebook's student table at ``db_url`` maps
    students to LMS identities (:mod:`autograder.outputs.lms`); who could not be mapped is said on stderr.
    """
    from autograder.outputs import lms
    from autograder.outputs.grades import write_grades
    from autograder.outputs.report import write_totals

    out = Path(out)
    paths = [write_grades(rows, out), write_totals(rows, out)]
    kept = out / ".nbgrader" / "roster.csv"
    if roster:
        people = lms.roster_from_csv(roster)  # read first: a bad roster replaces nothing
        kept.parent.mkdir(parents=True, exist_ok=True)
        if Path(roster).resolve() != kept.resolve():
            shutil.copyfile(roster, kept)
    elif kept.is_file():
        people = lms.roster_from_csv(kept)
    else:
        people = lms.roster_from_gradebook(db_url)
    written, unmatched = lms.write_lms(rows, out, people)
    paths += written
    if unmatched and not quiet:
        print(f"ann-course: {lms.summary(unmatched)}; listed in {out / lms.UNMATCHED}",
              file=sys.stderr)
    return paths


def export(source: str | Path, to: str | Path | None = None, roster: str | Path | None = None,
           report: bool = True) -> tuple[Path, list[Row]]:
    """``ann-course export``: write the CSVs (and report) again from the gradebook, grading nothing.

    ``source`` is a graded ``OUT`` folder (its ``.nbgrader/last_run.json`` says which gradebook
    the run used; the files are written in ``OUT`` unless ``to``) or a course's root (a folder
    with an ``nbgrader_config.py``: every submission in its gradebook; ``to`` defaults to
    ``<course>/export``). Returns ``(out, rows)``.
    """
    from autograder.outputs.grades import Row

    source = Path(source).resolve()
    last = source / ".nbgrader" / "last_run.json"
    if last.is_file():
        run = json.loads(last.read_text())
        if "db_url" not in run:
            raise ValueError(f"{source} was graded by an older ann-course: grade it again once "
                             "(`ann-course grade SUBMITTED --out OUT`), then export")
        rows = [Row(**r) for r in run["rows"]]
        out = Path(to).resolve() if to else source
        rows = from_gradebook(run["db_url"], rows, Path(run["root"]))
        submitted = Path(run["submitted"])
        write_all(rows, out, report=report, sandboxed=run.get("sandboxed", True),
                  submitted=submitted if submitted.is_dir() else None, root=Path(run["root"]),
                  roster=roster, db_url=run["db_url"])
        if out == source:
            from autograder.grading import manual_feedback

            manual_feedback.refresh(source, run)
        return out, rows
    if (source / "nbgrader_config.py").is_file():
        from autograder.grading.course_gradebook import _load_config

        cd = _load_config(source).CourseDirectory
        db_url = cd.get("db_url", f"sqlite:///{source / 'gradebook.db'}")
        out = Path(to).resolve() if to else source / "export"
        rows = from_gradebook(db_url, gradebook_rows(db_url), source)
        write_all(rows, out, report=report, roster=roster, db_url=db_url)
        return out, rows
    raise ValueError(f"{source} is neither a graded output folder (no .nbgrader/last_run.json; "
                     "grade into it with `ann-course grade SUBMITTED --out OUT`) nor a course's "
                     "root (no nbgrader_config.py)")


def write_all(rows: list, out: Path | str, report: bool = True, sandboxed: bool = True,
              submitted: Path | None = None, root: Path | None = None,
              roster: Path | str | None = None, db_url: str | None = None,
              seconds: dict[str, float] | None = None) -> Path:
    """grades.csv, totals.csv and the LMS files, then (``report``) report.html.

    A report problem loses nothing. ``roster`` / ``db_url``: see
    :func:`write_all_csv`. ``seconds`` (a dict) gets the seconds of ``csv``, ``report`` and,
    within the report, ``similarity``.
    """
    seconds = {} if seconds is None else seconds
    start = time.perf_counter()
    path = write_all_csv(rows, out, roster=roster, db_url=db_url)[0]
    seconds["csv"] = time.perf_counter() - start
    if report:
        from autograder.outputs.report import write_report

        start = time.perf_counter()
        try:
            write_report(rows, out, warning="" if sandboxed else UNSANDBOXED,
                         **({"submitted": submitted, "root": root or REPO} if submitted else {}),
                         seconds=seconds)
        except Exception as exc:  # noqa: BLE001 - a report problem must not lose the grades
            print(f"ann-course grade: could not write the report: {exc}", file=sys.stderr)
        seconds["report"] = time.perf_counter() - start - seconds.get("similarity", 0.0)
    return path
