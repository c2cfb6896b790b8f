"""Running the learner's own function inside an explorer.

An explorer draws what the learner's code computes and never the reference's answer. When the
function is not written yet (missing, or still raising ``NotImplementedError``), or when it fails,
:func:`call` raises :class:`NotReady` whose message tells the learner what to do; an explorer
wrapped in :func:`says_why` prints that message in place of its figure.
"""

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import numpy as np
from numpy.typing import ArrayLike

_P = ParamSpec("_P")
_R = TypeVar("_R")


class NotReady(Exception):
    """The learner's function cannot be drawn yet; ``str(exc)`` is the message for the learner."""


def not_written(name: str) -> str:
    """The message of an explorer whose learner function `name` is not written yet."""
    return f"write `{name}` above first, then run this cell again; this explorer draws your function."


def call(fn: Callable[..., Any] | None, name: str, *args: Any,
         convert: Callable[[Any], Any] = np.asarray, **kwargs: Any) -> Any:
    """``convert(fn(*args, **kwargs))``, the learner's result in the form the explorer draws.

    Parameters
    ----------
    fn : callable or None
        The learner's function; None when the notebook has not defined it.
    name : str
        Its name in the notebook, for the messages.
    *args, **kwargs
        The arguments of `fn`.
    convert : callable, default numpy.asarray
        Turns the result into what the explorer draws (e.g. ``float``); a failure here means
        the function returned something of the wrong kind.

    Returns
    -------
    The converted result.

    Raises
    ------
    NotReady
        When `fn` is None or raises ``NotImplementedError`` (not written yet), raises anything
        else, or returns something `convert` rejects. The message names `name` and the problem.
    """
    if fn is None:
        raise NotReady(not_written(name))
    try:
        out = fn(*args, **kwargs)
    except NotImplementedError:
        raise NotReady(not_written(name)) from None
    except Exception as exc:  # noqa: BLE001 - the learner's bug becomes a message, not a traceback
        raise NotReady(f"your `{name}` raised {type(exc).__name__}: {exc}. "
                       "Fix it above, then run this cell again.") from None
    try:
        with np.errstate(all="ignore"):
            return convert(out)
    except Exception as exc:  # noqa: BLE001
        raise NotReady(f"your `{name}` returned {type(out).__name__}, which this explorer cannot "
                       f"draw ({type(exc).__name__}: {exc}).") from None


def floats(out: ArrayLike) -> np.ndarray:
    """The learner's result as a float array (the default conversion of most explorers)."""
    return np.asarray(out, dtype=float)


def says_why(show: Callable[_P, _R]) -> Callable[_P, _R | None]:
    """Decorate an explorer's drawing function: a :class:`NotReady` prints its message instead.

    The decorated function returns None then (the ``result`` of the explorer).
    """

    @functools.wraps(show)
    def drawn_or_explained(*args: _P.args, **kwargs: _P.kwargs) -> _R | None:
        try:
            return show(*args, **kwargs)
        except NotReady as why:
            print(why)
            return None

    return drawn_or_explained
