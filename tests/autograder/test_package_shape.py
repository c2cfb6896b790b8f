"""The shape of ``autograder``: every import (function-local ones included) follows the directions
each part declares in its docstring (``May import: ...``), and the declared directions form no
circle: nothing imports upward, and the code that runs in a sandbox reaches nothing of the grader.
"""

import ast
import re
from graphlib import CycleError, TopologicalSorter

import pytest

from autograder.settings import REPO

PACKAGE = REPO / "autograder"
MODULES = sorted(PACKAGE.rglob("*.py"))
DECLARED = re.compile(r"May import: ([^.]*)\.")


def part_of(module):
    """``autograder.grading.job`` -> ``grading``; ``autograder.settings`` -> ``settings``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None  # None: the package's root (its docstring only)


def module_of(path, root=REPO):
    return ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")


def declared(text):
    """The names of a ``May import: a, b.`` line (``nothing``, ``anything``: as written)."""
    found = DECLARED.findall(text)
    assert len(found) == 1, f"one 'May import: ...' line expected, found {found}"
    return {name.strip() for name in found[0].split(",")}


def allowed_imports():
    """What each part may import, as its docstring (or the package's, for a top-level module) says."""
    allowed = {}
    for path in sorted(PACKAGE.glob("*/__init__.py")):
        allowed[path.parent.name] = declared(ast.get_docstring(ast.parse(path.read_text())) or "")
    root = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text()))
    for bullet in re.split(r"\n(?=\* )", root):  # a bullet and its continuation lines
        top = re.match(r"\* ``(\w+)``", bullet)
        if top and (PACKAGE / f"{top.group(1)}.py").exists():
            allowed[top.group(1)] = declared(bullet)
    allowed["__main__"] = {"cli"}
    everything = set(allowed)
    for part, names in allowed.items():
        if names == {"nothing"}:
            allowed[part] = set()
        elif names == {"anything"}:
            allowed[part] = everything - {part, "__main__"}
    return allowed


def imports_of(path, root=REPO):
    """``[(line, imported name), ...]`` of a module's ``autograder`` imports, at any depth.

    A ``from M import x`` gives ``M.x`` (``x`` may be a module of ``M`` or a name in it).
    """
    module = module_of(path, root)
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "autograder"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against this module's package
                package = module.split(".")[: len(module.split(".")) - node.level
                                             + (path.name == "__init__.py")]
                base = ".".join(package + ([base] if base else []))
            if base.split(".")[0] != "autograder":
                continue
            # `from autograder.sandbox import zygote`: a name may be a module or an attribute
            found += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return found


ALLOWED = allowed_imports()


def test_every_part_of_the_package_declares_what_it_may_import():
    parts = {p.parent.name for p in PACKAGE.glob("*/__init__.py")} | \
            {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert parts == set(ALLOWED)
    for part, names in ALLOWED.items():
        assert names <= set(ALLOWED), f"{part} declares parts that do not exist: {names - set(ALLOWED)}"


def test_the_declared_directions_form_no_circle():
    try:
        order = list(TopologicalSorter(ALLOWED).static_order())
    except CycleError as e:
        pytest.fail(f"the declared imports form a circle: {e.args[1]}")
    assert order.index("checks") < order.index("lessons") < order.index("inkernel")
    assert order.index("sandbox") < order.index("grading") and order.index("outputs") < order.index("grading")


def test_the_code_in_a_sandbox_reaches_nothing_of_the_grader():
    reach, todo = set(), ["inkernel"]
    while todo:
        for part in ALLOWED[todo.pop()] - reach:
            reach.add(part)
            todo.append(part)
    assert reach.isdisjoint({"grading", "outputs", "release", "sandbox", "nbgrader_api", "cli"}), reach


def test_every_import_follows_the_declared_directions():
    wrong = []
    for path in MODULES:
        part = part_of(module_of(path))
        for line, imported in imports_of(path):
            target = part_of(imported)
            if part and target and target != part and target not in ALLOWED[part]:
                wrong.append(f"{path.relative_to(REPO)}:{line} ({part}) imports {imported}")
    assert not wrong, "imports against the declared directions:\n" + "\n".join(wrong)


def test_the_import_reader_sees_function_local_and_relative_imports(tmp_path):
    source = tmp_path / "autograder" / "grading" / "x.py"
    source.parent.mkdir(parents=True)
    source.write_text("from autograder import notebooks\n"
                      "def f():\n    from autograder.outputs import report\n"
                      "    import autograder.sandbox.zygote\n"
                      "from . import judge\nfrom ..checks.core import Check\nimport numpy\n")
    found = sorted(imported for _, imported in imports_of(source, root=tmp_path))
    assert found == ["autograder.checks.core.Check", "autograder.grading.judge", "autograder.notebooks",
                     "autograder.outputs.report", "autograder.sandbox.zygote"]


def test_the_readme_layout_table_says_what_the_docstrings_say():
    readme = (REPO / "README.md").read_text()
    rows = re.findall(r"^\| (`[^|]*`) \| [^|]* \| ([^|]*) \|$", readme, re.M)
    said = {}
    for parts, names in rows:
        for part in re.findall(r"`(\w+)(?:/|\.py)`", parts):
            said[part] = names.strip()
    assert set(said) == set(ALLOWED) - {"__main__"}
    for part, names in said.items():
        if names == "all of the above but inkernel":
            expected = set(ALLOWED) - {part, "cli", "__main__", "inkernel"}
        elif names == "anything":
            expected = set(ALLOWED) - {part, "__main__"}
        else:
            expected = set() if names == "nothing" else {n.strip() for n in names.split(",")}
        assert ALLOWED[part] == expected, part


def test_no_module_imports_itself_through_others():
    modules = {module_of(path): path for path in MODULES}

    def resolve(imported):  # the module itself, or the one the imported name is in
        return imported if imported in modules else imported.rpartition(".")[0]

    graph = {}
    for name, path in modules.items():
        found = {resolve(imported) for _, imported in imports_of(path)}
        found = {m for m in found if m in modules and m != name and not name.startswith(m + ".")}
        # a package's __init__ is imported with any of its modules: count only real edges
        graph[name] = {m for m in found if modules[m].name != "__init__.py" or m == "autograder.lessons"}
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as e:
        pytest.fail(f"modules import each other: {' -> '.join(e.args[1])}")
