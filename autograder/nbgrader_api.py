"""One way to talk to nbgrader: its Python API, configured by :mod:`autograder.settings`."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from traitlets.config import Config

from autograder.settings import REPO, configure


class NbgraderError(RuntimeError):
    """An nbgrader step failed; the message carries nbgrader's own explanation."""


def api(root, extra_config=None, **coursedir):
    """An ``NbGraderAPI`` rooted at ``root`` with the course's settings and the given paths.

    ``coursedir`` overrides ``CourseDirectory`` traits, e.g. ``source_directory=...``;
    ``extra_config(c)``, if given, edits the Config after the course's settings are applied.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    # nbgrader runs the ``alembic`` script of its own environment: make sure it is found even
    # when ann-course is run from a virtualenv that is not activated.
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    c = Config()
    configure(c, root)
    (Path(root) / "exchange").mkdir(parents=True, exist_ok=True)
    c.Exchange.root = str(Path(root) / "exchange")  # a private one; the class exchange is untouched
    if extra_config is not None:
        extra_config(c)
    for key, value in coursedir.items():
        setattr(c.CourseDirectory, key, str(value) if isinstance(value, Path) else value)
    log = logging.getLogger("ann-course.nbgrader")
    log.setLevel(logging.WARNING)
    return NbGraderAPI(coursedir=CourseDirectory(config=c), config=c, log=log)


def require(result, what):
    """Raise :class:`NbgraderError` unless an API call's ``result`` says it succeeded."""
    if not result.get("success"):
        detail = (result.get("error") or result.get("log") or "").strip()
        lines = [ln for ln in detail.splitlines() if ln.strip()]
        raise NbgraderError(f"{what} failed: " + ("\n".join(lines[-15:]) or "no detail"))
    return result


def solutions_dir():
    return REPO / "solutions"
