"""The job runner: every job gets graded or reported, whatever one of them does.

* Locally, a pool of worker processes (forked once, warm: nbgrader and nbconvert imported) that
  survives its workers: each worker grades one job at a time, so when a worker dies (killed,
  out of memory, a crash) the runner knows which job it was, starts a new worker and goes on.
* A job whose worker died or raised, or whose kernel died, is graded once more; if it fails
  again it is reported with a status saying what happened (``JobResult.failed``), and the
  grader never caches such a result (the next run grades it again).
* A job has a wall-clock budget as a whole (``Run.limits.budget``): past it, its worker is killed
  (with it its kernel's sandbox) and the job is reported, not retried. Just before, the worker
  prints where each of its threads waits (on the grader's standard error, for a bug report: a
  notebook that ran past its budget is the notebook's doing, or a wait in the grader).
* On a Dask cluster (``scheduler``) the same job function runs on the cluster's workers (its
  kernels sandboxed the same way); a job that raises, or whose worker the cluster lost, is
  submitted once more.

``on_result(result, final)`` is called in the grader's process for each job's final result.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

from autograder.grading import tempdirs
from autograder.grading.job import Run, failed_result, grade_job
from autograder.grading.records import JobResult

ATTEMPTS = 2  #: a job is graded at most twice
#: The signal on which a worker prints its threads' stacks, and how long it is given to.
STACKS_SIGNAL = signal.SIGUSR1
STACKS_WAIT = 1.0


@dataclass
class Task:
    student: str
    assignment: str
    attempts: int = 0
    why: list = field(default_factory=list)  #: what went wrong in earlier attempts


def _warm():
    """Import what every job needs, once per worker."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import nbconvert.exporters  # noqa: F401
    import nbgrader.apps.api  # noqa: F401
    import nbgrader.converters  # noqa: F401
    from nbgrader.api import Gradebook  # noqa: F401

    from autograder.grading import speedups

    speedups.install()


def _worker(conn, run):
    """A pool worker's loop: a job in, its result (or the error) out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the grader
    try:  # where it waits, when asked, on file descriptor 2 (sys.stderr may be a test's capture)
        faulthandler.register(STACKS_SIGNAL, file=2, all_threads=True)
    except (OSError, ValueError, RuntimeError):  # no standard error: nothing to print on
        pass
    _warm()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            conn.send(("ok", grade_job(run, task.student, task.assignment)))
        except Exception as exc:  # noqa: BLE001 - any error is the job's, reported by the parent
            conn.send(("error", f"{type(exc).__name__}: {str(exc)[:300]}"))


class _Worker:
    def __init__(self, ctx, run):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, run), daemon=True)
        self.proc.start()
        child.close()
        self.task = None
        self.started = 0.0

    def give(self, task: Task) -> None:
        """Hand ``task`` over (if the worker just died, the runner sees it as the job's failure)."""
        self.task, self.started = task, time.monotonic()
        try:
            self.conn.send(task)
        except OSError:
            pass

    def print_stacks(self, what: str) -> None:
        """Have the worker print where each of its threads waits (under a line naming ``what``)."""
        if self.proc.is_alive() and self.proc.pid:
            print(f"ann-course: {what} ran past its budget; where its grading worker "
                  f"(pid {self.proc.pid}) was waiting:", file=sys.stderr, flush=True)
            os.kill(self.proc.pid, STACKS_SIGNAL)
            time.sleep(STACKS_WAIT)

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def death(self) -> str:
        code = self.proc.exitcode
        if code is not None and code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit status {code}"


def _outcome(task, kind, payload, run):
    """``(result, retry)`` for one attempt of ``task``."""
    if kind == "ok":
        if payload.kernel_died and task.attempts < ATTEMPTS:
            return payload, True
        return payload, False
    task.why.append(payload)
    if task.attempts < ATTEMPTS:
        return None, True
    why = "; then ".join(task.why) if len(set(task.why)) > 1 else task.why[0]
    return failed_result(run, task.student, task.assignment,
                         f"grader error: {why} (graded {task.attempts} times)"), False


def run_local(run: Run, pairs: list[tuple[str, str]], workers: int,
              on_result: Callable[[JobResult], None]) -> None:
    """Grade ``pairs`` [(student, assignment)] on ``workers`` local processes."""
    ctx = multiprocessing.get_context("fork")
    pending = deque(Task(s, a) for s, a in pairs)
    pool: list[_Worker] = []
    try:
        while pending or any(w.task for w in pool):
            for w in [w for w in pool if w.task is None and not w.proc.is_alive()]:
                w.kill()  # died while idle: replaced below
                pool.remove(w)
            for w in pool:
                if w.task is None and pending:
                    w.give(pending.popleft())
            while pending and len(pool) < workers:
                w = _Worker(ctx, run)
                pool.append(w)
                w.give(pending.popleft())
            busy = [w for w in pool if w.task is not None]
            wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=1.0)
            for w in busy:
                task, kind, payload = w.task, None, None
                try:
                    if w.conn.poll():
                        kind, payload = w.conn.recv()
                except (EOFError, OSError):
                    pass
                if kind is None and not w.proc.is_alive():
                    w.proc.join()
                    kind, payload = "error", f"the grading worker died ({w.death()})"
                elif kind is None and time.monotonic() - w.started > run.limits.budget:
                    w.print_stacks(f"{task.student}/{task.assignment}")
                    w.kill()
                    pool.remove(w)
                    task.attempts = ATTEMPTS
                    on_result(failed_result(run, task.student, task.assignment,
                                            f"timeout: the notebook ran past its whole "
                                            f"{run.limits.budget:g} s budget (stopped)"))
                    continue
                if kind is None:
                    continue
                task.attempts += 1
                if kind == "error" and not w.proc.is_alive():
                    w.kill()
                    pool.remove(w)
                else:
                    w.task = None
                result, retry = _outcome(task, kind, payload, run)
                if retry:
                    if kind == "ok":
                        task.why.append("kernel died")
                    pending.append(task)
                else:
                    on_result(result)
    finally:
        for w in pool:
            try:
                w.conn.send(None)
            except OSError:
                pass
        for w in pool:
            w.proc.join(2)
            w.kill()
        from autograder.sandbox.bubblewrap import sweep_cgroups

        sweep_cgroups()  # those of workers killed with their kernel (budget, crash)


def run_dask(run: Run, pairs: list[tuple[str, str]], scheduler: Any,
             on_result: Callable[[JobResult], None]) -> None:
    """Grade ``pairs`` on the Dask cluster at ``scheduler`` (an address or a Client)."""
    from distributed import Client, as_completed

    client = Client(scheduler) if isinstance(scheduler, str) else scheduler
    folder = tempdirs.current()  # each worker's temporary folders inside the run's

    def submit(student, assignment):
        return client.submit(tempdirs.in_run_folder, folder, grade_job, run, student, assignment,
                             pure=False)

    try:
        tasks = {}
        futures = as_completed()
        for s, a in pairs:
            fut = submit(s, a)
            tasks[fut.key] = Task(s, a)
            futures.add(fut)
        for fut in futures:
            task = tasks[fut.key]
            task.attempts += 1
            try:
                kind, payload = "ok", fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker included
                kind, payload = "error", f"{type(exc).__name__}: {str(exc)[:300]}"
            result, retry = _outcome(task, kind, payload, run)
            if retry:
                again = submit(task.student, task.assignment)
                tasks[again.key] = task
                futures.add(again)
            else:
                on_result(result)
    finally:
        try:
            client.run(tempdirs.leave)  # every worker's folder gone, also a crashed one's
        except Exception:  # noqa: BLE001 - a cluster already gone has nothing left to remove
            pass
        if isinstance(scheduler, str):
            client.close()
