"""One job: grade one student's assignment with nbgrader, in a worker process.

The job stages the submission (:mod:`autograder.grading.staging`) in its own folder under
``OUT/.nbgrader/jobs``, runs nbgrader's autograde on the guarded kernel (:mod:`autograder.grading.guard`;
in a sandbox of its own, :mod:`autograder.sandbox.bubblewrap`) against a private copy of the class
gradebook, then generate_feedback, and returns a :class:`~autograder.grading.records.JobResult`:
the rows of ``grades.csv`` and the scores that the grader merges into the class gradebook.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from autograder.grading import course_gradebook
from autograder.grading.records import JobResult, NotebookEvents, NotebookScores, SubmissionFacts
from autograder.grading.staging import expected_cells, stage
from autograder.limits import Limits
from autograder.nbgrader_api import NbgraderError, api, require
from autograder.outputs.grades import Row

#: The seconds a job reports (``JobResult.seconds``), each its notebooks' sum: ``staging``;
#: ``kernel`` (starting it, the guard's calls), ``cells`` (the cells' own run), ``judge`` (the
#: hidden tests judged, the kernel's calls included) while nbgrader's ``autograde`` runs, which
#: counts the rest of it; ``feedback`` (generate_feedback); ``job``: the whole job.
JOB_STAGES = ("staging", "kernel", "cells", "judge", "autograde", "feedback", "job")


@dataclass(frozen=True)
class Run:
    """What every job of a grading run shares (picklable: sent to workers and Dask)."""

    root: Path
    submitted: Path
    out: Path
    template: Path          #: the class gradebook with every lesson registered
    limits: Limits = Limits()  #: what each notebook may use (timeout, budget, memory, ...)
    sandbox: bool = True    #: each kernel in a bubblewrap sandbox (False: --trust-submissions)
    late: tuple = ()        #: the course's late-submission policy, as (key, value) pairs


def _cell_status(kind: str | None, run: Run) -> str:
    """A test cell's status from what went wrong with its run (:attr:`NotebookEvents.cell_status`)."""
    if kind == "timeout":
        return f"timeout: the cell ran past the {run.limits.timeout:g} s limit"
    if kind == "memory":
        return "memory limit: the cell ran out of memory"
    return kind or "ok"


def _notebook_status(events: NotebookEvents, run: Run) -> str | None:
    if events.unresponsive:
        return (f"kernel died: it stopped responding in cell {events.dead} "
                "(the cells after it scored 0)")
    if events.dead:
        return f"kernel died in cell {events.dead} (the cells after it scored 0)"
    if events.timeouts:
        return (f"timeout: cell(s) {', '.join(events.timeouts)} ran past "
                f"the {run.limits.timeout:g} s limit (interrupted; the rest was graded)")
    if events.memory:
        return (f"memory limit: cell(s) {', '.join(events.memory)} ran out "
                f"of memory ({run.limits.memory / (1 << 20):.0f} MiB cap)")
    return None


def grade_job(run: Run, student: str, assignment: str) -> JobResult:
    """Grade ``student``'s ``assignment``: its rows, scores and facts (:class:`JobResult`).

    ``kernel_died`` says that a kernel died (crash, killed, out of memory): the runner grades the
    notebook once more and never caches such a result.
    """
    from nbgrader.api import Gradebook

    from autograder.grading import speedups
    from autograder.grading.configuration import configure_grading
    from autograder.grading.execution import take_events
    from autograder.lessons import module_name

    speedups.install()
    os.environ.setdefault("MPLBACKEND", "Agg")
    began = time.perf_counter()
    seconds = dict.fromkeys(JOB_STAGES, 0.0)
    root, out = Path(run.root), Path(run.out)
    work = out / ".nbgrader"
    job = work / "jobs" / student / assignment
    if job.exists():
        shutil.rmtree(job)
    job.mkdir(parents=True)
    shutil.copy2(run.template, job / "gradebook.db")
    db_url = f"sqlite:///{job / 'gradebook.db'}"
    expected = expected_cells(root, assignment)
    start = time.perf_counter()
    problems, flags = stage(Path(run.submitted) / student / assignment,
                            job / "submitted" / student / assignment, assignment, expected,
                            work / "release" / assignment)
    seconds["staging"] = time.perf_counter() - start
    report_key = f"{student}/{assignment}/{uuid.uuid4().hex}"  # what its notebooks' runs leave
    try:
        lesson_module = f"autograder.lessons.{module_name(assignment)}"
    except ValueError:
        lesson_module = "autograder.checks.core"

    def extra(c: Any) -> None:
        configure_grading(c, run.limits, lesson_module, root, report_key, sandbox=run.sandbox)
        course_gradebook.apply_late_policy(c, dict(run.late))

    status = {name: p for name, p in problems.items() if p}
    if len(status) < len(expected):
        nbg = api(job, extra_config=extra, source_directory=root / "solutions",
                  release_directory=work / "release", submitted_directory=job / "submitted",
                  autograded_directory=work / "autograded", feedback_directory=out / "feedback",
                  db_url=db_url)
        try:
            start = time.perf_counter()
            require(nbg.autograde(assignment, student, force=True, create=True), "autograde")
            seconds["autograde"] = time.perf_counter() - start
            start = time.perf_counter()
            require(nbg.generate_feedback(assignment, student, force=True), "generate_feedback")
            seconds["feedback"] = time.perf_counter() - start
        except NbgraderError as exc:  # its cause: the line that says why, from nbgrader's log
            for name in expected:
                status.setdefault(name, f"nbgrader failed: {exc.cause[:300]}")
    if status:  # the student's page for each notebook that could not be graded says why
        from autograder.outputs.feedback_ungraded import write_pages

        write_pages(out / "feedback", run.submitted, student, assignment, status, expected)
    rows: list[Row] = []
    scores: dict[str, NotebookScores] = {}
    died, facts = False, SubmissionFacts()
    ran = take_events(report_key)
    for name, cells in expected.items():
        if name in status:
            rows += [Row(student, assignment, name, gid, 0.0, pts, status[name],
                         "; ".join(flags[name]), graded=False) for gid, pts in cells]
            continue
        events = ran.get(name.removesuffix(".ipynb"), NotebookEvents())
        died = died or bool(events.dead)
        seconds["cells"] += events.cells
        seconds["judge"] += events.judge
        seconds["kernel"] += events.run - events.cells - events.judge
        seconds["autograde"] -= events.run
        nb_flags = list(flags[name])
        if events.tamper:
            nb_flags.append("checkers' tools tampered with: " + " | ".join(events.tamper)[:500])
        nb_status = _notebook_status(events, run)
        with Gradebook(db_url, "ann-course") as gb:
            sub = gb.find_submission_notebook(name.removesuffix(".ipynb"), assignment, student)
            got = {g.name: (float(g.score or 0.0), float(g.max_score), g.auto_score,
                            bool(g.needs_manual_grade)) for g in sub.grades}
            comments = {c.name: c.auto_comment for c in sub.comments}
            penalty = sub.late_submission_penalty
            facts = course_gradebook.submission_facts(gb, assignment, student)
        scores[name] = NotebookScores({k: (v[2], v[3]) for k, v in got.items()}, comments, penalty)
        for gid, points in cells:
            score, max_score = got.get(gid, (0.0, points))[:2]
            st = _cell_status(events.cell_status.get(gid), run)
            if st == "ok" and nb_status:
                st = nb_status
            rows.append(Row(student, assignment, name, gid, score, max_score, st,
                            "; ".join(nb_flags), diagnoses=tuple(events.verdicts.get(gid, ()))))
    if any(data.late_penalty for data in scores.values()):  # the rule, in words
        from autograder.outputs.late_policy import describe

        facts = replace(facts, late={name: describe(dict(run.late), student, facts.seconds_late,
                                                    data.late_penalty)
                                     for name, data in scores.items() if data.late_penalty})
    rows += course_gradebook.penalty_rows(Row, student, assignment,
                                         {name: s.late_penalty for name, s in scores.items()}, facts)
    shutil.rmtree(job / "submitted", ignore_errors=True)
    seconds["autograde"] = max(seconds["autograde"], 0.0)  # nbgrader's own part of it
    seconds["job"] = time.perf_counter() - began
    return JobResult(student, assignment, tuple(rows), scores, facts, kernel_died=died,
                     seconds=seconds)


def failed_result(run: Run, student: str, assignment: str, status: str) -> JobResult:
    """The result of a job that could not be graded: every test cell 0 with ``status``."""
    rows = tuple(Row(student, assignment, name, gid, 0.0, pts, status, graded=False)
                 for name, cells in expected_cells(run.root, assignment).items()
                 for gid, pts in cells)
    return JobResult(student, assignment, rows, failed=True)
