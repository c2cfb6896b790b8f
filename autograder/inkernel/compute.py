"""The kernel's side of a hidden test while grading: compute, never judge.

The grader (:mod:`autograder.checks.judge`, driven by
:class:`autograder.grading.execution.GuardedExecute`) sends a request naming the student's answer
and the calls to make on it; :func:`run` (:mod:`autograder.checks.calls`, the same code a
learner's self-check runs in her own kernel) makes the calls and answers as plain data.
:func:`begin` makes the hidden checks only compute from then on.

Nothing here decides a score, so nothing here needs protecting: a kernel that lies only changes
what the grader thinks the student's function returned.
"""

from __future__ import annotations

import os

from autograder.checks.calls import run  # noqa: F401 - what the grader calls in the kernel
from autograder.checks.core import GRADER_JUDGES


def begin() -> str:
    """Called by the grader before a notebook runs: hidden checks only compute from now on."""
    os.environ[GRADER_JUDGES] = "1"
    return ""


def values(namespace: dict, request: str) -> str:
    """The notebook's values of the names in ``request`` (a plain list), for the lesson's figures
    the grader draws (:mod:`autograder.outputs.feedback_figures`): each as ``{"value": ...}``
    (plain data), ``{"function": True}`` (the grader then asks :func:`run` to call it),
    ``{"missing": True}`` or ``{"bad": why}``."""
    from autograder.checks import plain

    found: dict = {}
    for name in plain.decode(request):
        if type(name) is not str or name not in namespace:
            found[str(name)] = {"missing": True}
        elif callable(namespace[name]):
            found[name] = {"function": True}
        else:
            try:
                plain.check(namespace[name], extras=("rng",))
                found[name] = {"value": namespace[name]}
            except Exception as exc:  # noqa: BLE001 - not plain (or too big): the figure says so
                found[name] = {"bad": f"{type(exc).__name__}: {str(exc)[:200]}"}
    return plain.encode(found, extras=("rng",))
