"""What a grading run hands the instructor: the rows of ``grades.csv``, then totals and report.

Written by the grader's own process once every job is done and every sandbox is gone
(:func:`write_all`); nothing a notebook ran can reach them. The rows' scores are the gradebook's
(:func:`autograder.grading.exports.from_gradebook`); every CSV cell goes through
:func:`autograder.outputs.csvfile.cell` (CSV injection neutralised, numbers written as numbers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.outputs.diagnosis import load as load_diagnoses

COLUMNS = ["student_id", "assignment", "notebook", "exercise", "score", "max_score", "status",
           "flags", "comment"]

#: What the report and the summary say when the class was graded without a sandbox.
UNSANDBOXED = ("graded WITHOUT a sandbox (--trust-submissions): the submissions' code ran with the "
               "grader's rights; only trusted submissions should be graded this way")


@dataclass
class Row:
    student_id: str
    assignment: str
    notebook: str
    exercise: str
    score: float
    max_score: float
    status: str = "ok"
    flags: str = ""
    comment: str = ""        #: the instructor's comments (formgrader) on the cells it grades
    graded: bool = True      #: False: nbgrader never graded it (not submitted, unreadable, ...)
    #: the judge's :class:`~autograder.outputs.diagnosis.Diagnosis` of each failing check
    diagnoses: tuple = ()

    def __post_init__(self):
        self.diagnoses = load_diagnoses(self.diagnoses)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (a job's result, ``state.json``); :class:`Row` ``(**d)`` reads it back."""
        return {**{k: getattr(self, k) for k in (*COLUMNS, "graded")},
                "diagnoses": [d.as_dict() for d in self.diagnoses]}


def write_grades(rows: Iterable[Row], out: Path | str) -> Path:
    """Write ``out/grades.csv`` (one row per student x test cell)."""
    from autograder.outputs.csvfile import write_csv

    ordered = sorted(rows, key=lambda r: (r.student_id, r.assignment, r.notebook))
    return write_csv(Path(out) / "grades.csv", COLUMNS,
                     [[getattr(r, k) for k in COLUMNS] for r in ordered])
