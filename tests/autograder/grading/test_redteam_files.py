"""Red team, files and resources: a submission is regular files, the grader's resources are bounded.

One class, graded once by the real ``ann-course grade`` (real nbgrader, real kernels, each in its
bubblewrap sandbox, run as a process of its own so that its memory and temporary folders can be
measured from the outside), with honest classmates (complete submissions) and attackers who
hand in the blank lesson-01 release (it deserves 0) with something added:

* a notebook that is a symbolic link to a complete notebook only the grader may read (0600),
  a data file linked to a 0600 file of the grader, a file linked to ``/proc/self/mem``, a FIFO
  beside the notebook and a FIFO instead of the notebook: each costs only its own student, with
  a status or flag that names the entry, and nothing of any target reaches any output;
* a kernel that answers the grader with a compressed archive that would inflate to 1 GiB, and
  one that prints 800 MiB (in messages of 8 MiB): the grading run's processes stay under
  :data:`PEAK_RSS` (measured: the largest resident set of any process of the run,
  ``getrusage(RUSAGE_CHILDREN)`` of a process that only started the run);
* a kernel that writes 30 MiB files into its connection folder (the one host folder it can
  write to) as long as it can: the grader's temporary folders, watched during the run, never
  hold more than :data:`HOST_CAP` (the folder is read-only once the kernel is up);
* a notebook that runs past its whole budget, so that its worker is killed with its kernel:
  after the run nothing is left in the temporary folder the run was given (``TMPDIR``).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading

import nbformat
import pytest

from autograder import notebooks
from autograder.release.sample_class import submission
from autograder.sandbox import bubblewrap as sandbox
from autograder.settings import REPO

L, NB = "01_neuron", "01_neuron.ipynb"
TOTAL = 5.0
HONEST = ("honest_1", "honest_2")
SECRET = "grader-only-secret-6d1f"
MARKER = "solution-only-marker-93c2"
#: The largest resident set any process of the run may reach (a 1 GiB inflation would pass it).
PEAK_RSS = 600 << 20
#: The most the grader's temporary folders may hold while kernels write to their host folder:
#: the grader's own staged copies and each job's kernel tree (about 0.5 MiB a job, 3 jobs), never
#: what a kernel writes (the attacker's 30 MiB files would pass it at the first one).
HOST_CAP = 8 << 20
BUDGET = 120

BOMB = """
import base64, io, zipfile, numpy as np
import autograder.inkernel.compute
head = io.BytesIO(); np.lib.format.write_array_header_1_0(head, {"descr": "|u1",
    "fortran_order": False, "shape": (1 << 30,)})
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("doc.npy", "w", force_zip64=True) as f:  # the structure: 1 GiB of JSON blanks
        f.write(head.getvalue())
        for _ in range(64):
            f.write(b" " * (1 << 24))
text = base64.b64encode(buf.getvalue()).decode()
autograder.inkernel.compute.run = lambda namespace, request: text
"""

BIG_OUTPUT = """
for _ in range(100):
    print('x' * (8 << 20), flush=True)  # 800 MiB of output in messages of 8 MiB
"""

FILL_HOST = """
import os, sys
folder = os.path.dirname(os.path.abspath(sys.argv[sys.argv.index('-f') + 1]))
written = 0
for i in range(40):
    try:
        with open(os.path.join(folder, f'fill{i}.bin'), 'wb') as f:
            for _ in range(30):
                f.write(bytes(1 << 20)); written += 1 << 20
    except OSError as exc:
        print('stopped:', type(exc).__name__)
        break
print('wrote', written, 'bytes into', folder)
"""

READ_DATA = """
for name in ('data.csv', 'mem.bin', 'pipe.csv'):
    try:
        print(name, open(name, 'rb').read(200))
    except OSError as exc:
        print(name, type(exc).__name__)
"""


def attacker(code):
    nb = notebooks.read(REPO / "course" / L / NB)
    nb.cells.insert(2, nbformat.v4.new_code_cell(code))
    return nb


def write_class(root):
    sub, grader = root / "submitted", root / "grader"
    grader.mkdir(mode=0o700)
    secret = grader / "secret.txt"
    secret.write_text(SECRET)
    secret.chmod(0o600)
    complete = submission(L, NB)
    complete.cells[-1].source += f"\n# {MARKER}\n"
    notebooks.write(complete, grader / "complete.ipynb")
    (grader / "complete.ipynb").chmod(0o600)
    for student in HONEST:
        notebooks.write(submission(L, NB), sub / student / L / NB)
    folders = {s: sub / s / L for s in ("link_notebook", "link_data", "fifo", "fifo_notebook",
                                        "bomb", "big_output", "fill_host", "over_budget")}
    for d in folders.values():
        d.mkdir(parents=True)
    os.symlink(grader / "complete.ipynb", folders["link_notebook"] / NB)
    notebooks.write(attacker(READ_DATA), folders["link_data"] / NB)
    os.symlink(secret, folders["link_data"] / "data.csv")
    os.symlink("/proc/self/mem", folders["link_data"] / "mem.bin")
    notebooks.write(attacker(READ_DATA), folders["fifo"] / NB)
    os.mkfifo(folders["fifo"] / "pipe.csv")
    os.mkfifo(folders["fifo_notebook"] / NB)
    notebooks.write(attacker(BOMB), folders["bomb"] / NB)
    notebooks.write(attacker(BIG_OUTPUT), folders["big_output"] / NB)
    notebooks.write(attacker(FILL_HOST), folders["fill_host"] / NB)
    notebooks.write(attacker("import time\ntime.sleep(300)\n"), folders["over_budget"] / NB)


def du(folder):
    total = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
            except OSError:
                pass
    return total


MEASURED = """
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, r.returncode)
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if sandbox.bwrap_path() is None:
        pytest.fail("bubblewrap is needed (installed by .ci/run)")
    root = tmp_path_factory.mktemp("redteam_files")
    write_class(root)
    tmp = root / "tmp"
    tmp.mkdir()
    peak, done = [0], threading.Event()

    def watch():  # what the run's temporary folders hold, twice a second
        while not done.wait(0.5):
            peak[0] = max(peak[0], du(tmp))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    cmd = [sys.executable, "-c", MEASURED, sys.executable, "-m", "autograder", "grade",
           str(root / "submitted"), "--out", str(root / "out"), "--jobs", "3",
           "--timeout", str(3 * BUDGET), "--budget", str(BUDGET)]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=900,
                       env={**os.environ, "TMPDIR": str(tmp)})
    done.set()
    watcher.join()
    rss, code = map(int, r.stdout.strip().splitlines()[-1].split())
    with (root / "out" / "grades.csv").open() as f:
        rows = list(csv.DictReader(f))
    return dict(root=root, rows=rows, rss=rss, code=code, stderr=r.stderr, tmp=tmp,
                host_peak=peak[0])


def of(graded, student):
    return [r for r in graded["rows"] if r["student_id"] == student]


def total(graded, student):
    return sum(float(r["score"]) for r in of(graded, student))


def test_the_class_is_graded_and_honest_classmates_get_full_marks(graded):
    assert graded["code"] == 0, graded["stderr"][-3000:]
    for s in HONEST:
        assert total(graded, s) == TOTAL
        assert {r["status"] for r in of(graded, s)} == {"ok"}
        assert {r["flags"] for r in of(graded, s)} == {""}


def test_a_symlinked_notebook_costs_its_student_and_is_named(graded):
    rows = of(graded, "link_notebook")
    assert total(graded, "link_notebook") == 0.0
    assert {r["status"] for r in rows} == {
        f"unreadable notebook: {NB} is a symbolic link (not followed)"}
    assert all(f"{NB} (a symbolic link)" in r["flags"] for r in rows)


def test_linked_data_files_are_left_out_and_flagged(graded):
    rows = of(graded, "link_data")
    assert {r["status"] for r in rows} == {"ok"}  # the notebook itself is graded
    assert all("data.csv (a symbolic link)" in r["flags"] and "mem.bin (a symbolic link)"
               in r["flags"] for r in rows)
    feedback = (graded["root"] / "out" / "feedback" / "link_data" / L / NB.replace(
        ".ipynb", ".html")).read_text()
    assert "data.csv FileNotFoundError" in feedback  # the kernel never saw it


def test_fifos_are_never_opened_and_cost_only_their_student(graded):
    assert {r["status"] for r in of(graded, "fifo")} == {"ok"}
    assert all("pipe.csv (a FIFO (named pipe))" in r["flags"] for r in of(graded, "fifo"))
    assert {r["status"] for r in of(graded, "fifo_notebook")} == {
        f"unreadable notebook: {NB} is a FIFO (named pipe) (not followed)"}


def test_nothing_of_a_link_target_reaches_any_output(graded):
    out = graded["root"] / "out"
    for path in out.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            assert SECRET.encode() not in data, path
            assert MARKER.encode() not in data, path
    for path in (out / "feedback").rglob("*"):
        assert not path.is_symlink(), path
    assert sorted(p.name for p in (out / "feedback" / "link_data" / L).iterdir()) == [
        NB.replace(".ipynb", ".html")]


def test_an_answer_that_would_inflate_to_a_gibibyte_is_refused_within_bounded_memory(graded):
    rows = of(graded, "bomb")
    assert total(graded, "bomb") == 0.0
    assert all("a compressed member (doc.npy)" in r["flags"] for r in rows)
    assert graded["rss"] < PEAK_RSS, f"{graded['rss'] >> 20} MiB"


def test_outputs_beyond_the_cap_are_dropped_as_they_arrive(graded):
    assert total(graded, "big_output") == 0.0
    feedback = graded["root"] / "out" / "feedback" / "big_output" / L / NB.replace(".ipynb", ".html")
    assert feedback.stat().st_size < 40 << 20  # at most the 32 MiB a notebook's outputs may hold
    assert graded["rss"] < PEAK_RSS, f"{graded['rss'] >> 20} MiB"


def test_a_kernel_cannot_fill_the_hosts_disk_through_its_connection_folder(graded):
    assert graded["host_peak"] < HOST_CAP, f"{graded['host_peak']} bytes"
    feedback = (graded["root"] / "out" / "feedback" / "fill_host" / L / NB.replace(
        ".ipynb", ".html")).read_text()
    assert "stopped: OSError" in feedback and "wrote 0 bytes" in feedback


def test_no_temporary_folder_is_left_also_after_a_killed_worker(graded):
    assert {r["status"] for r in of(graded, "over_budget")} == {
        f"timeout: the notebook ran past its whole {BUDGET} s budget (stopped)"}
    assert list(graded["tmp"].iterdir()) == []
    # the run's own word (its RunSummary, as `ann-course grade` prints it): every kernel sandboxed
    assert "every notebook ran in a sandbox of its own" in graded["stderr"]
