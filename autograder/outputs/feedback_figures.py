"""The lesson's own figures in the feedback, drawn by the grader from what the kernel computed.

A graded kernel never holds ``ann_lib.teaching`` (it holds working training loops that could
stand in for answers, issue #17), so it skips the lesson's teaching cells. The grader draws them
instead, in its own process: :class:`Figures` runs the course's own source of a teaching cell
(never a submitted one: a cell is drawn only when its source is exactly the release's) with the
real ``ann_lib.teaching``, after the course's import cell. Every other name the cell uses comes
from the notebook's kernel (:func:`autograder.inkernel.compute.values`): plain data as it is, and
each of the learner's functions as a :class:`KernelFunction`, which asks the kernel to call it on
the figure's inputs (:func:`autograder.inkernel.compute.run`, the judge's own request). So a
student's wrong function gives the figure of her wrong function.

What the kernel sends is only ever plain data read by :func:`autograder.checks.plain.decode`
(every size checked before it is read; nothing unpickled, nothing run). Drawing is bounded too:
at most :data:`MAX_CALLS` requests to the kernel per cell, a deadline per notebook, the grader's
address space capped at :data:`HEADROOM` above its size while a figure is drawn (a returned shape
that broadcasts into gigabytes is a ``MemoryError``), at most :data:`MAX_FIGURES` pictures of
:data:`MAX_PNG` bytes. A figure that cannot be drawn (NaN, a wrong shape or type, a function that
raises or never returns) gets a note in its place, and costs nothing else. An explorer
(``teaching.*_explorer``) is interactive: it keeps a note.

May import: settings, notebooks, regular, checks (the ``outputs`` part's rule).
"""

from __future__ import annotations

import ast
import base64
import builtins
import contextlib
import copy
import io
import resource
import threading
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

from nbformat import NotebookNode

from autograder.checks import plain
from autograder.checks.judge import _copy_back, _exception

#: The most requests to the kernel one teaching cell may make (a loss panel's 2 000 calls are 7
#: requests, lesson 08's decision boundaries 34, lesson 11's training with the learner's L2 and
#: dropout, ~1 200 calls in a loop that feeds her results back, 16 when her functions give the
#: right answers' values: the first pass then foresees every call; a loop whose calls the first
#: pass cannot foresee is asked call by call, and past this cap it keeps the note).
MAX_CALLS = 150
#: The most calls the first pass records (then the rest are asked for one by one).
MAX_RECORDED = 20000
#: The most calls of one function sent to the kernel in one request (the figure's first pass),
#: and the most bytes of arrays their arguments may hold (lesson 11's parameters: 150 KB a call).
BATCH = 500
BATCH_BYTES = 16 << 20
#: The most pictures one teaching cell adds, and the largest PNG kept.
MAX_FIGURES = 8
MAX_PNG = 2 << 20
#: The longest printed text of a teaching cell kept.
MAX_TEXT = 16 << 10
#: How far the grader's address space may grow while it draws a figure.
HEADROOM = 1 << 30
#: The pictures' resolution (the lesson's figures are sized in inches for a notebook).
DPI = 72
#: What a teaching cell shows in place of an explorer.
EXPLORER = ("(an explorer of the lesson: interactive, so not run while grading; run this cell in "
            "JupyterLab to use it)\n")
#: Why a figure whose loop keeps feeding the learner's results back is not drawn.
TOO_MANY_CALLS = (f"it calls your functions more than {MAX_CALLS} times one after the other, more "
                  f"than grading allows a figure; run this cell in JupyterLab to see it")
#: What a teaching cell shows when its figure could not be drawn (``{why}``: the reason).
NOT_DRAWN = "(a figure of the lesson, drawn from your functions: it could not be drawn, {why})\n"

#: ``ask(expression)``: the kernel's value of ``expression`` (text), or None when it timed out.
Ask = Callable[[str], "str | None"]


class FigureFailed(BaseException):
    """A teaching cell's figure cannot be drawn; the message says why (for the note).

    Not an ``Exception``: the lesson's own code turns a learner's function that raises into a
    message inside its figure (``ann_lib.teaching.learner``), as in her notebook, but a value the
    grader refuses (not plain data, NaN) ends the drawing, whatever the figure's code catches.
    """


def note(text: str) -> list[NotebookNode]:
    """A teaching cell's outputs when it shows a note (``text``) in place of its figure."""
    return [NotebookNode(output_type="stream", name="stdout", text=text)]


def is_explorer(source: str) -> bool:
    """Whether ``source`` calls an interactive explorer (``teaching.<name>_explorer(...)``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
               and n.func.attr.endswith("_explorer") for n in ast.walk(tree))


def _names(tree: ast.AST) -> tuple[set[str], set[str]]:
    """``(names the cell reads before or without setting them, names it sets)``."""
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            stored |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            stored.add(node.name)
        elif isinstance(node, ast.arg):
            stored.add(node.arg)
    return loaded - stored - set(dir(builtins)), stored


def _top_level(tree: ast.Module) -> set[str]:
    """The names a cell binds in the notebook's namespace (not a function's own locals)."""
    found: set[str] = set()
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            found.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found |= {(a.asname or a.name).split(".")[0] for a in node.names}
        todo.extend(ast.iter_child_nodes(node))
    return found


#: One figure drawn at a time in a process: pyplot's figures and the address-space cap are
#: the process's, not a thread's (a Dask worker may run several jobs in threads).
_DRAWING = threading.Lock()
#: How long a figure waits for another one to be drawn (a hung one is not waited for forever).
DRAWING_WAIT = 120.0

#: Pictures of the figures that only the course's imports draw (the same for every notebook),
#: by (imports, source): drawn once per grading process.
_SAME_FOR_ALL: dict[tuple[tuple[str, ...], str], list[NotebookNode]] = {}


class KernelFunction:
    """A learner's function in the grader: each call is made by the kernel on plain arguments."""

    def __init__(self, name: str, figures: Figures):
        self.name = self.__name__ = self.__qualname__ = name
        self._figures = figures

    def __repr__(self) -> str:
        return f"<your function {self.name}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._figures.call(self.name, args, kwargs)


def _answer(name: str, result: Any) -> Any:
    """What the learner's function ``name`` returned (or raised) in one result of the kernel."""
    if type(result) is not dict:
        raise FigureFailed(f"`{name}` gave an answer the grader cannot read")
    if "raised" in result:
        raise _exception(result["raised"], result.get("message", ""))
    if "bad" in result:
        raise FigureFailed(f"`{name}` returned {str(result['bad'])[:200]}")
    value = result.get("return")
    if _has_nan(value):
        raise FigureFailed(f"`{name}` returned NaN")
    return value


def _has_nan(value: Any, depth: int = 0) -> bool:
    """Whether plain data ``value`` holds a NaN (arrays, scalars, floats, nested)."""
    import numpy as np

    if isinstance(value, (float, np.floating, np.ndarray)):
        a = np.asarray(value)
        return a.dtype.kind == "f" and bool(np.isnan(a).any())
    if isinstance(value, (list, tuple)) and depth < plain.MAX_DEPTH:
        return any(_has_nan(v, depth + 1) for v in value)
    if isinstance(value, dict) and depth < plain.MAX_DEPTH:
        return any(_has_nan(v, depth + 1) for v in value.values())
    return False


def _has_generator(value: Any, depth: int = 0) -> bool:
    import numpy as np

    if isinstance(value, np.random.Generator):
        return True
    if depth < 8 and isinstance(value, (list, tuple)):
        return any(_has_generator(v, depth + 1) for v in value)
    if depth < 8 and isinstance(value, dict):
        return any(_has_generator(v, depth + 1) for v in value.values())
    return False


def _array_bytes(value: Any, depth: int = 0) -> int:
    nbytes = getattr(value, "nbytes", None)
    if type(nbytes) is int:
        return nbytes
    if depth < 8 and isinstance(value, (list, tuple)):
        return sum(_array_bytes(v, depth + 1) for v in value)
    if depth < 8 and isinstance(value, dict):
        return sum(_array_bytes(v, depth + 1) for v in value.values())
    return 8


def _chunks(calls: dict[tuple[str, str], tuple[tuple, dict]]) -> Iterator[list[tuple[str, str]]]:
    """The keys of ``calls`` in requests of at most :data:`BATCH` calls and :data:`BATCH_BYTES`."""
    chunk: list[tuple[str, str]] = []
    size = 0
    for key, call in calls.items():
        nbytes = _array_bytes(call)
        if chunk and (len(chunk) >= BATCH or size + nbytes > BATCH_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(key)
        size += nbytes
    if chunk:
        yield chunk


@contextlib.contextmanager
def _bounded_memory(headroom: int = HEADROOM) -> Iterator[None]:
    """The process's address space capped at its present size + ``headroom`` (then put back)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm") as f:
            size = int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        yield
        return
    cap = size + headroom if hard == resource.RLIM_INFINITY else min(size + headroom, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


class _NoReference(BaseException):
    """The first pass met a function without a reference: draw with the kernel call by call."""


class Figures:
    """The lesson's figures of one notebook, drawn in the grader (see the module docstring).

    ``imports``: the course's import cells; ``ask``: the kernel's value of an expression (called
    from the thread that draws); ``seconds``: the time all the notebook's figures may take;
    ``references``: the ``ann_lib`` reference of each answer the lesson grades (by its name).
    Call :meth:`ran` with the source of every other code cell the kernel runs (the names it sets
    come from the kernel from then on) and :meth:`draw` for each teaching cell.

    A figure is drawn twice: first with the references standing in for the learner's functions,
    which only records the calls the figure makes; those calls are then sent to the kernel in a
    few requests (a loss panel's 2 000 calls: one request per function); the second, real pass
    takes each call's result from them, or asks the kernel when a call differs from the first
    pass's (a training loop that feeds the learner's results back). The first pass uses each
    check's right answer (an :class:`~autograder.checks.core.Exercise`'s reference, a
    ``Property``'s model). A generator passed to her function comes back in the state her call
    left it in the kernel, so the figure's own generator moves on as it does in JupyterLab.
    """

    def __init__(self, imports: tuple[str, ...], ask: Ask, seconds: float,
                 references: dict[str, Callable[..., Any]] | None = None):
        self._ask = ask
        self._deadline = time.monotonic() + seconds
        self._references = dict(references or {})
        self._calls = 0
        self._recording: list[tuple[str, tuple, dict]] | None = None
        self._known: dict[tuple[str, str], Any] = {}
        self.namespace: dict[str, Any] = {}
        self._ours: set[str] = set()  # names the grader's own cells set (imports, figures)
        self._imports = imports
        for source in imports:
            exec(compile(source, "<the lesson's imports>", "exec"), self.namespace)  # noqa: S102 - the course's own cell
            self._ours |= _top_level(ast.parse(source))
        self._imported = set(self._ours)

    def ask(self, expression: str) -> Any:
        """The kernel's reply to ``expression``, decoded as plain data (bounded, never run)."""
        self._calls += 1
        if self._calls > MAX_CALLS:
            raise FigureFailed(TOO_MANY_CALLS)
        if time.monotonic() > self._deadline:
            raise FigureFailed("the time the grader gives the lesson's figures is spent")
        text = self._ask(expression)
        if text is None:
            raise FigureFailed("your function did not return in time")
        try:
            return plain.decode(text, extras=("rng",))  # never a function: nothing to call
        except plain.NotPlain as exc:
            raise FigureFailed(f"the kernel sent {str(exc)[:200]}") from None

    def _in_kernel(self, name: str, calls: list[tuple[tuple, dict]]) -> list[Any]:
        """The kernel's results of ``calls`` of the learner's ``name`` (one request)."""
        # a generator among the arguments comes back as the call left it (the figure's own
        # generator then moves on as it does in JupyterLab: lesson 11's dropout masks)
        after = any(_has_generator(args) or _has_generator(kwargs) for args, kwargs in calls)
        try:
            request = plain.encode({"answer": name, "watch": [], "after": after, "calls": [
                [list(args), kwargs, {"all": "ignore"}] for args, kwargs in calls]}, extras=("ref", "rng"))
        except plain.NotPlain as exc:
            raise FigureFailed(f"the figure passes `{name}` {exc}") from None
        reply = self.ask(f"__import__('autograder.inkernel.compute', fromlist=['run'])"
                         f".run(get_ipython().user_ns, {request!r})")
        if type(reply) is not dict or reply.get("answer") != "function" or \
                type(reply.get("results")) is not list or len(reply["results"]) != len(calls):
            raise FigureFailed(f"`{name}` is not a function of the notebook")
        return reply["results"]

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        """A call of the learner's ``name`` made by the figure's code (see the class docstring)."""
        if self._recording is not None:
            reference = self._references.get(name)
            if reference is None or len(self._recording) >= MAX_RECORDED:
                raise _NoReference()
            self._recording.append((name, copy.deepcopy(args), copy.deepcopy(kwargs)))
            return reference(*args, **kwargs)
        key = self._key(name, args, kwargs)
        if key is not None and key in self._known:
            result = self._known[key]
        else:
            result = self._in_kernel(name, [(args, kwargs)])[0]
        after = result.get("after") if type(result) is dict else None
        if type(after) is list and len(after) == 2:
            _copy_back(list(args), after[0], [])  # what the call changed in its arguments
            _copy_back(kwargs, after[1], [])
        return _answer(name, result)

    @staticmethod
    def _key(name: str, args: tuple, kwargs: dict) -> tuple[str, str] | None:
        try:
            return name, plain.fingerprint([list(args), kwargs])
        except plain.NotPlain:
            return None

    def _prefetch(self, recorded: list[tuple[str, tuple, dict]]) -> None:
        """The kernel's results of the recorded calls, a few requests per function."""
        by_name: dict[str, dict[tuple[str, str], tuple[tuple, dict]]] = {}
        for name, args, kwargs in recorded:
            key = self._key(name, args, kwargs)
            if key is not None and key not in self._known:
                by_name.setdefault(name, {})[key] = (args, kwargs)
        for name, calls in by_name.items():
            for chunk in _chunks(calls):
                try:
                    results = self._in_kernel(name, [calls[k] for k in chunk])
                except FigureFailed:  # e.g. a batch too big for one message: asked one by one
                    break
                self._known.update(zip(chunk, results))

    def ran(self, source: str) -> None:
        """A code cell the kernel ran: what it sets is the kernel's from now on."""
        try:
            self._ours -= _top_level(ast.parse(source))
        except SyntaxError:
            pass

    def _fetch(self, names: set[str]) -> None:
        wanted = sorted(n for n in names if n not in self._ours)
        if not wanted:
            return
        found = self.ask(f"__import__('autograder.inkernel.compute', fromlist=['values'])"
                         f".values(get_ipython().user_ns, {plain.encode(wanted)!r})")
        if type(found) is not dict:
            raise FigureFailed("the kernel sent something else than the notebook's values")
        for name in wanted:
            entry = found.get(name)
            entry = entry if type(entry) is dict else {"missing": True}
            if "value" in entry:
                if _has_nan(entry["value"]):
                    raise FigureFailed(f"`{name}` holds NaN")
                self.namespace[name] = entry["value"]
            elif entry.get("function") is True:
                self.namespace[name] = KernelFunction(name, self)
            elif "bad" in entry:
                raise FigureFailed(f"`{name}` is not plain data ({str(entry['bad'])[:200]})")
            else:
                self.namespace.pop(name, None)

    def draw(self, source: str) -> list[NotebookNode]:
        """The outputs of the teaching cell ``source``: its printed text and its pictures (PNG),
        or the note that says why it has none (an explorer, or a figure that failed)."""
        if is_explorer(source):
            return note(EXPLORER)
        self._calls = 0
        try:
            tree = ast.parse(source)
            reads, sets = _names(tree)[0], _top_level(tree)
            # a figure of the course's imports alone, setting nothing: the same for every notebook
            same = not sets and reads <= self._imported & self._ours
            same_for_all = (self._imports, source) if same else None
            if same_for_all in _SAME_FOR_ALL:
                return copy.deepcopy(_SAME_FOR_ALL[same_for_all])
            self._fetch(reads)
            code = compile(tree, "<the lesson's figure>", "exec")
            if any(isinstance(self.namespace.get(n), KernelFunction) for n in reads):
                self._rehearse(code)
            text, pngs = self._run(code, self.namespace)
        except FigureFailed as exc:
            return note(NOT_DRAWN.format(why=str(exc)))
        except Exception as exc:  # noqa: BLE001 - whatever the learner's values make fail
            return note(NOT_DRAWN.format(why=f"{type(exc).__name__}: {str(exc)[:300]}"))
        finally:
            self._known.clear()
        self._ours |= sets
        outputs = [NotebookNode(output_type="stream", name="stdout", text=text)] if text else []
        for png in pngs:
            outputs.append(NotebookNode(output_type="display_data", metadata={}, data={
                "image/png": base64.b64encode(png).decode("ascii"),
                "text/plain": "<the lesson's figure, drawn from your functions>"}))
        if same_for_all is not None and len(_SAME_FOR_ALL) < 64:
            _SAME_FOR_ALL[same_for_all] = copy.deepcopy(outputs)
        return outputs

    def _rehearse(self, code: Any) -> None:
        """The first pass, on a copy of the namespace: record the calls, then fetch their results."""
        rehearsal = {k: v if isinstance(v, (types.ModuleType, KernelFunction)) or callable(v)
                     else copy.deepcopy(v) for k, v in self.namespace.items()}
        self._recording = []
        try:
            self._run(code, rehearsal)
        except (_NoReference, Exception):  # noqa: BLE001 - the real pass says what fails
            pass
        finally:
            recorded, self._recording = self._recording, None
        self._prefetch(recorded)

    def _run(self, code: Any, namespace: dict[str, Any]) -> tuple[str, list[bytes]]:
        import matplotlib

        matplotlib.use("agg")
        import matplotlib.pyplot as plt

        if not _DRAWING.acquire(timeout=DRAWING_WAIT):
            raise FigureFailed("the grader was still drawing another figure")
        try:
            return self._run_alone(code, namespace, plt)
        finally:
            _DRAWING.release()

    def _run_alone(self, code: Any, namespace: dict[str, Any], plt: Any) -> tuple[str, list[bytes]]:
        before = set(plt.get_fignums())
        out = io.StringIO()
        try:
            with _bounded_memory(), contextlib.redirect_stdout(out):
                exec(code, namespace)  # noqa: S102 - the course's own cell, see the docstring
                new = [n for n in plt.get_fignums() if n not in before]
                if len(new) > MAX_FIGURES:
                    raise FigureFailed(f"it makes more than {MAX_FIGURES} pictures")
                pngs = []
                for number in new if self._recording is None else []:
                    buf = io.BytesIO()
                    plt.figure(number).savefig(buf, format="png", dpi=DPI)
                    if buf.tell() > MAX_PNG:
                        raise FigureFailed(f"a picture of more than {MAX_PNG >> 20} MiB")
                    pngs.append(buf.getvalue())
        finally:
            for number in set(plt.get_fignums()) - before:
                plt.close(number)
        return out.getvalue()[:MAX_TEXT], pngs
