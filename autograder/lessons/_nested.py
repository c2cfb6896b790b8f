"""Grading answers whose result is a list of pairs (``params``, ``grads``, ``(params, history)``):
lists compared like tuples, item by item, so that a message names the wrong pair and array.

Not a lesson (its name starts with ``_``): lessons 10 and 11 share it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autograder.checks.messages import difference, sentence

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from autograder.checks.core import Mistake


def as_tuples(value: Any) -> Any:
    """``value`` with every list turned into a tuple, recursively (arrays and numbers kept)."""
    if isinstance(value, (list, tuple)):
        return tuple(as_tuples(v) for v in value)
    return value


def verdict(student: Callable[..., Any], name: str, cases: Sequence[tuple[Any, ...]],
            reference: Callable[..., Any], mistakes: Sequence[Mistake],
            describe: Callable[[tuple[Any, ...]], str],
            names: Sequence[str] | None = None) -> str | None:
    """None when ``student`` agrees with ``reference`` on every case, else the message.

    ``cases`` is a list of argument tuples, ``describe(args)`` names a call in a message and
    ``names`` the items of the result (as :func:`autograder.checks.core.expect` takes them). A wrong
    answer is diagnosed as the first of ``mistakes`` whose results it reproduces on every case.
    """
    results = []
    for args in cases:
        try:
            got = student(*args)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - any student error becomes a message
            return f"{describe(args)} raised {type(exc).__name__}: {exc}"
        if got is None:
            return f"{describe(args)} returned None. Did you forget the `return` statement?"
        results.append((args, as_tuples(got)))
    for args, got in results:
        found = difference(got, as_tuples(reference(*args)), 1e-6, 1e-9, names)
        if found is None:
            continue
        mistake = next((m for m in mistakes if _reproduces(m, results)), None)
        lead = f"`{name}` is not right yet" + (f": {mistake.message}" if mistake else ".")
        return f"{lead} For example, {describe(args)}: {sentence(found)}"
    return None


def _reproduces(mistake, results):
    try:
        return all(difference(got, as_tuples(mistake.wrong(*args))) is None
                   for args, got in results)
    except Exception:  # noqa: BLE001 - this mistake cannot take these inputs
        return False
