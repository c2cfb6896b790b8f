"""Every temporary folder of a grading run lives in one private folder, removed when the run ends.

The grader makes temporary folders in several places (each worker's zygote spool, each kernel's
connection folder, nbgrader's own), and a worker that is killed (its notebook past its budget,
out of memory, a crash) never removes its own. So :func:`run_folder` makes one private folder for
the run (``ann-run-<pid>-*`` in the system's temporary folder), points :mod:`tempfile` (and
``TMPDIR``, for what the workers start) at it while the run lasts, and removes it, whatever is
left in it, when the run ends. A run whose grader itself was killed leaves its folder behind:
the next run removes it (:func:`sweep`: its creator is gone).

On a Dask cluster the jobs run in the cluster's worker processes, so each job goes through
:func:`in_run_folder`: the first job a worker process gets for a run makes the worker's own
folder (``ann-w<pid>-*``) inside the run's folder, and points that process's
:mod:`tempfile` and ``TMPDIR`` there; on a host where the run's folder is not to be found (a
worker on another machine, or of another user) the worker makes a run folder of its own instead,
named after itself, which :func:`sweep` removes once that worker is gone. When the run ends the
grader has every worker :func:`leave` (its zygotes closed, its folder removed, ``tempfile`` put
back, the folders of its host's dead workers swept); the folder of a worker that crashed during
the run goes with the run's folder (same host) or with that sweep (another host).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from autograder.sandbox import socket_paths

PREFIX = "ann-run-"
#: A Dask worker's own folder, inside the run's (short: kernels' sockets live under it).
WORKER_PREFIX = "ann-w"

#: The folder of the run going on in this process (:func:`run_folder`), else None.
T = TypeVar("T")

_active: str | None = None
#: On a Dask worker: its folder of the current run, the run's folder, what tempfile had before.
_worker: dict = {}


def sweep(where: str | Path | None = None) -> None:
    """Remove the run folders of this user whose grader process is gone (and their socket
    folders, :func:`autograder.sandbox.socket_paths.sweep`)."""
    socket_paths.sweep()
    where = Path(where or tempfile.gettempdir())
    for folder in where.glob(f"{PREFIX}*-*"):
        pid = folder.name.removeprefix(PREFIX).split("-")[0]
        try:
            mine = folder.lstat().st_uid == os.getuid() and folder.is_dir()
        except OSError:
            continue
        if mine and pid.isdigit() and not socket_paths.alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _point_at(folder):
    """Point :mod:`tempfile` and ``TMPDIR`` at ``folder``; returns what they were."""
    saved = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir, os.environ["TMPDIR"] = folder, folder
    return saved


def _put_back(saved):
    tempfile.tempdir = saved[0]
    if saved[1] is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = saved[1]


def current() -> str | None:
    """The folder of the run going on in this process, or None."""
    return _active


@contextlib.contextmanager
def run_folder() -> Iterator[str]:
    """A private folder for this run's temporary folders (yielded); gone when the block ends."""
    global _active
    sweep()
    folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
    saved = _point_at(folder)
    _active = folder
    try:
        yield folder
    finally:
        _active = None
        _put_back(saved)
        shutil.rmtree(folder, ignore_errors=True)


def enter(run: str) -> str:
    """On a Dask worker: this process's folder for the run whose folder is ``run`` (made once)."""
    if _worker.get("run") == run and os.path.isdir(_worker["folder"]):
        return _worker["folder"]
    leave()  # an earlier run's, if any
    try:  # on the grader's host: inside the run's folder
        folder = tempfile.mkdtemp(prefix=f"{WORKER_PREFIX}{os.getpid()}-", dir=run)
    except OSError:  # another host (or user): a run folder of its own, swept once it is gone
        folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
    _worker.update(run=run, folder=folder, saved=_point_at(folder))
    return folder


def in_run_folder(run: str | None, job: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``job(*args, **kwargs)`` on a Dask worker, its temporary folders inside ``run`` (see the
    module doc); ``run`` None: as it is."""
    if run is not None:
        enter(run)
    return job(*args, **kwargs)


def leave() -> None:
    """On a Dask worker, when the run ends: close what lives in its folder (its zygotes, its
    kernel trees), remove the folder, put :mod:`tempfile` back, sweep its host's dead workers'."""
    if _worker:
        from autograder.grading import kernel_tree
        from autograder.sandbox import zygote

        zygote.close_all()
        kernel_tree.forget()
        _put_back(_worker["saved"])
        shutil.rmtree(_worker["folder"], ignore_errors=True)
        _worker.clear()
    sweep()
