"""The grading configuration: nbgrader's autograde preprocessors, and the one place a run's
:class:`~autograder.limits.Limits` are applied."""

from __future__ import annotations

import os
from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)
from traitlets.config import Config

from autograder.grading.execution import GuardedExecute
from autograder.grading.output_cap import CapOutput
from autograder.limits import Limits
from autograder.settings import REPO


def configure_grading(c: Config, limits: Limits, lesson_module: str = "", solutions_root: str | Path = REPO,
                      report_key: str = "", sandbox: bool = True) -> Config:
    """Switch an nbgrader Config to the guarded execution (in place) with ``limits``.

    The one place limits reach nbgrader, for ``ann-course grade`` (each job) and ``ann-course
    check`` alike; sandboxed unless ``sandbox`` is false. ``solutions_root`` is the course folder
    whose ``solutions/`` say which checks each test cell calls (:mod:`.hidden_tests`).
    """
    c.Autograde.autograde_preprocessors = [GuardedExecute, IgnorePattern, ClearMetadataPreprocessor,
                                           LimitOutput, CapOutput, SaveAutoGrades,
                                           AssignLatePenalties, CheckCellMetadata]
    c.Execute.timeout = int(limits.timeout)
    c.GuardedExecute.timeout = int(limits.timeout)
    c.GuardedExecute.limits = limits
    c.GuardedExecute.lesson_module = lesson_module
    c.GuardedExecute.solutions_root = str(solutions_root)
    c.GuardedExecute.report_key = report_key
    c.GuardedExecute.sandbox = bool(sandbox)
    c.GuardedExecute.shutdown_kernel = "immediate"  # the kernel is thrown away: no need to wait
    os.environ.setdefault("MPLBACKEND", "Agg")
    return c
