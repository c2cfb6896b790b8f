"""ann_lib.teaching.activations: the activation panel and the activation explorer."""

import numpy as np
from matplotlib.figure import Figure
from numpy.testing import assert_allclose

from ann_lib.teaching import activations

from .conftest import drawn, printed

Z = np.linspace(-5, 5, 401)


def my_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def my_sigmoid_grad(z):
    return my_sigmoid(z) * (1 - my_sigmoid(z))


def not_written_yet(*args):
    raise NotImplementedError


def test_activation_panel_has_eight_panels():
    fig = activations.activation_panel()
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 8


def test_activation_explorer_draws_the_learners_function_and_derivative(capsys):
    result, printed = drawn(capsys, activations.activation_explorer(sigmoid=my_sigmoid,
                                                                    sigmoid_grad=my_sigmoid_grad))
    f, df = result
    assert printed == ""
    assert_allclose(f, 1 / (1 + np.exp(-Z)))
    assert_allclose(df, np.exp(-Z) / (1 + np.exp(-Z)) ** 2)


def test_activation_explorer_with_the_derivative_not_written_draws_only_the_function(capsys):
    explorer = activations.activation_explorer(sigmoid=my_sigmoid, sigmoid_grad=not_written_yet)
    f, df = explorer.result
    assert_allclose(f, 1 / (1 + np.exp(-Z)))
    assert df is None


def test_activation_explorer_says_which_function_is_not_written_yet(capsys):
    explorer = activations.activation_explorer(sigmoid=not_written_yet)
    assert explorer.result is None
    assert "write `sigmoid` above first" in printed(capsys)
    explorer.children[0].value = "elu (parameter = alpha)"  # elu not given at all
    assert explorer.result is None
    assert "write `elu` above first" in printed(capsys)


def test_activation_explorer_passes_the_parameter_to_leaky_relu(capsys):
    explorer = activations.activation_explorer(leaky_relu=lambda z, slope: np.where(z > 0, z, slope * z))
    explorer.children[0].value = "leaky_relu (parameter = slope)"
    explorer.children[1].value = 0.5
    f, df = explorer.result
    assert_allclose(f, np.where(Z > 0, Z, 0.5 * Z))
    assert df is None  # leaky_relu_grad not given: not written yet


def test_activation_explorer_passes_the_parameter_to_the_derivatives(capsys):
    explorer = activations.activation_explorer(
        leaky_relu=lambda z, slope: np.where(z > 0, z, slope * z),
        leaky_relu_grad=lambda z, slope: np.where(z > 0, 1.0, slope),
        elu=lambda z, alpha: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))),
        elu_grad=lambda z, alpha: np.where(z >= 0, 1.0, alpha * np.exp(np.minimum(z, 0))))
    explorer.children[0].value = "leaky_relu (parameter = slope)"
    explorer.children[1].value = 0.5
    f, df = explorer.result
    assert_allclose(df, np.where(Z > 0, 1.0, 0.5))
    explorer.children[0].value = "elu (parameter = alpha)"
    explorer.children[1].value = 2.0
    f, df = explorer.result
    assert_allclose(f, np.where(Z > 0, Z, 2.0 * np.expm1(np.minimum(Z, 0))))
    assert_allclose(df, np.where(Z >= 0, 1.0, 2.0 * np.exp(np.minimum(Z, 0))))


def test_activation_explorer_draws_the_learners_tanh_without_a_derivative(capsys):
    explorer = activations.activation_explorer(tanh=lambda z: 2 / (1 + np.exp(-2 * z)) - 1)
    explorer.children[0].value = "tanh"
    f, df = explorer.result
    assert_allclose(f, np.tanh(Z), atol=1e-12)
    assert df is None  # the lesson asks for no derivative of tanh


def test_activation_explorer_draws_value_and_derivative_from_one_pair_returning_function(capsys):
    explorer = activations.activation_explorer(
        leaky_relu_and_grad=lambda z, slope: (np.where(z > 0, z, slope * z),
                                              np.where(z > 0, 1.0, slope)),
        elu_and_grad=lambda z, alpha: (np.where(z >= 0, z, alpha * np.expm1(np.minimum(z, 0))),
                                       np.where(z >= 0, 1.0, alpha * np.exp(np.minimum(z, 0)))))
    explorer.children[0].value = "leaky_relu (parameter = slope)"
    explorer.children[1].value = 0.5
    f, df = explorer.result
    assert_allclose(f, np.where(Z > 0, Z, 0.5 * Z))
    assert_allclose(df, np.where(Z > 0, 1.0, 0.5))
    explorer.children[0].value = "elu (parameter = alpha)"
    explorer.children[1].value = 2.0
    f, df = explorer.result
    assert_allclose(df, np.where(Z >= 0, 1.0, 2.0 * np.exp(np.minimum(Z, 0))))


def test_activation_explorer_says_when_a_pair_function_returns_one_array(capsys):
    explorer = activations.activation_explorer(leaky_relu_and_grad=lambda z, slope: z)
    explorer.children[0].value = "leaky_relu (parameter = slope)"
    assert explorer.result is None
    message = printed(capsys)
    assert "`leaky_relu_and_grad`" in message and "not the pair (value, gradient)" in message
