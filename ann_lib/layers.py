"""Forward and backward pass of the two kinds of layer an MLP is made of.

A dense (fully connected) layer followed by an activation:

    Z = X @ W + b          dense_forward       X (n_samples, n_in), W (n_in, n_out), b (n_out,)
    A = f(Z)               activation_forward  A, Z (n_samples, n_out)

Each forward function returns its output and a ``cache`` holding what the
backward pass needs. Given the gradient of the cost with respect to the
output, the backward function returns the gradients with respect to the
inputs (chain rule):

    dZ = dA * f'(Z)                            activation_backward
    dX = dZ @ W.T,  dW = X.T @ dZ,  db = sum of dZ over samples
                                               dense_backward
"""

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib._validation import as_float_array, lookup
from ann_lib.activations import ACTIVATIONS


def dense_forward(
    X: ArrayLike, W: ArrayLike, b: ArrayLike,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Forward pass of a dense layer, ``Z = X @ W + b``.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_in)
    W : array_like, shape (n_in, n_out)
    b : array_like, shape (n_out,)

    Returns
    -------
    Z : ndarray, shape (n_samples, n_out)
    cache : tuple (X, W)
        For :func:`dense_backward`.

    Raises
    ------
    ValueError
        If the shapes do not fit together; the message names them.
    """
    X, W, b = as_float_array(X, "X"), as_float_array(W, "W"), as_float_array(b, "b")
    if X.ndim != 2 or W.ndim != 2:
        raise ValueError(
            f"X must be 2-D (n_samples, n_in) and W 2-D (n_in, n_out), "
            f"got X of shape {X.shape} and W of shape {W.shape}"
        )
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"X has shape {X.shape} but W has shape {W.shape}: "
            f"X's {X.shape[1]} features must match W's {W.shape[0]} rows"
        )
    if b.shape != (W.shape[1],):
        raise ValueError(
            f"b has shape {b.shape} but W has shape {W.shape}: "
            f"b needs one entry per column of W, shape ({W.shape[1]},)"
        )
    return dense_forward_kernel(X, W, b)


def dense_forward_kernel(
    X: np.ndarray, W: np.ndarray, b: np.ndarray,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """:func:`dense_forward` for inputs already checked (as in :meth:`ann_lib.network.MLP.fit`)."""
    return X @ W + b, (X, W)


def dense_backward(
    dZ: ArrayLike, cache: tuple[np.ndarray, np.ndarray], compute_dX: bool = True,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Backward pass of a dense layer.

    Parameters
    ----------
    dZ : array_like, shape (n_samples, n_out)
        Gradient of the cost with respect to the layer output ``Z``.
    cache : tuple (X, W)
        From :func:`dense_forward`.
    compute_dX : bool, default True
        False skips ``dX`` and returns None in its place. Backpropagation
        needs ``dX`` for every layer but the first, whose input is the data.

    Returns
    -------
    dX : ndarray, shape (n_samples, n_in), or None
        ``dZ @ W.T``
    dW : ndarray, shape (n_in, n_out)
        ``X.T @ dZ``
    db : ndarray, shape (n_out,)
        ``dZ.sum(axis=0)``
    """
    X, W = cache
    dZ = as_float_array(dZ, "dZ")
    if dZ.shape != (X.shape[0], W.shape[1]):
        raise ValueError(
            f"dZ has shape {dZ.shape} but Z = X @ W + b has shape {(X.shape[0], W.shape[1])} "
            f"(X {X.shape}, W {W.shape}): dZ must have the shape of Z"
        )
    return dense_backward_kernel(dZ, cache, compute_dX)


def dense_backward_kernel(
    dZ: np.ndarray, cache: tuple[np.ndarray, np.ndarray], compute_dX: bool = True,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """:func:`dense_backward` for a `dZ` already known to have the shape of ``Z``."""
    X, W = cache
    dX = dZ @ W.T if compute_dX else None
    return dX, X.T @ dZ, dZ.sum(axis=0)


def activation_forward(Z: ArrayLike, name: str) -> tuple[np.ndarray, tuple[np.ndarray, str]]:
    """Forward pass of an activation layer, ``A = f(Z)``.

    Parameters
    ----------
    Z : array_like, any shape
    name : str
        A key of :data:`ann_lib.activations.ACTIVATIONS` (``"relu"``, ``"sigmoid"``, ...).

    Returns
    -------
    A : ndarray, same shape as `Z`
    cache : tuple (Z, name)
        For :func:`activation_backward`.
    """
    f, _ = lookup(ACTIVATIONS, name, "activation")
    return activation_forward_kernel(as_float_array(Z, "Z"), name, f)


def activation_forward_kernel(
    Z: np.ndarray, name: str, f: Callable[[np.ndarray], Any],
) -> tuple[np.ndarray, tuple[np.ndarray, str]]:
    """:func:`activation_forward` with the function `f` of `name` resolved by the caller.

    `f` may be the private kernel of the activation (see :mod:`ann_lib.activations`) for a
    float array `Z`, as in :meth:`ann_lib.network.MLP.fit`.
    """
    return f(Z), (Z, name)


def activation_backward(dA: ArrayLike, cache: tuple[np.ndarray, str]) -> np.ndarray:
    """Backward pass of an activation layer, ``dZ = dA * f'(Z)``.

    Parameters
    ----------
    dA : array_like, same shape as ``Z``
        Gradient of the cost with respect to the activation output ``A``.
    cache : tuple (Z, name)
        From :func:`activation_forward`.

    Returns
    -------
    dZ : ndarray, same shape as ``Z``
    """
    Z, name = cache
    _, f_grad = lookup(ACTIVATIONS, name, "activation")
    dA = as_float_array(dA, "dA")
    if dA.shape != Z.shape:
        raise ValueError(f"dA has shape {dA.shape} but Z has shape {Z.shape}: they must match")
    return activation_backward_kernel(dA, Z, f_grad)


def activation_backward_kernel(
    dA: np.ndarray, Z: np.ndarray, f_grad: Callable[[np.ndarray], Any],
) -> np.ndarray:
    """:func:`activation_backward` for a float `dA` of Z's shape and the derivative `f_grad`.

    `f_grad` may be a private kernel that returns a boolean mask (``relu``'s), which
    multiplies as 0/1.
    """
    return dA * f_grad(Z)
