"""The grading kernel: an IPython kernel with a memory cap, and a watch on the checkers' tools.

Launched as ``python -P -m autograder.kernel -f CONNECTION_FILE`` (see :mod:`autograder.guard`):

* ``-P`` (safe path): the notebook's folder is not put on ``sys.path``, so a student's
  ``numpy.py`` or ``ann_lib/`` beside the notebook cannot shadow the real packages (IPython
  honours ``sys.flags.safe_path`` too);
* ``ANN_COURSE_MEMORY`` bytes cap the kernel's address space (``RLIMIT_AS``): a memory hog gets a
  ``MemoryError`` instead of taking the machine down; in a sandbox (:mod:`autograder.sandbox`)
  ``ANN_COURSE_NPROC``, ``ANN_COURSE_FSIZE`` and ``ANN_COURSE_CPU`` cap its processes, the size
  of a file and its CPU seconds, and ``ANN_COURSE_STAGE`` is the staged folder to copy into the
  sandbox's fresh working folder.

In the kernel, :func:`snapshot` records the modules the course relies on (numpy, builtins,
``autograder``, ``ann_lib``, IPython's error reporting) before any student code runs, and
:func:`verify` (called by the grader before and after every test cell) says what a student
changed. That is for the instructor's review only: no score depends
on it, since the grader judges every hidden test in its own process (:mod:`autograder.judge`).
"""

from __future__ import annotations

import os
import sys

PROTECTED_PREFIXES = ("numpy", "autograder", "ann_lib")
SHELL_METHODS = ("showtraceback", "_showtraceback", "showsyntaxerror", "run_cell", "run_cell_async",
                 "run_code", "run_ast_nodes", "should_run_async", "transform_cell")

_state = {}
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


def snapshot(shell, lesson_module):
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
    from autograder.core import Check

    _state["instances"] = {f"{name}.{k}": (v, dict(vars(v)))
                           for name, mod in mods.items() if name.startswith("autograder")
                           for k, v in vars(mod).items() if isinstance(v, Check)}
    _state["bindings"] = {}
    _state["trusted_before"] = None
    return ""


def trust_before(shell):
    """Called before a read-only (locked) cell of the course runs: remember the namespace."""
    _state["trusted_before"] = {k: id(v) for k, v in shell.user_ns.items()}
    return ""


def trust_after(shell):
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


def verify(shell):
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


def apply_limits():
    """Cap this process (and what it starts) as the ``ANN_COURSE_*`` variables say."""
    import resource

    _limit(resource.RLIMIT_AS, "ANN_COURSE_MEMORY")
    # set inside the sandbox's user namespace, where the count is this notebook's processes only
    _limit(resource.RLIMIT_NPROC, "ANN_COURSE_NPROC")
    _limit(resource.RLIMIT_FSIZE, "ANN_COURSE_FSIZE")
    _limit(resource.RLIMIT_CPU, "ANN_COURSE_CPU")


def prepare():
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


def main():
    """Start the kernel, prepared (:func:`prepare`)."""
    prepare()
    if "" in sys.path:  # belt and braces with -P
        sys.path.remove("")
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
