"""Benchmark: ``ann-course grade`` against stock ``nbgrader autograde`` on the same class.

Builds a synthetic class (``--students`` students x every lesson in ``course/``, a mix of complete,
blank and half-done submissions made with :mod:`autograder.sample_class`), then grades it

* with ``ann-course grade`` (parallel workers, guarded kernels each in its bubblewrap sandbox,
  feedback and reports included), then once more with ``--trust-submissions`` (no sandbox) to
  measure what the sandbox costs per notebook, and
* with stock nbgrader, as a subprocess in a temporary course folder that uses the course's
  ``nbgrader_config.py`` settings: ``nbgrader autograde`` (and, timed separately,
  ``nbgrader generate_feedback``, the other half of what ``ann-course grade`` does).

Prints notebooks/second of both, the ratio, and whether every score agrees. Nothing is asserted.

Run: ``python bench/bench_grade.py [--students 30] [--lessons 01_neuron ...] [--jobs N]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder import notebooks
from autograder.build import lessons as all_lessons
from autograder.sample_class import solution_answers, submission
from autograder.settings import REPO


def make_class(dest, n_students, lessons):
    """``dest/<student>/<lesson>/<nb>.ipynb``: complete, blank and half-done in turn."""
    count = 0
    for i in range(n_students):
        kind = ("complete", "blank", "half")[i % 3]
        student = f"s{i:03d}_{kind}"
        for lesson in lessons:
            for path in sorted((REPO / "course" / lesson).glob("*.ipynb")):
                if kind == "complete":
                    nb = submission(lesson, path.name)
                elif kind == "blank":
                    nb = notebooks.read(path)
                else:
                    ids = list(solution_answers(lesson, path.name))
                    nb = submission(lesson, path.name, {gid: None for gid in ids[len(ids) // 2:]})
                notebooks.write(nb, Path(dest) / student / lesson / path.name)
                count += 1
    return count


def stock_nbgrader(submitted, lessons):
    """Grade with the ``nbgrader`` command; return ({(s, a, grade_id): score}, seconds, fb seconds)."""
    from nbgrader.api import Gradebook

    tmp = Path(tempfile.mkdtemp(prefix="bench-stock-"))
    shutil.copytree(REPO / "solutions", tmp / "source")
    shutil.copytree(submitted, tmp / "submitted")
    (tmp / "nbgrader_config.py").write_text(
        "from pathlib import Path\n"
        "from autograder.settings import configure\n"
        "c = get_config()  # noqa: F821\n"
        f"configure(c, Path({str(tmp)!r}))\n"
        "c.CourseDirectory.source_directory = 'source'\n"
        "c.CourseDirectory.release_directory = 'release'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{tmp / 'gradebook.db'}'\n"
        f"c.Exchange.root = {str(tmp / 'exchange')!r}\n")
    (tmp / "exchange").mkdir()
    nbgrader = [sys.executable, "-m", "nbgrader"]
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    run = dict(cwd=tmp, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for lesson in lessons:
        subprocess.run([*nbgrader, "generate_assignment", lesson, "--force"], **run)
    t0 = time.perf_counter()
    for lesson in lessons:
        subprocess.run([*nbgrader, "autograde", lesson, "--force", "--create"], **run)
    t_auto = time.perf_counter() - t0
    t0 = time.perf_counter()
    for lesson in lessons:
        subprocess.run([*nbgrader, "generate_feedback", lesson, "--force"], **run)
    t_fb = time.perf_counter() - t0
    scores = {}
    with Gradebook(f"sqlite:///{tmp / 'gradebook.db'}", "ann-course") as gb:
        for lesson in lessons:
            for sub in gb.assignment_submissions(lesson):
                for nb in sub.notebooks:
                    for g in nb.grades:
                        scores[(sub.student.id, lesson, g.name)] = float(g.score or 0)
    shutil.rmtree(tmp, ignore_errors=True)
    return scores, t_auto, t_fb


def ours(submitted, out, jobs, sandboxed=True):
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out),
           "--force"] + (["--jobs", str(jobs)] if jobs else []) + (
        [] if sandboxed else ["--trust-submissions"])
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    import csv

    with (out / "grades.csv").open() as f:
        scores = {(r["student_id"], r["assignment"], r["exercise"]): float(r["score"])
                  for r in csv.DictReader(f)}
    return scores, seconds


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--lessons", nargs="*", default=None, help="default: every lesson in course/")
    p.add_argument("--jobs", type=int, default=None, help="ann-course grade --jobs (default: all)")
    args = p.parse_args(argv)
    lessons = args.lessons or [lesson for lesson in all_lessons() if (REPO / "course" / lesson).is_dir()]
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        tmp = Path(tmp)
        n = make_class(tmp / "submitted", args.students, lessons)
        print(f"class: {args.students} students x {len(lessons)} lessons = {n} notebooks "
              f"({os.cpu_count()} cores)")
        mine, t_ours = ours(tmp / "submitted", tmp / "out", args.jobs)
        print(f"ann-course grade (autograde + feedback + report): {t_ours:7.1f} s  "
              f"{n / t_ours:6.2f} notebooks/s")
        unboxed, t_trust = ours(tmp / "submitted", tmp / "out-trusted", args.jobs, sandboxed=False)
        print(f"the same, --trust-submissions (no sandbox):       {t_trust:7.1f} s  "
              f"{n / t_trust:6.2f} notebooks/s; the sandbox costs "
              f"{(t_ours - t_trust) / n * 1000:+.0f} ms per notebook (wall, whole run); "
              f"same scores: {unboxed == mine}")
        stock, t_auto, t_fb = stock_nbgrader(tmp / "submitted", lessons)
        print(f"stock nbgrader autograde:                         {t_auto:7.1f} s  "
              f"{n / t_auto:6.2f} notebooks/s")
        print(f"stock nbgrader autograde + generate_feedback:     {t_auto + t_fb:7.1f} s  "
              f"{n / (t_auto + t_fb):6.2f} notebooks/s")
        print(f"speed-up vs autograde alone: {t_auto / t_ours:.2f}x; vs autograde + feedback: "
              f"{(t_auto + t_fb) / t_ours:.2f}x")
        differ = sorted(k for k in set(mine) | set(stock) if mine.get(k) != stock.get(k))
        print(f"scores agree: {not differ} ({len(mine)} test cells compared"
              + (f"; {len(differ)} differ, e.g. {differ[:3]}" if differ else "") + ")")
        for k in differ[:10]:
            print(f"  {k}: ann-course {mine.get(k)}, nbgrader {stock.get(k)}")


if __name__ == "__main__":
    main()
