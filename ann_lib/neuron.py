"""A single artificial neuron: a weighted sum followed by an activation.

    z = w_1 x_1 + w_2 x_2 + ... + w_n x_n + b        (weighted_sum)
    a = f(z)                                          (neuron_output)

The weights ``w`` say how much each input ``x_i`` counts, the bias ``b``
shifts the threshold, and the activation ``f`` shapes the output.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib._validation import as_float_array, lookup
from ann_lib.activations import ACTIVATIONS


def weighted_sum(x: ArrayLike, w: ArrayLike, b: ArrayLike) -> np.ndarray | np.floating:
    """Weighted sum of the inputs plus the bias, ``z = sum_i w_i x_i + b``.

    Parameters
    ----------
    x : array_like, shape (n_features,) or (n_samples, n_features)
        One sample, or one sample per row.
    w : array_like, shape (n_features,)
        One weight per feature.
    b : float
        The bias.

    Returns
    -------
    z : float or ndarray, shape (n_samples,)
        A NumPy float for one sample, one value per row for a 2-D `x`
        (``z = x @ w + b``).

    Raises
    ------
    ValueError
        If the shapes do not fit together or `b` is not a scalar.
    """
    x = as_float_array(x, "x")
    w = as_float_array(w, "w")
    b = as_float_array(b, "b")
    name = "X" if x.ndim == 2 else "x"
    if w.ndim != 1:
        raise ValueError(f"w must be 1-D (n_features,), got shape {w.shape}")
    if b.ndim != 0:
        raise ValueError(f"b must be a scalar, got shape {b.shape}")
    if x.ndim not in (1, 2):
        raise ValueError(
            f"x must be 1-D (n_features,) or 2-D (n_samples, n_features), got shape {x.shape}"
        )
    if x.shape[-1] != w.shape[0]:
        raise ValueError(
            f"{name} has shape {x.shape} but w has shape {w.shape}: "
            f"{name}'s {x.shape[-1]} features must match w's {w.shape[0]} weights"
        )
    return (x @ w + b)[()]


def neuron_output(
    x: ArrayLike, w: ArrayLike, b: ArrayLike, activation: str | Callable[..., Any],
) -> ArrayLike:
    """Output of one neuron, ``a = activation(weighted_sum(x, w, b))``.

    Parameters
    ----------
    x : array_like, shape (n_features,) or (n_samples, n_features)
    w : array_like, shape (n_features,)
    b : float
    activation : callable or str
        A function ``f(z)``, or the name of an activation in
        :mod:`ann_lib.activations` (``"sigmoid"``, ``"relu"``, ``"step"``, ...).

    Returns
    -------
    a : float or ndarray, shape (n_samples,)
    """
    if not callable(activation):
        activation, _ = lookup(ACTIVATIONS, activation, "activation")
    return activation(weighted_sum(x, w, b))
