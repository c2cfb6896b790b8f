"""Static scan of a submission's own code, for the instructor's review.

The grader never runs this code to look at it: :func:`scan` reads the source of every code cell
the student wrote or changed (answer cells, added cells, changed unlocked cells; locked cells are
restored from the release anyway) with :mod:`ast`, after IPython's own input transformation (so
``!cmd``, ``%run`` or ``%%bash`` are seen as the calls they become), and returns
:class:`Finding` s: the cell, the line, the line's text, a category and a short reason.
Cells that still do not parse get a plain word search instead.

Names are resolved through the notebook's imports and simple aliases (``import numpy as np``,
``from os import system as s``, ``s = os.system``, ``__import__("os")``, ``getattr(os, "system")``),
so ``s("ls")`` is seen as ``os.system``. The categories are :data:`CATEGORIES`.

A finding is a reason to look, never a verdict: :func:`scan_answers` turns them into the
``flags`` of grades.csv and report.html ("flagged for review"); no score depends on them.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from autograder import notebooks

if TYPE_CHECKING:
    from nbformat import NotebookNode

#: category -> what it means, in the order flags are listed.
CATEGORIES = {
    "process": "processes",
    "network": "network",
    "ctypes": "native code",
    "gc": "garbage collector",
    "frame": "frames and introspection",
    "patch": "patching of modules or builtins",
    "fake": "objects that can pass for values",
    "exec": "running built code",
    "file": "files outside the notebook's folder",
    "reference": "the reference or the grader",
}
#: Findings shown per category in a flag (the rest are counted).
SHOWN = 3
#: Cells longer than this are not read but flagged (the course's longest answer is ~2 000).
MAX_CELL = 100_000


@dataclass(frozen=True)
class Finding:
    """One suspicious line: ``cell`` is the answer's grade_id or ``"cell N"`` (1-based)."""

    cell: str
    line: int
    text: str
    category: str
    reason: str


# --- what is suspicious, by qualified name ------------------------------------------------------

#: (qualified-name prefix, category, reason); a name matches a prefix equal to it or a parent of it.
PREFIXES = [
    ("subprocess", "process", "runs other programs"),
    ("_posixsubprocess", "process", "runs other programs"),
    ("multiprocessing", "process", "starts processes"),
    ("concurrent.futures.ProcessPoolExecutor", "process", "starts processes"),
    ("concurrent.futures.process", "process", "starts processes"),
    ("asyncio.create_subprocess_exec", "process", "runs other programs"),
    ("asyncio.create_subprocess_shell", "process", "runs other programs"),
    ("pty", "process", "opens a terminal"),
    ("signal", "process", "sends or catches signals"),
    ("resource", "process", "changes resource limits"),
    ("threading", "process", "starts threads that keep running"),
    ("_thread", "process", "starts threads that keep running"),
    ("concurrent.futures.ThreadPoolExecutor", "process", "starts threads that keep running"),
    ("atexit", "process", "runs code when the kernel ends"),
    ("os.putenv", "patch", "changes environment variables"),
    ("os.unsetenv", "patch", "changes environment variables"),
    ("socket", "network", "opens sockets"),
    ("socketserver", "network", "opens sockets"),
    ("ssl", "network", "opens network connections"),
    ("urllib.request", "network", "opens URLs"),
    ("urllib.error", "network", "opens URLs"),
    ("urllib3", "network", "opens URLs"),
    ("http", "network", "speaks HTTP"),
    ("requests", "network", "opens URLs"),
    ("httpx", "network", "opens URLs"),
    ("aiohttp", "network", "opens URLs"),
    ("ftplib", "network", "opens network connections"),
    ("smtplib", "network", "opens network connections"),
    ("poplib", "network", "opens network connections"),
    ("imaplib", "network", "opens network connections"),
    ("telnetlib", "network", "opens network connections"),
    ("xmlrpc", "network", "opens network connections"),
    ("webbrowser", "network", "opens URLs"),
    ("websocket", "network", "opens network connections"),
    ("websockets", "network", "opens network connections"),
    ("paramiko", "network", "opens network connections"),
    ("zmq", "network", "talks to kernels' sockets"),
    ("jupyter_client", "network", "talks to kernels"),
    ("asyncio.open_connection", "network", "opens sockets"),
    ("asyncio.start_server", "network", "opens sockets"),
    ("asyncio.open_unix_connection", "network", "opens sockets"),
    ("asyncio.start_unix_server", "network", "opens sockets"),
    ("ctypes", "ctypes", "loads native code"),
    ("_ctypes", "ctypes", "loads native code"),
    ("cffi", "ctypes", "loads native code"),
    ("gc", "gc", "reaches objects through the garbage collector"),
    ("sys._getframe", "frame", "reads call frames"),
    ("sys._current_frames", "frame", "reads call frames"),
    ("sys._getframemodulename", "frame", "reads call frames"),
    ("sys.settrace", "frame", "traces other code"),
    ("sys.setprofile", "frame", "traces other code"),
    ("sys.monitoring", "frame", "traces other code"),
    ("sys.call_tracing", "frame", "traces other code"),
    ("threading.settrace", "frame", "traces other code"),
    ("threading.setprofile", "frame", "traces other code"),
    ("inspect.currentframe", "frame", "reads call frames"),
    ("inspect.stack", "frame", "reads call frames"),
    ("inspect.trace", "frame", "reads call frames"),
    ("inspect.getouterframes", "frame", "reads call frames"),
    ("inspect.getinnerframes", "frame", "reads call frames"),
    ("inspect.getframeinfo", "frame", "reads call frames"),
    ("inspect.getgeneratorlocals", "frame", "reads call frames"),
    ("inspect.getcoroutinelocals", "frame", "reads call frames"),
    ("inspect.getclosurevars", "frame", "reads other functions' variables"),
    ("traceback.walk_stack", "frame", "reads call frames"),
    ("traceback.extract_stack", "frame", "reads call frames"),
    ("sys.modules", "patch", "reaches into sys.modules"),
    ("sys.meta_path", "patch", "changes how modules are imported"),
    ("sys.path_hooks", "patch", "changes how modules are imported"),
    ("sys.path_importer_cache", "patch", "changes how modules are imported"),
    ("sys.addaudithook", "patch", "installs an audit hook"),
    ("importlib.reload", "patch", "reloads a module"),
    ("importlib.util", "patch", "builds modules by hand"),
    ("importlib.machinery", "patch", "builds modules by hand"),
    ("importlib.abc", "patch", "changes how modules are imported"),
    ("importlib._bootstrap", "patch", "changes how modules are imported"),
    ("imp", "patch", "builds modules by hand"),
    ("zipimport", "patch", "changes how modules are imported"),
    ("unittest.mock", "patch", "patches objects"),
    ("mock", "patch", "patches objects"),
    ("ipykernel", "patch", "reaches the kernel's internals"),
    ("nbclient", "patch", "reaches the notebook runner"),
    ("builtins.object.__setattr__", "patch", "sets attributes behind Python's back"),
    ("builtins.type.__setattr__", "patch", "sets attributes behind Python's back"),
    ("runpy", "exec", "runs other Python files"),
    ("code", "exec", "runs built code"),
    ("codeop", "exec", "compiles built code"),
    ("pickle.load", "exec", "unpickles data (which can run code)"),
    ("pickle.loads", "exec", "unpickles data (which can run code)"),
    ("pickle.Unpickler", "exec", "unpickles data (which can run code)"),
    ("_pickle", "exec", "unpickles data (which can run code)"),
    ("marshal", "exec", "loads compiled code"),
    ("dill", "exec", "unpickles data (which can run code)"),
    ("cloudpickle", "exec", "unpickles data (which can run code)"),
    ("shelve", "exec", "unpickles data (which can run code)"),
    ("types.FunctionType", "exec", "builds functions from code objects"),
    ("types.CodeType", "exec", "builds code objects"),
    ("shutil", "file", "copies, moves or deletes files"),
    ("tempfile", "file", "writes outside the notebook's folder"),
    ("sqlite3", "file", "opens a database (the gradebook?)"),
    ("os.chdir", "file", "changes the working folder"),
    ("os.fchdir", "file", "changes the working folder"),
    ("os.chroot", "file", "changes the root folder"),
    ("os.getcwd", "file", "looks up the working folder"),
    ("os.getcwdb", "file", "looks up the working folder"),
    ("os.pardir", "file", "walks up the folder tree"),
    ("os.path.expanduser", "file", "reads the home folder"),
    ("pathlib.Path.home", "file", "reads the home folder"),
    ("pathlib.Path.cwd", "file", "looks up the working folder"),
    ("nbgrader", "reference", "imports nbgrader"),
    ("inspect.getsource", "reference", "reads source code"),
    ("inspect.getsourcelines", "reference", "reads source code"),
    ("inspect.getsourcefile", "reference", "reads source code"),
    ("inspect.getfile", "reference", "reads source code"),
]
#: Libraries that do an exercise outright: importable (not the course's to remove), flagged where
#: an answer (or a cell that defines a graded function) reaches them, however it does (a name, an
#: attribute, getattr, importlib, sys.modules); a lesson's own comparison with them is not.
LIBRARIES = ("sklearn.neural_network", "sklearn.linear_model", "sklearn.preprocessing",
             "sklearn.metrics", "scipy.special", "scipy.optimize", "torch", "tensorflow", "keras",
             "jax", "autograd")
_BY_PREFIX = {p: (cat, why) for p, cat, why in PREFIXES}

_OS = re.compile(r"^(os|posix)\.(system|popen|fork|forkpty|kill|killpg|exec\w*|spawn\w*|posix_spawnp?"
                 r"|startfile|setsid|setpgid|setpgrp|pidfd_\w+|abort|setuid|setgid|setresuid|plock)$")
_OS_FILES = re.compile(r"^(os|posix)\.(remove|unlink|rmdir|removedirs|rename|renames|replace|symlink"
                       r"|link|chmod|chown|lchown|truncate|mkfifo|mknod)$")
#: Attributes that reach frames or a function's internals, whatever they are read from.
FRAME_ATTRS = {"f_back", "f_locals", "f_globals", "f_builtins", "f_code", "f_trace", "tb_frame",
               "gi_frame", "cr_frame", "ag_frame", "__globals__", "__closure__", "__code__",
               "__subclasses__", "__builtins__"}
#: Special methods that let an object pass for a number or an array (or run code when it is
#: compared, converted, read or collected).
FAKE_DUNDERS = {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__float__",
                "__int__", "__index__", "__complex__", "__abs__", "__neg__", "__add__", "__radd__",
                "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
                "__matmul__", "__rmatmul__", "__pow__", "__len__", "__iter__", "__getitem__",
                "__array__", "__array_ufunc__", "__array_function__", "__array_interface__",
                "__array_struct__", "__array_priority__", "__getattr__", "__getattribute__",
                "__instancecheck__", "__subclasscheck__", "__class__", "__del__"}
#: Attributes of a check that hold the reference.
REFERENCE_ATTRS = {"reference", "__wrapped__"}
#: Builtins resolved as ``builtins.<name>`` even when the notebook defines a name like them.
BUILTINS = {"exec", "eval", "compile", "__import__", "open", "getattr", "setattr", "delattr",
            "globals", "locals", "vars", "breakpoint", "object", "type"}
#: Packages of the reference and of the grader: importing them in a student's cell is flagged.
REFERENCE_PACKAGES = ("ann_lib", "autograder")
#: What a cell may use of the checks module (besides the checks of the lesson).
CHECKS_PUBLIC = {"expect", "self_check"}
#: IPython magics that only time, profile or capture Python code (the code itself is scanned).
CODE_MAGICS = {"time", "timeit", "capture", "prun"}
HARMLESS_MAGICS = {"matplotlib", "precision", "pprint", "who", "whos", "who_ls", "pinfo", "pinfo2",
                   "pdoc", "pdef", "psearch", "page", "magic", "lsmagic", "quickref", "history",
                   "reset", "xdel", "doctest_mode", "colors", "xmode", "tb", "automagic", "autocall",
                   "notebook", "html", "markdown", "latex", "svg", "javascript", "js"}
MAGICS = {  # magic -> (category, reason); any other magic is flagged as "runs built code"
    **{m: ("process", "runs shell commands") for m in (
        "system", "sx", "bash", "sh", "script", "perl", "ruby", "pip", "conda", "mamba",
        "micromamba", "alias", "python", "python2", "python3", "pypy", "killbgscripts", "man",
        "less", "more", "cat", "ls", "rm", "mv", "cp", "mkdir", "rmdir", "ldir", "lf", "lk", "lx",
        "clear")},
    **{m: ("file", "changes folder or writes files") for m in (
        "cd", "pushd", "popd", "dhist", "bookmark", "writefile", "save", "store", "logstart",
        "pwd")},
    "env": ("patch", "changes environment variables"),
    "config": ("patch", "changes IPython's configuration"),
    **{m: ("exec", "runs code from elsewhere") for m in (
        "run", "load", "loadpy", "macro", "rerun", "recall", "load_ext", "reload_ext",
        "unload_ext", "autoreload", "aimport", "edit", "debug", "pdb", "psource", "pfile")},
}
#: IPython shell methods that run shell commands (``!cmd``, ``x = !cmd``), or Python code.
SHELL_METHODS = {"system", "getoutput", "system_raw", "system_piped"}
SHELL_EXEC = {"run_cell", "run_cell_async", "run_code", "run_ast_nodes", "ex", "ev",
              "safe_execfile", "safe_execfile_ipy", "safe_run_module", "runcode"}
#: Path-like string literals that leave the notebook's folder, or name what the grader keeps.
_OUTSIDE = re.compile(r"^~(?:[/\\]|$|\w+[/\\])|^/[^\s]*\w[^\s]*$|(?:^|[/\\])\.\.(?:[/\\]|$)")
_SECRET = re.compile(r"(?:^|[/\\])(?:solutions|\.nbgrader|gradebook\.db)(?:[/\\]|$)"
                     r"|[/\\](?:autograded|submitted|release|feedback)(?:[/\\]|$)")


def _under(name, prefix):
    return name == prefix or name.startswith(prefix + ".")


def classify(qualname: str | None) -> tuple[str, str] | None:
    """``(category, reason)`` for a fully qualified name such as ``"os.system"``, else None."""
    if not qualname:
        return None
    if _OS.match(qualname):
        return "process", "runs or signals processes"
    if _OS_FILES.match(qualname):
        return "file", "deletes, moves or links files"
    parts = qualname.split(".")
    for k in range(len(parts), 0, -1):
        hit = _BY_PREFIX.get(".".join(parts[:k]))
        if hit:
            return hit
    return None


# --- the scan ------------------------------------------------------------------------------------

def _literal(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


class _Notebook:
    """What the whole notebook binds: module aliases (``np`` -> ``numpy``) and provided names."""

    def __init__(self, trees, provided_trees, graded):
        self.alias, self.stars = {}, []
        self.graded = set(graded)
        for tree in trees:
            self.learn(tree)
        # names the release's locked cells bind (np, checks, ...): rebinding them is flagged
        self.provided = {}
        for tree in provided_trees:
            for node in ast.walk(tree):
                for name, qual in _import_bindings(node):
                    self.provided[name] = qual

    def learn(self, tree: ast.AST) -> None:
        """Record imports and simple aliases (``s = os.system``), in source order."""
        nodes = sorted((n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom,
                                                                    ast.Assign))),
                       key=lambda n: (n.lineno, n.col_offset))
        for node in nodes:
            for name, qual in _import_bindings(node):
                self.alias[name] = qual
            if isinstance(node, ast.ImportFrom) and node.module and any(
                    a.name == "*" for a in node.names):
                self.stars.append(node.module)
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                    node.targets[0], ast.Name):
                qual = self.qual(node.value)
                if qual:
                    self.alias[node.targets[0].id] = qual

    def qual(self, node: ast.AST, depth: int = 0) -> str | None:
        """The qualified name an expression stands for (``np.isclose`` -> ``numpy.isclose``)."""
        if depth > 20:
            return None
        if isinstance(node, ast.Name):
            if node.id in self.alias:
                return self.alias[node.id]
            if node.id == "__builtins__":
                return "builtins"
            if node.id in BUILTINS:
                return f"builtins.{node.id}"
            if node.id == "get_ipython":
                return "IPython.get_ipython"
            for module in self.stars:  # from os import *: system() is os.system
                if classify(f"{module}.{node.id}"):
                    return f"{module}.{node.id}"
            return None
        if isinstance(node, ast.Attribute):
            base = self.qual(node.value, depth + 1)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Subscript):
            base, key = self.qual(node.value, depth + 1), _literal(node.slice)
            if key is None:
                return None
            if base == "sys.modules":
                return key
            if base == "builtins":
                return "builtins" if key in ("__builtins__", "builtins") else f"builtins.{key}"
            if base in ("builtins.globals()", "builtins.locals()", "builtins.vars()"):
                if key == "__builtins__":
                    return "builtins"
                return self.alias.get(key) or (f"builtins.{key}" if key in BUILTINS else None)
            if base and base.endswith(".__dict__"):
                return f"{base.removesuffix('.__dict__')}.{key}"
            return None
        if isinstance(node, ast.Call):
            func = self.qual(node.func, depth + 1)
            first = _literal(node.args[0]) if node.args else None
            if func == "IPython.get_ipython":
                return "IPython.shell"
            if func in ("builtins.__import__", "importlib.import_module", "importlib.__import__"):
                return first
            if func in ("builtins.globals", "builtins.locals"):
                return f"{func}()"
            if func == "builtins.vars":
                if not node.args:
                    return "builtins.vars()"
                base = self.qual(node.args[0], depth + 1)
                return f"{base}.__dict__" if base else None
            if func == "builtins.getattr" and len(node.args) >= 2:
                base, attr = self.qual(node.args[0], depth + 1), _literal(node.args[1])
                return f"{base}.{attr}" if base and attr else None
        return None


def _import_bindings(node):
    """``[(name, qualified name)]`` an import statement binds."""
    out = []
    if isinstance(node, ast.Import):
        for a in node.names:
            out.append((a.asname, a.name) if a.asname else (a.name.split(".")[0],
                                                             a.name.split(".")[0]))
    elif isinstance(node, ast.ImportFrom) and not node.level:
        for a in node.names:
            if a.name != "*":
                out.append((a.asname or a.name, f"{node.module or ''}.{a.name}".lstrip(".")))
    return out


class _Cell:
    """The findings of one cell (one per line and category, the first reason kept)."""

    def __init__(self, notebook, label, source, is_answer):
        self.nb, self.label, self.is_answer = notebook, label, is_answer
        self.lines = source.splitlines()
        self.found = {}
        self.callees = set()

    def add(self, line: int, category: str, reason: str) -> None:
        key = (line, category)
        if key not in self.found:
            text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            self.found[key] = Finding(self.label, line, text, category, reason)

    def findings(self) -> list[Finding]:
        return sorted(self.found.values(), key=lambda f: (f.line, list(CATEGORIES).index(f.category)))

    # -- ast -------------------------------------------------------------------------------------

    def scan_tree(self, tree: ast.AST, at: int | None = None, depth: int = 0) -> None:
        """Scan a parsed tree; ``at`` pins every finding to one line (code inside a string)."""
        nodes = list(ast.walk(tree))
        binds_graded = any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                           and n.name in self.nb.graded
                           or isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                           and n.id in self.nb.graded for n in nodes)
        docstrings = _docstrings(nodes)
        self.callees |= {id(n.func) for n in nodes if isinstance(n, ast.Call)}
        for node in nodes:
            line = at or int(getattr(node, "lineno", 1))
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self.imports(node, line)
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for t in targets:
                    self.store(t, line)
            elif isinstance(node, ast.Call):
                self.call(node, line, depth)
            elif isinstance(node, (ast.Attribute, ast.Name)) and isinstance(node.ctx, ast.Load):
                self.use(node, line, binds_graded)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.rebind(node.name, line)
                if isinstance(node, ast.ClassDef):
                    self.fake_class(node, at)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docstrings:
                self.path(node.value, line)

    def fake_class(self, node: ast.ClassDef, at: int | None) -> None:
        """A class that defines how its objects compare, convert or act as arrays."""
        for stmt in node.body:
            names = [stmt.name] if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) else [
                t.id for t in getattr(stmt, "targets", [getattr(stmt, "target", None)])
                if isinstance(t, ast.Name)]
            for name in names:
                if name in FAKE_DUNDERS:
                    self.add(at or stmt.lineno, "fake", f"{node.name} defines {name}")

    def imports(self, node: ast.Import | ast.ImportFrom, line: int) -> None:
        bindings = _import_bindings(node)
        if bindings and all(self.nb.provided.get(name) == qual for name, qual in bindings):
            return  # the same names the lesson's own import cell binds
        mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                else [f"{node.module}.{a.name}" for a in node.names if node.module and not node.level])
        for mod in mods:
            self.module(mod, line)
        for name, qual in bindings:
            self.rebind(name, line, qual)

    def module(self, mod: str, line: int) -> None:
        """Flag an imported module (by name) that is suspicious or is the reference/the grader."""
        if mod.split(".")[0] in REFERENCE_PACKAGES:
            self.add(line, "reference", f"imports {mod}")
            return
        hit = classify(mod)
        if hit:
            self.add(line, hit[0], f"{hit[1]}: {mod}")

    def rebind(self, name: str, line: int, qual: str | None = None) -> None:
        """Flag a new binding of a name the release's locked cells provide (``np``, ``checks``)."""
        if name in self.nb.provided and self.nb.provided[name] != qual:
            self.add(line, "patch", f"rebinds `{name}` ({self.nb.provided[name]})")
        elif name in ("__import__", "__builtins__", "get_ipython", "builtins") and qual != name:
            self.add(line, "patch", f"rebinds `{name}`")

    def store(self, target: ast.AST, line: int) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self.store(t, line)
        elif isinstance(target, ast.Starred):
            self.store(target.value, line)
        elif isinstance(target, ast.Name):
            self.rebind(target.id, line)
        elif isinstance(target, ast.Attribute):
            base = self.nb.qual(target.value)
            if base:
                self.add(line, "patch", f"patches {_shown_qual(base)}.{target.attr}")
        elif isinstance(target, ast.Subscript):
            base = self.nb.qual(target.value)
            if base in ("builtins.globals()", "builtins.locals()", "builtins.vars()"):
                self.add(line, "patch", "writes the notebook's variables by name")
            elif base and (base == "builtins" or base.endswith(".__dict__") or base == "os.environ"
                           or _under(base, "sys.modules") or _under(base, "IPython.shell")):
                self.add(line, "patch", f"patches {_shown_qual(base)}")

    def call(self, node: ast.Call, line: int, depth: int) -> None:
        func = self.nb.qual(node.func)
        first = node.args[0] if node.args else None
        if func in ("builtins.exec", "builtins.eval", "builtins.compile"):
            code = _literal(first) if first is not None else None
            if code is None:
                self.add(line, "exec", f"{func.split('.')[-1]}() of code built at run time")
            else:
                self.code(code, line, depth)
        elif func in ("builtins.__import__", "importlib.import_module", "importlib.__import__"):
            name = _literal(first) if first is not None else None
            if name is None:
                self.add(line, "exec", "imports a module whose name is built at run time")
            else:
                self.module(name, line)
        elif func in ("builtins.getattr", "builtins.setattr", "builtins.delattr") and first is not None:
            base = self.nb.qual(first)
            attr = _literal(node.args[1]) if len(node.args) > 1 else None
            if func != "builtins.getattr" and base:
                self.add(line, "patch", f"{func.split('.')[-1]}() on {_shown_qual(base)}")
            elif base and attr is None:
                self.add(line, "exec", f"reads an attribute of {_shown_qual(base)} by a built name")
        elif func and (_under(func, "sys.path") or _under(func, "os.environ")
                       or func.endswith(".__dict__.update")
                       or func in ("builtins.globals().update", "builtins.vars().update")):
            if func.split(".")[-1] in ("insert", "append", "extend", "remove", "pop", "clear",
                                       "update", "setdefault", "__setitem__"):
                self.add(line, "patch", f"changes {_shown_qual(func.rsplit('.', 1)[0])}")
        elif func and _under(func, "IPython.shell"):
            self.shell(node, func.removeprefix("IPython.shell").lstrip("."), line, depth)
        elif func == "builtins.type" and len(node.args) == 3 and isinstance(node.args[2], ast.Dict):
            for key in node.args[2].keys:
                if _literal(key) in FAKE_DUNDERS:
                    self.add(line, "fake", f"type() defines {_literal(key)}")

    def shell(self, node: ast.Call, method: str | None, line: int, depth: int) -> None:
        """``get_ipython().<method>(...)``: shell escapes, magics, or reaching into IPython."""
        args = [_literal(a) for a in node.args]
        if method in SHELL_METHODS:
            self.add(line, "process", "runs shell commands (`!`)")
        elif method in ("run_line_magic", "run_cell_magic", "magic"):
            name = args[0] if args else None
            name = name.lstrip("%").split()[0] if name and name.strip("% ") else name
            if name is None:
                self.add(line, "exec", "runs a magic whose name is built at run time")
            elif name in CODE_MAGICS:
                body = args[2] if method == "run_cell_magic" and len(args) > 2 else (
                    args[1] if len(args) > 1 else None)
                if body is None:
                    self.add(line, "exec", f"%{name} of code built at run time")
                elif method == "run_cell_magic" and not depth:
                    self.lines_code(body, line + 1)
                else:
                    self.code(body, line, depth)
            elif name in MAGICS:
                cat, why = MAGICS[name]
                self.add(line, cat, f"{why} (%{name})")
            elif name not in HARMLESS_MAGICS:
                self.add(line, "exec", f"runs the magic %{name}")
        elif method in SHELL_EXEC:
            self.add(line, "exec", f"runs code through IPython (get_ipython().{method})")
        elif method:
            self.add(line, "patch", f"reaches into IPython (get_ipython().{method})")

    def use(self, node: ast.Attribute | ast.Name, line: int, binds_graded: bool) -> None:
        if isinstance(node, ast.Attribute):
            if node.attr in FRAME_ATTRS:
                self.add(line, "frame", f"reads .{node.attr}")
            elif node.attr in REFERENCE_ATTRS and not (isinstance(node.value, ast.Name)
                                                       and node.value.id == "self"):
                self.add(line, "reference", f"reads .{node.attr}")
        qual = self.nb.qual(node)
        if not qual or qual in ("IPython.get_ipython", "IPython.shell"):
            return
        root = qual.split(".")[0]
        if root == "ann_lib":
            last = qual.split(".")[-1]
            if last in self.nb.graded and (self.is_answer or binds_graded):
                self.add(line, "reference", f"uses the reference {qual}")
        elif root == "autograder" and isinstance(node, ast.Attribute):
            base = self.nb.alias.get(_root_name(node), "")
            rest = qual[len(base) + 1:].split(".") if base and _under(qual, base) else [qual]
            if len(rest) > 1 or rest[0] not in CHECKS_PUBLIC | self.nb.graded:
                self.add(line, "reference", f"reads the grader's {_shown_qual(qual)}")
        elif _under(qual, "IPython.shell"):
            if id(node) not in self.callees:  # calls are judged by :meth:`shell`
                self.add(line, "patch", f"reaches into {_shown_qual(qual)}")
        elif isinstance(node, ast.Attribute) and qual.endswith(".__dict__"):
            self.add(line, "patch", f"reaches into {_shown_qual(qual)}")
        elif isinstance(node, ast.Attribute) and node.attr in ("parent", "parents") and \
                root in ("pathlib", "os"):
            self.add(line, "file", "walks up the folder tree")
        elif any(_under(qual, lib) for lib in LIBRARIES):
            if self.is_answer or binds_graded:
                self.add(line, "reference", "a library that does an exercise outright: "
                                            f"{_shown_qual(qual)}")
        else:
            hit = classify(qual)
            if hit:
                self.add(line, hit[0], f"{hit[1]}: {_shown_qual(qual)}")

    def path(self, text: str, line: int) -> None:
        if _SECRET.search(text) or text in ("solutions", ".nbgrader", "gradebook.db"):
            self.add(line, "reference", f"names the course's files ({text[:60]!r})")
        elif _OUTSIDE.search(text):
            self.add(line, "file", f"a path outside the notebook's folder ({text[:60]!r})")

    def code(self, source: str, line: int, depth: int) -> None:
        """Code inside a string (``exec("...")``, ``%time ...``): scanned, pinned to ``line``."""
        if depth >= 3:
            self.add(line, "exec", "runs code nested in strings")
            return
        tree = _parse(source)
        if tree is None:
            return  # it cannot run either
        self.nb.learn(tree)
        self.scan_tree(tree, at=line, depth=depth + 1)

    def lines_code(self, source: str, first_line: int) -> None:
        """A cell magic's body: scanned with its own line numbers (the body starts at ``first_line``)."""
        tree = _parse(source)
        if tree is None:
            self.words(source.splitlines(), first_line)
            return
        self.nb.learn(tree)
        ast.increment_lineno(tree, first_line - 1)
        self.scan_tree(tree, depth=1)

    # -- cells that do not parse -----------------------------------------------------------------

    def words(self, lines: Iterable[str], first_line: int = 1) -> None:
        """A plain word search, for code that does not parse (it cannot run, but was written)."""
        for k, text in enumerate(lines, first_line):
            code = text.split("#", 1)[0]
            for pattern, category, reason in _WORDS:
                if pattern.search(code):
                    self.add(k, category, f"{reason}, in a cell that does not parse")


_WORDS = [(re.compile(p), c, r) for p, c, r in [
    (r"^\s*!|=\s*!\w|^\s*%%?(system|sx|bash|sh|script)\b", "process", "runs shell commands"),
    (r"\b(subprocess|multiprocessing|pty|signal)\b|\bos\s*\.\s*(system|popen|fork|kill|exec|spawn)",
     "process", "runs or signals processes"),
    (r"\b(socket|urllib|requests|http\.client|httpx|aiohttp|zmq|jupyter_client)\b", "network",
     "opens network connections"),
    (r"\b(ctypes|cffi)\b", "ctypes", "loads native code"),
    (r"\bgc\s*\.", "gc", "reaches objects through the garbage collector"),
    (r"\b(_getframe|currentframe|f_back|f_locals|f_globals|tb_frame|gi_frame|__globals__)\b",
     "frame", "reads call frames"),
    (r"\b(__builtins__|builtins|setattr|sys\s*\.\s*modules|importlib|get_ipython)\b", "patch",
     "patches modules or builtins"),
    (r"\b(exec|eval|compile|__import__)\s*\(|^\s*%%?(run|load)\b", "exec", "runs built code"),
    (r"\bshutil\b|['\"](~|/|\.\./)", "file", "reaches files outside the notebook's folder"),
    (r"\b(ann_lib|autograder|nbgrader|solutions)\b", "reference", "names the reference or the grader"),
]]


def _root_name(node):
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _shown_qual(qual):
    return "IPython" + qual.removeprefix("IPython.shell") if _under(qual, "IPython.shell") else qual


def _docstrings(nodes):
    out = set()
    for node in nodes:
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and node.body and isinstance(node.body[0], ast.Expr) \
                and isinstance(node.body[0].value, ast.Constant):
            out.add(id(node.body[0].value))
    return out


def _transform(source):
    """The Python IPython runs for a cell (magics and ``!`` turned into calls), line for line."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return source
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - IPython could not transform it: the cell will not run as such
        return source


def _parse(source):
    """The tree of a cell as IPython runs it (plain Python as it is: IPython only rewrites what
    does not parse), or None."""
    for attempt in (source, None):
        try:
            return ast.parse(source if attempt is not None else _transform(source))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None


# --- the notebook ----------------------------------------------------------------------------------

def _is_locked(cell):
    meta = notebooks.nbgrader_meta(cell)
    return bool(meta.get("locked") or meta.get("grade")) and not meta.get("solution")


def student_cells(nb: NotebookNode, release: NotebookNode | None = None) -> list[tuple[int, NotebookNode]]:
    """``[(index, cell)]``: the code cells the student wrote or changed.

    Answer cells always; given the ``release``, every other code cell that does not hold exactly
    the source of one of its code cells (whatever its metadata says); without it, every code
    cell that is not locked (locked cells are restored from the release before grading).
    """
    if release is None:
        return [(i, c) for i, c in enumerate(nb.cells)
                if c.cell_type == "code" and (notebooks.is_answer(c) or not _is_locked(c))]
    released = {c.source for c in release.cells if c.cell_type == "code"}
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and (
        notebooks.is_answer(c) or c.source not in released)]  # the release decides, not metadata


def scan(
    nb: NotebookNode, release: NotebookNode | None = None, graded_names: Iterable[str] = (),
) -> list[Finding]:
    """Findings in the cells a student wrote or changed in ``nb`` (see :func:`student_cells`).

    ``graded_names`` are the functions the lesson grades (the answers' grade_ids are added):
    an answer, or a cell that defines one of them, using ``ann_lib``'s function of that name is
    flagged as using the reference.
    """
    own = student_cells(nb, release)
    own_ids = {i for i, _ in own}
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    trees = {i: _parse(c.source) if len(c.source) <= MAX_CELL else None for i, c in code}
    graded = set(graded_names) | {notebooks.nbgrader_meta(c).get("grade_id") for _, c in code
                                  if notebooks.is_answer(c)}
    locked = release.cells if release is not None else [c for i, c in code if i not in own_ids]
    provided = [t for t in (_parse(c.source) for c in locked
                            if c.cell_type == "code" and _is_locked(c)) if t]
    context = _Notebook([t for t in trees.values() if t], provided, graded - {None})
    findings = []
    for i, cell in own:
        label = (notebooks.nbgrader_meta(cell).get("grade_id") if notebooks.is_answer(cell)
                 else None) or f"cell {i + 1}"
        check = _Cell(context, label, cell.source, notebooks.is_answer(cell))
        try:
            if len(cell.source) > MAX_CELL:
                check.add(1, "exec", f"a cell too long to be read ({len(cell.source)} characters)")
            elif trees[i] is None:
                check.words(cell.source.splitlines())
            else:
                check.scan_tree(trees[i])  # type: ignore[arg-type]
        except (RecursionError, MemoryError):
            check.add(1, "exec", "too deeply nested to be read")
        findings += check.findings()
    return findings


def _show(text, width=120):
    """A line as it can be shown: control and invisible characters escaped, ``; `` kept on one row."""
    text = "".join(ch if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")
                   else f"\\u{ord(ch):04x}" for ch in text.strip())
    text = text.replace("; ", ";\u00a0")  # the report splits a row's flags on "; "
    return text if len(text) <= width else text[: width - 3] + "..."


def flags(findings: Iterable[Finding], shown: int = SHOWN) -> list[str]:
    """One readable flag per category: ``suspicious code (patching ...): cell step line 1: `...` (...)``."""
    out = []
    for category, title in CATEGORIES.items():
        hits = [f for f in findings if f.category == category]
        if not hits:
            continue
        text = " | ".join(f"{'cell ' if not f.cell.startswith('cell ') else ''}{f.cell} line {f.line}:"
                          f" `{_show(f.text)}` ({f.reason})" for f in hits[:shown])
        more = f" (+{len(hits) - shown} more)" if len(hits) > shown else ""
        out.append(f"suspicious code ({title}): {text}{more}")
    return out


def scan_answers(nb: NotebookNode, graded_names: Iterable[str] = (),
                 release: NotebookNode | str | Path | None = None) -> list[str]:
    """The flags of a submission's own code, for grades.csv: ``flags(scan(nb, release, graded_names))``.

    Called once per notebook while staging (``flags[name] += scan_answers(nb, graded_names,
    release / name)``); ``release`` is the release notebook or its path. A flag is for review
    only and never changes a score.
    """
    try:
        if release is not None and not hasattr(release, "cells"):
            release = notebooks.read(release)
        return flags(scan(nb, release, graded_names))  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - the scan must never cost the grading of a notebook
        return [f"suspicious code: the scan could not read this notebook ({type(exc).__name__})"]
