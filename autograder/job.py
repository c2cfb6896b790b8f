"""One job: grade one student's assignment with nbgrader, in a worker process.

The job stages the submission (:mod:`autograder.staging`) in its own folder under
``OUT/.nbgrader/jobs``, runs nbgrader's autograde on the guarded kernel (:mod:`autograder.guard`;
in a sandbox of its own, :mod:`autograder.sandbox`) against a private copy of the class
gradebook, then generate_feedback, and returns plain data: the rows of ``grades.csv`` and the
scores that the grader merges into the class gradebook.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder import course_gradebook, notebooks
from autograder.nbgrader_api import NbgraderError, api, require
from autograder.outputs import Row
from autograder.staging import expected_cells, stage


@dataclass(frozen=True)
class Run:
    """What every job of a grading run shares (picklable: sent to workers and Dask)."""

    root: Path
    submitted: Path
    out: Path
    template: Path          #: the class gradebook with every lesson registered
    timeout: int = 60       #: seconds per cell
    memory: int = 1 << 30   #: address space of a kernel (0: no cap)
    budget: int = 600       #: seconds for a whole notebook (its job), and its kernel's CPU seconds
    sandbox: bool = True    #: each kernel in a bubblewrap sandbox (False: --trust-submissions)
    late: tuple = ()        #: the course's late-submission policy, as (key, value) pairs


def _status_of(cell, timeout):
    """What went wrong while running a test cell, from its outputs ("ok" if nothing did)."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            name = output.get("ename", "")
            if name == "CellTimeoutError":
                return f"timeout: the cell ran past the {timeout:g} s limit"
            if name in ("DeadKernelError", "DeadKernel"):
                return "kernel died"
            if name == "MemoryError":
                return "memory limit: the cell ran out of memory"
    return "ok"


def _notebook_status(events, run):
    if events.get("unresponsive"):
        return (f"kernel died: it stopped responding in cell {events['dead']} "
                "(the cells after it scored 0)")
    if events.get("dead"):
        return f"kernel died in cell {events['dead']} (the cells after it scored 0)"
    if events.get("timeouts"):
        return (f"timeout: cell(s) {', '.join(map(str, events['timeouts']))} ran past "
                f"the {run.timeout:g} s limit (interrupted; the rest was graded)")
    if events.get("memory"):
        return (f"memory limit: cell(s) {', '.join(map(str, events['memory']))} ran out "
                f"of memory ({run.memory / (1 << 20):.0f} MiB cap)")
    return None


def grade_job(run, student, assignment):
    """Grade ``student``'s ``assignment``; return ``{"rows", "scores", "kernel_died"}`` (plain data).

    ``kernel_died`` says that a kernel died (crash, killed, out of memory): the runner grades the
    notebook once more and never caches such a result.
    """
    from nbgrader.api import Gradebook

    from autograder import speedups
    from autograder.guard import configure_grading
    from autograder.lessons import module_name

    speedups.install()
    os.environ.setdefault("MPLBACKEND", "Agg")
    root, out = Path(run.root), Path(run.out)
    work = out / ".nbgrader"
    job = work / "jobs" / student / assignment
    if job.exists():
        shutil.rmtree(job)
    job.mkdir(parents=True)
    shutil.copy2(run.template, job / "gradebook.db")
    db_url = f"sqlite:///{job / 'gradebook.db'}"
    expected = expected_cells(root, assignment)
    problems, flags = stage(Path(run.submitted) / student / assignment,
                            job / "submitted" / student / assignment, assignment, expected,
                            work / "release" / assignment)
    reports = job / "reports"
    reports.mkdir()
    try:
        lesson_module = f"autograder.lessons.{module_name(assignment)}"
    except ValueError:
        lesson_module = "autograder.core"

    def extra(c):
        configure_grading(c, run.timeout, run.memory, lesson_module, str(reports),
                          sandbox=run.sandbox, cpu=run.budget)
        c.GuardedExecute.solutions_root = str(root)  # which checks each test cell calls
        course_gradebook.apply_late_policy(c, dict(run.late))

    status = {name: p for name, p in problems.items() if p}
    if len(status) < len(expected):
        nbg = api(job, extra_config=extra, source_directory=root / "solutions",
                  release_directory=work / "release", submitted_directory=job / "submitted",
                  autograded_directory=work / "autograded", feedback_directory=out / "feedback",
                  db_url=db_url)
        try:
            require(nbg.autograde(assignment, student, force=True, create=True), "autograde")
            require(nbg.generate_feedback(assignment, student, force=True), "generate_feedback")
        except NbgraderError as exc:  # its cause: the line that says why, from nbgrader's log
            for name in expected:
                status.setdefault(name, f"nbgrader failed: {exc.cause[:300]}")
    rows, scores, died, facts = [], {}, False, {}
    for name, cells in expected.items():
        if name in status:
            rows += [Row(student, assignment, name, gid, 0.0, pts, status[name],
                         "; ".join(flags[name])) for gid, pts in cells]
            continue
        events = {}
        report = reports / f"{name.removesuffix('.ipynb')}.json"
        if report.exists():
            events = json.loads(report.read_text())
        died = died or bool(events.get("dead"))
        nb_flags = list(flags[name])
        if events.get("tamper"):
            nb_flags.append("checkers' tools tampered with: " + " | ".join(events["tamper"])[:500])
        nb_status = _notebook_status(events, run)
        graded = work / "autograded" / student / assignment / name
        cell_status = {}
        if graded.exists():
            nb = notebooks.read(graded)
            cell_status = {notebooks.nbgrader_meta(c)["grade_id"]: _status_of(c, run.timeout)
                           for c in nb.cells if notebooks.is_test(c)}
        with Gradebook(db_url, "ann-course") as gb:
            sub = gb.find_submission_notebook(name.removesuffix(".ipynb"), assignment, student)
            got = {g.name: (float(g.score or 0.0), float(g.max_score), g.auto_score,
                            bool(g.needs_manual_grade)) for g in sub.grades}
            comments = {c.name: c.auto_comment for c in sub.comments}
            penalty = sub.late_submission_penalty
            facts = course_gradebook.submission_facts(gb, assignment, student)
        scores[name] = {"grades": {k: [v[2], v[3]] for k, v in got.items()}, "comments": comments,
                        "late_penalty": penalty}
        for gid, points in cells:
            score, max_score = got.get(gid, (0.0, points))[:2]
            st = cell_status.get(gid, "ok")
            if st == "ok" and nb_status:
                st = nb_status
            rows.append(Row(student, assignment, name, gid, score, max_score, st,
                            "; ".join(nb_flags)))
    rows += course_gradebook.penalty_rows(Row, student, assignment, scores, facts)
    shutil.rmtree(job / "submitted", ignore_errors=True)
    return {"student": student, "assignment": assignment, "rows": [asdict(r) for r in rows],
            "scores": scores, "facts": facts, "kernel_died": died}


def failed_result(run, student, assignment, status):
    """The result of a job that could not be graded: every test cell 0 with ``status``."""
    rows = [asdict(Row(student, assignment, name, gid, 0.0, pts, status))
            for name, cells in expected_cells(run.root, assignment).items()
            for gid, pts in cells]
    return {"student": student, "assignment": assignment, "rows": rows, "scores": {},
            "failed": True}
