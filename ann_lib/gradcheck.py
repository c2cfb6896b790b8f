"""Numerical gradients, to check analytic gradients (gradient checking).

    df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)      centred difference

The centred difference has error O(eps**2); with eps = 1e-5 in float64 an
analytic gradient that is right typically agrees to a relative error below
1e-7, and one that is wrong differs by far more.
"""

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from ann_lib._validation import as_float_array


def numerical_gradient(f: Callable[[np.ndarray], ArrayLike], x: ArrayLike, eps: float = 1e-5) -> np.ndarray:
    """Gradient of a scalar function by centred differences, one coordinate at a time.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a scalar for an array `x` of the shape given.
    x : array_like, any shape
        The point; it is copied to float64 and the caller's array is never
        modified.
    eps : float, default 1e-5
        Step size.

    Returns
    -------
    grad : ndarray of float64, same shape as `x`
    """
    x = as_float_array(x, "x").astype(np.float64)  # a copy: the caller's x is not touched
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        f_plus = _scalar(f(x))
        x[i] = original - eps
        f_minus = _scalar(f(x))
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _scalar(value):
    value = np.asarray(value)
    if value.size != 1:
        raise ValueError(f"f must return a scalar, got an array of shape {value.shape}")
    return float(value.reshape(()))


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    """Largest element-wise relative error between two arrays.

        max_i |a_i - b_i| / max(1e-12, |a_i| + |b_i|)

    The floor 1e-12 keeps the ratio finite where both entries are 0.

    Parameters
    ----------
    a, b : array_like, same shape

    Returns
    -------
    float
        0.0 for empty arrays.
    """
    a, b = as_float_array(a, "a"), as_float_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} but b has shape {b.shape}: they must match")
    ratio = np.abs(a - b) / np.maximum(1e-12, np.abs(a) + np.abs(b))
    return float(np.max(ratio, initial=0.0))
