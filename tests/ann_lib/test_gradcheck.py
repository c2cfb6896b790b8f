"""ann_lib.gradcheck: numerical gradients and the relative error."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from ann_lib.gradcheck import numerical_gradient, relative_error


@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 2, 2)])
def test_numerical_gradient_of_known_functions(shape):
    x = np.linspace(-1.5, 2.0, int(np.prod(shape))).reshape(shape)
    assert_allclose(numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, rtol=1e-9, atol=1e-10)
    assert_allclose(numerical_gradient(lambda v: np.sin(v).sum(), x), np.cos(x), atol=1e-10)
    assert numerical_gradient(lambda v: v.sum(), x).shape == shape


def test_numerical_gradient_of_a_function_mixing_coordinates():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.0])
    # f(x) = x^T A x / 2 has gradient A x for symmetric A
    assert_allclose(numerical_gradient(lambda v: v @ A @ v / 2, x), A @ x, rtol=1e-9)


def test_numerical_gradient_leaves_x_unmodified_and_works_on_integers():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    before = x.copy()
    seen = []
    numerical_gradient(lambda v: seen.append(v is x) or np.sum(v), x)
    assert_array_equal(x, before)
    assert not any(seen)  # f is evaluated on a copy
    grad = numerical_gradient(lambda v: np.sum(v**2), np.array([1, 2]))
    assert grad.dtype == np.float64
    assert_allclose(grad, [2.0, 4.0], rtol=1e-9)


def test_numerical_gradient_computes_float32_input_in_float64():
    x = np.array([0.3, 0.7], dtype=np.float32)
    grad = numerical_gradient(lambda v: np.sum(v**2), x)
    assert grad.dtype == np.float64
    assert_allclose(grad, 2 * x.astype(np.float64), rtol=1e-9)


def test_numerical_gradient_requires_a_scalar_function():
    with pytest.raises(ValueError, match=r"f must return a scalar.*\(2,\)"):
        numerical_gradient(lambda v: v * 2, np.ones(2))


def test_relative_error_by_hand():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0], [3.0]) == 0.5  # |1 - 3| / (1 + 3)
    assert relative_error([1.0, 10.0], [1.0, 11.0]) == pytest.approx(1 / 21)
    assert relative_error([0.0], [0.0]) == 0.0
    assert relative_error([0.0], [1e-13]) == pytest.approx(1e-13 / 1e-12)  # the 1e-12 floor
    assert relative_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


def test_relative_error_takes_the_elementwise_maximum():
    # a global ratio, max|a-b| / max(|a|+|b|), would give 0.1 / 21 here
    assert relative_error([1.0, 10.0], [1.1, 10.0]) == pytest.approx(0.1 / 2.1)


def test_relative_error_shape_mismatch_names_shapes():
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        relative_error(np.ones(2), np.ones(3))
