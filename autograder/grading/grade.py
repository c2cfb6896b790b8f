"""``ann-course grade``: autograde a class with nbgrader and write grades.csv, feedback and reports.

``SUBMITTED/<student_id>/<assignment>/<notebook>.ipynb`` is nbgrader's submitted layout.

How a run goes (one module per concern):

1. :class:`Grader` finds the students and lessons and registers every lesson once in the class
   gradebook (``OUT/.nbgrader/gradebook.db``), kept as the jobs' template; a re-run skips the
   submissions whose folder did not change (a hash in ``OUT/.nbgrader/state.json``, and in its
   journal ``state.journal`` while a run goes, one line per result; ``force``
   grades everything again). Only results are cached, never a failure.
2. Each (student, assignment) is a *job* (:mod:`autograder.grading.job`, settings in a :class:`Run`):
   stage the submission (:mod:`autograder.grading.staging`), run nbgrader's autograde and
   generate_feedback on a kernel in a bubblewrap sandbox of its own (:mod:`autograder.sandbox.bubblewrap`,
   :mod:`autograder.grading.execution`, :mod:`autograder.inkernel.kernel`).
3. The job runner (:mod:`autograder.grading.runner`) runs the jobs on a pool of local workers that
   survives its workers, or on a Dask cluster, retries a job once when its worker or kernel
   died, and reports it with a status if it fails again.
4. The grader's process merges each job's scores into the class gradebook and, once every
   sandbox is gone, writes grades.csv, totals.csv and report.html (:mod:`autograder.outputs.grades`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.grading import course_gradebook, exports, layout, manual_feedback, runner, tempdirs
from autograder.grading.exports import write_all
from autograder.grading.job import Run
from autograder.grading.records import JobResult
from autograder.limits import DEFAULT_LIMITS, Limits
from autograder.nbgrader_api import api, require
from autograder.outputs.grades import COLUMNS, Row, write_grades  # noqa: F401 - the public names
from autograder.regular import folder_hash
from autograder.release.build import lessons
from autograder.sandbox import bubblewrap as sandbox
from autograder.settings import REPO

#: Bump when grading changes in a way that makes earlier results stale.
GRADER_VERSION = "5"


class GradeError(RuntimeError):
    """The class could not be graded at all (a missing folder, no students, no sandbox)."""


@dataclass
class StageTimes:
    """Seconds of a run's stages. Those of the jobs (:data:`~autograder.grading.job.JOB_STAGES`)
    are summed over the jobs, which run in parallel: their sum exceeds the run's wall time."""

    staging: float = 0.0    #: submissions checked and copied for nbgrader
    kernel: float = 0.0     #: kernels started, and the guard's calls between cells
    cells: float = 0.0      #: the notebooks' cells running in their kernels
    judge: float = 0.0      #: hidden tests judged (the kernel's calls for them included)
    autograde: float = 0.0  #: the rest of nbgrader's autograde (its preprocessors, gradebook)
    feedback: float = 0.0   #: nbgrader's generate_feedback
    job: float = 0.0        #: whole jobs, in their workers
    register: float = 0.0   #: the lessons registered in the class gradebook
    merge: float = 0.0      #: each job's scores merged into the class gradebook
    csv: float = 0.0        #: grades.csv, totals.csv and the LMS files
    report: float = 0.0     #: report.html without its similar answers
    similarity: float = 0.0  #: the report's similar answers
    total: float = 0.0      #: the whole of :func:`grade`, wall time

    def add(self, seconds: Mapping[str, float]) -> None:
        """Add a job's (or the outputs') ``{stage: seconds}``."""
        for name, value in seconds.items():
            setattr(self, name, getattr(self, name) + value)


@dataclass
class RunSummary:
    """What :func:`grade` did: the rows it wrote and how many submissions it graded."""

    rows: list[Row] = field(default_factory=list)  #: every row of grades.csv, sorted
    graded: int = 0       #: submissions graded in this run
    reused: int = 0       #: unchanged submissions whose earlier result was kept
    failed: int = 0       #: submissions that could not be graded (graded again next time)
    sandboxed: bool = True  #: every kernel ran in a sandbox of its own
    seconds: StageTimes = field(default_factory=StageTimes)  #: where the time went


# --- the class ------------------------------------------------------------------------------

class Grader:
    """Grades submissions into ``out``; the class gradebook lives in ``out/.nbgrader``."""

    def __init__(self, submitted: Path | str, out: Path | str, root: Path | str = REPO,
                 limits: Limits = DEFAULT_LIMITS, sandbox: bool = True) -> None:
        self.submitted = Path(submitted).resolve()
        self.out = Path(out).resolve()
        self.root = Path(root).resolve()
        self.limits = limits
        self.sandbox = sandbox
        if not self.submitted.is_dir():
            raise GradeError(f"no such folder of submissions: {self.submitted}")
        self.work = self.out / ".nbgrader"
        # the course's own gradebook when grading its submitted/ folder, else a private one
        self.course = course_gradebook.course_of(self.submitted)
        self.db_url = self.course.db_url if self.course else f"sqlite:///{self.work / 'gradebook.db'}"
        self.template = self.work / "template.db"
        self.work.mkdir(parents=True, exist_ok=True)
        self.known = lessons(self.root)

    def nbg(self) -> Any:
        return api(self.work, source_directory=self.root / "solutions",
                   release_directory=self.work / "release",
                   submitted_directory=self.work / "submitted",
                   autograded_directory=self.work / "autograded",
                   feedback_directory=self.out / "feedback", db_url=self.db_url)

    def students(self) -> list[str]:
        found = sorted(d.name for d in self.submitted.iterdir()
                       if d.is_dir() and not d.name.startswith("."))
        if not found:
            raise GradeError(f"no student folders in {self.submitted} (expected "
                             "SUBMITTED/<student_id>/<assignment>/<notebook>.ipynb)")
        return found

    def jobs(self) -> tuple[list[tuple[str, str]], list[Row]]:
        """Every (student, assignment) pair to grade, and rows for folders that are not lessons."""
        pairs, rows = [], []
        students = self.students()
        submitted = {(s, d.name) for s in students if not (self.submitted / s).is_symlink()
                     for d in (self.submitted / s).iterdir()  # a link is refused when staged
                     if d.is_dir() and not d.name.startswith(".")}
        assignments = sorted({a for _, a in submitted if a in self.known})
        for s, a in sorted(submitted):
            if a not in self.known:
                rows.append(Row(s, a, "", "", 0.0, 0.0,
                                f"unknown assignment '{a}' (not a lesson in solutions/)",
                                graded=False))
        for s in students:
            for a in assignments:
                pairs.append((s, a))
        return pairs, rows

    def register(self, assignments: Iterable[str]) -> None:
        """Register the lessons in the class gradebook and snapshot it as the jobs' template."""
        nbg = self.nbg()
        for a in assignments:
            require(nbg.generate_assignment(a, force=True, create=True), f"generate_assignment {a}")
        shutil.copy2(course_gradebook.sqlite_path(self.db_url), self.template)

    def run(self) -> Run:
        """The settings every job of this run shares."""
        late = tuple(sorted((self.course.late if self.course else {}).items()))
        return Run(self.root, self.submitted, self.out, self.template, self.limits, self.sandbox, late)

    def key(self, student: str, assignment: str) -> str:
        """What a job's result depends on: the submitted folder, the lesson and the settings."""
        h = hashlib.sha256()
        for part in (folder_hash(self.submitted / student / assignment, under=self.submitted),
                     folder_hash(self.root / "solutions" / assignment), GRADER_VERSION,
                     repr(self.limits), str(self.sandbox),
                     repr(sorted((self.course.late if self.course else {}).items()))):
            h.update(part.encode() + b"\0")
        return h.hexdigest()

    def merge(self, result: JobResult) -> None:
        """Put one job's scores into the class gradebook (nbgrader's Gradebook API)."""
        from nbgrader.api import Gradebook

        if not result.scores:
            return
        if getattr(self, "_gb", None) is None:  # one connection for every merge of a run
            self._gb = Gradebook(self.db_url, "ann-course")
        gb = self._gb
        try:
            gb.update_or_create_student(result.student)
            gb.update_or_create_submission(result.assignment, result.student)
            for name, data in result.scores.items():
                nb = gb.find_submission_notebook(name.removesuffix(".ipynb"), result.assignment,
                                                 result.student)
                for g in nb.grades:
                    if g.name in data.grades:
                        g.auto_score, g.needs_manual_grade = data.grades[g.name]
                for c in nb.comments:
                    if c.name in data.comments:
                        c.auto_comment = data.comments[c.name]
            course_gradebook.record(gb, result)
            gb.db.commit()
            if self.course:
                course_gradebook.publish(self.course, self.work, self.out, result.student,
                                         result.assignment)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        """Close the class gradebook's connection used by :meth:`merge`."""
        gb, self._gb = getattr(self, "_gb", None), None
        if gb is not None:
            gb.close()


def _read_state(path: Path, journal: Path) -> dict[str, Any]:
    """The results of earlier runs: ``state.json``, then the journal of a run that stopped
    before writing it (a line cut short is skipped)."""
    state: dict[str, Any] = {}
    try:
        state = json.loads(path.read_text()) if path.exists() else {}
    except ValueError:
        state = {}
    if journal.exists():
        for line in journal.read_text().splitlines():
            try:
                state.update(json.loads(line))
            except ValueError:
                continue
    return state


def default_jobs() -> int:
    """Workers by default: more than the cores, since a job waits on its kernel part of the time."""
    cores = os.cpu_count() or 1
    return min(2 * cores, cores + 8)


def grade(submitted: Path | str, out: Path | str, root: Path | str = REPO,
          progress: Callable[[int, int, str, str], None] | None = None, jobs: int | None = None,
          limits: Limits = DEFAULT_LIMITS, force: bool = False, scheduler: Any = None,
          report: bool = True, trust_submissions: bool = False,
          roster: Path | str | None = None) -> RunSummary:
    """Grade every submission under ``submitted``; write grades.csv, feedback and reports.

    Returns a :class:`RunSummary` (its ``rows``: every :class:`Row`). ``limits`` say what each
    notebook may use (per cell, per notebook, its kernel's memory, ...).
    ``progress(done, total, student, assignment)`` is called after each submission. ``jobs``
    worker processes (default: :func:`default_jobs`) grade in parallel, or the workers of the Dask cluster
    at ``scheduler`` (an address or a
    ``distributed.Client``). Submissions whose folder did not change since the last run are not
    graded again unless ``force``. Each kernel runs in a bubblewrap sandbox; where none can be
    made, :class:`GradeError` says why, unless ``trust_submissions`` (then no sandbox, and the
    report says so).
    Every CSV is written from the class gradebook (:mod:`autograder.grading.exports`: manual grades
    given in formgrader included, also for reused submissions); ``roster`` maps the students to
    LMS identities (:mod:`autograder.outputs.lms`; default: the gradebook's student table).
    """
    began = time.perf_counter()
    times = StageTimes()
    if not trust_submissions:
        try:
            sandbox.check()
        except sandbox.SandboxUnavailable as exc:
            raise GradeError(f"refusing to grade: {exc}") from None
    grader = Grader(submitted, out, root, limits, sandbox=not trust_submissions)
    found = layout.require_gradable(grader.submitted, grader.known)
    if found.ignored:
        print("ann-course grade: warning: " + layout.explain(found), file=sys.stderr)
    if grader.course:
        print(f"ann-course grade: {grader.submitted} is the course's submitted folder: scores go "
              f"to its gradebook ({grader.db_url}), feedback also to {grader.course.feedback}",
              file=sys.stderr)
    pairs, rows = grader.jobs()
    state_path = grader.work / "state.json"
    journal = grader.work / "state.journal"  # each result as it comes (state.json: at the end)
    state = {} if force else _read_state(state_path, journal)
    if journal.exists():  # a stopped run's results: into state.json before a new journal starts
        if not force:
            state_path.write_text(json.dumps(state))
        journal.unlink()
    keys, new_state = {}, {}
    for student, assignment in pairs:
        key = grader.key(student, assignment)
        old = state.get(f"{student}/{assignment}")
        if old and old.get("key") == key and grader.template.exists():
            new_state[f"{student}/{assignment}"] = old
        else:
            keys[(student, assignment)] = key
    reused = len(new_state)
    failed = []
    count = reused

    def on_result(result):
        nonlocal count
        student, assignment = result.student, result.assignment
        times.add(result.seconds)
        start = time.perf_counter()
        grader.merge(result)
        times.merge += time.perf_counter() - start
        if result.failed or result.kernel_died:
            failed.append(result)  # reported, never cached: the next run grades it again
        else:
            done = {"key": keys[(student, assignment)], "rows": [r.as_dict() for r in result.rows]}
            new_state[f"{student}/{assignment}"] = done
            with journal.open("a") as f:  # kept if the run stops: one line, not the whole state
                f.write(json.dumps({f"{student}/{assignment}": done}) + "\n")
        count += 1
        if progress:
            progress(count, len(pairs), student, assignment)

    if keys:
        start = time.perf_counter()
        grader.register(sorted({a for _, a in keys}))
        times.register = time.perf_counter() - start
        # every temporary folder of the workers in one folder of the run, removed at its end
        with tempdirs.run_folder(), contextlib.closing(grader):
            if scheduler:
                runner.run_dask(grader.run(), list(keys), scheduler, on_result)
            else:
                runner.run_local(grader.run(), list(keys), jobs or default_jobs(), on_result)
    state_path.write_text(json.dumps(new_state))
    journal.unlink(missing_ok=True)
    for v in new_state.values():
        rows += [Row(**r) for r in v["rows"]]
    for result in failed:
        rows += result.rows
    rows.sort(key=lambda r: (r.student_id, r.assignment, r.notebook))
    run = {"graded": len(keys), "reused": reused, "failed": len(failed),
           "sandboxed": not trust_submissions, "db_url": grader.db_url,
           "submitted": str(grader.submitted), "root": str(grader.root),
           "rows": [r.as_dict() for r in rows]}  # what `ann-course export OUT` starts from
    (Path(out) / ".nbgrader" / "last_run.json").write_text(json.dumps(run))
    rows = exports.from_gradebook(grader.db_url, rows, grader.root)
    outputs: dict[str, float] = {}
    write_all(rows, out, report=report, sandboxed=not trust_submissions,
              submitted=grader.submitted, root=grader.root, roster=roster, db_url=grader.db_url,
              seconds=outputs)
    times.add(outputs)
    manual_feedback.refresh(grader.out, run, regraded={f"{s}/{a}" for s, a in keys})
    times.total = time.perf_counter() - began
    return RunSummary(rows, graded=len(keys), reused=reused, failed=len(failed),
                      sandboxed=not trust_submissions, seconds=times)
