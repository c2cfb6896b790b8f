"""Every temporary folder of a grading run lives in the run's folder and goes with it: also the
Dask workers' (each worker's inside the run's), also after a worker crashed in the middle of a job.

A real local Dask cluster (two worker processes, started with the test's own ``TMPDIR``, as a
cluster on the grading machine would be) grades lesson 01's sample class with the real
``grade``; the first worker seen grading (its zygote's folder made) is killed with SIGKILL.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

from autograder.grading import tempdirs
from autograder.grading.grade import grade
from autograder.limits import Limits
from autograder.release.sample_class import write_sample_class

L = "01_neuron"


def _watch(tmp, seen, killed, done):
    """Record every name made directly in ``tmp``; kill the first worker whose zygote started."""
    while not done.is_set():
        seen.update(p.name for p in tmp.iterdir())
        for folder in tmp.glob(f"{tempdirs.PREFIX}*/{tempdirs.WORKER_PREFIX}*"):
            if not killed and any(folder.glob("z-*")):
                pid = int(folder.name.removeprefix(tempdirs.WORKER_PREFIX).split("-")[0])
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        time.sleep(0.05)


def test_dask_workers_keep_their_temporary_folders_in_the_run_folder_also_after_a_crash(
        tmp_path, monkeypatch, request):
    import distributed

    tmp = Path(tempfile.mkdtemp(prefix="td-", dir="/tmp"))  # short: the kernels' sockets are in it
    request.addfinalizer(lambda: shutil.rmtree(tmp, ignore_errors=True))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # this process's too (the grader's)
    write_sample_class(tmp_path / "submitted", [L])
    seen, killed, done = set(), [], threading.Event()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None,
                                  local_directory=str(tmp_path / "dask")) as cluster:
        watcher = threading.Thread(target=_watch, args=(tmp, seen, killed, done), daemon=True)
        watcher.start()
        try:
            rows = grade(tmp_path / "submitted", tmp_path / "out", limits=Limits(timeout=30),
                         scheduler=cluster.scheduler_address).rows
        finally:
            done.set()
            watcher.join()
        left_on_workers = [p.name for p in tmp.iterdir()]  # before the cluster itself stops
    assert killed, "no worker was seen grading"
    totals = {s: sum(r.score for r in rows if r.student_id == s)
              for s in ("alice_complete", "bob_blank", "carol_partial")}
    assert totals == {"alice_complete": 5, "bob_blank": 0, "carol_partial": 3}, \
        {(r.student_id, r.exercise): r.status for r in rows}
    ours = [n for n in seen if n.startswith("ann")]
    assert ours and all(n.startswith(f"{tempdirs.PREFIX}{os.getpid()}-") for n in ours), ours
    assert [n for n in left_on_workers if n.startswith("ann")] == []
    assert [p.name for p in tmp.iterdir() if p.name.startswith("ann")] == []
