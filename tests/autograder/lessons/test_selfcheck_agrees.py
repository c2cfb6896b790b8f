"""The notebook's self-check and ``ann-course check`` agree, row by row, on every wrong answer.

Every catalogued mistake of every lesson and every property mistake written from the prompts
(:mod:`tests.autograder.property_mistakes`) goes into a bundle: bundle k holds the k-th wrong
answer of every answer that has one, the other answers right. Each bundle is one notebook,
checked once by ``ann-course check`` (:func:`autograder.grading.check_notebook.check`, a real
kernel judged by the grader) and once by its own last cell, ``checks.self_check(globals())``, in
one real kernel per lesson that redefines the bundle's answers before running that cell. Both
must name the same rows and give each the same verdict (PASS or FAIL).

Two ways they used to part, each proved here in-process too: the grader's kernel runs a test
cell's visible asserts (which may use the learner's other answers: lesson 11's gradient check of
*your* ``l2_penalty``) and the self-check judged the hidden calls only; and the grader draws its
random cases with a fresh seed per run, the self-check with the check's own, so a verdict that
depends on the draw (lesson 13's ``predict`` on a forward without its ReLU, caught by about 9 in
10 draws) may differ. The self-check now runs the visible asserts as the grader does
(:func:`autograder.checks.testcells.visible_verdict`), and a check's fixed cases catch what a
draw might miss.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from autograder import notebooks
from autograder.checks.judge import judge_here
from autograder.checks.testcells import local_verdicts, row_label
from autograder.grading.check_notebook import check
from autograder.lessons import checks_module, hidden_tests, sources_of_tests, visible_code
from autograder.release.sample_class import solution_answers, submission
from autograder.settings import REPO
from tests.autograder.lessons.test_property_mistakes import solution_namespace
from tests.autograder.lessons.test_visible_tests import Kernel, catalogue
from tests.autograder.property_mistakes import MISTAKES, source
from tests.conftest import LESSONS

#: Every lesson: its catalogued mistakes, and its property mistakes where it has some.
COURSE = list(LESSONS)

#: A row of the self-check's table: ``label  PASS`` or ``label  FAIL`` (labels may hold spaces).
ROW = re.compile(r"^(\S.*?)\s{2,}(PASS|FAIL)$", re.M)


def bundles(lesson):
    """``[{answer: source}, ...]``: the k-th wrong answer (catalogued, then property) of each."""
    wrongs = {answer: [w.code for w in found] for answer, found in catalogue(lesson).items()}
    for answer, _, wrong in MISTAKES.get(lesson, []):
        code = source(wrong, answer)
        if code not in wrongs.setdefault(answer, []):
            wrongs[answer].append(code)
    depth = max(len(v) for v in wrongs.values())
    return [{a: v[k] for a, v in wrongs.items() if k < len(v)} for k in range(depth)]


def self_check_rows(lesson, name, all_bundles):
    """The self-check's ``{label: verdict}`` for each bundle, run in one real kernel."""
    nb = submission(lesson, name)
    answers = solution_answers(lesson, name)
    cell = next(c.source for c in nb.cells if "self_check(globals())" in c.source)
    kernel = Kernel()
    out = []
    try:
        for c in nb.cells:
            if notebooks.nbgrader_meta(c).get("grade_id") == "imports" or notebooks.is_answer(c):
                assert not kernel.run(c.source)
        for bundle in all_bundles:
            for answer, code in bundle.items():
                assert not kernel.run(code), f"{lesson}: defining a wrong {answer}"
            text = kernel.output(cell)
            out.append(dict(ROW.findall(text)))
            for answer in bundle:
                assert not kernel.run(answers[answer])
    finally:
        kernel.close()
    return out


@pytest.mark.parametrize("lesson", COURSE)
def test_self_check_and_ann_course_check_give_the_same_verdicts_and_row_names(lesson, tmp_path):
    name = next((REPO / "course" / lesson).glob("*.ipynb")).name
    all_bundles = bundles(lesson)
    mine = self_check_rows(lesson, name, all_bundles)
    for k, (bundle, local) in enumerate(zip(all_bundles, mine)):
        path = tmp_path / f"{k:02d}" / lesson / name
        notebooks.write(submission(lesson, name, bundle), path)
        report = check(path)
        graded = {row_label(r.grade_id, r.exercise): "PASS" if r.passed else "FAIL"
                  for r in report.results}
        assert list(local) == list(graded), (k, list(local), list(graded))
        differ = {label: (local[label], graded[label]) for label in graded
                  if local[label] != graded[label]}
        assert not differ, (f"{lesson} bundle {k} ({sorted(bundle)}): self-check vs check "
                            f"{differ}\n" + "\n".join(report.lines()))
        assert "FAIL" in graded.values()


def _l2_penalty_twice_too_large(params, lam, n_samples):
    return lam / n_samples * sum(np.sum(W ** 2) for W, b in params)


def test_a_visible_assert_that_fails_fails_the_row_in_the_self_check_as_in_the_grader():
    module = checks_module("11_regularization")
    ns = solution_namespace("11_regularization")
    exec(source(_l2_penalty_twice_too_large, "l2_penalty"), ns)  # noqa: S102 - this test's answer
    tests = hidden_tests(REPO, module.__name__)
    visible = {gid: visible_code(src) for gid, src in sources_of_tests(REPO, module.__name__).items()}
    hidden_only = dict(local_verdicts(module, ns, tests))
    whole = dict(local_verdicts(module, ns, tests, visible=visible))
    assert not hidden_only["l2_penalty_grad"]  # its hidden check: a right l2_penalty_grad
    assert whole["l2_penalty_grad"], "the visible gradient check of your l2_penalty must fail it"
    assert "numerical gradient of your l2_penalty" in str(whole["l2_penalty_grad"][0])
    assert not whole["dropout_forward"] and not whole["dropout_backward"]
    assert "params" not in ns, "the visible asserts ran on a copy of the learner's namespace"


@pytest.mark.parametrize("key", ["forward_linear_hidden", "forward_sigmoid_hidden"])
def test_predict_on_a_forward_without_its_relu_fails_whatever_the_draw(key):
    module = checks_module("13_capstone")
    wrong = next(m for m in module.forward.all_mistakes() if m.key == key)
    ns = solution_namespace("13_capstone")
    exec(wrong.source("forward"), ns)  # noqa: S102 - the catalogue's own mistake
    kept = [seed for seed in [None, *range(40)]
            if not judge_here(module.predict, "predict", ns, seed)[0]]
    assert not kept, f"predict kept its points with the draws of seeds {kept}"
