"""Whether an answer changed the arrays it was given (for prompts that say it must not)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.checks.messages import fmt


def _names(signature, n):
    try:
        params = list(inspect.signature(signature).parameters)
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"argument {i + 1}" for i in range(n)]


def _first_change(before, after, where):
    """``(where, before, after)`` of the first array inside ``before`` that ``after`` changed."""
    if isinstance(before, np.ndarray):
        if not (isinstance(after, np.ndarray) and after.shape == before.shape):
            return where, before, after
        differ = np.argwhere(~((after == before) | (np.isnan(after) & np.isnan(before))))
        if not len(differ):
            return None
        if before.ndim == 0:
            return where, float(before), float(after)
        i = tuple(int(k) for k in differ[0])
        return f"{where}[{', '.join(map(str, i))}]", float(before[i]), float(after[i])
    if isinstance(before, (list, tuple)) and isinstance(after, (list, tuple)):
        for i, (b, a) in enumerate(zip(before, after)):
            found = _first_change(b, a, f"{where}[{i}]")
            if found:
                return found
    return None


def changed_argument(signature: Callable[..., Any], function: str, case: Any, after: Any) -> str:
    """A sentence naming the first argument of ``case`` that the call changed, or "".

    Arguments are named after the parameters of the function ``signature``. ``after`` is the copy
    of ``case`` the answer was called on, as it was after the call (the grader's judge
    copies the kernel's arguments back into it).
    """
    names = _names(signature, len(case.args))
    pairs = [*zip(names, case.args, after.args),
             *((k, v, after.kwargs.get(k)) for k, v in case.kwargs.items())]
    for name, before, now in pairs:
        found = _first_change(before, now, name)
        if found:
            where, was, became = found
            show = repr if isinstance(was, float) else fmt  # all the digits: a rounding shows
            return (f"For example, {case.describe(function)} changed `{where}` from "
                    f"{show(was)} to {show(became)}.")
    return ""
