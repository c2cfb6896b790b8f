"""What a grading run hands the instructor: the rows of ``grades.csv``, then totals and report.

Written by the grader's own process once every job is done and every sandbox is gone
(:func:`write_all`); nothing a notebook ran can reach them.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

COLUMNS = ["student_id", "assignment", "notebook", "exercise", "score", "max_score", "status",
           "flags"]

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


def write_grades(rows, out):
    """Write ``out/grades.csv`` (one row per student x test cell)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "grades.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for row in sorted(rows, key=lambda r: (r.student_id, r.assignment, r.notebook)):
            d = asdict(row)
            d["score"] = f"{row.score:g}"
            d["max_score"] = f"{row.max_score:g}"
            writer.writerow(d)
    return path


def write_all(rows, out, report=True, sandboxed=True, submitted=None, root=None):
    """grades.csv, then (``report``) totals.csv and report.html; a report problem loses nothing."""
    path = write_grades(rows, out)
    if report:
        from autograder.report import write_reports

        try:
            write_reports(rows, out, warning="" if sandboxed else UNSANDBOXED,
                          **({"submitted": submitted, "root": root} if submitted else {}))
        except Exception as exc:  # noqa: BLE001 - a report problem must not lose the grades
            print(f"ann-course grade: could not write the report: {exc}", file=sys.stderr)
    return path
