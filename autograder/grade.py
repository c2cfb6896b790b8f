"""``ann-course grade``: autograde a class with nbgrader and write grades.csv, feedback and reports.

``SUBMITTED/<student_id>/<assignment>/<notebook>.ipynb`` is nbgrader's submitted layout.

How a run goes (one module per concern):

1. :class:`Grader` finds the students and lessons and registers every lesson once in the class
   gradebook (``OUT/.nbgrader/gradebook.db``), kept as the jobs' template; a re-run skips the
   submissions whose folder did not change (a hash in ``OUT/.nbgrader/state.json``; ``force``
   grades everything again). Only results are cached, never a failure.
2. Each (student, assignment) is a *job* (:mod:`autograder.job`, settings in a :class:`Run`):
   stage the submission (:mod:`autograder.staging`), run nbgrader's autograde and
   generate_feedback on a kernel in a bubblewrap sandbox of its own (:mod:`autograder.sandbox`,
   :mod:`autograder.guard`, :mod:`autograder.kernel`).
3. The job runner (:mod:`autograder.runner`) runs the jobs on a pool of local workers that
   survives its workers, or on a Dask cluster, retries a job once when its worker or kernel
   died, and reports it with a status if it fails again.
4. The grader's process merges each job's scores into the class gradebook and, once every
   sandbox is gone, writes grades.csv, totals.csv and report.html (:mod:`autograder.outputs`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from autograder import course_gradebook, layout
from autograder.build import lessons
from autograder.job import Run
from autograder.nbgrader_api import api, require
from autograder.outputs import COLUMNS, Row, write_all, write_grades  # noqa: F401 - the public names
from autograder.settings import REPO
from autograder.staging import folder_hash

DEFAULT_TIMEOUT = 60
DEFAULT_MEMORY = 1 << 30
#: Seconds a whole notebook may take (its job; also its kernel's CPU seconds).
DEFAULT_BUDGET = 600
#: Bump when grading changes in a way that makes earlier results stale.
GRADER_VERSION = "4"


class GradeError(RuntimeError):
    """The class could not be graded at all (a missing folder, no students, no sandbox)."""


def parse_memory(text):
    """``"1G"``, ``"512M"``, ``"2GiB"`` or a number of bytes -> bytes (0: no cap)."""
    t = str(text).strip().upper().removesuffix("IB").removesuffix("B")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    if t and t[-1] in scale:
        return int(float(t[:-1]) * scale[t[-1]])
    return int(float(t))


# --- the class ------------------------------------------------------------------------------

class Grader:
    """Grades submissions into ``out``; the class gradebook lives in ``out/.nbgrader``."""

    def __init__(self, submitted, out, root=REPO, timeout=DEFAULT_TIMEOUT, memory=DEFAULT_MEMORY,
                 budget=DEFAULT_BUDGET, sandbox=True):
        self.submitted = Path(submitted).resolve()
        self.out = Path(out).resolve()
        self.root = Path(root).resolve()
        self.timeout = timeout
        self.memory = memory
        self.budget = budget
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

    def nbg(self):
        return api(self.work, source_directory=self.root / "solutions",
                   release_directory=self.work / "release",
                   submitted_directory=self.work / "submitted",
                   autograded_directory=self.work / "autograded",
                   feedback_directory=self.out / "feedback", db_url=self.db_url)

    def students(self):
        found = sorted(d.name for d in self.submitted.iterdir()
                       if d.is_dir() and not d.name.startswith("."))
        if not found:
            raise GradeError(f"no student folders in {self.submitted} (expected "
                             "SUBMITTED/<student_id>/<assignment>/<notebook>.ipynb)")
        return found

    def jobs(self):
        """Every (student, assignment) pair to grade, and rows for folders that are not lessons."""
        pairs, rows = [], []
        students = self.students()
        submitted = {(s, d.name) for s in students for d in (self.submitted / s).iterdir()
                     if d.is_dir() and not d.name.startswith(".")}
        assignments = sorted({a for _, a in submitted if a in self.known})
        for s, a in sorted(submitted):
            if a not in self.known:
                rows.append(Row(s, a, "", "", 0.0, 0.0,
                                f"unknown assignment '{a}' (not a lesson in solutions/)"))
        for s in students:
            for a in assignments:
                pairs.append((s, a))
        return pairs, rows

    def register(self, assignments):
        """Register the lessons in the class gradebook and snapshot it as the jobs' template."""
        nbg = self.nbg()
        for a in assignments:
            require(nbg.generate_assignment(a, force=True, create=True), f"generate_assignment {a}")
        shutil.copy2(course_gradebook.sqlite_path(self.db_url), self.template)

    def run(self):
        """The settings every job of this run shares."""
        late = tuple(sorted((self.course.late if self.course else {}).items()))
        return Run(self.root, self.submitted, self.out, self.template, self.timeout, self.memory,
                   self.budget, self.sandbox, late)

    def key(self, student, assignment):
        """What a job's result depends on: the submitted folder, the lesson and the settings."""
        h = hashlib.sha256()
        for part in (folder_hash(self.submitted / student / assignment),
                     folder_hash(self.root / "solutions" / assignment), GRADER_VERSION,
                     str(self.timeout), str(self.memory), str(self.budget), str(self.sandbox),
                     repr(sorted((self.course.late if self.course else {}).items()))):
            h.update(part.encode() + b"\0")
        return h.hexdigest()

    def merge(self, result):
        """Put one job's scores into the class gradebook (nbgrader's Gradebook API)."""
        from nbgrader.api import Gradebook

        if not result["scores"]:
            return
        if getattr(self, "_gb", None) is None:  # one connection for every merge of a run
            self._gb = Gradebook(self.db_url, "ann-course")
        gb = self._gb
        try:
            gb.update_or_create_student(result["student"])
            gb.update_or_create_submission(result["assignment"], result["student"])
            for name, data in result["scores"].items():
                nb = gb.find_submission_notebook(name.removesuffix(".ipynb"), result["assignment"],
                                                 result["student"])
                for g in nb.grades:
                    if g.name in data["grades"]:
                        g.auto_score, g.needs_manual_grade = data["grades"][g.name]
                for c in nb.comments:
                    if c.name in data["comments"]:
                        c.auto_comment = data["comments"][c.name]
            course_gradebook.record(gb, result)
            gb.db.commit()
            if self.course:
                course_gradebook.publish(self.course, self.work, self.out, result["student"],
                                         result["assignment"])
        except Exception:
            self.close()
            raise

    def close(self):
        """Close the class gradebook's connection used by :meth:`merge`."""
        gb, self._gb = getattr(self, "_gb", None), None
        if gb is not None:
            gb.close()


def default_jobs():
    """Workers by default: more than the cores, since a job waits on its kernel part of the time."""
    cores = os.cpu_count() or 1
    return min(2 * cores, cores + 8)


def grade(submitted, out, root=REPO, progress=None, jobs=None, timeout=DEFAULT_TIMEOUT,
          memory=DEFAULT_MEMORY, force=False, scheduler=None, report=True, budget=DEFAULT_BUDGET,
          trust_submissions=False):
    """Grade every submission under ``submitted``; write grades.csv, feedback and reports.

    Returns the list of :class:`Row`. ``progress(done, total, student, assignment)`` is called
    after each submission. ``jobs`` worker processes (default: :func:`default_jobs`) grade in
    parallel, or the workers of the Dask cluster at ``scheduler`` (an address or a
    ``distributed.Client``). Submissions whose folder did not change since the last run are not
    graded again unless ``force``. Each kernel runs in a bubblewrap sandbox; where none can be
    made, :class:`GradeError` says why, unless ``trust_submissions`` (then no sandbox, and the
    report says so). ``budget`` is the wall-clock budget of one notebook, in seconds.
    """
    from autograder import runner, sandbox

    if not trust_submissions:
        try:
            sandbox.check()
        except sandbox.SandboxUnavailable as exc:
            raise GradeError(f"refusing to grade: {exc}") from None
    grader = Grader(submitted, out, root, timeout=timeout, memory=memory, budget=budget,
                    sandbox=not trust_submissions)
    found = layout.require_gradable(grader.submitted, grader.known)
    if found.ignored:
        print("ann-course grade: warning: " + layout.explain(found), file=sys.stderr)
    if grader.course:
        print(f"ann-course grade: {grader.submitted} is the course's submitted folder: scores go "
              f"to its gradebook ({grader.db_url}), feedback also to {grader.course.feedback}",
              file=sys.stderr)
    pairs, rows = grader.jobs()
    state_path = grader.work / "state.json"
    state = {}
    if state_path.exists() and not force:
        try:
            state = json.loads(state_path.read_text())
        except ValueError:
            state = {}
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
        student, assignment = result["student"], result["assignment"]
        grader.merge(result)
        if result.get("failed") or result.get("kernel_died"):
            failed.append(result)  # reported, never cached: the next run grades it again
        else:
            new_state[f"{student}/{assignment}"] = {"key": keys[(student, assignment)],
                                                    "rows": result["rows"]}
            state_path.write_text(json.dumps(new_state))
        count += 1
        if progress:
            progress(count, len(pairs), student, assignment)

    if keys:
        grader.register(sorted({a for _, a in keys}))
        try:
            if scheduler:
                runner.run_dask(grader.run(), list(keys), scheduler, on_result)
            else:
                runner.run_local(grader.run(), list(keys), jobs or default_jobs(), on_result)
        finally:
            grader.close()
    state_path.write_text(json.dumps(new_state))
    for v in [*new_state.values(), *failed]:
        rows += [Row(**r) for r in v["rows"]]
    rows.sort(key=lambda r: (r.student_id, r.assignment, r.notebook))
    write_all(rows, out, report=report, sandboxed=not trust_submissions,
              submitted=grader.submitted, root=grader.root)
    (Path(out) / ".nbgrader" / "last_run.json").write_text(json.dumps(
        {"rows": len(rows), "graded": len(keys), "reused": reused, "failed": len(failed),
         "sandboxed": not trust_submissions}))
    return rows
