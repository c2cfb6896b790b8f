"""The grading kernel: an IPython kernel with a memory cap, and a watch on the checkers' tools.

Launched as ``python -P -m autograder.inkernel.kernel -f CONNECTION_FILE``
(see :mod:`autograder.grading.execution`):

* ``-P`` (safe path): the notebook's folder is not put on ``sys.path``, so a student's
  ``numpy.py`` or ``ann_lib/`` beside the notebook cannot shadow the real packages (IPython
  honours ``sys.flags.safe_path`` too);
* ``ANN_COURSE_MEMORY`` bytes cap the kernel's address space (``RLIMIT_AS``): a memory hog gets a
  ``MemoryError`` instead of taking the machine down; in a sandbox (:mod:`autograder.sandbox.bubblewrap`)
  ``ANN_COURSE_NPROC``, ``ANN_COURSE_FSIZE`` and ``ANN_COURSE_CPU`` cap its processes, the size
  of a file and its CPU seconds, and ``ANN_COURSE_STAGE`` is the staged folder to copy into the
  sandbox's fresh working folder.

In the kernel, :func:`snapshot` records the modules the course relies on (numpy, builtins,
``autograder``, ``ann_lib``, IPython's error reporting) before any student code runs, and
:func:`verify` (called by the grader before and after every test cell) says what a student
changed. That is for the instructor's review only: no score depends
on it, since the grader judges every hidden test in its own process (:mod:`autograder.checks.judge`).
"""

from __future__ import annotations

import os
import sys

from autograder.limits import KERNEL_ENV

TYPE_CHECKING = False  # typing is not imported in the kernel: mypy reads this name as True
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

    from IPython.core.interactiveshell import InteractiveShell

PROTECTED_PREFIXES = ("numpy", "autograder", "ann_lib")
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"  #: figures as the cell's PNG outputs
SHELL_METHODS = ("showtraceback", "_showtraceback", "showsyntaxerror", "run_cell", "run_cell_async",
                 "run_code", "run_ast_nodes", "should_run_async", "transform_cell")

_state: dict = {}
_MISSING = object()


def _protected_modules(lesson_module):
    import builtins

    import numpy  # noqa: F401 - imported so that it is protected from the start

    __import__(lesson_module)
    mods = {"builtins": builtins}
    for name, mod in list(sys.modules.items()):
        if mod is not None and name.split(".")[0] in PROTECTED_PREFIXES and "._" not in name:
            mods[name] = mod
    return mods


def _classes(mod):
    return {k: v for k, v in vars(mod).items()
            if isinstance(v, type) and getattr(v, "__module__", None) == mod.__name__}


def snapshot(shell: InteractiveShell, lesson_module: str) -> str:
    """Record the pristine state of everything the hidden tests use."""
    from IPython.core.interactiveshell import InteractiveShell

    mods = _protected_modules(lesson_module)
    _state["modules"] = {name: (mod, dict(vars(mod))) for name, mod in mods.items()}
    classes = {}
    for name, mod in mods.items():
        if name.startswith(("autograder", "ann_lib")):
            for cname, cls in _classes(mod).items():
                classes[f"{name}.{cname}"] = (cls, dict(vars(cls)))
    for cls in type(shell).__mro__:
        if cls is not object and issubclass(cls, InteractiveShell):
            classes[f"{cls.__module__}.{cls.__name__}"] = (cls, dict(vars(cls)))
    _state["classes"] = classes
    _state["shell"] = {m: vars(shell).get(m, _MISSING) for m in SHELL_METHODS}
    from autograder.checks.core import Check

    _state["instances"] = {f"{name}.{k}": (v, dict(vars(v)))
                           for name, mod in mods.items() if name.startswith("autograder")
                           for k, v in vars(mod).items() if isinstance(v, Check)}
    _state["bindings"] = {}
    _state["trusted_before"] = None
    return ""


def trust_before(shell: InteractiveShell) -> str:
    """Called before a read-only (locked) cell of the course runs: remember the namespace."""
    _state["trusted_before"] = {k: id(v) for k, v in shell.user_ns.items()}
    return ""


def trust_after(shell: InteractiveShell) -> str:
    """After a read-only cell: the names it bound (``checks``, ``np``, ...) are protected."""
    import types

    before = _state.get("trusted_before") or {}
    for k, v in shell.user_ns.items():
        if isinstance(v, types.ModuleType) and before.get(k) != id(v):
            _state["bindings"][k] = v
    return ""


_IGNORED = ("__warningregistry__", "__loader__", "__spec__", "__builtins__", "__doc__", "__dict__",
            "__weakref__", "_abc_impl")


def _changes(label, obj, saved, is_class):
    """What changed in ``vars(obj)`` since ``saved``; ``saved`` then follows (each change is told
    once)."""
    problems = []
    current = vars(obj)
    for key, value in list(saved.items()):
        if key in _IGNORED or (key in current and current[key] is value):
            continue
        problems.append(f"{label}.{key} was {'deleted' if key not in current else 'replaced'}")
        saved.pop(key) if key not in current else saved.__setitem__(key, current[key])
    for key in [k for k in current if k not in saved]:
        if is_class and not key.startswith("_") or label == "builtins" and not key.startswith(
                "_") and key not in ("display", "get_ipython", "exit", "quit"):
            problems.append(f"{label}.{key} was added")
        saved[key] = current[key]
    return problems


def verify(shell: InteractiveShell) -> str:
    """Say what was changed since :func:`snapshot` or the last call ('' if nothing).

    Nothing is put back: no score depends on the kernel's state any more (the grader judges), so
    this only tells the instructor what to review.
    """
    if "modules" not in _state:
        return "the grader's guard was not installed"
    problems = []
    for name, (mod, saved) in list(_state["modules"].items()):
        if sys.modules.get(name) is not mod:
            problems.append(f"sys.modules[{name!r}] was replaced")
            _state["modules"][name] = (sys.modules.get(name), saved)
        problems += _changes(name, mod, saved, is_class=False)
    for label, (cls, saved) in _state["classes"].items():
        problems += _changes(label, cls, saved, is_class=True)
    for label, (obj, saved) in _state["instances"].items():
        current = vars(obj)
        if set(current) != set(saved) or any(current.get(k) is not v for k, v in saved.items()):
            problems.append(f"{label} was modified")
            saved.clear()
            saved.update(current)
    for name, value in list(_state["bindings"].items()):
        if shell.user_ns.get(name) is not value:
            problems.append(f"the name `{name}` was rebound")
            _state["bindings"][name] = shell.user_ns.get(name)
    for method, saved in list(_state["shell"].items()):
        if vars(shell).get(method, _MISSING) is not saved:
            problems.append(f"IPython's {method} was replaced")
            _state["shell"][method] = vars(shell).get(method, _MISSING)
    if shell.custom_exceptions and not _state.get("custom_exc"):
        _state["custom_exc"] = True
        problems.append("an IPython custom exception handler was installed")
    return "; ".join(dict.fromkeys(problems))


def _limit(name, env):
    import resource

    value = int(os.environ.get(env, "0") or 0)
    if value > 0:
        resource.setrlimit(name, (value, value))


def apply_limits() -> None:
    """Cap this process (and what it starts) as the ``ANN_COURSE_*`` variables say.

    Set inside the sandbox's user namespace, where ``RLIMIT_NPROC`` counts this notebook's
    processes only (:data:`autograder.limits.KERNEL_ENV` says which variable sets which limit).
    """
    import resource

    for env, _, rlimit in KERNEL_ENV:
        _limit(getattr(resource, rlimit), env)


def prepare() -> None:
    """Limits first, then (in a sandbox) fill the fresh working folder with the staged one."""
    apply_limits()
    import shutil

    stage = os.environ.pop("ANN_COURSE_STAGE", "")
    if stage and os.path.isdir(stage):
        shutil.copytree(stage, os.getcwd(), dirs_exist_ok=True, symlinks=True)
    fonts = os.environ.pop("ANN_COURSE_MPL_CACHE", "")
    if fonts and os.path.isdir(fonts) and os.environ.get("MPLCONFIGDIR"):  # no font cache rebuild
        os.makedirs(os.environ["MPLCONFIGDIR"], exist_ok=True)
        for name in os.listdir(fonts):
            if name.startswith("fontlist") and name.endswith(".json"):
                shutil.copy(os.path.join(fonts, name), os.environ["MPLCONFIGDIR"])


def seal() -> None:
    """Once the kernel's sockets are bound: its connection folder read-only, then no capability.

    In a sandbox (``ANN_COURSE_SEAL``: the connection folder, the one host folder it may write)
    the kernel holds ``CAP_SYS_ADMIN`` of its own user namespace until here, before any cell
    runs; it remounts that folder read-only (nothing a notebook writes ever reaches the host) and
    drops every capability. A kernel that cannot do both stops (it is never left unsealed).
    """
    folder = os.environ.pop("ANN_COURSE_SEAL", "")
    if not folder:
        return
    from autograder.inkernel import libc

    try:
        libc.remount_read_only(folder)
    finally:
        libc.drop_capabilities()


class TreeOnly:
    """An import finder: ``ann_lib`` and ``autograder`` come from the first folder of ``sys.path``
    that has them (the lesson's kernel tree, :mod:`autograder.grading.kernel_tree`), never from another finder
    (an editable install's, which knows the course's own folder). In a sandbox that folder is
    hidden anyway; without one (``ann-course check``) it keeps the kernel's imports the grade's."""

    @classmethod
    def find_spec(cls, name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if name.split(".")[0] not in ("ann_lib", "autograder"):
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path, target)
        if spec is None:
            raise ModuleNotFoundError(f"No module named {name!r} (not while graded)", name=name)
        return spec


def tree_only() -> None:
    """Import ``ann_lib`` and ``autograder`` only as :class:`TreeOnly` says (idempotent)."""
    if TreeOnly not in sys.meta_path:
        sys.meta_path.insert(0, TreeOnly)


def main() -> None:
    """Start the kernel, prepared (:func:`prepare`), its connection folder sealed (:func:`seal`)."""
    prepare()
    if "" in sys.path:  # belt and braces with -P
        sys.path.remove("")
    if os.environ.get("ANN_COURSE_TREE_ONLY"):
        tree_only()
    from ipykernel.kernelapp import IPKernelApp

    # the student's own figures (training curves, boundaries) go into her autograded notebook
    # and feedback, as PNG outputs of the cells that draw them (drawn once: the course's figures
    # use constrained layout, a tight bounding box would draw each one twice)
    sys.argv += ["--InlineBackend.print_figure_kwargs={'bbox_inches': None}"]
    if "matplotlib" in sys.modules:  # preloaded (a zygote's fork): inline from the start
        sys.argv.append("--IPKernelApp.matplotlib=inline")
    else:  # matplotlib is imported (inline) by the first cell that draws, not at start-up
        os.environ["MPLBACKEND"] = INLINE_BACKEND
    app = IPKernelApp.instance()
    app.initialize()
    seal()
    app.start()


if __name__ == "__main__":
    main()
