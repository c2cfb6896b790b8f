"""``ann-course grade``: autograde a class with nbgrader and write grades.csv, feedback and reports.

``SUBMITTED/<student_id>/<assignment>/<notebook>.ipynb`` is nbgrader's submitted layout.

Design
------
* The parent registers every lesson once in the class gradebook (``OUT/.nbgrader/gradebook.db``)
  and keeps a copy of it as a template.
* Each (student, assignment) is a *job* run by a worker of a process pool (``--jobs``, default
  twice the cores) or of a Dask cluster (``--scheduler``). A worker stages the submission in a private
  folder (originals untouched; unreadable files, shadowing files and tampered test cells are dealt
  with there, see :mod:`autograder.guard`), then runs nbgrader's own autograde and
  generate_feedback against a *private copy* of the template gradebook, on a fresh grading kernel
  (:mod:`autograder.kernel`: per-cell timeout, memory cap, guard for the checkers' tools),
  reached over IPC sockets and forked from a warm per-worker fork server
  (:mod:`autograder.zygote`) instead of a new Python.
* The parent merges each job's scores into the class gradebook with nbgrader's Gradebook API, so
  formgrader sees one consistent gradebook, and records a hash of the submitted folder: a re-run
  grades only new or changed submissions (``--force`` grades everything again).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from autograder import course_gradebook, layout, notebooks
from autograder.build import lessons
from autograder.nbgrader_api import NbgraderError, api, require
from autograder.settings import REPO

COLUMNS = ["student_id", "assignment", "notebook", "exercise", "score", "max_score", "status",
           "flags"]
DEFAULT_TIMEOUT = 60
DEFAULT_MEMORY = 1 << 30
#: Bump when grading changes in a way that makes earlier results stale.
GRADER_VERSION = "3"


class GradeError(RuntimeError):
    """The class could not be graded at all (a missing folder, no students)."""


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


def parse_memory(text):
    """``"1G"``, ``"512M"``, ``"2GiB"`` or a number of bytes -> bytes (0: no cap)."""
    t = str(text).strip().upper().removesuffix("IB").removesuffix("B")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    if t and t[-1] in scale:
        return int(float(t[:-1]) * scale[t[-1]])
    return int(float(t))


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


def expected_cells(root, assignment):
    """``{notebook name: [(test grade_id, points), ...]}`` of an assignment."""
    folder = Path(root) / "solutions" / assignment
    return {p.name: notebooks.test_cells(notebooks.read(p)) for p in sorted(folder.glob("*.ipynb"))}


def folder_hash(folder):
    """A hash of every file under ``folder`` (names and contents); '' if it does not exist."""
    folder = Path(folder)
    if not folder.is_dir():
        return ""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


# --- one job, run in a worker process ------------------------------------------------------

def _stage(spec, stage, expected, release):
    """Copy what can be graded into ``stage``; return ``({notebook: problem}, {notebook: flags})``."""
    from autograder.guard import restore_cells, scan_answers, shadowing_files
    from autograder.lessons import checks_of

    src = Path(spec["submitted"]) / spec["student"] / spec["assignment"]
    problems = {name: None for name in expected}
    flags = {name: [] for name in expected}
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    if not src.is_dir():
        return {name: "not submitted" for name in expected}, flags
    shadow = shadowing_files(src)
    for item in src.iterdir():
        if item.suffix != ".ipynb" and item.is_file() and item.name not in shadow:
            shutil.copy2(item, stage / item.name)
    present = {p.name for p in src.glob("*.ipynb")}
    extra = sorted(present - set(expected))
    try:
        graded_names = set(checks_of(spec["assignment"]))
    except Exception:  # noqa: BLE001 - a lesson without checks module: no scan by name
        graded_names = set()
    for name in expected:
        if shadow:
            flags[name].append(f"files that would shadow packages were not used: {', '.join(shadow)}")
        if extra:
            flags[name].append(f"extra notebooks: {', '.join(extra)}")
        path = src / name
        if name not in present:
            problems[name] = "missing notebook" + (
                f" (found {', '.join(extra)} instead; was it renamed?)" if extra else "")
            continue
        try:
            nb = nbformat.read(str(path), as_version=4)
            nbformat.validate(nb)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not fatal
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            problems[name] = f"unreadable notebook: {first[:200]}"
            continue
        nb, notes = restore_cells(nb, notebooks.read(release / name))
        if notes:
            flags[name].append("test cells tampered with, restored: " + ", ".join(notes[:5])
                               + (f" (+{len(notes) - 5} more)" if len(notes) > 5 else ""))
        flags[name] += scan_answers(nb, graded_names)
        if notes:
            notebooks.write(nb, stage / name)
        else:
            shutil.copy2(path, stage / name)
    return problems, flags


def grade_job(spec):
    """Grade one student's assignment; return ``{"rows": [...], "scores": {...}}`` (picklable)."""
    from nbgrader.api import Gradebook

    from autograder import speedups
    from autograder.guard import configure_grading
    from autograder.lessons import module_name

    speedups.install()
    os.environ.setdefault("MPLBACKEND", "Agg")
    root, out = Path(spec["root"]), Path(spec["out"])
    student, assignment = spec["student"], spec["assignment"]
    work = out / ".nbgrader"
    job = work / "jobs" / student / assignment
    if job.exists():
        shutil.rmtree(job)
    job.mkdir(parents=True)
    shutil.copy2(spec["template"], job / "gradebook.db")
    db_url = f"sqlite:///{job / 'gradebook.db'}"
    expected = expected_cells(root, assignment)
    problems, flags = _stage(spec, job / "submitted" / student / assignment, expected,
                             work / "release" / assignment)
    reports = job / "reports"
    reports.mkdir()
    try:
        lesson_module = f"autograder.lessons.{module_name(assignment)}"
    except ValueError:
        lesson_module = "autograder.core"

    def extra(c):
        configure_grading(c, spec["timeout"], spec["memory"], lesson_module, str(reports))
        course_gradebook.apply_late_policy(c, spec.get("late"))

    status = {name: p for name, p in problems.items() if p}
    if len(status) < len(expected):
        nbg = api(job, extra_config=extra, source_directory=root / "solutions",
                  release_directory=work / "release", submitted_directory=job / "submitted",
                  autograded_directory=work / "autograded", feedback_directory=out / "feedback",
                  db_url=db_url)
        try:
            require(nbg.autograde(assignment, student, force=True, create=True), "autograde")
            require(nbg.generate_feedback(assignment, student, force=True), "generate_feedback")
        except NbgraderError as exc:
            for name in expected:
                lines = [ln for ln in str(exc).splitlines() if ln.strip()]
                status.setdefault(name, f"nbgrader failed: {lines[-1].strip()[:300]}")
    rows, scores, facts = [], {}, {}
    for name, cells in expected.items():
        if name in status:
            rows += [Row(student, assignment, name, gid, 0.0, pts, status[name],
                         "; ".join(flags[name])) for gid, pts in cells]
            continue
        events = {}
        report = reports / f"{name.removesuffix('.ipynb')}.json"
        if report.exists():
            events = json.loads(report.read_text())
        nb_flags = list(flags[name])
        if events.get("tamper"):
            nb_flags.append("checkers' tools tampered with: " + " | ".join(events["tamper"])[:500])
        nb_status = None
        if events.get("unresponsive"):
            nb_status = (f"kernel died: it stopped responding in cell {events['dead']} "
                         "(the cells after it scored 0)")
        elif events.get("dead"):
            nb_status = f"kernel died in cell {events['dead']} (the cells after it scored 0)"
        elif events.get("timeouts"):
            nb_status = (f"timeout: cell(s) {', '.join(map(str, events['timeouts']))} ran past "
                         f"the {spec['timeout']:g} s limit (interrupted; the rest was graded)")
        elif events.get("memory"):
            nb_status = (f"memory limit: cell(s) {', '.join(map(str, events['memory']))} ran out "
                         f"of memory ({spec['memory'] / (1 << 20):.0f} MiB cap)")
        graded = work / "autograded" / student / assignment / name
        cell_status = {}
        if graded.exists():
            nb = notebooks.read(graded)
            cell_status = {notebooks.nbgrader_meta(c)["grade_id"]: _status_of(c, spec["timeout"])
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
            "scores": scores, "facts": facts}


# --- the class ------------------------------------------------------------------------------

class Grader:
    """Grades submissions into ``out``; the class gradebook lives in ``out/.nbgrader``."""

    def __init__(self, submitted, out, root=REPO, timeout=DEFAULT_TIMEOUT, memory=DEFAULT_MEMORY):
        self.submitted = Path(submitted).resolve()
        self.out = Path(out).resolve()
        self.root = Path(root).resolve()
        self.timeout = timeout
        self.memory = memory
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

    def spec(self, student, assignment):
        return {"root": str(self.root), "submitted": str(self.submitted), "out": str(self.out),
                "student": student, "assignment": assignment, "timeout": self.timeout,
                "memory": self.memory, "template": str(self.template),
                "late": self.course.late if self.course else {}}

    def key(self, student, assignment):
        """What a job's result depends on: the submitted folder, the lesson and the settings."""
        h = hashlib.sha256()
        for part in (folder_hash(self.submitted / student / assignment),
                     folder_hash(self.root / "solutions" / assignment), GRADER_VERSION,
                     str(self.timeout), str(self.memory),
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


def _warm_worker(zygote_path):
    """Pool initializer: import what every job needs; use the run's kernel fork server."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import nbconvert.exporters  # noqa: F401
    import nbgrader.apps.api  # noqa: F401
    import nbgrader.converters  # noqa: F401
    from nbgrader.api import Gradebook  # noqa: F401

    from autograder import speedups, zygote

    speedups.install()
    zygote.shared_path = zygote_path


def _executor(jobs, scheduler, zygote_path=None):
    if scheduler:
        from distributed import Client

        client = Client(scheduler) if isinstance(scheduler, str) else scheduler
        return client, isinstance(scheduler, str)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_warm_worker, initargs=(zygote_path,)), True


def _completed(executor, futures):
    if hasattr(executor, "gather"):  # a dask.distributed Client
        from distributed import as_completed

        return as_completed(futures)
    from concurrent.futures import as_completed

    return as_completed(futures)


def _failed_result(spec, exc, root):
    rows = [asdict(Row(spec["student"], spec["assignment"], name, gid, 0.0, pts,
                       f"grader error: {type(exc).__name__}: {str(exc)[:200]}"))
            for name, cells in expected_cells(root, spec["assignment"]).items()
            for gid, pts in cells]
    return {"student": spec["student"], "assignment": spec["assignment"], "rows": rows,
            "scores": {}}


def write_outputs(rows, out):
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


def grade(submitted, out, root=REPO, progress=None, jobs=None, timeout=DEFAULT_TIMEOUT,
          memory=DEFAULT_MEMORY, force=False, scheduler=None, report=True):
    """Grade every submission under ``submitted``; write grades.csv, feedback and reports.

    Returns the list of :class:`Row`. ``progress(done, total, student, assignment)`` is called
    after each submission. ``jobs`` worker processes (default: :func:`default_jobs`) grade in parallel, or
    the workers of the Dask cluster at ``scheduler`` (an address or a ``distributed.Client``).
    Submissions whose folder did not change since the last run are not graded again unless
    ``force``.
    """
    grader = Grader(submitted, out, root, timeout=timeout, memory=memory)
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
    todo, done = [], {}
    for student, assignment in pairs:
        key = grader.key(student, assignment)
        old = state.get(f"{student}/{assignment}")
        if old and old.get("key") == key and grader.template.exists():
            done[(student, assignment)] = old
        else:
            todo.append((student, assignment, key))
    shared = None
    if todo and not scheduler:
        from autograder import guard, zygote

        if zygote.enabled():  # one kernel fork server for the run, importing while we register
            shared = zygote.start({**os.environ, **guard.kernel_spec(memory).env})
    try:
        if todo:
            grader.register(sorted({a for _, a, _ in todo}))
        return _grade_todo(grader, todo, done, pairs, rows, state_path, progress, jobs, scheduler,
                           shared, out, report)
    finally:
        if shared is not None:
            shared.close()


def _grade_todo(grader, todo, done, pairs, rows, state_path, progress, jobs, scheduler, shared,
                out, report):
    total, count = len(pairs), len(done)
    new_state = {f"{s}/{a}": v for (s, a), v in done.items()}
    if todo:
        workers = jobs or default_jobs()
        zygote_path = shared.path if shared is not None and shared.ready() else None
        executor, owned = _executor(workers, scheduler, zygote_path)
        try:
            specs = {}
            futures = []
            for student, assignment, key in todo:
                spec = grader.spec(student, assignment)
                fut = executor.submit(grade_job, spec, pure=False) if hasattr(executor, "gather") \
                    else executor.submit(grade_job, spec)
                specs[fut] = (spec, key)
                futures.append(fut)
            for fut in _completed(executor, futures):
                spec, key = specs[fut]
                try:
                    result = fut.result()
                except Exception as exc:  # noqa: BLE001 - a broken job is a row, not a failed batch
                    result = _failed_result(spec, exc, grader.root)
                grader.merge(result)
                new_state[f"{spec['student']}/{spec['assignment']}"] = {"key": key,
                                                                       "rows": result["rows"]}
                count += 1
                if progress:
                    progress(count, total, spec["student"], spec["assignment"])
                state_path.write_text(json.dumps(new_state))
        finally:
            grader.close()
            if owned:
                executor.close() if hasattr(executor, "gather") else executor.shutdown()
    state_path.write_text(json.dumps(new_state))
    for v in new_state.values():
        rows += [Row(**r) for r in v["rows"]]
    rows.sort(key=lambda r: (r.student_id, r.assignment, r.notebook))
    write_outputs(rows, out)
    if report:
        from autograder.report import write_reports

        try:
            write_reports(rows, out, grader.submitted, grader.root)
        except Exception as exc:  # noqa: BLE001 - a report problem must not lose the grades
            print(f"ann-course grade: could not write the report: {exc}", file=sys.stderr)
    (Path(out) / ".nbgrader" / "last_run.json").write_text(
        json.dumps({"rows": len(rows), "graded": len(todo), "reused": len(done)}))
    return rows
