"""autograder.checks.variants: a mistake is one visible difference from one reference, its template
with exactly one hunk (a line, or a few consecutive lines) replaced (``variant``), in every lesson
whose catalogue varies a longer reference (07, 08, 10 and the capstone)."""

import difflib
import inspect

import numpy as np
import pytest

from ann_lib import optim
from autograder.checks import variants
from autograder.checks.core import Check, Mistake
from autograder.lessons import gradient_descent as gd


def _template(x, y):
    total = x + y
    return total * 2


def test_bind_runs_the_template_with_the_names_given():
    def _calls(x):
        return double(x) + 1  # noqa: F821 - bound by variants.bind

    assert variants.bind(_calls, {"double": lambda v: 2 * v})(3) == 7


def test_a_variant_differs_by_one_line_and_has_source_a_notebook_can_run():
    wrong = variants.variant(_template, {}, "adds_nothing", "total = x + y", "total = x")
    assert wrong(2, 5) == 4
    source = Mistake(wrong, "y is never added").source("double_sum")
    assert source.splitlines() == ["def double_sum(x, y):", "    total = x", "    return total * 2"]
    scope = {}
    exec(source, scope)  # noqa: S102 - the mistake's own text
    assert scope["double_sum"](2, 5) == 4


def test_convert_changes_results_but_not_the_source():
    wrong = variants.variant(_template, {}, "as_list", "return total * 2", "return [total]",
                             convert=tuple)
    assert wrong(1, 2) == (3,)
    assert "return [total]" in inspect.getsource(wrong)


@pytest.mark.parametrize("old", ["total = x - y", "return"])
def test_a_line_that_is_not_exactly_one_line_of_the_template_is_refused(old):
    with pytest.raises(ValueError, match="not exactly one"):
        variants.variant(_template, {}, "bad", old, "pass")


def _nested(x):
    total = x
    for k in range(3):
        total = total + k
    return total


def test_a_hunk_of_several_lines_is_replaced_keeping_its_relative_indentation():
    wrong = variants.variant(_nested, {}, "adds_once", """
    for k in range(3):
        total = total + k""", """
    if x > 0:
        total = total + 2""")
    assert wrong(1) == 3 and wrong(-1) == -1
    assert inspect.getsource(wrong).splitlines()[2:4] == ["    if x > 0:",
                                                          "        total = total + 2"]
    assert wrong.variant_of[0] is _nested


TRAINING = (gd.train_linear, gd.train_linear_momentum)
LOOPS = {"train_linear": gd.linear_loop, "train_linear_momentum": gd.momentum_loop}


def _reference(c):
    if len(c.args) == 6:
        return optim.linear_regression_descent(*c.args)
    X, y, learning_rate, beta, epochs, batch_size, rng = c.args
    return optim.linear_regression_descent(X, y, learning_rate, epochs, batch_size, rng,
                                           momentum=beta)


@pytest.mark.parametrize("check", TRAINING, ids=lambda c: c.name)
def test_lesson_07s_loop_templates_bound_to_the_references_are_ann_libs(check):
    for c in check.cases(np.random.default_rng(7)):
        expected, got = _reference(c.copy()), LOOPS[check.name](*c.copy().args)
        assert all(np.allclose(e, g) for e, g in zip(expected, got)), c.describe(check.name)


#: The most lines of a reference one mistake may touch (a line moved past a short inner loop).
HUNK = 6


def _loop_checks():
    from autograder.lessons import capstone, deep_networks, multiclass

    return [gd.train_linear, gd.train_linear_momentum, deep_networks.train, multiclass.train,
            *(c for c in vars(capstone).values() if isinstance(c, Check)
              and any(hasattr(m.wrong, "variant_of") for m in c.all_mistakes()))]


@pytest.mark.parametrize("check", _loop_checks(), ids=lambda c: c.name)
def test_every_loop_mistake_is_one_hunk_of_its_template_and_is_diagnosed(check):
    mistakes = [m for m in check.all_mistakes() if hasattr(m.wrong, "variant_of")]
    assert mistakes, check.name
    for mistake in mistakes:
        template = mistake.wrong.variant_of[0]
        reference = variants.template_source(template).splitlines()[1:]
        mine = mistake.source(check.function).splitlines()[1:]
        changed = [op for op in difflib.SequenceMatcher(a=reference, b=mine).get_opcodes()
                   if op[0] != "equal"]
        # one hunk: every difference inside one region of at most HUNK lines of the reference
        assert changed and changed[-1][2] - changed[0][1] <= HUNK, (mistake.key, changed)
        assert mistake.message in str(check.verdict(mistake.wrong)), mistake.key


def test_a_loop_mistake_runs_as_notebook_code_calling_the_notebooks_own_pieces():
    mistake = gd.train_linear.mistakes[0]
    ns = {"np": np, "minibatch_indices": gd._model_minibatches,
          "gd_step": optim.gradient_descent_step}
    exec(mistake.source("train_linear"), ns)  # noqa: S102 - the catalogue's own code
    assert mistake.message in gd.train_linear.verdict(ns["train_linear"])


def test_lesson_08s_and_10s_loops_pass_their_own_checks():
    from autograder.lessons import deep_networks, multiclass

    assert deep_networks.train.verdict(deep_networks.train_loop) is None
    assert multiclass.train.verdict(multiclass._reference_train) is None
