"""ann-course: build the student release, grade a class, check a notebook, open JupyterLab."""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from autograder.settings import REPO


def _summary(rows):
    """Per-student totals as printable lines."""
    totals = defaultdict(lambda: [0.0, 0.0, 0])
    for r in rows:
        t = totals[r.student_id]
        t[0] += r.score
        t[1] += r.max_score
        t[2] += r.status != "ok"
    width = max([len("student")] + [len(s) for s in totals])
    lines = [f"{'student':<{width}}  {'score':>7}  {'max':>5}  {'%':>5}  problems"]
    for student, (score, max_score, problems) in sorted(totals.items()):
        pct = 100 * score / max_score if max_score else 0.0
        lines.append(f"{student:<{width}}  {score:>7g}  {max_score:>5g}  {pct:>5.1f}  "
                     f"{problems or ''}")
    return lines


def cmd_build(args):
    from autograder.build import build
    from autograder.release_data import DATA_DIR

    written = build(args.lessons or None, examples=REPO / "examples", data=DATA_DIR)
    for path in written:
        print(f"built {path.relative_to(REPO)}")
    return 0


def cmd_grade(args):
    import time

    from autograder import speedups

    speedups.skip_unused_imports()
    from autograder.grade import grade, parse_memory
    from autograder.outputs import UNSANDBOXED

    start = time.monotonic()

    def progress(done, total, student, assignment):
        width = 30
        filled = int(width * done / total) if total else width
        elapsed = time.monotonic() - start
        eta = elapsed / done * (total - done) if done else 0
        print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}  "
              f"{elapsed:5.0f}s elapsed, ~{eta:4.0f}s left  {student}/{assignment}\x1b[K",
              end="", file=sys.stderr, flush=True)

    out = Path(args.out)
    if args.trust_submissions:
        print(f"ann-course grade: warning: {UNSANDBOXED}", file=sys.stderr)
    rows = grade(args.submitted, out, progress=progress, jobs=args.jobs, timeout=args.timeout,
                 memory=parse_memory(args.memory), force=args.force, scheduler=args.scheduler,
                 budget=args.budget, trust_submissions=args.trust_submissions)
    print(file=sys.stderr)
    print("\n".join(_summary(rows)))
    import json

    run = json.loads((out / ".nbgrader" / "last_run.json").read_text())
    problems = sum(r.status != "ok" for r in rows)
    flagged = len({(r.student_id, r.assignment) for r in rows if r.flags})
    print(f"\ngraded {run['graded']} submission(s), reused {run['reused']} unchanged, in "
          f"{time.monotonic() - start:.0f}s; {problems} row(s) with a problem, {flagged} "
          "submission(s) flagged for review", file=sys.stderr)
    if run.get("failed"):
        print(f"{run['failed']} submission(s) could not be graded (see their status); they are "
              "graded again on the next run", file=sys.stderr)
    print("every notebook ran in a sandbox of its own" if run.get("sandboxed")
          else f"this class was {UNSANDBOXED}", file=sys.stderr)
    print(f"\ngrades:   {out / 'grades.csv'}")
    print(f"totals:   {out / 'totals.csv'}")
    print(f"report:   {out / 'report.html'}")
    print(f"feedback: {out / 'feedback'}/<student_id>/<assignment>/*.html")
    return 0


def cmd_check(args):
    from autograder.check import NotACourseNotebook, check

    status = 0
    for i, path in enumerate(args.notebooks):
        if i:
            print()
        try:
            report = check(path, timeout=args.timeout)
        except NotACourseNotebook as exc:
            print(f"ann-course check: error: {exc}", file=sys.stderr)
            status = 2
            continue
        print("\n".join(report.lines()))
    return status


def cmd_lab(args):
    """Become ``jupyter lab`` (exec, same process id), so that a signal to ann-course reaches it.

    A child process would survive its parent: whoever stops ``ann-course lab`` (Ctrl+C, a
    process manager, a test) must stop the server itself.
    """
    import os

    course = REPO / "course"
    own_root = any(a.startswith(("--ServerApp.root_dir", "--notebook-dir", "--ServerApp.notebook_dir"))
                   for a in args.extra)
    cmd = [sys.executable, "-m", "jupyterlab",
           *([] if own_root else [f"--ServerApp.root_dir={course}"]), *args.extra]
    print(" ".join(cmd), file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(REPO)
    os.execv(sys.executable, cmd)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ann-course", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="regenerate course/ (and examples/) from solutions/")
    p.add_argument("lessons", nargs="*", metavar="LESSON", help="e.g. 01_neuron (default: all)")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("grade", help="autograde a class of submissions")
    p.add_argument("submitted", metavar="SUBMITTED",
                   help="folder laid out as <student_id>/<assignment>/<notebook>.ipynb")
    p.add_argument("--out", required=True, metavar="OUT",
                   help="where grades.csv, totals.csv, report.html and feedback/ are written")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="notebooks graded in parallel (default: twice the cores, "
                        "at most cores + 8)")
    p.add_argument("--timeout", type=int, default=60, metavar="SECONDS",
                   help="time limit of one cell (default: 60)")
    p.add_argument("--memory", default="1G", metavar="SIZE",
                   help="memory cap of one notebook's kernel, e.g. 512M, 2G, 0 for none (default: 1G)")
    p.add_argument("--force", action="store_true",
                   help="grade every submission again, even those that did not change")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the grading on a Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--budget", type=int, default=600, metavar="SECONDS",
                   help="time limit of one whole notebook, and CPU seconds of its kernel "
                        "(default: 600)")
    p.add_argument("--trust-submissions", action="store_true",
                   help="grade WITHOUT a sandbox where bubblewrap is missing (only for "
                        "submissions you trust; the report says so)")
    p.set_defaults(func=cmd_grade)
    p = sub.add_parser("check", help="run a notebook as the grader would (hidden tests included) and "
                       "say what passes; the score is not recorded anywhere")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="e.g. course/01_neuron/01_neuron.ipynb")
    p.add_argument("--timeout", type=int, default=None, metavar="SECONDS",
                   help="per-cell time limit (default: the course's, as when grading)")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("lab", help="JupyterLab on the student release in course/ (extra arguments, "
                       "e.g. --no-browser --port 8899, go to jupyter lab)")
    p.set_defaults(func=cmd_lab)
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        return args.func(args)
    except (RuntimeError, FileNotFoundError, ValueError) as exc:
        print(f"ann-course {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
