"""Networks of any depth: forward and backward passes as loops over the layers, initialisation.

A network is a list ``params = [(W_1, b_1), ..., (W_L, b_L)]`` (``W_l`` of shape
``(n_{l-1}, n_l)``, ``b_l`` of shape ``(n_l,)``) and one activation name per layer
(``activations[l]``, a key of :data:`ann_lib.activations.ACTIVATIONS`). From ``A_0 = X``:

    Z_l = A_{l-1} @ W_l + b_l,     A_l = f_l(Z_l)                  for l = 1, ..., L

:func:`forward` keeps, for each layer, the caches of :mod:`ann_lib.layers`:
``((A_{l-1}, W_l), (Z_l, name_l))``. :func:`backward` walks the layers in reverse from
``dA_L = dJ/dA_L``:

    dZ_l = dA_l * f_l'(Z_l),   dW_l = A_{l-1}.T @ dZ_l,   db_l = sum of dZ_l over samples,
    dA_{l-1} = dZ_l @ W_l.T

These are the loops of :class:`ann_lib.network.MLP` with one activation per layer, written
out as plain functions (lesson 08 of the course).
"""

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib._validation import (
    as_2d,
    as_float_array,
    check_same_shape,
    is_finite_number,
    is_integer,
    lookup,
)
from ann_lib.activations import ACTIVATIONS
from ann_lib.layers import activation_backward, activation_forward, dense_backward, dense_forward
from ann_lib.losses import binary_cross_entropy, binary_cross_entropy_grad

#: The initialisation schemes of :func:`init_params`: scheme -> variance of the weights.
SCHEMES = {
    "he": lambda n_in, n_out: 2.0 / n_in,
    "glorot": lambda n_in, n_out: 2.0 / (n_in + n_out),
}


def _check_network(params, activations):
    """``params`` as a list of float (W, b) pairs that chain, and one known name per layer."""
    try:
        pairs = [(as_float_array(W, "W"), as_float_array(b, "b")) for W, b in params]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"params must be a list of (W, b) pairs, one per layer ({exc})") from None
    if not pairs:
        raise ValueError("params is empty: a network needs at least one (W, b) layer")
    for k, (W, b) in enumerate(pairs, start=1):
        if W.ndim != 2 or b.shape != (W.shape[-1],):
            raise ValueError(f"layer {k}: W must be 2-D (n_in, n_out) and b of shape (n_out,), "
                             f"got W {W.shape} and b {b.shape}")
        if k > 1 and W.shape[0] != pairs[k - 2][0].shape[1]:
            raise ValueError(f"layer {k}: W has shape {W.shape} but layer {k - 1} has "
                             f"{pairs[k - 2][0].shape[1]} outputs: the layers do not chain")
    if isinstance(activations, str) or len(activations) != len(pairs):
        raise ValueError(f"activations must list one name per layer ({len(pairs)}), "
                         f"got {activations!r}")
    for name in activations:
        lookup(ACTIVATIONS, name, "activation")
    return pairs


def forward(
    X: ArrayLike, params: Sequence[tuple[ArrayLike, ArrayLike]], activations: Sequence[str],
) -> tuple[np.ndarray, list[Any]]:
    """Forward pass of a network of any depth, keeping every layer's caches.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_0)
    params : list of (W, b)
        ``W_l`` of shape ``(n_{l-1}, n_l)``, ``b_l`` of shape ``(n_l,)``.
    activations : list of str
        One name of :data:`ann_lib.activations.ACTIVATIONS` per layer.

    Returns
    -------
    A : ndarray, shape (n_samples, n_L)
        ``A_L = f_L(Z_L)``, the network's output.
    caches : list of ((A_prev, W), (Z, name))
        One entry per layer: the caches of :func:`ann_lib.layers.dense_forward` (the layer's
        input and weights) and :func:`ann_lib.layers.activation_forward` (its weighted sums
        and activation name), for :func:`backward`.

    Raises
    ------
    ValueError
        If the layers do not chain, `activations` does not name one known activation per
        layer, or `X` does not fit the first layer.
    """
    pairs = _check_network(params, activations)
    A = as_2d(X, "X")
    caches = []
    for (W, b), name in zip(pairs, activations):
        Z, dense_cache = dense_forward(A, W, b)
        A, activation_cache = activation_forward(Z, name)
        caches.append((dense_cache, activation_cache))
    return A, caches


def backward(dA: ArrayLike, caches: Sequence[Any]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Backpropagation through every layer, from the gradient of the cost at the output.

    Parameters
    ----------
    dA : array_like, shape (n_samples, n_L)
        ``dJ/dA_L``, the gradient of the cost with respect to the network's output (for a
        mean cost it already holds the factor ``1 / n``).
    caches : list of ((A_prev, W), (Z, name))
        From :func:`forward`.

    Returns
    -------
    grads : list of (dW, db)
        Same layout and shapes as ``params``: ``grads[l]`` belongs to layer ``l + 1``.

    Raises
    ------
    ValueError
        If `caches` is empty or `dA` does not have the output's shape.
    """
    if not caches:
        raise ValueError("caches is empty: pass the caches forward returned")
    dA = as_float_array(dA, "dA")
    check_same_shape(dA, caches[-1][1][0], "dA", "the network's output A_L")
    grads = []
    for i in reversed(range(len(caches))):
        dense_cache, activation_cache = caches[i]
        dZ = activation_backward(dA, activation_cache)
        dA, dW, db = dense_backward(dZ, dense_cache, compute_dX=i > 0)  # type: ignore[assignment]
        grads.append((dW, db))
    return grads[::-1]


def init_params(
    layer_sizes: Sequence[int], scheme: str, rng: np.random.Generator,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Random weights scaled for the layer's fan-in (He) or fan-in and fan-out (Glorot).

    ``W_l`` is drawn from a normal distribution with mean 0 and variance

    * ``"he"``: ``2 / n_in`` (He et al., 2015; for ReLU layers, which zero half their inputs);
    * ``"glorot"``: ``2 / (n_in + n_out)`` (Glorot & Bengio, 2010; for tanh and sigmoid);

    so that the spread of the weighted sums neither shrinks nor grows from layer to layer.
    Biases start at 0.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_0, n_1, ..., n_L]``, at least two positive entries.
    scheme : {"he", "glorot"}
    rng : numpy.random.Generator or int
        The only source of randomness (an int is used as a seed).

    Returns
    -------
    params : list of (W, b)
        ``W`` of shape ``(n_in, n_out)``, ``b`` of zeros of shape ``(n_out,)``.
    """
    sizes = list(layer_sizes)
    if len(sizes) < 2 or any(isinstance(n, bool) or int(n) != n or n < 1 for n in sizes):
        raise ValueError(f"layer_sizes must list at least two positive integers "
                         f"[n_0, ..., n_L], got {layer_sizes!r}")
    variance = lookup(SCHEMES, scheme, "initialisation scheme")
    rng = np.random.default_rng(rng)
    return [(rng.normal(0.0, np.sqrt(variance(int(n_in), int(n_out))), size=(int(n_in), int(n_out))),
             np.zeros(int(n_out)))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def train(X: ArrayLike, Y: ArrayLike, params: list[tuple[np.ndarray, np.ndarray]], activations: Sequence[str],
          learning_rate: float, epochs: int) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[float]]:
    """Full-batch gradient descent on the mean binary cross-entropy of the network's output.

    Each epoch: ``A, caches = forward(X, params, activations)``; the cost
    ``J = binary_cross_entropy(Y, A)`` is recorded; ``dA = binary_cross_entropy_grad(Y, A)``;
    ``grads = backward(dA, caches)``; every parameter moves by ``-learning_rate * gradient``.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_0)
    Y : array_like, shape (n_samples, n_L)
        Targets in [0, 1], the shape of the output (a column ``(n, 1)`` for one output unit).
    params : list of (W, b)
        The starting point; it is not modified.
    activations : list of str
        One per layer; the last should give outputs in (0, 1) (``"sigmoid"``).
    learning_rate : float
        Positive.
    epochs : int
        Number of steps, at least 0.

    Returns
    -------
    params : list of (W, b)
        The parameters after `epochs` steps (new arrays).
    history : list of float
        The cost before each step, one entry per epoch.
    """
    pairs = _check_network(params, activations)
    if not is_integer(epochs) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    if not (is_finite_number(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    Y = as_float_array(Y, "Y")
    params = [(W.copy(), b.copy()) for W, b in pairs]
    history = []
    for _ in range(epochs):
        A, caches = forward(X, params, activations)
        history.append(float(binary_cross_entropy(Y, A)))
        grads = backward(binary_cross_entropy_grad(Y, A), caches)
        params = [(W - learning_rate * dW, b - learning_rate * db)
                  for (W, b), (dW, db) in zip(params, grads)]
    return params, history
