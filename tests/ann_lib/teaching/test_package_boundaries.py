"""ann_lib knows nothing of grading, and its reference modules know nothing of teaching."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import ann_lib

PACKAGE = Path(ann_lib.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))
REFERENCE = sorted(p for p in PACKAGE.glob("*.py"))


def _imported(path):
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_the_package_has_sources_to_check():
    assert PACKAGE / "teaching" / "__init__.py" in SOURCES
    assert PACKAGE / "network.py" in REFERENCE


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_reads_the_grading_state_or_imports_the_grader(path):
    text = path.read_text()
    assert "NBGRADER_EXECUTION" not in text
    assert not {n for n in _imported(path) if n.split(".")[0] in ("autograder", "nbgrader")}


@pytest.mark.parametrize("path", REFERENCE, ids=lambda p: p.name)
def test_reference_modules_never_import_teaching(path):
    assert not {n for n in _imported(path) if n.startswith("ann_lib.teaching")
                or n == "ann_lib.teaching"}


def test_importing_ann_lib_imports_neither_teaching_nor_matplotlib():
    code = ("import sys, ann_lib; "
            "print(sorted(m for m in sys.modules if m.startswith(('ann_lib.teaching', "
            "'matplotlib', 'ipywidgets'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_importing_teaching_does_not_import_matplotlib_or_ipywidgets():
    code = ("import sys; from ann_lib import teaching; "
            "print(sorted(m for m in sys.modules if m.startswith(('matplotlib', 'ipywidgets'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
