"""What a graded kernel can reach (:mod:`autograder.grading.kernel_tree`): each lesson's policy,
its kernel tree and its checks stand-in, checked against the lesson's own notebooks and checks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from autograder import notebooks
from autograder.checks import judge, plain
from autograder.checks.core import Check, Exercise
from autograder.grading import kernel_tree as reach
from autograder.inkernel import compute
from autograder.lessons import checks_module, checks_of
from autograder.settings import REPO
from tests.autograder.checks.test_checks import _solution_namespace
from tests.conftest import LESSONS


def _solution(lesson):
    return notebooks.read(REPO / "solutions" / lesson / f"{lesson}.ipynb")


def _checks_used(lesson):
    """Every ``checks.<name>`` the lesson's cells use outside the hidden tests."""
    used = set()
    for cell in _solution(lesson).cells:
        if cell.cell_type == "code":
            visible = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", cell.source,
                             flags=re.S)
            used |= set(re.findall(r"\bchecks\.(\w+)", visible))
    return used


def _passed_as_arguments(lesson):
    """``{(module, name)}`` the lesson's checks send the kernel as functions to call an answer
    with (judged in-process on the solutions, as the grader judges)."""
    seen = set()
    resolve = plain._resolve

    def spy(module, name):
        seen.add((module, name))
        return resolve(module, name)

    ns = _solution_namespace(lesson)
    plain._resolve = spy
    try:
        for check in checks_of(lesson).values():
            judge.judge(check, check.function, 7, lambda request: compute.run(ns, request))
    finally:
        plain._resolve = resolve
    return seen


def _kernel_view(tree, code):
    """Run ``code`` in a Python that imports only from ``tree`` (as a graded kernel does)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True,
                         cwd=tree, env={**env, "PYTHONPATH": str(tree)}, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("lesson", LESSONS)
def test_a_lesson_kernel_tree_offers_what_its_cells_use_and_nothing_else(lesson, tmp_path):
    module = checks_module(lesson)
    rule = reach.policy(module)
    tree = reach.write_tree(module, tmp_path / "tree")
    refs = sorted(_passed_as_arguments(lesson))
    topic = module.__name__
    code = f"""
import importlib, json, sys
import autograder.inkernel.kernel
autograder.inkernel.kernel.tree_only()  # as a graded kernel starts
checks = importlib.import_module({topic!r})
import ann_lib
got = {{"missing": [n for n in {sorted(_checks_used(lesson))!r} if not hasattr(checks, n)],
       "refs": [m + "." + n for m, n in {refs!r}
                if not callable(getattr(importlib.import_module(m), n, None))],
       "files": sorted(m.__file__ for m in list(sys.modules.values())
                       if m.__name__.split(".")[0] in ("ann_lib", "autograder")
                       and getattr(m, "__file__", None)),
       "allowed": {{}}, "absent": [],
       "withheld": [w for w in {sorted(rule.withheld)!r} if "left out" not in
                    (getattr(importlib.import_module("ann_lib." + w.split(".")[0]),
                             w.split(".")[1]).__doc__ or "")]}}
for name in {sorted(reach._ann_lib_modules()[1])!r}:
    mod = importlib.import_module("ann_lib." + name)
    public = [k for k in vars(mod) if not k.startswith("_")]
    if name in {sorted(rule.ann_lib)!r}:
        got["allowed"][name] = len(public)
    elif public or hasattr(mod, "sigmoid"):
        got["absent"].append(name)
for other in ("autograder.checks.judge", "autograder.grading.execution",
              "autograder.grading.kernel_tree", "autograder.checks.variants",
              "autograder.lessons.neuron", "autograder.lessons.capstone", "autograder.sandbox"):
    if other != {topic!r}:
        try:
            importlib.import_module(other)
            got["absent"].append(other)
        except ImportError:
            pass
print(json.dumps(got))
"""
    got = _kernel_view(tree, code)
    assert got["missing"] == [], "the test cells use what the stand-in lacks"
    assert got["refs"] == [], "the checks pass functions the kernel cannot resolve"
    assert all(n > 0 for n in got["allowed"].values()) and set(got["allowed"]) == set(rule.ann_lib)
    assert got["absent"] == [], "left-out modules must be empty and the grader's unimportable"
    assert got["withheld"] == [], "a withheld answer must be a stand-in that only raises"
    assert all(f.startswith(str(tree)) for f in got["files"]), got["files"]


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_reference_of_a_lesson_is_in_its_kernel_reach_unless_declared(lesson):
    """A lesson's exercises' references are neither in the ann_lib modules it allows (unless
    withheld there) nor its helpers."""
    module = checks_module(lesson)
    rule = reach.policy(module)
    in_reach = set()
    for check in checks_of(lesson).values():
        ref = check.reference if isinstance(check, Exercise) else getattr(check, "model", None)
        if ref is not None:  # a Property's model answer too (lesson 10's pictured softmax)
            mod = getattr(ref, "__module__", None) or ""
            if mod.startswith("ann_lib.") and mod.split(".")[1] in rule.ann_lib and \
                    f"{mod.split('.')[1]}.{ref.__name__}" not in rule.withheld:
                in_reach.add(check.function)
            assert ref not in [getattr(module, h) for h in rule.helpers], check.name
        for mistake in check.all_mistakes():
            assert mistake.wrong not in [getattr(module, h) for h in rule.helpers], mistake.key
    assert in_reach == set()


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_test_cell_needs_what_only_a_skipped_teaching_cell_defines(lesson):
    sources, broken = reach.teaching_cells(_solution(lesson), checks_module(lesson))
    assert broken == []
    assert any("teaching." in s for s in sources)  # the figures and explorers are skipped


def test_a_submitted_cell_is_skipped_only_when_it_is_the_release_teaching_cell_itself():
    lesson = LESSONS[0]
    sources = reach.teaching_sources(REPO, checks_module(lesson).__name__)
    figure = sorted(s for s in sources if s.startswith("teaching."))[0]
    assert figure in sources
    assert figure + "\nx = 1" not in sources and "x = 1" not in sources


def test_a_lesson_that_declares_nothing_reaches_only_the_data_sets(tmp_path):
    import types

    bare = types.ModuleType("autograder.lessons.bare")
    bare.step = next(c for c in checks_of("01_neuron").values() if isinstance(c, Check))
    assert reach.policy(bare) == reach.DEFAULT == reach.Reach(ann_lib=("datasets",))
    source = reach.standin_source(bare)
    assert "import ann_lib" not in source and "step = _hidden('step')" in source


def test_a_helper_that_needs_what_the_kernel_may_not_reach_is_refused():
    import types

    from ann_lib import layers

    bad = types.ModuleType("autograder.lessons.bad")
    exec("def cost(X, W, b):\n    return layers.dense_forward(X, W, b)[0].sum()\n", vars(bad))
    bad.layers = layers
    bad.GRADED = reach.Reach(helpers=("cost",))
    with pytest.raises(reach.ReachError, match="ann_lib.layers"):
        reach.standin_source(bad)
