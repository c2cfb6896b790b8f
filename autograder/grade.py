"""``ann-course grade``: autograde a class with nbgrader and write grades.csv and feedback.

``SUBMITTED/<student_id>/<assignment>/<notebook>.ipynb`` is nbgrader's submitted layout. Each
submission is first copied into a private staging area (the originals are never touched, and a
broken file never reaches nbgrader), then graded by nbgrader's own autograde (gradebook,
checksums, restored test cells) and generate_feedback.
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from autograder import notebooks
from autograder.build import lessons
from autograder.nbgrader_api import NbgraderError, api, require
from autograder.settings import REPO

COLUMNS = ["student_id", "assignment", "notebook", "exercise", "score", "max_score", "status",
           "flags"]


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


def _status_of(cell):
    """What went wrong while running a test cell, from its outputs ("ok" if nothing did)."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            name = output.get("ename", "")
            if name == "CellTimeoutError":
                return "timeout: the cell ran past the time limit"
            if name in ("DeadKernelError", "DeadKernel"):
                return "kernel died"
    return "ok"


class Grader:
    """Grades submissions into ``out``; one gradebook lives in ``out/.nbgrader``."""

    def __init__(self, submitted, out, root=REPO):
        self.submitted = Path(submitted).resolve()
        self.out = Path(out).resolve()
        self.root = Path(root)
        if not self.submitted.is_dir():
            raise GradeError(f"no such folder of submissions: {self.submitted}")
        self.work = self.out / ".nbgrader"
        self.stage = self.work / "submitted"
        self.db_url = f"sqlite:///{self.work / 'gradebook.db'}"
        self.work.mkdir(parents=True, exist_ok=True)
        self.nbg = api(self.work, source_directory=self.root / "solutions",
                       release_directory=self.work / "release", submitted_directory=self.stage,
                       autograded_directory=self.work / "autograded",
                       feedback_directory=self.out / "feedback", db_url=self.db_url)
        self.known = lessons(self.root)
        self._registered = set()

    def students(self):
        found = sorted(d.name for d in self.submitted.iterdir()
                       if d.is_dir() and not d.name.startswith("."))
        if not found:
            raise GradeError(f"no student folders in {self.submitted} (expected "
                             "SUBMITTED/<student_id>/<assignment>/<notebook>.ipynb)")
        return found

    def expected(self, assignment):
        """``{notebook name: [(test grade_id, points), ...]}`` of an assignment."""
        folder = self.root / "solutions" / assignment
        return {p.name: notebooks.test_cells(notebooks.read(p))
                for p in sorted(folder.glob("*.ipynb"))}

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

    def register(self, assignment):
        if assignment not in self._registered:
            require(self.nbg.generate_assignment(assignment, force=True, create=True),
                    f"generate_assignment {assignment}")
            self._registered.add(assignment)

    def stage_submission(self, student, assignment):
        """Copy what can be graded into the staging area; return {notebook: problem or None}."""
        src = self.submitted / student / assignment
        dst = self.stage / student / assignment
        if dst.exists():
            shutil.rmtree(dst)
        dst.mkdir(parents=True)
        problems = {}
        if not src.is_dir():
            return {name: "not submitted" for name in self.expected(assignment)}
        for item in src.iterdir():
            if item.suffix != ".ipynb" and item.is_file():
                shutil.copy2(item, dst / item.name)
        present = {p.name for p in src.glob("*.ipynb")}
        for name in self.expected(assignment):
            path = src / name
            if name not in present:
                others = sorted(present - set(self.expected(assignment)))
                problems[name] = "missing notebook" + (
                    f" (found {', '.join(others)} instead; was it renamed?)" if others else "")
                continue
            try:
                nb = nbformat.read(str(path), as_version=4)
                nbformat.validate(nb)
            except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not fatal
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                problems[name] = f"unreadable notebook: {first[:200]}"
                continue
            shutil.copy2(path, dst / name)
            problems[name] = None
        return problems

    def grade_one(self, student, assignment):
        """Autograde one student's assignment; return its rows."""
        self.register(assignment)
        expected = self.expected(assignment)
        problems = self.stage_submission(student, assignment)
        flags = {name: [] for name in expected}
        src = self.submitted / student / assignment
        if src.is_dir():
            extra = sorted({p.name for p in src.glob("*.ipynb")} - set(expected))
            for name in expected:
                if extra:
                    flags[name].append(f"extra notebooks: {', '.join(extra)}")
        status = {name: problem for name, problem in problems.items() if problem}
        if len(status) < len(expected):
            try:
                require(self.nbg.autograde(assignment, student, force=True, create=True),
                        "autograde")
                require(self.nbg.generate_feedback(assignment, student, force=True),
                        "generate_feedback")
            except NbgraderError as exc:
                for name in expected:
                    status.setdefault(name, str(exc).splitlines()[0][:300])
        rows = []
        for name, cells in expected.items():
            if name in status:
                rows += [Row(student, assignment, name, gid, 0.0, pts, status[name],
                             "; ".join(flags[name])) for gid, pts in cells]
                continue
            rows += self.read_scores(student, assignment, name, cells, flags[name])
        return rows

    def read_scores(self, student, assignment, name, cells, flags):
        from nbgrader.api import Gradebook

        graded = self.work / "autograded" / student / assignment / name
        cell_status = {}
        if graded.exists():
            nb = notebooks.read(graded)
            cell_status = {notebooks.nbgrader_meta(c)["grade_id"]: _status_of(c)
                           for c in nb.cells if notebooks.is_test(c)}
        with Gradebook(self.db_url, "ann-course") as gb:
            submitted = gb.find_submission_notebook(name.removesuffix(".ipynb"), assignment,
                                                    student)
            scores = {g.name: (float(g.score or 0.0), float(g.max_score)) for g in submitted.grades}
        rows = []
        for gid, points in cells:
            score, max_score = scores.get(gid, (0.0, points))
            rows.append(Row(student, assignment, name, gid, score, max_score,
                            cell_status.get(gid, "ok"), "; ".join(flags)))
        return rows


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


def grade(submitted, out, root=REPO, progress=None):
    """Grade every submission under ``submitted``; write grades.csv and feedback into ``out``.

    Returns the list of :class:`Row`. ``progress(done, total, student, assignment)`` is called
    after each submission.
    """
    grader = Grader(submitted, out, root)
    pairs, rows = grader.jobs()
    for i, (student, assignment) in enumerate(pairs, 1):
        rows += grader.grade_one(student, assignment)
        if progress:
            progress(i, len(pairs), student, assignment)
    write_outputs(rows, out)
    (Path(out) / ".nbgrader" / "last_run.json").write_text(json.dumps({"rows": len(rows)}))
    return rows
