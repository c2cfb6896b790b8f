"""Catalogued mistakes as one visible difference from one reference: its template, one hunk replaced.

A lesson writes the reference of a longer answer (a training loop, a forward or backward pass)
once, as a *template*: a plain function in the notebook's vocabulary, calling the learner's other
answers by their notebook names (``forward``, ``gd_step``, ``minibatch_indices``, ...).
:func:`bind` makes it runnable in the grader, with those names bound to references; :func:`variant`
makes a mistake from it by replacing exactly one hunk: one line, or a few consecutive lines (a
line moved, a statement split in two), matched exactly, nothing else changed. A variant is a real
function with real source (registered with :mod:`linecache`), so
:meth:`autograder.checks.core.Mistake.source` writes it into a notebook like any other mistake:
there its names are the learner's own functions. Every variant records what it changed
(``variant_of``: the template, the lines replaced and their replacement), so a test can see that
each mistake of a catalogue is one difference from its reference, never a copy.

Used by every lesson whose mistakes are variations of a longer reference (07 and 08's training
loops, 10's, the capstone's pieces).
"""

from __future__ import annotations

import functools
import inspect
import itertools
import linecache
import textwrap
from collections.abc import Callable
from typing import Any

_COUNTER = itertools.count()


def template_source(template: Callable[..., Any]) -> str:
    """The template's source, dedented, without decorators."""
    lines = textwrap.dedent(inspect.getsource(template)).splitlines()
    return "\n".join(ln for ln in lines if not ln.startswith("@")) + "\n"


def _compile(source, name, namespace, convert=None):
    filename = f"<ann-course variant {next(_COUNTER)}: {name}>"
    # mtime None: linecache.checkcache keeps the entry (as it does for IPython's cells)
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    scope = dict(namespace)
    exec(compile(source, filename, "exec"), scope)  # noqa: S102 - our own template's text
    fn = scope[name]
    if convert is None:
        return fn

    @functools.wraps(fn)  # __wrapped__: inspect.getsource still finds the template's text
    def converted(*args, **kwargs):
        return convert(fn(*args, **kwargs))

    return converted


def _renamed(source, old, new):
    head, sep, rest = source.partition("\n")
    if not head.startswith(f"def {old}("):
        raise ValueError(f"the template should start with 'def {old}(', not {head!r}")
    return head.replace(f"def {old}(", f"def {new}(", 1) + sep + rest


def bind(template: Callable[..., Any], namespace: dict[str, Any],
         convert: Callable[[Any], Any] | None = None) -> Callable[..., Any]:
    """``template`` with its free names taken from ``namespace`` (e.g. the references).

    ``convert``, if given, is applied to every result (e.g. lists made tuples, the form a check
    compares); the notebook source is unchanged.
    """
    return _compile(template_source(template), template.__name__, namespace, convert)


def variant(template: Callable[..., Any], namespace: dict[str, Any], name: str, old: str, new: str,
            convert: Callable[[Any], Any] | None = None) -> Callable[..., Any]:
    """``template`` with the hunk ``old`` replaced by ``new``, called ``name``.

    ``old`` is one line or several consecutive lines of the template, each compared stripped of
    its indentation; it must occur exactly once. ``new`` (one or more lines, possibly none: a line
    removed) is indented like the first line of ``old``, its own relative indentation kept.
    Raises ValueError otherwise, so a template edited without its variants fails at import, not
    in a student's feedback.
    """
    lines = template_source(template).splitlines()
    want = [ln.strip() for ln in textwrap.dedent(old).strip("\n").splitlines()]
    hits = [i for i in range(len(lines) - len(want) + 1)
            if [ln.strip() for ln in lines[i:i + len(want)]] == want]
    if len(hits) != 1:
        raise ValueError(f"{name}: {old!r} is on {len(hits)} places of {template.__name__}, "
                         "not exactly one")
    i = hits[0]
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    replacement = textwrap.indent(textwrap.dedent(new).strip("\n"), indent).splitlines() \
        if new.strip() else []
    lines[i:i + len(want)] = replacement
    source = _renamed("\n".join(lines) + "\n", template.__name__, name)
    wrong = _compile(source, name, namespace, convert)
    wrong.variant_of = (template, old, new)
    return wrong


def variants_of(template: Callable[..., Any], namespace: dict[str, Any],
                convert: Callable[[Any], Any] | None = None) -> Callable[..., Callable[..., Any]]:
    """``make(name, old, new)``: :func:`variant` of ``template`` in ``namespace`` (one catalogue)."""
    return functools.partial(variant, template, namespace, convert=convert)
