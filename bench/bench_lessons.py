"""How long each solution notebook takes to run top to bottom in a real Jupyter kernel.

Every ``solutions/*/*.ipynb`` is executed with nbclient in a fresh ``python3`` kernel, from
its own folder, as a learner would run it: every figure and explorer is drawn (as PNG, by the
kernel's inline backend). With ``--as-grader`` the kernel gets what nbgrader's grading kernel has
instead, ``NBGRADER_EXECUTION=autograde`` and matplotlib's non-drawing ``Agg`` backend: figures
and explorers are still made, but never rendered. The script prints, per lesson,

* ``start``: starting the kernel;
* ``run``: executing all cells, top to bottom -- the figure the targets apply to;
* ``slowest cell``: the code cell that took longest, with its time;

then the total, and marks every lesson whose ``run`` exceeds its target: 10 s for a lesson,
30 s for the capstone (a folder whose name contains ``capstone``). A cell that raises is
reported and the run goes on. Nothing is asserted: these are figures to read.

Run: ``python bench/bench_lessons.py [--repeat 3] [--as-grader] [lesson ...]``  (lesson filters
by folder name, e.g. ``13_capstone``; ``--repeat`` reports the median of several runs).
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 10.0
CAPSTONE_TARGET_SECONDS = 30.0


def target(notebook):
    """The time budget of a solution notebook, in seconds."""
    return CAPSTONE_TARGET_SECONDS if "capstone" in notebook.parent.name else TARGET_SECONDS


def run_notebook(path, timeout=600):
    """Execute one notebook in a fresh kernel.

    Returns
    -------
    dict with ``start`` and ``run`` (seconds), ``slowest`` ``(seconds, cell id)`` and
    ``errors``, a list of ``"cell id: ErrorName: message"``.
    """
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="bench-kernel-") as sockets:
        # IPC sockets, not TCP ports: with many kernels starting at once (parallel test runs),
        # a TCP port picked as free can be taken before the kernel binds it, and the kernel
        # then never answers.
        km = KernelManager(kernel_name="python3", transport="ipc",
                           ip=os.path.join(sockets, "kernel"))
        client = NotebookClient(nb, km=km, timeout=timeout, kernel_name="python3",
                                allow_errors=True, resources={"metadata": {"path": str(path.parent)}})
        try:
            return _execute(client, nb)
        finally:  # nbclient leaves a kernel it was handed running: stop it here
            if km.has_kernel:
                km.shutdown_kernel(now=True)


def _execute(client, nb):
    cell_times, errors = [], []
    began = time.perf_counter()
    with client.setup_kernel():
        started = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            t = time.perf_counter()
            client.execute_cell(cell, index)
            cell_times.append((time.perf_counter() - t, cell.get("id", str(index))))
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    errors.append(f"{cell.get('id', index)}: {out.get('ename')}: "
                                  f"{out.get('evalue')}")
        finished = time.perf_counter()
    return {"start": started - began, "run": finished - started,
            "slowest": max(cell_times, default=(0.0, "-")), "errors": errors}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="only these lesson folders (substring match)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook (median shown)")
    parser.add_argument("--as-grader", action="store_true",
                        help="the grading kernel's environment: NBGRADER_EXECUTION, Agg backend")
    args = parser.parse_args()

    if args.as_grader:  # the kernel inherits these, as nbgrader's grading kernel has them
        os.environ.update(NBGRADER_EXECUTION="autograde", MPLBACKEND="Agg")
    else:  # as a learner runs it: the kernel's own inline backend draws every figure
        for name in ("NBGRADER_EXECUTION", "MPLBACKEND"):
            os.environ.pop(name, None)
    notebooks = sorted((REPO / "solutions").glob("*/*.ipynb"))
    if args.lessons:
        notebooks = [p for p in notebooks if any(k in p.parent.name for k in args.lessons)]
    if not notebooks:
        print("no solution notebooks found")
        return

    print(f"{len(notebooks)} solution notebooks, python3 kernel, {args.repeat} run(s) each "
          f"(median), {'as the grader' if args.as_grader else 'as a learner'}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n")
    header = f"{'lesson':26s}{'start':>8s}{'run':>9s}{'target':>8s}  {'slowest cell':28s}"
    print(header)
    print("-" * len(header))
    total_run = total_start = 0.0
    over = []
    for path in notebooks:
        try:
            runs = [run_notebook(path) for _ in range(args.repeat)]
        except Exception as exc:  # noqa: BLE001 - report and go on with the next lesson
            print(f"{path.parent.name:26s}  could not run: {type(exc).__name__}: {exc}")
            over.append(f"{path.parent.name} (failed)")
            continue
        start = statistics.median(r["start"] for r in runs)
        run = statistics.median(r["run"] for r in runs)
        slow_s, slow_id = max(r["slowest"] for r in runs)
        budget = target(path)
        flag = "  OVER TARGET" if run > budget else ""
        total_run += run
        total_start += start
        if flag:
            over.append(path.parent.name)
        print(f"{path.parent.name:26s}{start:7.2f}s{run:8.2f}s{budget:7.0f}s  "
              f"{slow_id[:20]:20s}{slow_s:6.2f}s{flag}")
        for error in runs[-1]["errors"]:
            print(f"    error in {error[:160]}")
    print("-" * len(header))
    print(f"{'total':26s}{total_start:7.2f}s{total_run:8.2f}s   "
          f"(wall time with kernel starts: {total_start + total_run:.2f}s)")
    print(f"lessons over target: {', '.join(over) if over else 'none'}")


if __name__ == "__main__":
    main()
