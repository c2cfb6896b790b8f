"""checks/core.py: the check model, on a small exercise of its own (no lesson, no kernel).

Each failure a student can meet has its verdict kind and, where the catalogue explains it, the
mistake's key: what the grade rows and the report count (:mod:`autograder.outputs.diagnosis`).
"""

from __future__ import annotations

import types

import numpy as np
import pytest

from autograder.checks.core import (
    CheckFailed,
    Exercise,
    Mistake,
    Property,
    Verdict,
    blame_uses,
    case,
    checks_of_answer,
    expect,
)


def reference(x):
    return np.maximum(x, 0.0)


def relu_negated(x):
    return np.maximum(-x, 0.0)


def relu_raises_on_ints(x):
    raise TypeError("no ints")


def relu_in_place(x):
    x[x < 0] = 0.0
    return x


def relu_unstable(x):
    return np.log(np.exp(x) + 0.0) * (x > 0)


def cases(rng):
    return [case(np.array([-1.0, 0.0, 2.0])), case(rng.normal(size=(3, 2)))]


NEGATED = Mistake(relu_negated, "you negated the input.")
RAISES = Mistake(relu_raises_on_ints, "ints are numbers too.")
IN_PLACE = Mistake(relu_in_place, "leave the input unchanged.")
UNSTABLE = Mistake(relu_unstable, "exp overflows at 1000.")
RELU = Exercise("relu", reference, cases, mistakes=(NEGATED, RAISES), in_place=IN_PLACE,
                strict_cases=lambda rng: [case(np.array([1000.0]))], unstable=UNSTABLE)


def test_the_reference_itself_passes():
    assert RELU.verdict(reference) is None


def test_a_catalogued_mistake_is_named_by_its_key():
    v = RELU.verdict(relu_negated)
    assert isinstance(v, Verdict)
    assert (v.kind, v.mistake) == ("mistake", "relu_negated")
    assert v.startswith("`relu` is not right yet: you negated the input. For example, relu(")


def test_a_wrong_answer_no_mistake_explains_is_wrong_without_a_key():
    v = RELU.verdict(lambda x: np.maximum(x, 0.0) + 1e-3)
    assert (v.kind, v.mistake) == ("wrong", None)
    assert v.startswith("`relu` is not right yet. For example, relu(")


def test_an_error_the_catalogue_raises_the_same_way_names_that_mistake():
    v = RELU.verdict(relu_raises_on_ints)
    assert (v.kind, v.mistake) == ("mistake", "relu_raises_on_ints")
    assert "ints are numbers too." in v and "raised TypeError: no ints" in v


def test_any_other_error_is_raised_and_a_stub_is_not_implemented():
    def broken(x):
        raise KeyError("w")

    def stub(x):
        raise NotImplementedError

    assert RELU.verdict(broken).kind == "raised"
    assert RELU.verdict(stub) == "`relu` is not implemented yet."
    assert RELU.verdict(stub).kind == "not_implemented"


def test_something_that_is_not_a_function_is_said_so():
    v = RELU.verdict(3)
    assert v == "`relu` should be a function, but it is int."
    assert v.kind == "not_a_function"
    missing = RELU.not_a_function("relu", "missing")
    assert missing.kind == "not_a_function" and "is not defined" in missing


def test_an_answer_that_changes_its_argument_is_the_in_place_mistake():
    v = RELU.verdict(relu_in_place)
    assert (v.kind, v.mistake) == ("mistake", "relu_in_place")
    assert "leave the input unchanged." in v


def test_an_answer_that_overflows_on_the_strict_cases_is_unstable():
    v = RELU.verdict(relu_unstable)
    assert (v.kind, v.mistake) == ("unstable", "relu_unstable")
    assert "raised FloatingPointError" in v and "exp overflows at 1000." in v


def test_every_mistake_of_the_catalogue_is_listed_once():
    assert RELU.all_mistakes() == [NEGATED, RAISES, UNSTABLE, IN_PLACE]


def test_an_unknown_picture_is_refused_when_the_exercise_is_declared():
    with pytest.raises(ValueError, match="plot must be one of"):
        Exercise("relu", reference, cases, plot="scatter")


def test_a_mistakes_source_is_notebook_code_under_the_answers_name():
    src = NEGATED.source("my_relu")
    assert src.startswith("def my_relu(x):")
    namespace = {"np": np}
    exec(src, namespace)
    assert namespace["my_relu"](np.array([-2.0]))[0] == 2.0


def test_a_property_names_the_mistake_whose_message_its_judge_says():
    short = Mistake(relu_negated, "wrong sign.")
    longer = Mistake(relu_in_place, "wrong sign. and in place.")
    check = Property("gate", judge=lambda f: "Not yet: wrong sign. and in place.",
                     mistakes=(short, longer))
    v = check.verdict(reference)
    assert (v.kind, v.mistake) == ("mistake", "relu_in_place")
    assert Property("gate", judge=lambda f: None).verdict(reference) is None
    other = Property("gate", judge=lambda f: "No.").verdict(reference)
    assert (other.kind, other.mistake) == ("wrong", None)


def test_a_verdict_that_builds_on_failing_answers_leads_with_them_and_keeps_its_key():
    v = blame_uses(RELU, RELU.verdict(relu_negated), ["dense", "sigmoid"])
    assert v.startswith("This exercise builds on your `dense`, `sigmoid`, which are not right yet")
    assert (v.kind, v.mistake) == ("mistake", "relu_negated")
    same = RELU.verdict(relu_negated)
    assert blame_uses(RELU, same, []) is same


def test_the_checks_of_an_answer_are_those_that_grade_it():
    batch = Exercise("relu_batch", reference, cases, answer="relu")
    other = Exercise("step", reference, cases)
    module = types.SimpleNamespace(relu=RELU, relu_batch=batch, step=other, helper=reference)
    assert checks_of_answer(module, "relu") == [RELU, batch]
    assert batch.function == "relu" and other.function == "step"


def test_expect_raises_with_the_call_and_what_differs():
    expect(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12]), "f(x)")  # close enough: no error
    with pytest.raises(CheckFailed, match=r"^f\(x\): ") as info:
        expect(np.array([1.0, 3.0]), np.array([1.0, 2.0]), "f(x)")
    assert str(info.value).endswith(".")
