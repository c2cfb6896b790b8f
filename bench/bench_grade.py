"""Benchmark: ``ann-course grade`` on a synthetic class, stage by stage, against stock nbgrader.

For each class size asked for (``--students 5 10 20``; the issue's goal is 50 to 500), it writes a
synthetic class: every lesson asked for (default: every lesson in ``course/``), a third of the
students complete (the solutions), a third blank (the release untouched), a third with catalogued
mistakes (each answer one of its exercise's recognised wrong answers, in turn; the solution where
the catalogue is empty), made with :mod:`autograder.release.sample_class`. Then it grades the
class with :func:`autograder.grading.grade.grade` in a process of its own (as ``ann-course grade``
does, sandboxed, feedback and report included) and prints

* notebooks per second, per core; CPU seconds per notebook (the grader, its workers, kernels);
* each stage's seconds (:class:`~autograder.grading.grade.StageTimes`: staging, kernel, cells,
  judge, nbgrader's autograde and feedback, gradebook merge, CSV, report, similarity) and, over the
  sizes, how each grows: the exponent ``b`` of ``seconds ~ students ** b`` between the smallest and
  the largest size (1: linear), and each stage's share of the run extrapolated to ``--target``
  students along that growth;
* the per-notebook overhead outside the kernel's own cell time (everything but ``cells``, per
  notebook, the grader's process included);
* the grader process's peak resident memory (its workers and kernels are processes of their own);
* stock nbgrader (``nbgrader autograde`` and ``generate_feedback`` as subprocesses, in a course
  folder using the course's ``nbgrader_config.py`` settings) on the same class, the peer, at the
  smallest size (``--peer-every``: at every size), and whether every score agrees.

Nothing is asserted: figures to read. The machine's load average is printed: on a shared machine
read the CPU times and the ratios, not the wall times.

Run: ``python bench/bench_grade.py [--students 5 10 20] [--lessons 01_neuron ...] [--jobs N]``
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from autograder import notebooks
from autograder.grading.grade import StageTimes
from autograder.lessons import checks_of
from autograder.release.build import lessons as all_lessons
from autograder.release.sample_class import solution_answers, submission
from autograder.settings import REPO

KINDS = ("complete", "blank", "mistakes")
#: The stages printed, in a run's order (StageTimes' fields but the sums of whole jobs and runs).
STAGES = [f.name for f in fields(StageTimes) if f.name not in ("job", "total")]


def mistakes(lesson: str) -> dict[str, list[str]]:
    """``{grade_id: [source of each catalogued wrong answer]}`` of a lesson's exercises."""
    found: dict[str, list[str]] = {}
    for check in checks_of(lesson).values():
        try:
            found[check.function] = [m.source(check.function) for m in check.all_mistakes()]
        except Exception:  # noqa: BLE001 - a mistake without a source: that exercise stays right
            found[check.function] = []
    return found


def make_class(dest: Path, n_students: int, lessons: list[str]) -> int:
    """``dest/<student>/<lesson>/<nb>.ipynb``: complete, blank and with mistakes, in turn."""
    count = 0
    for lesson in lessons:
        wrong = mistakes(lesson)
        for path in sorted((REPO / "course" / lesson).glob("*.ipynb")):
            ids = list(solution_answers(lesson, path.name))
            for i in range(n_students):
                kind = KINDS[i % 3]
                if kind == "complete":
                    nb = submission(lesson, path.name)
                elif kind == "blank":
                    nb = notebooks.read(path)
                else:
                    overrides = {gid: wrong[gid][(i // 3) % len(wrong[gid])]
                                 for gid in ids if wrong.get(gid)}
                    nb = submission(lesson, path.name, overrides)
                notebooks.write(nb, dest / f"s{i:03d}_{kind}" / lesson / path.name)
                count += 1
    return count


def child(submitted: str, out: str, jobs: int | None) -> None:
    """In the grading process: grade, then print the run's figures as one JSON line."""
    from autograder.grading.grade import grade

    run = grade(submitted, out, jobs=jobs, force=True)
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": asdict(run.seconds), "graded": run.graded,
                      "failed": run.failed, "maxrss_kib": own.ru_maxrss}))


def ours(submitted: Path, out: Path, jobs: int | None) -> dict:
    """Grade in a process of its own; its figures, CPU seconds (all its processes) and scores."""
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", str(submitted), str(out),
                           *(["--jobs", str(jobs)] if jobs else [])],
                          check=True, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - start, _cpu() - cpu
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall"], figures["cpu"] = wall, cpu
    with (out / "grades.csv").open() as f:
        figures["scores"] = {(r["student_id"], r["assignment"], r["exercise"]): float(r["score"])
                             for r in csv.DictReader(f)}
    return figures


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stock_nbgrader(submitted: Path, lessons: list[str]) -> tuple[dict, float, float, float]:
    """Grade with the ``nbgrader`` command: ``({(s, a, grade_id): score}, autograde seconds,
    generate_feedback seconds, CPU seconds of both)``."""
    from nbgrader.api import Gradebook

    tmp = Path(tempfile.mkdtemp(prefix="bench-stock-"))
    shutil.copytree(REPO / "solutions", tmp / "source")
    shutil.copytree(submitted, tmp / "submitted")
    (tmp / "nbgrader_config.py").write_text(
        "from pathlib import Path\n"
        "from autograder.nbgrader_api import configure\n"
        "c = get_config()  # noqa: F821\n"
        f"configure(c, Path({str(tmp)!r}))\n"
        "c.CourseDirectory.source_directory = 'source'\n"
        "c.CourseDirectory.release_directory = 'release'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{tmp / 'gradebook.db'}'\n"
        f"c.Exchange.root = {str(tmp / 'exchange')!r}\n")
    (tmp / "exchange").mkdir()
    nbgrader = [sys.executable, "-m", "nbgrader"]
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    run: dict[str, Any] = dict(cwd=tmp, env=env, check=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    for lesson in lessons:
        subprocess.run([*nbgrader, "generate_assignment", lesson, "--force"], **run)
    cpu, t0 = _cpu(), time.perf_counter()
    for lesson in lessons:
        subprocess.run([*nbgrader, "autograde", lesson, "--force", "--create"], **run)
    t_auto = time.perf_counter() - t0
    t0 = time.perf_counter()
    for lesson in lessons:
        subprocess.run([*nbgrader, "generate_feedback", lesson, "--force"], **run)
    t_fb = time.perf_counter() - t0
    cpu = _cpu() - cpu
    scores = {}
    with Gradebook(f"sqlite:///{tmp / 'gradebook.db'}", "ann-course") as gb:
        for lesson in lessons:
            for sub in gb.assignment_submissions(lesson):
                for nb in sub.notebooks:
                    for g in nb.grades:
                        scores[(sub.student.id, lesson, g.name)] = float(g.score or 0)
    shutil.rmtree(tmp, ignore_errors=True)
    return scores, t_auto, t_fb, cpu


def growth(sizes: list[int], values: list[float]) -> float:
    """The exponent ``b`` of ``value ~ size ** b`` from the smallest to the largest size."""
    if len(sizes) < 2 or min(values[0], values[-1]) <= 0:
        return float("nan")
    return math.log(values[-1] / values[0]) / math.log(sizes[-1] / sizes[0])


def extrapolate(sizes: list[int], values: list[float], target: int) -> float:
    """``values`` at ``target`` students along their growth (linear where it cannot be fitted)."""
    b = growth(sizes, values)
    return values[-1] * (target / sizes[-1]) ** (1.0 if math.isnan(b) else max(b, 1.0))


def report(sizes: list[int], runs: list[dict], lessons: list[str], target: int) -> None:
    cores = os.cpu_count() or 1
    print(f"\n{'students':>8} {'notebooks':>9} {'wall s':>7} {'nb/s/core':>9} {'CPU s/nb':>8} "
          f"{'overhead s/nb':>13} {'grader MiB':>10}")
    for n, r in zip(sizes, runs, strict=True):
        s, count = r["seconds"], r["notebooks"]
        outside = s["job"] - s["cells"] + sum(s[k] for k in (
            "register", "merge", "csv", "report", "similarity"))
        print(f"{n:>8} {count:>9} {r['wall']:>7.1f} {count / r['wall'] / cores:>9.3f} "
              f"{r['cpu'] / count:>8.2f} {outside / count:>13.2f} {r['maxrss_kib'] / 1024:>10.0f}")
    print("\nseconds per stage (the jobs' stages summed over parallel workers), growth exponent "
          f"b (seconds ~ students^b, 1 = linear), share of the run at {target} students x "
          f"{len(lessons)} lesson(s) extrapolated along b (at least linear)")
    print(f"{'stage':<11}" + "".join(f"{n:>9}" for n in sizes) + f"{'b':>7}{'share':>8}")
    total_at = sum(extrapolate(sizes, [r["seconds"][stage] for r in runs], target)
                   for stage in STAGES)
    for stage in STAGES:
        values = [r["seconds"][stage] for r in runs]
        share = extrapolate(sizes, values, target) / total_at if total_at else float("nan")
        print(f"{stage:<11}" + "".join(f"{v:>9.2f}" for v in values)
              + f"{growth(sizes, values):>7.2f}{share:>8.1%}")
    mem = [r["maxrss_kib"] for r in runs]
    print(f"grader peak memory grows as students^{growth(sizes, mem):.2f} "
          f"({mem[0] / 1024:.0f} -> {mem[-1] / 1024:.0f} MiB)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, nargs="+", default=[30], metavar="N",
                   help="class sizes, each graded in turn (default: 30)")
    p.add_argument("--lessons", nargs="*", default=None, help="default: every lesson in course/")
    p.add_argument("--jobs", type=int, default=None, help="workers of the grader (default: its own)")
    p.add_argument("--target", type=int, default=500, help="class size to extrapolate to")
    p.add_argument("--peer-every", action="store_true",
                   help="stock nbgrader at every size (default: the smallest only)")
    p.add_argument("--child", nargs=2, metavar=("SUBMITTED", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], args.jobs)
        return 0
    lessons = args.lessons or [lesson for lesson in all_lessons() if (REPO / "course" / lesson).is_dir()]
    sizes = sorted(args.students)
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
          f"lessons: {' '.join(lessons)}")
    runs = []
    for i, n in enumerate(sizes):
        with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
            folder = Path(tmp)
            count = make_class(folder / "submitted", n, lessons)
            r = ours(folder / "submitted", folder / "out", args.jobs)
            r["notebooks"] = count
            runs.append(r)
            print(f"{n} students, {count} notebooks: ann-course grade {r['wall']:.1f} s wall, "
                  f"{r['cpu']:.1f} s CPU, {r['failed']} failed", flush=True)
            if i == 0 or args.peer_every:
                stock, t_auto, t_fb, cpu = stock_nbgrader(folder / "submitted", lessons)
                mine = r["scores"]
                differ = sorted(k for k in set(mine) | set(stock) if mine.get(k) != stock.get(k))
                print(f"  stock nbgrader autograde {t_auto:.1f} s + generate_feedback {t_fb:.1f} s "
                      f"wall, {cpu:.1f} s CPU; "
                      f"ratio stock/ours: wall {(t_auto + t_fb) / r['wall']:.2f}x, CPU "
                      f"{cpu / r['cpu']:.2f}x; scores agree: {not differ} ({len(mine)} test "
                      "cells" + (f", {len(differ)} differ, e.g. {differ[:3]}" if differ else "")
                      + ")", flush=True)
                for k in differ[:10]:
                    print(f"    {k}: ann-course {mine.get(k)}, nbgrader {stock.get(k)}")
    report(sizes, runs, lessons, args.target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
