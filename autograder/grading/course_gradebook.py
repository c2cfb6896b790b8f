"""Grading a course's own ``submitted/`` folder into the course's own nbgrader gradebook.

The rule: when ``SUBMITTED`` is the ``submitted/`` folder of a course, i.e. its parent folder holds
an ``nbgrader_config.py`` whose ``CourseDirectory.submitted_directory`` is that folder (what
``nbgrader collect`` fills), ``ann-course grade`` records the scores in the gradebook that config
names (``CourseDirectory.db_url``), writes nbgrader's autograded copies to the course's
``autograded/`` and the HTML feedback to its ``feedback/`` (with ``timestamp.txt`` and
``submission_secret.txt``, so ``nbgrader release_feedback`` finds it and students
``fetch_feedback`` it), and applies the config's late-submission policy
(``LateSubmissionPlugin``, ``AssignLatePenalties``) against the due dates in that gradebook.
Formgrader, ``nbgrader export`` and manual grading then see the same scores as ``grades.csv``.

Any other folder (e.g. the sample class of ``make demo``, ``examples/submitted``) is graded into a
private gradebook under ``OUT/.nbgrader/``: a real course's gradebook is never touched.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder import regular
from autograder.grading.records import JobResult, SubmissionFacts

if TYPE_CHECKING:
    from nbgrader.api import Gradebook, SubmittedAssignment
    from traitlets.config import Config

#: The config sections that decide late-submission penalties, passed on to the grading jobs.
LATE_SECTIONS = ("LateSubmissionPlugin", "AssignLatePenalties", "PenaltyPerDay")
#: The grades.csv exercise name of a late-submission penalty row (score = minus the penalty).
PENALTY = "late_submission_penalty"


@dataclass
class Course:
    """Where a course keeps its gradebook, autograded copies and feedback."""

    root: Path
    db_url: str
    autograded: Path
    feedback: Path
    late: dict = field(default_factory=dict)  # {section: {trait: value}}, picklable


def _load_config(root: Path):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def _plain(value):
    """A config value a worker process can receive (classes become their import path)."""
    return f"{value.__module__}.{value.__qualname__}" if isinstance(value, type) else value


def course_of(submitted: str | Path) -> Course | None:
    """The :class:`Course` whose submitted folder ``submitted`` is, or None (grade privately)."""
    submitted = Path(submitted).resolve()
    root = submitted.parent
    if not (root / "nbgrader_config.py").is_file():
        return None
    config = _load_config(root)
    cd = config.CourseDirectory
    course_root = Path(cd.get("root", root)).resolve()
    if course_root != root or submitted != (root / cd.get("submitted_directory", "submitted")).resolve():
        return None
    late = {s: {k: _plain(v) for k, v in config[s].items()} for s in LATE_SECTIONS if s in config}
    return Course(root=root, db_url=cd.get("db_url", f"sqlite:///{root / 'gradebook.db'}"),
                  autograded=root / cd.get("autograded_directory", "autograded"),
                  feedback=root / cd.get("feedback_directory", "feedback"), late=late)


def apply_late_policy(c: Config, late: dict[str, dict[str, Any]] | None) -> None:
    """Put the course's late-submission settings into a grading job's Config ``c``."""
    for section, values in (late or {}).items():
        for key, value in values.items():
            setattr(c[section], key, value)


def sqlite_path(db_url: str) -> Path:
    """The file of a ``sqlite:///...`` gradebook URL."""
    if not db_url.startswith("sqlite:///"):
        raise ValueError(f"ann-course grade needs a SQLite gradebook, not {db_url}")
    return Path(db_url.removeprefix("sqlite:///"))


def facts_of(sub: SubmittedAssignment) -> SubmissionFacts:
    """What a gradebook's submission ``sub`` says of its lateness."""
    return SubmissionFacts(sub.timestamp.isoformat() if sub.timestamp else None,
                           float(sub.total_seconds_late or 0.0))


def submission_facts(gb: Gradebook, assignment: str, student: str) -> SubmissionFacts:
    """What a job's gradebook knows about a submission's lateness, for the class gradebook."""
    return facts_of(gb.find_submission(assignment, student))


def penalty_rows(row_type: Callable[..., Any], student: str, assignment: str,
                 penalties: Mapping[str, float | None], facts: SubmissionFacts) -> list[Any]:
    """grades.csv rows for late penalties: ``exercise`` = :data:`PENALTY`, ``score`` = -penalty.

    ``notebook`` is empty (like other assignment-level rows), so per-exercise statistics skip it
    while totals (the sum of ``score``) are after the penalty, as in ``nbgrader export``.
    """
    rows = []
    for name, penalty in sorted(penalties.items()):
        penalty = penalty or 0.0
        if penalty > 0:
            rule = facts.late.get(name)  # autograder.outputs.late_policy.describe
            rows.append(row_type(student, assignment, "", PENALTY, -penalty, 0.0,
                                 f"late: {name} submitted {facts.timestamp}, " + (
                                     rule or f"{facts.seconds_late:.0f} s after the due date")))
    return rows


def record(gb: Gradebook, result: JobResult) -> None:
    """Write a job's submission timestamp and late penalties into the class gradebook ``gb``."""
    from datetime import datetime

    if result.facts.timestamp:
        gb.update_or_create_submission(result.assignment, result.student,
                                       timestamp=datetime.fromisoformat(result.facts.timestamp))
    for name, data in result.scores.items():
        nb = gb.find_submission_notebook(name.removesuffix(".ipynb"), result.assignment,
                                         result.student)
        nb.late_submission_penalty = data.late_penalty


def publish(course: Course, work: str | Path, out: str | Path, student: str, assignment: str) -> None:
    """Copy a job's autograded notebooks and feedback into the course's folders."""
    for src, dest in ((Path(work) / "autograded", course.autograded),
                      (Path(out) / "feedback", course.feedback)):
        folder = src / student / assignment
        if folder.is_dir():
            target = dest / student / assignment
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(folder, target, symlinks=True, ignore=regular.not_regular)
