"""A student's JupyterLab: nbgrader's Assignment List and Validate, no instructor tools, no news.

nbgrader's lab extension brings five plugins; students need two of them (Assignment List, and the
Validate button). :data:`CONFIG_DIR` is a Jupyter configuration folder (package data) that
disables the others, Formgrader, Course List and Create Assignment, with JupyterLab's news
announcements (``labconfig/page_config.d/``), and nbgrader's formgrader and course-list server
extensions (``jupyter_server_config.d/``).

* ``ann-course lab`` puts that folder first on ``JUPYTER_CONFIG_PATH`` (:func:`environment`): the
  release opens as a student sees it, whatever the environment says.
* ``ann-course student-config`` copies its files into an environment's own configuration
  (``<prefix>/etc/jupyter``, :func:`install`): run it once in the students' environment on a
  JupyterHub, after installing the students' wheel.

Instructors keep nbgrader's tools: ``jupyter lab`` / ``jupyter server`` in the instructor's own
environment is untouched; where one environment serves both (The Littlest JupyterHub), the
instructor's account enables them again at user level, which takes precedence (README,
*Running the course on JupyterHub*).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent / "student_jupyter"
#: The lab plugins a student does not get.
DISABLED = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
            "@jupyter/nbgrader:create-assignment", "@jupyterlab/apputils-extension:announcements")


def environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) with :data:`CONFIG_DIR` first on ``JUPYTER_CONFIG_PATH``."""
    env = dict(os.environ if env is None else env)
    rest = [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(CONFIG_DIR), *rest])
    return env


def install(prefix: str | Path | None = None) -> list[Path]:
    """Copy the student configuration into ``<prefix>/etc/jupyter`` (default: this Python's
    environment); returns the files written."""
    target = Path(prefix or sys.prefix) / "etc" / "jupyter"
    written = []
    for src in sorted(CONFIG_DIR.rglob("*.json")):
        dest = target / src.relative_to(CONFIG_DIR)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        written.append(dest)
    return written
