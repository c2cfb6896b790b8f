"""A submission is regular files: staging and hashing never follow a link or open a FIFO.

Fast, no kernel: :func:`autograder.grading.staging.stage` on hostile folders (the real release, real
notebooks). The whole run with real sandboxed kernels is in ``test_redteam_files.py``.
"""

from __future__ import annotations

import os
import threading

import pytest

from autograder import notebooks, regular
from autograder.grading.staging import expected_cells, stage
from autograder.release.sample_class import submission
from autograder.settings import REPO

L, NB = "01_neuron", "01_neuron.ipynb"
SECRET = "grader-only-secret-4711"


def run_in_thread(fn, timeout=20):
    """``fn()`` in a thread; fails the test if it blocks (a FIFO opened for reading would)."""
    out = {}

    def target():
        try:
            out["v"] = fn()
        except Exception as exc:  # noqa: BLE001 - raised again in the test's thread
            out["e"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "blocked"
    if "e" in out:
        raise out["e"]
    return out["v"]


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "grader" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET)
    path.chmod(0o600)
    return path


def staged(tmp_path, student):
    dest = tmp_path / "staged"
    problems, flags = run_in_thread(lambda: stage(
        tmp_path / "submitted" / student / L, dest, L, expected_cells(REPO, L), REPO / "course" / L))
    return problems[NB], "; ".join(flags[NB]), dest


def folder(tmp_path, student, notebook=True):
    d = tmp_path / "submitted" / student / L
    d.mkdir(parents=True)
    if notebook:
        notebooks.write(submission(L, NB), d / NB)
    return d


def test_a_symlinked_notebook_is_refused_with_its_name(tmp_path):
    d = folder(tmp_path, "mallory", notebook=False)
    os.symlink(REPO / "solutions" / L / NB, d / NB)
    problem, flags, dest = staged(tmp_path, "mallory")
    assert problem == f"unreadable notebook: {NB} is a symbolic link (not followed)"
    assert f"left out, not regular files: {NB} (a symbolic link)" in flags
    assert not (dest / NB).exists()


def test_a_data_file_linked_to_a_grader_file_is_left_out_and_flagged(tmp_path, secret):
    d = folder(tmp_path, "mallory")
    os.symlink(secret, d / "data.csv")
    os.symlink("/proc/self/mem", d / "mem.bin")
    (d / "real.csv").write_text("1,2\n")
    problem, flags, dest = staged(tmp_path, "mallory")
    assert problem is None  # the notebook itself is graded
    assert "data.csv (a symbolic link)" in flags and "mem.bin (a symbolic link)" in flags
    assert sorted(p.name for p in dest.iterdir()) == [NB, "real.csv"]
    assert all(SECRET not in p.read_text(errors="replace") for p in dest.iterdir())


def test_a_fifo_is_never_opened(tmp_path):
    d = folder(tmp_path, "mallory")
    os.mkfifo(d / "pipe.csv")
    os.mkfifo(d / "other.ipynb")
    problem, flags, dest = staged(tmp_path, "mallory")
    assert problem is None
    assert "pipe.csv (a FIFO (named pipe))" in flags and "other.ipynb (a FIFO (named pipe))" in flags
    assert "extra notebooks: other.ipynb" in flags
    assert sorted(p.name for p in dest.iterdir()) == [NB]


def test_a_fifo_notebook_costs_its_student_with_a_status_that_says_why(tmp_path):
    d = folder(tmp_path, "mallory", notebook=False)
    os.mkfifo(d / NB)
    problem, _, _ = staged(tmp_path, "mallory")
    assert problem == f"unreadable notebook: {NB} is a FIFO (named pipe) (not followed)"


def test_a_symlinked_student_or_assignment_folder_is_refused(tmp_path):
    folder(tmp_path, "alice")
    os.symlink(tmp_path / "submitted" / "alice", tmp_path / "submitted" / "mallory")
    (tmp_path / "submitted" / "eve").mkdir()
    os.symlink(tmp_path / "submitted" / "alice" / L, tmp_path / "submitted" / "eve" / L)
    assert staged(tmp_path, "mallory")[0] == \
        "unreadable submission: mallory is a symbolic link (not followed)"
    assert staged(tmp_path, "eve")[0] == \
        f"unreadable submission: eve/{L} is a symbolic link (not followed)"
    assert staged(tmp_path, "alice")[0] is None


def test_a_missing_submission_is_not_submitted(tmp_path):
    (tmp_path / "submitted" / "bob").mkdir(parents=True)
    assert staged(tmp_path, "bob")[0] == "not submitted"


def test_a_file_larger_than_the_kernels_disk_is_left_out(tmp_path):
    d = folder(tmp_path, "mallory")
    with open(d / "huge.bin", "wb") as f:
        f.truncate(regular.MAX_FILE + 1)  # sparse: no disk used
    _, flags, dest = staged(tmp_path, "mallory")
    assert f"huge.bin is larger than {regular.MAX_FILE >> 20} MiB" in flags
    assert not (dest / "huge.bin").exists()


def test_the_folder_hash_never_follows_and_never_raises(tmp_path, secret):
    d = folder(tmp_path, "mallory")
    os.mkfifo(d / "pipe")
    os.symlink("/proc/self/mem", d / "mem")
    os.symlink(secret, d / "data.csv")
    before = run_in_thread(lambda: regular.folder_hash(d, under=tmp_path / "submitted"))
    secret.write_text("changed")  # the target changes, the submission does not
    assert run_in_thread(lambda: regular.folder_hash(d, under=tmp_path / "submitted")) == before
    (d / "new.txt").write_text("x")
    assert regular.folder_hash(d, under=tmp_path / "submitted") != before
    os.symlink(d, tmp_path / "submitted" / "linked")
    assert regular.folder_hash(tmp_path / "submitted" / "linked") != \
        regular.folder_hash(d)  # a link to a folder hashes as a link, not as its target
    assert regular.folder_hash(tmp_path / "nowhere") == ""


def test_reading_a_fifo_by_name_is_refused_without_blocking(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    os.mkfifo(d / "f")
    fd = regular.open_folder(d)
    try:
        with pytest.raises(regular.Refused, match="FIFO"):
            run_in_thread(lambda: regular.read(fd, "f"))
    finally:
        os.close(fd)
