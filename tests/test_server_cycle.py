"""The course on a server: the students' wheel, and nbgrader's whole cycle with real Unix users.

* The wheel built from the repository (``pip wheel .``) holds ann_lib, the course helpers, the
  lessons' checks and their graded cells, and no solution text.
* ``ann-course check`` works from a venv that has only the wheel, away from the repository.
* As root: three real Unix users (``ann_s1``..``ann_s3``) are the students; an exchange folder,
  a copy of the instructor's course and a students' venv (from the wheel) are made; then
  nbgrader's own commands run under ``su - <student>``: db assignment add, release_assignment,
  fetch_assignment, answer (complete, blank, one exercise wrong), ``ann-course check``, submit
  (twice for one student), a late submission, collect, ``ann-course grade submitted``, ``nbgrader
  export`` (equal to grades.csv, penalty included), release_feedback, fetch_feedback.

Slow: the whole file (building the wheel, the students' venv from pip's cache, ~25 nbgrader
commands, two checks, a grading run) took 10 min 39 s on a 2-core machine shared with five other
test runs (load average ~12); less on an idle runner.
Without root the cycle is skipped, except in CI (``CI`` set), where it fails instead.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from autograder import notebooks
from autograder.release.sample_class import mistake_answer, solution_answers
from autograder.settings import REPO

L = "01_neuron"
NB = f"{L}.ipynb"
STUDENTS = ("ann_s1", "ann_s2", "ann_s3")
BIN = Path(sys.executable).parent
_COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__",
                                      "out", "demo-out", ".nbgrader", "gradebook.db", "submitted",
                                      "autograded", "feedback", "test-artifacts", ".pytest_cache",
                                      ".mypy_cache")


def _run(cmd, cwd=None, env=None, check=True):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd!r} exited {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}"
                             f"\n--- stderr\n{proc.stderr[-3000:]}")
    return proc


def _solution_lines():
    """Every non-empty line of a ``### BEGIN SOLUTION`` region in solutions/."""
    found = set()
    for path in sorted((REPO / "solutions").rglob("*.ipynb")):
        for cell in notebooks.read(path).cells:
            found |= {ln.strip() for ln in notebooks.region(cell.source, notebooks.BEGIN_SOLUTION,
                                                            notebooks.END_SOLUTION) if ln.strip()}
    return found


def _public_lines():
    """Lines the repository publishes anyway: its Python sources and the student release."""
    public = set()
    for path in [*(REPO / "ann_lib").rglob("*.py"), *(REPO / "autograder").rglob("*.py")]:
        public |= {ln.strip() for ln in path.read_text().splitlines()}
    for path in (REPO / "course").rglob("*.ipynb"):
        public |= {ln.strip() for c in notebooks.read(path).cells for ln in c.source.splitlines()}
    return public


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The students' wheel, built from a copy of the working tree (solutions/ included in it)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(REPO, src, ignore=_COPY_IGNORE)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(src)])
    (path,) = (tmp / "dist").glob("ann_course-*.whl")
    return path


def test_the_wheel_holds_the_course_helpers_checks_and_graded_cells_but_no_solutions(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for wanted in ("ann_lib/__init__.py", "autograder/grading/check_notebook.py", "autograder/cli.py",
                   "autograder/lessons/neuron.py", f"autograder/lessons/release/{L}.json"):
        assert wanted in names, f"{wanted} is not in the wheel"
    assert not [n for n in names if n.endswith(".ipynb") or "solutions/" in n]
    secret = _solution_lines() - _public_lines()
    assert len(secret) > 20  # the solutions do hold lines of their own to look for
    assert _leaks(wheel, secret) == {}


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _strings(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _strings(value)


def _leaks(archive, secret):
    """``{file in the archive: solution lines in it}`` (JSON files: every string, unescaped)."""
    leaked = {}
    with zipfile.ZipFile(archive) as zf:
        for name in zf.namelist():
            text = zf.read(name).decode("utf-8", "replace")
            texts = list(_strings(json.loads(text))) if name.endswith(".json") else [text]
            hits = {ln.strip() for t in texts for ln in t.splitlines()} & secret
            if hits:
                leaked[name] = hits
    return leaked


def test_the_leak_search_finds_a_solution_line_hidden_in_package_data(tmp_path):
    secret = _solution_lines() - _public_lines()
    line = sorted(secret)[0]
    archive = tmp_path / "leaky.whl"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("autograder/lessons/release/x.json",
                    json.dumps({"source": f"def f(x):\n    {line}\n    return y\n"}))
    assert _leaks(archive, secret) == {"autograder/lessons/release/x.json": {line}}


def _python_for_students():
    """This Python's base interpreter if every user can run it (not e.g. under /root), else Debian's."""
    base = Path(sys.base_prefix) / "bin" / "python3"
    if base.exists() and all(p.stat().st_mode & 0o001 for p in [base.resolve(), *base.resolve().parents]):
        return str(base)
    return "/usr/bin/python3"


@pytest.fixture(scope="module")
def students_venv(wheel):
    """A venv with only the wheel (and its dependencies from pip's cache), readable by everyone."""
    base = Path(tempfile.mkdtemp(prefix="ann-course-venv-", dir="/tmp"))
    base.chmod(0o755)
    venv = base / "venv"
    _run([_python_for_students(), "-m", "venv", str(venv)])
    _run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)])
    yield venv
    shutil.rmtree(base, ignore_errors=True)


def _clean_env():
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_check_works_from_the_wheel_without_the_repository(students_venv, tmp_path):
    work = tmp_path / "me" / L
    work.mkdir(parents=True)
    answers = solution_answers(L, NB)
    first = next(iter(answers))
    answers[first] = mistake_answer(L, first)
    notebooks.write(notebooks.fill(notebooks.read(REPO / "course" / L / NB), answers), work / NB)
    where = _run([str(students_venv / "bin" / "python"), "-c",
                  "import autograder, ann_lib; print(autograder.__file__, ann_lib.__file__)"],
                 cwd=tmp_path, env=_clean_env()).stdout
    assert str(REPO) not in where and "site-packages" in where
    proc = _run([str(students_venv / "bin" / "ann-course"), "check", f"{L}/{NB}"],
                cwd=tmp_path / "me", env=_clean_env())
    assert f"FAIL  {first}" in proc.stdout
    assert re.search(r"(\d+) of (\d+) tests pass", proc.stdout)
    passed, total = map(int, re.search(r"(\d+) of (\d+) tests pass", proc.stdout).groups())
    assert passed == total - 1
    for hidden in _hidden_lines():
        assert hidden not in proc.stdout


def _hidden_lines():
    sol = notebooks.read(REPO / "solutions" / L / NB)
    return {ln.strip() for c in sol.cells
            for ln in notebooks.region(c.source, notebooks.BEGIN_HIDDEN, notebooks.END_HIDDEN)
            if ln.strip()}


# --- the whole cycle with real Unix users -------------------------------------------------------

def _require_root():
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the server cycle needs root (useradd, su): CI must run it")
        pytest.skip("needs root (useradd, su); CI runs it")


@pytest.fixture
def server(students_venv):
    """Students as Unix users, an exchange, a copy of the instructor's course; removed afterwards."""
    _require_root()
    base = Path(tempfile.mkdtemp(prefix="ann-course-server-", dir="/tmp"))
    base.chmod(0o755)
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)  # README step 2: sticky, and the course's folder made by the instructor
    (exchange / "ann-course").mkdir(mode=0o755)
    course = base / "instructor" / "ann-course"
    course.parent.mkdir()
    course.parent.chmod(0o700)  # the instructor's clone: students cannot read it
    shutil.copytree(REPO, course, ignore=_COPY_IGNORE)
    with (course / "nbgrader_config.py").open("a") as f:
        f.write(f'\nc.Exchange.root = "{exchange}"\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    homes = base / "home"
    homes.mkdir()
    homes.chmod(0o755)
    for user in STUDENTS:
        subprocess.run(["userdel", "-r", user], capture_output=True)  # a crashed earlier run
        _run(["useradd", "-m", "-d", str(homes / user), "-s", "/bin/bash", user])
        (homes / user).chmod(0o700)  # README step 2: private homes
        conf = homes / user / ".jupyter" / "nbgrader_config.py"
        conf.parent.mkdir()
        conf.write_text(f'c = get_config()\nc.CourseDirectory.course_id = "ann-course"\n'
                        f'c.Exchange.root = "{exchange}"\n')
        _run(["chown", "-R", f"{user}:{user}", str(conf.parent)])
    try:
        yield {"base": base, "exchange": exchange, "course": course, "homes": homes,
               "venv": students_venv}
    finally:
        for user in STUDENTS:
            subprocess.run(["pkill", "-u", user], capture_output=True)
            subprocess.run(["userdel", "-r", user], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _as(user, server, command):
    """Run ``command`` (a shell line) as ``user`` in a login shell, the students' venv on PATH."""
    line = f"export PATH={server['venv'] / 'bin'}:$PATH; cd ~ && {command}"
    return _run(["su", "-", user, "-c", line])


def _instructor(server, *cmd):
    """Run an instructor's command in the course's clone, its venv on PATH (nbgrader runs alembic)."""
    env = {**_clean_env(), "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return _run([str(BIN / cmd[0]), *cmd[1:]], cwd=server["course"], env=env)


def _answer(server, user, answers):
    path = server["homes"] / user / L / NB
    nb = notebooks.fill(notebooks.read(path), answers)
    notebooks.write(nb, path)
    uid = pwd.getpwnam(user)
    os.chown(path, uid.pw_uid, uid.pw_gid)


#: What formgrader's back end (nbgrader's API on the course's config) says about the submissions.
_FORMGRADER_VIEW = """
import json
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader
c = PyFileConfigLoader("nbgrader_config.py", path=".").load_config()
api = NbGraderAPI(coursedir=CourseDirectory(config=c), config=c)
print(json.dumps(api.get_submissions("LESSON")))
""".replace("LESSON", L)


def _duedate(when):
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def test_the_whole_nbgrader_cycle_with_real_students(server):
    course = server["course"]
    right = solution_answers(L, NB)
    first = next(iter(right))
    wrong = {**right, first: mistake_answer(L, first)}

    _instructor(server, "nbgrader", "db", "assignment", "add", L,
                f"--duedate={_duedate(datetime.now(UTC) + timedelta(hours=1))}")
    _instructor(server, "nbgrader", "release_assignment", L)
    for user in STUDENTS:
        _as(user, server, f"nbgrader fetch_assignment {L}")
        assert (server["homes"] / user / L / NB).is_file()

    # ann_s1 hands in the blank release first, then the complete notebook: the later one counts
    _as("ann_s1", server, f"nbgrader submit {L}")
    _answer(server, "ann_s1", right)
    _answer(server, "ann_s3", wrong)
    check = _as("ann_s3", server, f"ann-course check {L}/{NB}").stdout
    assert f"FAIL  {first}" in check and "PASS" in check
    assert not any(h in check for h in _hidden_lines())
    _as("ann_s1", server, f"nbgrader submit {L}")
    _as("ann_s2", server, f"nbgrader submit {L}")  # blank, on time
    # the due date passes; ann_s3 submits late (the course's config: penalty_method = "zero")
    _instructor(server, "nbgrader", "db", "assignment", "add", L,
                f"--duedate={_duedate(datetime.now(UTC))}")
    _as("ann_s3", server, "sleep 1.2")
    _as("ann_s3", server, f"nbgrader submit {L}")

    _instructor(server, "nbgrader", "collect", L)
    for user in STUDENTS:
        assert (course / "submitted" / user / L / NB).is_file()
    assert "NotImplementedError" not in "".join(
        c.source for c in notebooks.read(course / "submitted" / "ann_s1" / L / NB).cells
        if notebooks.is_answer(c))  # the second submission was collected

    graded = _instructor(server, "ann-course", "grade", "submitted", "--out", "out", "--jobs", "2")
    assert "graded 3 submission(s)" in graded.stderr
    assert "is the course's submitted folder" in graded.stderr
    rows = list(csv.DictReader((course / "out" / "grades.csv").open()))
    mine = {u: [r for r in rows if r["student_id"] == u] for u in STUDENTS}
    raw = {u: sum(float(r["score"]) for r in mine[u] if r["exercise"] != "late_submission_penalty")
           for u in STUDENTS}
    penalty = {u: -sum(float(r["score"]) for r in mine[u]
                       if r["exercise"] == "late_submission_penalty") for u in STUDENTS}
    max_score = sum(float(r["max_score"]) for r in mine["ann_s1"])
    assert raw["ann_s1"] == max_score and raw["ann_s2"] == 0
    assert 0 < raw["ann_s3"] < max_score
    assert penalty == {"ann_s1": 0, "ann_s2": 0, "ann_s3": raw["ann_s3"]}
    totals = {r["student_id"]: r for r in csv.DictReader((course / "out" / "totals.csv").open())}
    assert float(totals["ann_s3"]["total"]) == 0  # after the penalty

    _instructor(server, "nbgrader", "export", "--to", "export.csv")
    export = {r["student_id"]: r for r in csv.DictReader((course / "export.csv").open())}
    for user in STUDENTS:
        assert float(export[user]["raw_score"]) == raw[user]
        assert float(export[user]["late_submission_penalty"] or 0) == penalty[user]
        assert float(export[user]["score"]) == raw[user] - penalty[user]
        assert float(export[user]["max_score"]) == max_score
    assert not (course / "out" / ".nbgrader" / "gradebook.db").exists()  # the course's own one
    seen = json.loads(_instructor(server, "python", "-c", _FORMGRADER_VIEW).stdout)
    assert {s["student"]: (s["autograded"], s["score"]) for s in seen} == {
        u: (True, raw[u]) for u in STUDENTS}  # what formgrader lists, ready for manual grading

    _instructor(server, "nbgrader", "release_feedback", L)
    for user in STUDENTS:
        _as(user, server, f"nbgrader fetch_feedback {L}")
        got = sorted((server["homes"] / user / L / "feedback").glob(f"*/{NB.replace('.ipynb', '.html')}"))
        assert len(got) == 1, (user, got)
        page = got[0].read_text()
        assert not any(h in page for h in _hidden_lines())
        assert notebooks.BEGIN_HIDDEN not in page
        score = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", page)
        assert score, page[:2000]
        assert float(score.group(1)) == raw[user] - penalty[user]
    stamp = (course / "submitted" / "ann_s1" / L / "timestamp.txt").read_text().strip()
    assert (server["homes"] / "ann_s1" / L / "feedback" / stamp).is_dir()  # the later submission's
