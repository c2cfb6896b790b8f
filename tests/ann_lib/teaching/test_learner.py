"""ann_lib.teaching.learner: the learner's function is drawn, or the explorer says why not."""

import pytest
from numpy.testing import assert_array_equal

from ann_lib.teaching import learner

from .conftest import printed


def not_written_yet(*args):
    raise NotImplementedError("replace this line with your code")


def test_call_returns_the_converted_result_of_the_learners_function():
    out = learner.call(lambda a, b: [a, b], "pair", 1, b=2, convert=learner.floats)
    assert out.dtype == float
    assert_array_equal(out, [1.0, 2.0])


@pytest.mark.parametrize("fn", [None, not_written_yet], ids=["missing", "raises NotImplementedError"])
def test_call_on_a_function_not_written_yet_asks_for_it_by_name(fn):
    with pytest.raises(learner.NotReady) as caught:
        learner.call(fn, "neuron_output", 1.0)
    assert str(caught.value) == ("write `neuron_output` above first, then run this cell again; "
                                 "this explorer draws your function.")


def test_call_on_a_failing_function_names_the_function_and_the_error():
    with pytest.raises(learner.NotReady, match=r"your `relu` raised ZeroDivisionError: division by zero"):
        learner.call(lambda z: 1 / 0, "relu", 1.0)


def test_call_on_a_result_of_the_wrong_kind_says_so():
    with pytest.raises(learner.NotReady, match=r"your `mse` returned str, which this explorer cannot"):
        learner.call(lambda a, b: "0.5?", "mse", 1.0, 2.0, convert=float)


def test_says_why_prints_the_reason_and_returns_none(capsys):
    @learner.says_why
    def show(x=1.0):
        return learner.call(not_written_yet, "sigmoid", x)

    assert show(x=2.0) is None
    assert "write `sigmoid` above first" in printed(capsys)


def test_says_why_keeps_the_signature_the_sliders_are_built_from():
    import inspect

    @learner.says_why
    def show(w=1.0, b=0.0):
        return w + b

    assert list(inspect.signature(show).parameters) == ["w", "b"]
    assert show(w=2.0, b=0.5) == 2.5
