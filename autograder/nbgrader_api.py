"""One way to talk to nbgrader: the course's settings (:func:`configure`) and its Python API.

One place says how the course is built and graded, so that running nbgrader by hand (formgrader,
``nbgrader validate``, with ``nbgrader_config.py``) and running ``ann-course`` give the same results.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from traitlets.config import Config

from autograder.limits import Limits
from autograder.outputs.feedback import SanitizeTestOutputs, WrapLongLines
from autograder.outputs.feedback_page import FeedbackExporter, SanitizeOutputs
from autograder.outputs.late_policy import LateNote
from autograder.settings import CODE_STUB, REPO, WARNING_PATTERN

if TYPE_CHECKING:
    from nbgrader.apps import NbGraderAPI

# nbgrader's gradebook trips SQLAlchemy's autoflush warnings ("... not in session, add operation
# ... will not proceed") on every autograde; they say nothing an instructor can act on.
warnings.filterwarnings("ignore", message=r".*not in session.*", module=r"nbgrader(\..*)?")


def configure(c: Config, root: str | Path = REPO) -> Config:
    """Apply the course's nbgrader settings to a traitlets Config ``c``."""
    root = Path(root)
    c.CourseDirectory.course_id = "ann-course"
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = "solutions"
    c.CourseDirectory.release_directory = "course"
    # nbgrader's usual place, at the course's root: it exists in a fresh clone, so every
    # `nbgrader db ...`, `collect`, formgrader and `ann-course grade submitted` share one gradebook.
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
    c.ClearSolutions.enforce_metadata = True
    c.Execute.timeout = Limits().timeout
    c.Execute.interrupt_on_timeout = True
    c.IgnorePattern.enabled = True
    c.IgnorePattern.pattern = WARNING_PATTERN
    c.OverwriteCells.add_missing_cells = True
    c.LimitOutput.max_lines = 1000
    c.LimitOutput.max_traceback = 100
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades

    c.GenerateFeedback.preprocessors = [
        GetGrades,
        ClearHiddenTests,
        SanitizeTestOutputs,
        LateNote,
        SanitizeOutputs,
        CSSHTMLHeaderPreprocessor,
        WrapLongLines,
    ]
    # collect never takes a submission made in another student's name (grading/exchange_collect.py)
    c.ExchangeFactory.collect = "autograder.grading.exchange_collect.OwnerCheckedCollect"
    # feedback pages: sanitized, math as MathML, no script (outputs/feedback_page.py)
    c.GenerateFeedback.exporter_class = FeedbackExporter
    return c


class NbgraderError(RuntimeError):
    """An nbgrader step failed; the message carries nbgrader's own explanation.

    ``cause`` is the one line that says why (see :func:`cause_of`).
    """

    def __init__(self, message, cause=None):
        super().__init__(message)
        self.cause = cause or message.splitlines()[0]


#: A traceback's closing line: ``[package.module.]SomeError[: what happened]``.
_EXCEPTION_LINE = re.compile(r"(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt)(?::.*)?")
#: nbgrader's closing words when a notebook failed; the cause is in the traceback it logged before.
_GENERIC = ("NbGraderException", "nbgrader.converters.base.NbGraderException")


def cause_of(result: dict[str, Any]) -> str:
    """The line of a failed nbgrader step that says why: the last exception line of its log or
    traceback other than nbgrader's closing ``NbGraderException`` ("see the above traceback"),
    e.g. ``RuntimeError: Kernel died before replying to kernel_info``; else its last line."""
    text = "\n".join(filter(None, [result.get("log"), result.get("error")]))
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    found = [ln for ln in lines
             if _EXCEPTION_LINE.fullmatch(ln) and not ln.startswith(_GENERIC)]
    return (found or lines or ["no detail"])[-1]


_ORIGINAL_ALEMBIC_VERSION = None


def _alembic_head():
    """nbgrader's ``get_alembic_version`` computed in this process, once.

    nbgrader runs the ``alembic heads`` script for it whenever it creates a gradebook (about
    2.5 s of Python start-up and imports); the same alembic API, called here, gives the same head.
    """
    import functools

    @functools.lru_cache(maxsize=1)
    def head():
        try:
            from alembic.config import Config as AlembicConfig
            from alembic.script import ScriptDirectory
            from nbgrader.dbutil import _temp_alembic_ini

            with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
                heads = ScriptDirectory.from_config(AlembicConfig(ini)).get_heads()
            if len(heads) == 1:
                return heads[0]
        except Exception:  # noqa: BLE001 - nbgrader's own way below
            pass
        return _ORIGINAL_ALEMBIC_VERSION()

    return head


def _fast_alembic():
    global _ORIGINAL_ALEMBIC_VERSION
    import nbgrader.api

    if _ORIGINAL_ALEMBIC_VERSION is None:
        _ORIGINAL_ALEMBIC_VERSION = nbgrader.api.get_alembic_version
        nbgrader.api.get_alembic_version = _alembic_head()


def api(
    root: str | Path, extra_config: Callable[[Config], None] | None = None, **coursedir: Any,
) -> NbGraderAPI:
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
    _fast_alembic()
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


def require(result: dict[str, Any], what: str) -> dict[str, Any]:
    """Raise :class:`NbgraderError` unless an API call's ``result`` says it succeeded."""
    if not result.get("success"):
        detail = (result.get("error") or result.get("log") or "").strip()
        lines = [ln for ln in detail.splitlines() if ln.strip()]
        why = cause_of(result)
        raise NbgraderError(f"{what} failed: {why}\n" + "\n".join(lines[-15:]), why)
    return result

