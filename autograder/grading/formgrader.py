"""``ann-course formgrader``: nbgrader's formgrader on the gradebook a class was graded into.

* A course's root (a folder with an ``nbgrader_config.py``, e.g. this clone when it grades its own
  ``submitted/``): formgrader on that course, its gradebook, ``autograded/`` and ``feedback/``.
* A graded ``OUT`` folder: its private gradebook (``OUT/.nbgrader/gradebook.db``) with the
  autograded notebooks under ``OUT/.nbgrader/autograded`` and the feedback in ``OUT/feedback``;
  an ``OUT/.nbgrader/nbgrader_config.py`` that says so is written first. When that run graded a
  course's own ``submitted/`` folder, the course is served instead.

The server is ``jupyter server`` with nbgrader's formgrader extension, on 127.0.0.1 only, with
this environment's tools first on ``PATH`` (nbgrader runs its own scripts); it replaces the
``ann-course`` process, so stopping one stops the other. Manual grades saved there are in the
gradebook: ``ann-course export OUT`` (or the next ``ann-course grade``) writes them to the CSVs
and into the students' feedback.

What formgrader shows of a submission is its own HTML export of the autograded notebook
(nbconvert's ``HTMLExporter`` with nbgrader's ``formgrade`` template, made in the server on each
visit). The server is started with that exporter configured (:data:`EXPORTER`) so that no
student script runs and nothing remote loads in the instructor's browser: ``sanitize_html``
(nbconvert's own: HTML and markdown outputs through its ``clean_html``, JavaScript outputs,
widget views and widget state left out, SVG shown as a picture), and :class:`InertMarkdown`,
which does for markdown and raw cells what the ``formgrade`` template does not (it renders them
without ``clean_html``): each is rendered here and sanitized with nh3 (the feedback pages'
sanitizer: no script, style, event handler or frame, pictures only from ``data:`` URLs). The
notebook on disk, its grades and the gradebook are untouched.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from nbconvert.preprocessors import Preprocessor

EXTENSION = "nbgrader.server_extensions.formgrader"
#: How formgrader's exporter is configured (see the module doc).
EXPORTER = ("--HTMLExporter.sanitize_html=True",
            "--HTMLExporter.preprocessors=autograder.grading.formgrader.InertMarkdown")


def inert_markdown(source: str) -> str:
    """A markdown (or raw) cell's source as sanitized HTML that renders the same as markdown
    again: one ``<div>`` without a blank line (so markdown keeps it as one HTML block); math stays
    ``$...$`` text for the page's MathJax."""
    from nbconvert.filters import markdown2html

    from autograder.outputs.feedback_page import sanitize

    html = sanitize(markdown2html(source)).strip()
    return "<div>\n" + re.sub(r"\n[ \t]*(?=\n)", "\n&#32;", html) + "\n</div>"


class InertMarkdown(Preprocessor):
    """Markdown and raw cells rendered and sanitized before formgrader's template shows them."""

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
        if cell.cell_type in ("markdown", "raw"):
            cell.source = inert_markdown(cell.source)
            cell.pop("attachments", None)
        return cell, resources

_CONFIG = '''"""Written by `ann-course formgrader`: formgrader on the class graded into {out}."""

from autograder.settings import configure

c = get_config()  # noqa: F821
configure(c, root={root!r})
c.CourseDirectory.root = {work!r}
c.CourseDirectory.db_url = {db_url!r}
c.CourseDirectory.source_directory = {source!r}
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = {feedback!r}
c.Exchange.root = {exchange!r}  # a private one: formgrader never touches a class exchange
'''


def course_folder(source: str | Path) -> Path:
    """The folder formgrader runs in (it holds the ``nbgrader_config.py`` to use)."""
    from autograder.grading.course_gradebook import course_of

    source = Path(source).resolve()
    last = source / ".nbgrader" / "last_run.json"
    if last.is_file():
        run = json.loads(last.read_text())
        if "db_url" not in run:
            raise ValueError(f"{source} was graded by an older ann-course: grade it again first")
        submitted = Path(run["submitted"])
        course = course_of(submitted) if submitted.is_dir() else None
        if course is not None:
            return course.root
        work = source / ".nbgrader"
        (work / "nbgrader_config.py").write_text(_CONFIG.format(
            out=str(source), root=str(run["root"]), work=str(work), db_url=run["db_url"],
            source=str(Path(run["root"]) / "solutions"), feedback=str(source / "feedback"),
            exchange=str(work / "exchange")))
        (work / "exchange").mkdir(exist_ok=True)
        return work
    if (source / "nbgrader_config.py").is_file():
        return source
    raise ValueError(f"{source} is neither a graded output folder (no .nbgrader/last_run.json) "
                     "nor a course's root (no nbgrader_config.py)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(folder: str | Path, port: int) -> list[str]:
    """The ``jupyter server`` command line that serves formgrader on ``folder``."""
    return [sys.executable, "-m", "jupyter_server", f"--ServerApp.root_dir={folder}",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            "--no-browser", "--ServerApp.default_url=/formgrader",
            f"--ServerApp.jpserver_extensions={EXTENSION}=True", *EXPORTER]


def serve(source: str | Path = ".", port: int = 0, extra: Sequence[str] = ()) -> NoReturn:
    """Become the formgrader server (exec): see the module docstring."""
    folder = course_folder(source)
    port = port or free_port()
    cmd = [*command(folder, port), *extra]
    bindir = str(Path(sys.executable).parent)
    env = dict(os.environ)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    print(f"ann-course formgrader: {folder} on http://127.0.0.1:{port}/formgrader: log in at "
          f"http://127.0.0.1:{port}/login with the token in the URL the server prints",
          file=sys.stderr)
    print(" ".join(cmd), file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(folder)
    os.execve(sys.executable, cmd, env)
