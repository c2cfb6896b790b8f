"""ann-course: build the student release, grade a class, export its grades, check a notebook,
open JupyterLab or formgrader."""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import asdict, replace
from pathlib import Path

from autograder.limits import DEFAULT_LIMITS, Limits, format_size, parse_size
from autograder.settings import REPO

DEFAULTS = DEFAULT_LIMITS  #: the defaults of ``ann-course grade``'s limit flags (and their help)


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


def cmd_build(args: argparse.Namespace) -> int:
    from autograder.release.build import build
    from autograder.release.release_data import DATA_DIR
    from autograder.release.release_files import explain

    kept: list[Path] = []
    written = build(args.lessons or None, examples=REPO / "examples", data=DATA_DIR, kept=kept)
    for path in written:
        print(f"built {path.relative_to(REPO)}")
    if kept:
        print(f"ann-course build: {explain(kept, REPO)}", file=sys.stderr)
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    import time

    from autograder.grading.grade import grade
    from autograder.outputs.grades import UNSANDBOXED

    start = time.monotonic()

    def progress(done: int, total: int, student: str, assignment: str) -> None:
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
    limits = Limits(timeout=args.timeout, budget=args.budget, memory=parse_size(args.memory))
    run = grade(args.submitted, out, progress=progress, jobs=args.jobs, limits=limits,
                force=args.force, scheduler=args.scheduler,
                trust_submissions=args.trust_submissions, roster=args.roster)
    rows = run.rows
    print(file=sys.stderr)
    print("\n".join(_summary(rows)))
    problems = sum(r.status != "ok" for r in rows)
    flagged = len({(r.student_id, r.assignment) for r in rows if r.flags})
    print(f"\ngraded {run.graded} submission(s), reused {run.reused} unchanged, in "
          f"{time.monotonic() - start:.0f}s; {problems} row(s) with a problem, {flagged} "
          "submission(s) flagged for review", file=sys.stderr)
    spent = {k: v for k, v in asdict(run.seconds).items() if k not in ("job", "total") and v}
    if spent:
        print("seconds per stage (the jobs' summed over their workers): "
              + ", ".join(f"{k} {v:.1f}" for k, v in spent.items()), file=sys.stderr)
    if run.failed:
        print(f"{run.failed} submission(s) could not be graded (see their status); they are "
              "graded again on the next run", file=sys.stderr)
    print("every notebook ran in a sandbox of its own" if run.sandboxed
          else f"this class was {UNSANDBOXED}", file=sys.stderr)
    print(f"\ngrades:   {out / 'grades.csv'}")
    print(f"totals:   {out / 'totals.csv'}")
    print(f"report:   {out / 'report.html'}")
    print(f"feedback: {out / 'feedback'}/<student_id>/<assignment>/*.html")
    print(f"LMS:      {out / 'canvas.csv'}, {out / 'moodle.csv'}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from autograder.grading.exports import export

    out, rows = export(args.source, to=args.to, roster=args.roster)
    print("\n".join(_summary(rows)))
    for name in ("grades.csv", "totals.csv", "canvas.csv", "moodle.csv", "lms-unmatched.csv",
                 "report.html"):
        print(f"{name + ':':<18} {out / name}")
    return 0


def cmd_formgrader(args: argparse.Namespace) -> int:
    from autograder.grading.formgrader import serve

    return serve(args.source, port=args.port, extra=args.extra)


def cmd_check(args: argparse.Namespace) -> int:
    from autograder.grading.check_notebook import CHECK_LIMITS, NotACourseNotebook, check

    limits = replace(CHECK_LIMITS, timeout=args.timeout) if args.timeout else CHECK_LIMITS
    status = 0
    for i, path in enumerate(args.notebooks):
        if i:
            print()
        try:
            report = check(path, limits=limits)
        except NotACourseNotebook as exc:
            print(f"ann-course check: error: {exc}", file=sys.stderr)
            status = 2
            continue
        print("\n".join(report.lines()))
    return status


def cmd_lab(args: argparse.Namespace) -> int:
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
    from autograder.release.student_lab import environment

    os.execve(sys.executable, cmd, environment())  # a student's lab: no formgrader, no news


def cmd_student_config(args: argparse.Namespace) -> int:
    from autograder.release.student_lab import install

    for path in install(args.prefix):
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from autograder.grading import speedups

    speedups.skip_unused_imports()  # before anything imports jsonschema (nbformat does)
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
    p.add_argument("--timeout", type=int, default=DEFAULTS.timeout, metavar="SECONDS",
                   help=f"time limit of one cell (default: {DEFAULTS.timeout})")
    p.add_argument("--memory", default=format_size(DEFAULTS.memory), metavar="SIZE",
                   help="memory cap of one notebook's kernel, e.g. 512M, 2G, 0 for none "
                        f"(default: {format_size(DEFAULTS.memory)})")
    p.add_argument("--force", action="store_true",
                   help="grade every submission again, even those that did not change")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the grading on a Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--budget", type=int, default=DEFAULTS.budget, metavar="SECONDS",
                   help="time limit of one whole notebook, and CPU seconds of its kernel "
                        f"(default: {DEFAULTS.budget})")
    p.add_argument("--trust-submissions", action="store_true",
                   help="grade WITHOUT a sandbox where bubblewrap is missing (only for "
                        "submissions you trust; the report says so)")
    p.add_argument("--roster", default=None, metavar="FILE",
                   help="CSV mapping student ids to LMS identities for canvas.csv and moodle.csv "
                        "(default: the gradebook's student table)")
    p.set_defaults(func=cmd_grade)
    p = sub.add_parser("export", help="write grades.csv, totals.csv, the LMS files and the report "
                       "again from the gradebook (manual grades included), without grading")
    p.add_argument("source", metavar="OUT", help="a graded output folder (written in place), or "
                   "a course's root (the folder of its nbgrader_config.py)")
    p.add_argument("--to", default=None, metavar="DIR",
                   help="write the files there (default: OUT itself; for a course, COURSE/export)")
    p.add_argument("--roster", default=None, metavar="FILE",
                   help="CSV mapping student ids to LMS identities (columns id, first_name, "
                        "last_name, email, lms_user_id, sis_user_id, sis_login_id, section, "
                        "username; default: the gradebook's student table)")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("formgrader", help="nbgrader's formgrader on a course's gradebook or a "
                       "graded output folder's (extra arguments go to jupyter server)")
    p.add_argument("source", nargs="?", default=".", metavar="COURSE_OR_OUT",
                   help="a course's root or a graded OUT folder (default: the current folder)")
    p.add_argument("--port", type=int, default=0, metavar="N",
                   help="port on 127.0.0.1 (default: a free one)")
    p.set_defaults(func=cmd_formgrader)
    p = sub.add_parser("check", help="run a notebook as the grader would (hidden tests included) and "
                       "say what passes; the score is not recorded anywhere")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="e.g. course/01_neuron/01_neuron.ipynb")
    p.add_argument("--timeout", type=int, default=None, metavar="SECONDS",
                   help="per-cell time limit (default: the course's, as when grading)")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("lab", help="JupyterLab on the student release in course/ (extra arguments, "
                       "e.g. --no-browser --port 8899, go to jupyter lab)")
    p.set_defaults(func=cmd_lab)
    p = sub.add_parser("student-config", help="make an environment's JupyterLab a student's: "
                       "Assignment List and Validate, no Formgrader, Course List, Create "
                       "Assignment or news (run once in the students' environment)")
    p.add_argument("--prefix", default=None, metavar="PREFIX",
                   help="the environment (default: this Python's, sys.prefix)")
    p.set_defaults(func=cmd_student_config)
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("lab", "formgrader"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        return args.func(args)
    except (RuntimeError, FileNotFoundError, ValueError) as exc:
        print(f"ann-course {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
