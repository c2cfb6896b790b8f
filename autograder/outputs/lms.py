"""The class's points as an LMS imports them: Canvas's and Moodle's grade import CSV files.

Students are nbgrader ids; an LMS knows them by its own identities, taken from a roster: the
gradebook's student table (``nbgrader db student import``: ``id, first_name, last_name, email,
lms_user_id``) or a CSV given with ``--roster`` with those columns and, optionally,
``sis_user_id``, ``sis_login_id``, ``section`` and ``username``.

* ``canvas.csv``: Canvas's gradebook import layout: ``Student, ID, SIS User ID, SIS Login ID,
  Section``, then one column of points per assignment, and a second row ``Points Possible``
  with each assignment's points. Canvas matches a row by ``ID`` (Canvas's user id, the roster's
  ``lms_user_id``), ``SIS User ID`` or ``SIS Login ID``: a student with none of these is left out.
* ``moodle.csv``: for Moodle's *Import > CSV file*: ``Username``, ``Email address`` (map either
  to ``username`` / ``useremail`` under *Identify user by*), then one column per grade item (an
  assignment). A student with neither is left out.
* ``lms-unmatched.csv``: nobody is dropped silently: every student of the grades whom a file
  leaves out, and every roster student who is not in the grades, one line each, with why.

Points are the assignment's totals after late penalties and manual grades (the gradebook's).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.outputs.csvfile import write_csv

if TYPE_CHECKING:
    from autograder.outputs.grades import Row

CANVAS = "canvas.csv"
MOODLE = "moodle.csv"
UNMATCHED = "lms-unmatched.csv"
CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: The first cell of Canvas's second row (Canvas writes it with leading spaces; so do we).
POINTS_POSSIBLE = "    Points Possible"
MOODLE_IDENTITY = ("Username", "Email address")
#: Why a student is in ``lms-unmatched.csv``.
PROBLEMS = {
    "not_in_roster": "in the grades but not in the roster: in neither LMS file",
    "no_canvas_identity": "no lms_user_id, sis_user_id or sis_login_id in the roster: not in "
                          "canvas.csv",
    "no_moodle_identity": "no username or email in the roster: not in moodle.csv",
    "no_submission": "in the roster but not in the grades (no submission): in neither LMS file",
}


@dataclass(frozen=True)
class Person:
    """A student as the LMS knows her (empty strings where the roster says nothing)."""

    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    username: str = ""

    @property
    def name(self) -> str:
        """``Last, First`` as Canvas writes it (the nbgrader id when the roster has no name)."""
        if self.last_name and self.first_name:
            return f"{self.last_name}, {self.first_name}"
        return self.last_name or self.first_name or self.id

    def canvas(self) -> bool:
        return bool(self.lms_user_id or self.sis_user_id or self.sis_login_id)

    def moodle(self) -> bool:
        return bool(self.username or self.email)


_FIELDS = [f.name for f in fields(Person)]


def roster_from_csv(path: str | Path) -> dict[str, Person]:
    """``{student id: Person}`` from a roster CSV (a column ``id``; see the module docstring)."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [(h or "").strip() for h in reader.fieldnames or []]
        if "id" not in header:
            raise ValueError(f"the roster {path} has no 'id' column (the nbgrader student id); "
                             f"its columns: {', '.join(header) or 'none'}")
        people = {}
        for record in reader:
            record = {(k or "").strip(): (v or "").strip() for k, v in record.items()}
            if record.get("id"):
                people[record["id"]] = Person(**{k: record.get(k, "") for k in _FIELDS})
    return people


def roster_from_gradebook(db_url: str | None) -> dict[str, Person]:
    """``{student id: Person}`` from the gradebook's student table (empty if it has none)."""
    if not db_url:
        return {}
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        return {s.id: Person(s.id, s.first_name or "", s.last_name or "", s.email or "",
                             s.lms_user_id or "") for s in gb.students}


def _points(rows):
    """``(assignments, {assignment: points possible}, {student: {assignment: points}})``."""
    assignments = sorted({r.assignment for r in rows if r.notebook})
    possible, points, best = {}, {}, {}
    for r in rows:
        if r.assignment not in assignments:
            continue
        points.setdefault(r.student_id, {}).setdefault(r.assignment, 0.0)
        points[r.student_id][r.assignment] += r.score
        best.setdefault((r.student_id, r.assignment), 0.0)
        best[(r.student_id, r.assignment)] += r.max_score
    for (_, a), m in best.items():
        possible[a] = max(possible.get(a, 0.0), m)
    return assignments, possible, points


def write_lms(
    rows: Iterable[Row], out: str | Path, people: dict[str, Person],
) -> tuple[list[Path], list[tuple[str, str, str]]]:
    """Write canvas.csv, moodle.csv and lms-unmatched.csv in ``out``; ``(paths, unmatched)``.

    ``unmatched`` lists ``(student id, problem, why)``, ``problem`` one of :data:`PROBLEMS`.
    """
    out = Path(out)
    assignments, possible, points = _points(rows)
    students = sorted(points)
    unmatched = []
    canvas, moodle = [], []
    for s in students:
        p = people.get(s)
        if p is None:
            unmatched.append((s, "not_in_roster", PROBLEMS["not_in_roster"]))
            continue
        scores = [points[s].get(a, 0.0) for a in assignments]
        if p.canvas():
            canvas.append([p.name, p.lms_user_id, p.sis_user_id, p.sis_login_id, p.section,
                           *scores])
        else:
            unmatched.append((s, "no_canvas_identity", PROBLEMS["no_canvas_identity"]))
        if p.moodle():
            moodle.append([p.username, p.email, *scores])
        else:
            unmatched.append((s, "no_moodle_identity", PROBLEMS["no_moodle_identity"]))
    for s in sorted(set(people) - set(points)):
        unmatched.append((s, "no_submission", PROBLEMS["no_submission"]))
    paths = [
        write_csv(out / CANVAS, [*CANVAS_IDENTITY, *assignments],
                  [[POINTS_POSSIBLE, "", "", "", "", *[possible[a] for a in assignments]],
                   *canvas]),
        write_csv(out / MOODLE, [*MOODLE_IDENTITY, *assignments], moodle),
        write_csv(out / UNMATCHED, ["student_id", "problem", "why"], unmatched),
    ]
    return paths, unmatched


def summary(unmatched: Iterable[tuple[str, str, str]]) -> str:
    """One line: how many students an LMS file left out, and why."""
    missing = len({s for s, p, _ in unmatched if p == "not_in_roster"})
    partial = len({s for s, p, _ in unmatched if p in ("no_canvas_identity", "no_moodle_identity")})
    absent = len({s for s, p, _ in unmatched if p == "no_submission"})
    parts = [f"{missing} student(s) in the grades are not in the roster"] if missing else []
    if partial:
        parts.append(f"{partial} lack an LMS identity for canvas.csv or moodle.csv")
    if absent:
        parts.append(f"{absent} roster student(s) have no submission")
    return ("LMS files: " + "; ".join(parts)
            + " (a roster maps them: ann-course export OUT --roster FILE)")
