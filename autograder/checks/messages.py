"""What a failing check says: values printed readably and the difference between two results.

One description of a wrong result (:func:`difference`) serves the visible tests
(:func:`autograder.checks.core.expect`) and the hidden checks
(:meth:`autograder.checks.core.Exercise.verdict`),
whether a learner's self-check runs them in her kernel or the grader's judge in its own process.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np

#: How arrays print in messages: aligned columns, limited precision, large ones summarised.
ARRAY_PRINT: dict[str, Any] = {"threshold": 24, "edgeitems": 3, "separator": ", ", "max_line_width": 88,
               "floatmode": "maxprec", "suppress_small": True}

#: The longest text a message shows of a value that is not a number or an array.
MAX_REPR = 200


def fmt(value: object, precision: int = 6) -> str:
    """Short, readable representation of a value for messages (arrays aligned and summarised)."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return fmt(value[()], precision)
        if value.dtype == object:
            return _short(repr(value.tolist()))
        return np.array2string(value, precision=min(precision, 4), **ARRAY_PRINT)
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.{precision}g}"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (tuple, list)):
        items = [fmt(v, precision) for v in (value if len(value) <= 12 else value[:3])]
        if len(value) > 12:
            items += ["...", *(fmt(v, precision) for v in value[-3:])]
        inner = ", ".join(items)
        if isinstance(value, list):
            return f"[{inner}]"
        return f"({inner}{',' if len(value) == 1 else ''})"
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    if isinstance(value, np.random.Generator):
        return f"<{describe_generator(value)}>"
    text = repr(value)
    if " at 0x" in text:  # a memory address says nothing to a learner
        return f"<a {type(value).__name__}>"
    return _short(text)


def describe_generator(rng: np.random.Generator) -> str:
    """``a generator seeded with 3`` (``..., already drawn from`` when it has been used)."""
    bits = rng.bit_generator
    seq = getattr(bits, "seed_seq", None) or getattr(bits, "_seed_seq", None)
    entropy = getattr(seq, "entropy", None)
    if not isinstance(entropy, int) or entropy >= 2**63 or getattr(seq, "spawn_key", None):
        return "a random generator"
    fresh = type(bits)(entropy).state == bits.state
    return f"a generator seeded with {entropy}" + ("" if fresh else ", already drawn from")


def _short(text):
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 5] + " ...]"


def inline(value: object, precision: int = 4) -> str:
    """``value`` on one line, as Python would write it: small arrays in full, larger by shape."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        if value.size > 12 or value.dtype == object:
            return f"<array of shape {value.shape}>"
        return inline(value.tolist(), precision)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(inline(v, precision) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
    text = fmt(value, precision)
    if isinstance(value, (float, np.floating)) and text.lstrip("-").isdigit():
        text += "."  # a float, as NumPy writes it: 1. not 1
    return text


def _kind(value):
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} values"
    return f"a {type(value).__name__}"


def as_array(value: object) -> np.ndarray | None:
    """``value`` as a float array, or None when it is not numbers (None, text, ragged, ...)."""
    if value is None or isinstance(value, (dict, str, bytes)):
        return None
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None


def _blocks(expected, got):
    """Whether ``expected`` and ``got`` print on several lines (or too long for one)."""
    e, g = fmt(expected), fmt(got)
    return "\n" in e or "\n" in g or len(e) + len(g) > 70


def _values(expected, got):
    """``expected E, got G``, or each on lines of its own when they do not fit on one."""
    e, g = fmt(expected), fmt(got)
    if _blocks(expected, got):
        return f"expected\n{textwrap.indent(e, '    ')}\ngot\n{textwrap.indent(g, '    ')}"
    return f"expected {e}, got {g}"


def _first_difference(g, e, rtol, atol):
    """``3 of 12 entries differ, the first at index (1, 2): expected 0.5, got 0.25``, or ""."""
    bad = ~np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    if g.size <= 1 or not bad.any():
        return ""
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    index = first[0] if len(first) == 1 else first
    return (f"{int(bad.sum())} of {g.size} entries differ, the first at index {index}: "
            f"expected {float(e[first]):.8g}, got {float(g[first]):.8g}")


def difference(got: object, expected: object, rtol: float = 1e-6, atol: float = 1e-9,
               names: Sequence[str] | None = None) -> str | None:
    """None when ``got`` matches ``expected``, else a clause saying what differs.

    The one description of a wrong result, used by :func:`expect` (visible tests) and by
    :meth:`Exercise.verdict` (hidden checks, in a learner's self-check and in the grader's
    judge). Tuples (and lists whose items have different shapes) are compared item by item
    and the first wrong item is named: by ``names``
    (the same nesting as ``expected``, e.g. ``("dX", "dW", "db")``) where given, else by its
    position (``result[2]``); shapes are compared before values; arrays print aligned,
    summarised when large.
    """
    return _differ(got, expected, rtol, atol, names, "")


def _name(names, i):
    return names[i] if isinstance(names, tuple) and i < len(names) else None


def _ragged(items):
    """True for a list whose items do not make one array (e.g. gradients of several shapes)."""
    try:
        np.asarray(items, dtype=float)
    except (TypeError, ValueError):
        return True
    return False


def _differ(got, expected, rtol, atol, names, where):
    if isinstance(expected, tuple) or isinstance(expected, list) and _ragged(expected):
        n = len(expected)
        label = where or "the result"
        if not isinstance(got, (tuple, list)):
            listed = f" {_structure(names)}" if names else ""
            hint = ". Did you forget the `return` statement?" if got is None else ""
            return f"{label} should be a tuple of {n} values{listed}, but it is {_kind(got)}{hint}"
        if len(got) != n:
            return f"{label} should have {n} values, but it has {len(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            sub = _name(names, i)
            if isinstance(sub, tuple) or sub is None:
                item = f"{where or 'result'}[{i}]"
                found = _differ(g, e, rtol, atol, sub, item)
            else:
                found = _differ(g, e, rtol, atol, None, sub)
            if found:
                return found
        return None
    lead = f"{where} is wrong: " if where else ""
    if got is None:
        return f"{lead}expected {fmt(expected)}, got None. Did you forget the `return` statement?"
    g = as_array(got)
    if g is None:
        return f"{lead}expected {fmt(expected)}, got {fmt(got)}"
    e = np.asarray(expected, dtype=float)
    if g.shape != e.shape:
        short = len(fmt(expected)) + len(fmt(got)) < 60 and "\n" not in fmt(expected) + fmt(got)
        values = f" ({_values(expected, got)})" if short else ""
        return f"{lead}expected shape {e.shape}, got shape {g.shape}{values}"
    if np.all(np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)):
        return None
    first = _first_difference(g, e, rtol, atol)
    if first and _blocks(expected, got):
        return f"{lead}{first}; in full:\n{_values(expected, got)}"
    return f"{lead}{_values(expected, got)}" + (f" ({first})" if first else "")


def sentence(clause: str) -> str:
    """``clause`` ending with a full stop (not after a question mark)."""
    clause = clause.rstrip()
    return clause if clause.endswith((".", "?")) else clause + "."


def _structure(names):
    """``("dX", "dW", "db")`` -> ``(dX, dW, db)``; nested tuples likewise."""
    if isinstance(names, tuple):
        return "(" + ", ".join(_structure(n) for n in names) + ")"
    return str(names)


def indent_message(message: str, indent: int, width: int = 100) -> str:
    """A message as a block indented by ``indent``: prose wrapped, arrays kept as they print."""
    pad = " " * indent
    out = []
    for line in str(message).splitlines():
        if line.startswith(" "):  # an array's rows: keep their alignment
            out.append(pad + line)
        elif line.strip():
            out.append(textwrap.fill(line, width=width, initial_indent=pad, subsequent_indent=pad,
                                     break_long_words=False))
    return "\n".join(out)


#: NumPy's words when the shapes of a product or an element-wise operation do not fit.
_MATMUL = re.compile(r"^matmul: Input operand 1 has a mismatch in its core dimension 0, with "
                     r"gufunc signature \S+ \(size (\d+) is different from (\d+)\)")
_BROADCAST = re.compile(r"^operands could not be broadcast together with shapes ((?:\([\d,]*\) ?)+)")
_NOT_ALIGNED = re.compile(r"^shapes (\([\d,]*\)) and (\([\d,]*\)) not aligned")


def raised(exc: BaseException) -> tuple[str, bool]:
    """``(what an answer raised, in words, whether it is a shape mismatch)``.

    NumPy's shape errors in the words of the lessons (``@`` needs the left factor's last size to
    equal the right factor's first; element-wise operations broadcast), any other exception as
    ``Type: message``.
    """
    text = str(exc)
    name = type(exc).__name__
    if isinstance(exc, ValueError):
        if m := _MATMUL.match(text):
            return (f"{name} from an @ product: the left factor's last size is {m[2]} but the "
                    f"right factor's first size is {m[1]}; in A @ B they must be equal "
                    f"((n, k) @ (k, m) gives (n, m))", True)
        if m := _NOT_ALIGNED.match(text):
            return (f"{name} from a dot product of shapes {m[1]} and {m[2]}: the left factor's "
                    f"last size must equal the right factor's first", True)
        if m := _BROADCAST.match(text):
            shapes = " and ".join(m[1].split())
            return (f"{name} from an element-wise operation on shapes {shapes}, which do not "
                    f"broadcast (compared from the right, each pair of sizes must be equal or "
                    f"one of them 1)", True)
    return f"{name}: {text}", False


def shapes_only(value: object) -> str:
    """``value`` on one line with every array as its shape (what a shape mismatch is about)."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return f"<array of shape {value.shape}>"
    if isinstance(value, (tuple, list)) and any(isinstance(v, np.ndarray) for v in value):
        inner = ", ".join(shapes_only(v) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
    return inline(value)
