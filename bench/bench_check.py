"""How long a learner waits for ``ann-course check``, against ``nbgrader validate`` in the same run.

For each lesson asked for (default: the first lesson and the capstone) and each sample student of
``examples/submitted`` (complete, blank, partial), the script runs, alternately and ``--repeat``
times, the two commands a learner has to check a notebook:

* ``ann-course check NOTEBOOK`` (every test cell, the hidden tests included, judged by the grader);
* ``nbgrader validate NOTEBOOK`` (nbgrader's own check of the visible tests), the peer;

each as a fresh process, as a learner starts it from a terminal. With ``--base TREE`` (a checkout
of another commit, e.g. ``git archive main | tar -x -C /tmp/base``) that tree's ``ann-course check``
runs too, in the same rounds: before and after, measured under the same load.

It prints, for each, the median wall time and the median CPU time (user + system of the command
and of what it waited for, the kernel included), the ratio validate / check of both (above 1:
the check is faster) and whether the two agree on the notebook's verdict (every test passes, or
not). Nothing is asserted: these are figures to read. On a loaded machine read the CPU times and
the ratios: wall times there measure the other users as much as the commands.

Run: ``python bench/bench_check.py [--repeat 5] [--base TREE] [lesson ...]`` (lesson: a folder
name of course/).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STUDENTS = ("alice_complete", "bob_blank", "carol_partial")


def _run(argv: list[str], cwd: Path, tree: Path | None = None) -> tuple[float, float, str]:
    """``(wall seconds, CPU seconds, output)`` of one command (CPU: it and its waited children)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(tree), *filter(None, [env.get("PYTHONPATH")])])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout + done.stderr


def check_verdict(output: str) -> bool | None:
    """True when ``ann-course check`` says every test passes; None when it printed no summary."""
    m = re.search(r"(\d+) of (\d+) tests pass", output)
    return None if m is None else m.group(1) == m.group(2)


def validate_verdict(output: str) -> bool | None:
    """True when ``nbgrader validate`` reports success; None when it said neither."""
    if "Success! Your notebook passes all the tests." in output:
        return True
    if "VALIDATION FAILED" in output or "The following cell failed" in output:
        return False
    return None


def bench(notebook: Path, repeat: int, base: Path | None
          ) -> dict[str, tuple[float, float, bool | None]]:
    """Median wall and CPU seconds of each command on ``notebook``, and its verdict."""
    commands: dict[str, tuple[list[str], Path | None, Callable[[str], bool | None]]] = {
                "check": ([sys.executable, "-m", "autograder", "check", str(notebook)], None,
                          check_verdict),
                "validate": ([str(BIN / "nbgrader"), "validate", str(notebook)], None,
                             validate_verdict)}
    if base is not None:
        commands["base"] = ([sys.executable, "-m", "autograder", "check", str(notebook)], base,
                            check_verdict)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    verdicts: dict[str, bool | None] = {}
    for _ in range(repeat):
        for name, (argv, tree, verdict) in commands.items():
            wall, cpu, out = _run(argv, notebook.parent, tree)
            times[name].append((wall, cpu))
            verdicts[name] = verdict(out)
    return {name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t),
                   verdicts[name]) for name, t in times.items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("lessons", nargs="*", help="default: the first lesson and the capstone")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--base", type=Path, default=None, metavar="TREE",
                   help="another checkout whose ann-course check runs too (before/after)")
    args = p.parse_args(argv)
    every = sorted(d.name for d in (REPO / "course").iterdir() if d.is_dir())
    lessons = args.lessons or [every[0]] + [x for x in every if "capstone" in x]
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
          f"median of {args.repeat}; seconds wall / CPU")
    base_head = f" {'base check':>13}" if args.base else ""
    print(f"{'lesson':<16} {'student':<15} {'check':>13} {'validate':>13}{base_head} "
          f"{'ratio wall/CPU':>14}  verdicts")
    for lesson in lessons:
        for student in STUDENTS:
            for notebook in sorted((REPO / "examples" / "submitted" / student / lesson).glob("*.ipynb")):
                r = bench(notebook, args.repeat, args.base)
                figures = " ".join(f"{r[k][0]:>6.2f}/{r[k][1]:<6.2f}" for k in r)
                ratio = (f"{r['validate'][0] / r['check'][0]:>6.2f}/"
                         f"{r['validate'][1] / r['check'][1]:<6.2f}")
                oks = {k: v[2] for k, v in r.items()}
                same = "same" if len(set(oks.values())) == 1 else f"DIFFER {oks}"
                print(f"{lesson:<16} {student:<15} {figures}  {ratio:>14}  {same}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
