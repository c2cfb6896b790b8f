"""The kernel tree of a lesson: what its graded kernel imports in place of the course's packages.

While a notebook is graded (``ann-course grade``, ``ann-course check``) its kernel imports
``ann_lib`` and ``autograder`` from a tree made here, never from the course itself:

* ``ann_lib/``: the modules the lesson's :class:`~autograder.checks.reach.Reach` allows, copied
  whole (and the private ``_validation`` they share); every other module of ``ann_lib``
  (``teaching`` included) is an empty stand-in, so that the lesson's import cell still runs, with
  nothing in it;
* ``autograder/``: the kernel's side of grading only (:data:`KERNEL_MODULES`: start the kernel,
  compute, encode plain data, the visible tests' ``expect``); no judge, no lesson;
* ``autograder/lessons/<topic>.py``: the lesson's ``checks`` as a stand-in (:func:`standin_source`):
  ``expect``, a ``self_check`` that does nothing, each hidden check as a function that does
  nothing (the grader judges, :mod:`autograder.checks.judge`), and the helpers the lesson's
  ``Reach`` names (what its visible tests call, the functions its checks pass as arguments),
  written out from their source with only the imports the policy allows. No other lesson's
  checks are there.

The sandbox (:mod:`autograder.sandbox.bubblewrap`, :mod:`autograder.sandbox.zygote`) shows the
kernel this tree in place of the course's packages, and the warm zygote imports nothing of
``ann_lib`` or of the lessons before it forks, so neither ``sys.modules`` nor ``gc`` nor a file
holds more than the tree. :func:`teaching_cells` (:mod:`autograder.release.release_data`) names the
lesson's figures and explorers, which a graded kernel skips.
"""

from __future__ import annotations

import ast
import atexit
import compileall
import importlib
import inspect
import shutil
import tempfile
import textwrap
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from autograder.checks.reach import DEFAULT, Reach, ReachError, policy
from autograder.release.release_data import teaching_cells, teaching_sources

__all__ = ["DEFAULT", "KERNEL_MODULES", "Reach", "ReachError", "forget", "policy", "standin_source",
           "teaching_cells", "teaching_sources", "tree", "write_tree"]

#: The grader's modules a kernel runs (all of them free of any answer), under ``autograder/``.
KERNEL_MODULES = ("__init__", "limits", "inkernel/__init__", "inkernel/kernel",
                  "inkernel/compute", "inkernel/libc", "inkernel/zygote_server",
                  "checks/__init__", "checks/plain", "checks/core", "checks/messages",
                  "checks/figures", "checks/reach", "checks/verdict", "checks/calls",
                  "checks/inputs", "lessons/__init__")


def _ann_lib_modules():
    import ann_lib

    folder = Path(ann_lib.__file__).parent
    return folder, sorted({p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")}
                          | {p.name for p in folder.iterdir()
                             if p.is_dir() and (p / "__init__.py").exists()})


_STUB = '''"""ann_lib.{name} is left out while this notebook is graded (nothing of it is needed)."""


def __getattr__(attr):
    if attr.startswith("__"):
        raise AttributeError(attr)
    raise AttributeError(f"ann_lib.{name}.{{attr}} is not available while the grader runs this "
                         "notebook (figures, explorers and the reference are left out)")
'''


_WITHHELD = '''def {name}(*args, **kwargs):
    """ann_lib.{module}.{name} is left out while this notebook is graded (an answer of the lesson)."""
    raise NotImplementedError("ann_lib.{module}.{name} is not available while the grader runs "
                              "this notebook")
'''


def withhold(source: str, module: str, names: Iterable[str]) -> str:
    """``source`` of ``ann_lib.<module>`` with each top-level function of ``names`` replaced by a
    stand-in that only raises (:attr:`Reach.withheld`)."""
    lines = source.splitlines(keepends=True)
    found = {node.name: node for node in ast.parse(source).body
             if isinstance(node, ast.FunctionDef) and node.name in names}
    missing = set(names) - set(found)
    if missing:
        raise ReachError(f"withheld names that are no function of ann_lib.{module}: "
                         f"{sorted(missing)}")
    for node in sorted(found.values(), key=lambda n: n.lineno, reverse=True):
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
        lines[start:node.end_lineno] = [_WITHHELD.format(module=module, name=node.name)]
    return "".join(lines)


def _global_names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


class _Writer:
    """Writes helpers out with what they use, in an order that defines each before its use."""

    def __init__(self, module, allowed):
        self.module, self.allowed = module, allowed
        self.imports, self.blocks, self.done = {}, [], set()

    def value(self, name: str, value: Any, who: str) -> None:
        if isinstance(value, types.ModuleType):
            if value.__name__ == "numpy":
                self.imports[name] = f"import numpy as {name}"
            elif value.__name__.startswith("ann_lib.") and \
                    value.__name__.split(".")[1] in self.allowed:
                self.imports[name] = f"import {value.__name__} as {name}"
            else:
                raise ReachError(f"{who} uses the module {value.__name__}, which the graded "
                                 "kernel of this lesson may not import")
        elif isinstance(value, types.FunctionType) and value.__module__ == self.module.__name__:
            self.function(name, value)
        elif callable(value) and getattr(value, "__module__", "").startswith("ann_lib.") and \
                value.__module__.split(".")[1] in self.allowed:
            self.imports[name] = f"from {value.__module__} import {value.__name__} as {name}"
        elif callable(value) and getattr(value, "__module__", None) == "numpy":
            self.imports[name] = f"from numpy import {value.__name__} as {name}"
        elif isinstance(value, (int, float, str, bool, type(None))) or (
                isinstance(value, tuple) and all(isinstance(v, (int, float, str)) for v in value)):
            self.blocks.append(f"{name} = {value!r}\n")
        else:
            raise ReachError(f"{who} uses {name} ({type(value).__name__}), which a graded kernel "
                             "cannot be given")

    def function(self, name: str, fn: Callable[..., Any]) -> None:
        if (name, fn) in self.done:
            return
        self.done.add((name, fn))
        if fn.__name__ != name:  # an alias: the function itself, then the name
            self.function(fn.__name__, fn)
            self.blocks.append(f"{name} = {fn.__name__}\n")
            return
        if fn.__closure__ or fn.__qualname__ != fn.__name__:
            raise ReachError(f"{self.module.__name__}.{name} is not a plain module-level function")
        for dep in sorted(_global_names(fn.__code__)):  # attribute names too: those are skipped
            if dep in fn.__globals__ and dep != name:
                self.value(dep, fn.__globals__[dep], f"{self.module.__name__}.{name}")
        self.blocks.append(textwrap.dedent(inspect.getsource(fn)) + "\n")


def standin_source(checks_module: types.ModuleType) -> str:
    """The source of the in-kernel stand-in for a lesson's checks module (see the module doc)."""
    from autograder.checks.core import Check

    rule = policy(checks_module)
    writer = _Writer(checks_module, set(rule.ann_lib))
    for name in rule.helpers:
        value = getattr(checks_module, name, None)
        if not isinstance(value, types.FunctionType):
            raise ReachError(f"{checks_module.__name__}.GRADED names the helper {name!r}, which "
                             "is not a function of that module")
        writer.function(name, value)
    checks = sorted(k for k, v in vars(checks_module).items() if isinstance(v, Check))
    lines = [f'"""The grading kernel\'s stand-in for {checks_module.__name__}',
             "(autograder.grading.kernel_tree).",
             "", "The grader judges every hidden check in its own process; here they do nothing.",
             '"""', "",
             # a helper's annotations stay text: their types are not the kernel's to import
             "from __future__ import annotations", "",
             "from autograder.checks.core import CheckFailed, expect, fmt  # noqa: F401",
             *sorted(set(writer.imports.values())), "", "",
             "def _hidden(name):", "    def check(answer):",
             '        """Judged by the grader, in its own process."""',
             "        return None", "", "    check.__name__ = check.__qualname__ = name",
             "    return check", "", "",
             "def self_check(namespace):",
             '    """The learner\'s summary; nothing while the grader runs the notebook."""',
             "    return None", "", ""]
    lines += [f"{name} = _hidden({name!r})" for name in checks]
    return "\n".join(lines) + "\n\n\n" + "\n\n".join(writer.blocks)


def write_tree(checks_module: types.ModuleType, dest: str | Path) -> Path:
    """Write the kernel tree of a lesson into ``dest`` (see the module doc); return ``dest``."""
    import autograder

    dest = Path(dest)
    rule = policy(checks_module)
    folder, names = _ann_lib_modules()
    unknown = set(rule.ann_lib) - set(names)
    if unknown:
        raise ReachError(f"{checks_module.__name__}.GRADED allows unknown ann_lib modules "
                         f"{sorted(unknown)}")
    lib = dest / "ann_lib"
    lib.mkdir(parents=True)
    (lib / "__init__.py").write_text(
        '"""ann_lib while this notebook is graded: only what this lesson\'s tests use."""\n')
    shutil.copy2(folder / "_validation.py", lib / "_validation.py")
    withheld: dict[str, list[str]] = {}
    for entry in rule.withheld:
        module, _, function = entry.partition(".")
        if module not in rule.ann_lib or not function:
            raise ReachError(f"{checks_module.__name__}.GRADED withholds {entry!r}: name a "
                             "function of an allowed module, as 'activations.softmax'")
        withheld.setdefault(module, []).append(function)
    for name in names:
        if name in withheld:
            source = (folder / f"{name}.py").read_text()
            (lib / f"{name}.py").write_text(withhold(source, name, withheld[name]))
        elif name in rule.ann_lib:
            shutil.copy2(folder / f"{name}.py", lib / f"{name}.py")
        else:
            (lib / f"{name}.py").write_text(_STUB.format(name=name))
    grader = dest / "autograder"
    here = Path(autograder.__file__).parent
    for name in KERNEL_MODULES:
        (grader / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(here / f"{name}.py", grader / f"{name}.py")
    topic = checks_module.__name__.rpartition(".")[2]
    if checks_module.__name__.startswith("autograder.lessons."):
        (grader / "lessons" / f"{topic}.py").write_text(standin_source(checks_module))
    compileall.compile_dir(str(dest), quiet=2)
    return dest


_trees: dict = {}


def tree(lesson_module: str) -> Path:
    """The kernel tree of ``lesson_module`` (a module name), made once per process."""
    if lesson_module not in _trees:
        from multiprocessing import util

        base = tempfile.mkdtemp(prefix="annr-")
        atexit.register(shutil.rmtree, base, True)
        # a forked grading worker leaves without atexit, but with multiprocessing's finalizers
        util.Finalize(None, shutil.rmtree, args=(base, True), exitpriority=0)
        _trees[lesson_module] = write_tree(importlib.import_module(lesson_module), base)
    return _trees[lesson_module]


def forget() -> None:
    """Remove this process's kernel trees (made again when next needed)."""
    for dest in _trees.values():
        shutil.rmtree(dest, ignore_errors=True)
    _trees.clear()
