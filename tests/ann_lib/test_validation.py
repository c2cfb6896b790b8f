"""Every argument whose message promises a finite number (or a number in a range) refuses inf and
nan, whatever the module; the shared checks of :mod:`ann_lib._validation` say what a number is."""

import numpy as np
import pytest

from ann_lib import deep, network, optim
from ann_lib._validation import is_finite_number, is_integer


@pytest.mark.parametrize("value", [0, 1, -2.5, np.float32(0.5), np.int64(3), 1e300])
def test_finite_numbers_are_numbers(value):
    assert is_finite_number(value)


@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan, np.float32("inf"), True, np.bool_(False),
                                   "1", None, [1.0], np.array(1.0), 1 + 0j])
def test_inf_nan_bools_and_containers_are_not_finite_numbers(value):
    assert not is_finite_number(value)


def test_integers_are_not_bools_or_floats():
    assert is_integer(3) and is_integer(np.int8(3))
    assert not any(is_integer(v) for v in (True, np.bool_(True), 3.0, "3", None))


P = [np.ones((2, 2))]
G = [np.full((2, 2), 0.5)]
X = np.arange(8.0).reshape(4, 2)
y = np.array([0.0, 1.0, 1.0, 0.0])

#: (what is called, the argument) for every argument checked as a number by ann_lib
CALLS = {
    "rmsprop_step learning_rate": lambda v: optim.rmsprop_step(P, G, None, v),
    "rmsprop_step beta": lambda v: optim.rmsprop_step(P, G, None, 0.1, beta=v),
    "rmsprop_step eps": lambda v: optim.rmsprop_step(P, G, None, 0.1, eps=v),
    "adam_step learning_rate": lambda v: optim.adam_step(P, G, None, None, 1, learning_rate=v),
    "adam_step beta1": lambda v: optim.adam_step(P, G, None, None, 1, beta1=v),
    "adam_step beta2": lambda v: optim.adam_step(P, G, None, None, 1, beta2=v),
    "adam_step eps": lambda v: optim.adam_step(P, G, None, None, 1, eps=v),
    "step_decay base_rate": lambda v: optim.step_decay(3, v),
    "step_decay drop": lambda v: optim.step_decay(3, 0.1, drop=v),
    "cosine_decay base_rate": lambda v: optim.cosine_decay(3, v, 10),
    "cosine_decay min_rate": lambda v: optim.cosine_decay(3, 0.1, 10, min_rate=v),
    "linear_regression_descent learning_rate":
        lambda v: optim.linear_regression_descent(X, y, v, 2, None, 0),
    "linear_regression_descent momentum":
        lambda v: optim.linear_regression_descent(X, y, 0.1, 2, None, 0, momentum=v),
    "deep.train learning_rate": lambda v: deep.train(X, y[:, None], deep.init_params([2, 1], "he", 0),
                                                   ["sigmoid"], v, 1),
    "MLP.fit learning_rate": lambda v: network.MLP([2, 1]).fit(X, y, epochs=1, learning_rate=v),
    "MLP.fit momentum": lambda v: network.MLP([2, 1]).fit(X, y, epochs=1, momentum=v),
}


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan], ids=["inf", "-inf", "nan"])
@pytest.mark.parametrize("call", CALLS, ids=list(CALLS))
def test_inf_and_nan_are_refused_with_the_arguments_name(call, bad):
    name = call.split()[-1]
    with pytest.raises(ValueError, match=name):
        CALLS[call](bad)


@pytest.mark.parametrize("call", CALLS, ids=list(CALLS))
def test_a_finite_value_in_range_is_accepted(call):
    CALLS[call](0.05 if "rate" in call else 0.5)
