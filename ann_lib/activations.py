"""Activation functions and their derivatives.

Every function here works element-wise on a Python scalar or on an array of
any shape, and returns a result of the same shape:

* floating input keeps its dtype (float32 stays float32);
* boolean and integer input is converted to float64;
* a scalar input gives a NumPy scalar (``np.float64`` for a Python float).

``<name>_grad(z)`` is the derivative of ``<name>`` with respect to `z`,
evaluated element-wise. Where the function has a kink the derivative does not
exist and we return a documented sub-gradient (``relu_grad(0) = 0``,
``leaky_relu_grad(0) = slope``, ``elu_grad(0) = 1``, ``step_grad(0) = 0``).

The functions never overflow and never warn, even at ``z = ±1000``: they only
evaluate ``exp`` at non-positive arguments (so it is at most 1). A result
smaller than the smallest float is rounded to 0 (underflow is not an error).

``softmax`` and ``maxout`` are the exceptions to "element-wise": softmax turns
each row of scores into probabilities (its ``softmax_grad`` is a Jacobian per
row), and ``maxout`` takes the k affine pieces of each unit on the last axis
and keeps the largest. ``maxout_layer(X, W, b)``
computes those pieces from the inputs first: a maxout layer is k dense layers
(lesson 03's ``X @ W + b``) side by side, and each unit keeps its largest piece.

``ACTIVATIONS`` maps each element-wise activation's name to the pair
``(function, derivative)``, e.g. ``ACTIVATIONS["relu"] == (relu, relu_grad)``.

Implementation note: each public function checks its input, then calls its
private kernel ``_<name>`` (no conversion, no ``np.errstate``), which takes a
float array and returns an array. ``out[()]`` turns a 0-d array into a NumPy
scalar and returns any other array unchanged. A training loop whose arrays
are already checked calls the kernels of ``KERNELS`` directly, inside one
``np.errstate(under="ignore")`` (see :meth:`ann_lib.network.MLP.fit`).
"""

import numpy as np
from numpy.typing import ArrayLike

from ann_lib._validation import as_float_array


def linear(z: ArrayLike) -> np.ndarray | np.floating:
    """Identity activation, ``linear(z) = z``.

    Parameters
    ----------
    z : float or ndarray of any shape

    Returns
    -------
    float or ndarray, same shape as `z`
        A copy of `z` (as floats).
    """
    return _linear(as_float_array(z, "z"))[()]


def _linear(z):
    return z.copy()


def linear_grad(z: ArrayLike) -> np.ndarray | np.floating:
    """Derivative of :func:`linear`: 1 everywhere."""
    return _linear_grad(as_float_array(z, "z"))[()]


def _linear_grad(z):
    return np.ones_like(z)


@np.errstate(under="ignore")
def sigmoid(z: ArrayLike) -> np.ndarray | np.floating:
    """Logistic sigmoid, ``sigmoid(z) = 1 / (1 + exp(-z))``, with values in (0, 1).

    Computed without overflow from ``e = exp(-|z|)``, which lies in (0, 1]:
    ``1 / (1 + e)`` where ``z >= 0`` and ``e / (1 + e)`` where ``z < 0``
    (multiply ``1 / (1 + exp(-z))`` by ``exp(z) / exp(z)``).

    Parameters
    ----------
    z : float or ndarray of any shape

    Returns
    -------
    float or ndarray, same shape as `z`
    """
    return _sigmoid(as_float_array(z, "z"))[()]


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1, e) / (1 + e)


@np.errstate(under="ignore")
def sigmoid_grad(z: ArrayLike) -> np.ndarray | np.floating:
    """Derivative of :func:`sigmoid`: ``sigmoid(z) * (1 - sigmoid(z))``.

    Computed as ``e / (1 + e)**2`` with ``e = exp(-|z|)`` (the derivative is
    even in `z`), which stays accurate where ``sigmoid(z)`` rounds to 1.
    """
    return _sigmoid_grad(as_float_array(z, "z"))[()]


def _sigmoid_grad(z):
    e = np.exp(-np.abs(z))
    return e / (1 + e) ** 2


def tanh(z: ArrayLike) -> np.ndarray | np.floating:
    """Hyperbolic tangent, ``tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z))``.

    Values lie in (-1, 1); ``tanh(z) = 2 * sigmoid(2 z) - 1``.
    """
    return _tanh(as_float_array(z, "z"))[()]


def _tanh(z):
    return np.tanh(z)


@np.errstate(under="ignore")
def tanh_grad(z: ArrayLike) -> np.ndarray | np.floating:
    """Derivative of :func:`tanh`: ``1 - tanh(z)**2 = 1 / cosh(z)**2``.

    Computed as ``4 e / (1 + e)**2`` with ``e = exp(-2 |z|)``, which stays
    accurate where ``tanh(z)`` rounds to ±1 and never overflows.
    """
    return _tanh_grad(as_float_array(z, "z"))[()]


def _tanh_grad(z):
    e = np.exp(-2 * np.abs(z))
    return 4 * e / (1 + e) ** 2


def relu(z: ArrayLike) -> np.ndarray | np.floating:
    """Rectified linear unit, ``relu(z) = max(0, z)``."""
    return _relu(as_float_array(z, "z"))[()]


def _relu(z):
    return np.maximum(z, 0)


def relu_grad(z: ArrayLike) -> np.ndarray | np.floating:
    """Derivative of :func:`relu`: 1 where ``z > 0``, else 0.

    At the kink ``z = 0`` we return the sub-gradient 0.
    """
    z = as_float_array(z, "z")
    return _relu_grad(z).astype(z.dtype)[()]


def _relu_grad(z):
    """The derivative of :func:`relu` as a boolean mask (it multiplies as 0/1, copying nothing)."""
    return z > 0


def leaky_relu(z: ArrayLike, slope: float = 0.1) -> np.ndarray | np.floating:
    """Leaky ReLU: ``z`` where ``z > 0``, ``slope * z`` elsewhere.

    For ``0 <= slope <= 1`` this equals ``max(slope * z, z)``; ``slope = 0``
    gives :func:`relu`.

    Parameters
    ----------
    z : float or ndarray of any shape
    slope : float, default 0.1
        Gradient for negative inputs.
    """
    return _leaky_relu(as_float_array(z, "z"), slope)[()]


def _leaky_relu(z, slope=0.1):
    slope = z.dtype.type(slope)  # keep the dtype of z
    return np.where(z > 0, z, slope * z)


def leaky_relu_grad(z: ArrayLike, slope: float = 0.1) -> np.ndarray | np.floating:
    """Derivative of :func:`leaky_relu`: 1 where ``z > 0``, else `slope`.

    At the kink ``z = 0`` we return the sub-gradient `slope`.
    """
    return _leaky_relu_grad(as_float_array(z, "z"), slope)[()]


def _leaky_relu_grad(z, slope=0.1):
    return np.where(z > 0, z.dtype.type(1), z.dtype.type(slope))


@np.errstate(under="ignore")
def elu(z: ArrayLike, alpha: float = 1.0) -> np.ndarray | np.floating:
    """Exponential linear unit: ``z`` where ``z > 0``, ``alpha * (exp(z) - 1)`` elsewhere.

    ``exp(z) - 1`` is computed with ``np.expm1`` on ``min(z, 0)``, which is
    accurate near 0 and never overflows. For ``z -> -inf`` the value tends
    to ``-alpha``.

    Parameters
    ----------
    z : float or ndarray of any shape
    alpha : float, default 1.0
        Magnitude of the negative saturation value.
    """
    return _elu(as_float_array(z, "z"), alpha)[()]


def _elu(z, alpha=1.0):
    alpha = z.dtype.type(alpha)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


@np.errstate(under="ignore")
def elu_grad(z: ArrayLike, alpha: float = 1.0) -> np.ndarray | np.floating:
    """Derivative of :func:`elu`: 1 where ``z >= 0``, ``alpha * exp(z)`` where ``z < 0``.

    At ``z = 0`` we return 1 (the right derivative; for ``alpha = 1`` both
    sides agree and this is the true derivative).
    """
    return _elu_grad(as_float_array(z, "z"), alpha)[()]


def _elu_grad(z, alpha=1.0):
    alpha = z.dtype.type(alpha)
    return np.where(z >= 0, z.dtype.type(1), alpha * np.exp(np.minimum(z, 0)))


def step(z: ArrayLike) -> np.ndarray | np.floating:
    """Heaviside step (the perceptron's threshold): 1.0 where ``z >= 0``, else 0.0."""
    return _step(as_float_array(z, "z"))[()]


def _step(z):
    return (z >= 0).astype(z.dtype)


def step_grad(z: ArrayLike) -> np.ndarray | np.floating:
    """Derivative of :func:`step`: 0 everywhere.

    At ``z = 0`` the step has no derivative; we return 0 there too. A zero
    gradient is why a network of step units cannot be trained by gradient
    descent.
    """
    return _step_grad(as_float_array(z, "z"))[()]


def _step_grad(z):
    return np.zeros_like(z)


def _as_pieces(Z: ArrayLike) -> np.ndarray:
    Z = as_float_array(Z, "Z")
    if Z.ndim == 0 or Z.shape[-1] == 0:
        raise ValueError(
            f"maxout expects the k >= 1 affine pieces on the last axis of Z, got shape {Z.shape}"
        )
    return Z


def maxout(Z: ArrayLike) -> np.ndarray | np.floating:
    """Maxout unit: the largest of k affine pieces, ``maxout(Z) = Z.max(axis=-1)``.

    Parameters
    ----------
    Z : ndarray, shape (..., k)
        The k pieces ``z_j = x @ w_j + b_j`` of each unit, on the last axis.

    Returns
    -------
    ndarray, shape (...)
        ``Z`` without its last axis (a NumPy scalar if `Z` is 1-D).
    """
    return _as_pieces(Z).max(axis=-1)[()]


def maxout_grad(Z: ArrayLike) -> np.ndarray:
    """Derivative of :func:`maxout` with respect to each piece.

    Parameters
    ----------
    Z : ndarray, shape (..., k)

    Returns
    -------
    ndarray, shape (..., k)
        One-hot mask: 1 for the piece that attains the maximum, 0 for the
        others. On ties the first maximal piece gets the 1.
    """
    Z = _as_pieces(Z)
    winner = Z.argmax(axis=-1)[..., np.newaxis]
    return (np.arange(Z.shape[-1]) == winner).astype(Z.dtype)


def maxout_layer(X: ArrayLike, W: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Maxout layer: each unit keeps the largest of its k affine pieces of the input.

    Piece ``j`` is a dense layer of its own, with weights ``W[j]`` of shape
    (n_in, n_out) and bias ``b[j]`` of shape (n_out,), as in lesson 03:

    ``Z[j] = X @ W[j] + b[j]``,   ``A = max_j Z[j]``   (element-wise over the k pieces).

    With ``k = 2``, ``W[1] = 0`` and ``b[1] = 0`` this is ``relu(X @ W[0] + b[0])``.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_in)
    W : array_like, shape (k, n_in, n_out)
        The k pieces' weights, stacked on the first axis (k >= 1).
    b : array_like, shape (k, n_out)
        The k pieces' biases, one row per piece.

    Returns
    -------
    A : ndarray, shape (n_samples, n_out)

    Raises
    ------
    ValueError
        If the shapes do not fit together; the message names them.

    Notes
    -----
    ``X @ W`` broadcasts over the first axis of the 3-D `W` and gives the pieces
    as an array of shape (k, n_samples, n_out); `b` needs a middle axis,
    ``b[:, np.newaxis, :]``, to line up with it (without it, NumPy would align
    ``b``'s k rows with the samples). :func:`maxout` keeps its pieces on the last
    axis instead: ``maxout(np.moveaxis(Z, 0, -1))`` is the same `A`.
    """
    X, W, b = as_float_array(X, "X"), as_float_array(W, "W"), as_float_array(b, "b")
    if X.ndim != 2 or W.ndim != 3 or b.ndim != 2:
        raise ValueError(
            "maxout_layer expects X of shape (n_samples, n_in), W of shape (k, n_in, n_out) "
            f"and b of shape (k, n_out), got X {X.shape}, W {W.shape} and b {b.shape}"
        )
    k, n_in, n_out = W.shape
    if k == 0:
        raise ValueError(f"W has shape {W.shape}: a maxout unit needs k >= 1 pieces")
    if X.shape[1] != n_in:
        raise ValueError(
            f"X has shape {X.shape} but W has shape {W.shape}: "
            f"X's {X.shape[1]} features must match W's {n_in} inputs (its second axis)"
        )
    if b.shape != (k, n_out):
        raise ValueError(
            f"b has shape {b.shape} but W has shape {W.shape}: "
            f"b needs one row per piece and one column per unit, shape ({k}, {n_out})"
        )
    return (X @ W + b[:, np.newaxis, :]).max(axis=0)


def _as_classes(Z: ArrayLike) -> np.ndarray:
    Z = as_float_array(Z, "Z")
    if Z.ndim == 0 or Z.shape[-1] == 0:
        raise ValueError(
            f"softmax expects the k >= 1 scores of each sample on the last axis of Z, "
            f"e.g. shape (n_samples, n_classes), got shape {Z.shape}"
        )
    return Z


@np.errstate(under="ignore")
def softmax(Z: ArrayLike) -> np.ndarray:
    """Softmax of each row of scores (logits): probabilities that sum to 1 over the classes.

        softmax(Z)[i, j] = exp(Z[i, j]) / sum_c exp(Z[i, c])

    Computed from ``Z - max_c Z[i, c]`` (the log-sum-exp shift), which leaves
    the result unchanged (numerator and denominator are both multiplied by
    ``exp(-max)``) and keeps every ``exp`` at most 1: no overflow, even at
    ``Z = 1000``; the largest score's term is exactly 1, so the sum is at
    least 1 and is never 0.

    Parameters
    ----------
    Z : array_like, shape (n_samples, n_classes)
        One row of k scores per sample (any leading axes: softmax runs over
        the last one).

    Returns
    -------
    ndarray, same shape as `Z`
        Entries in [0, 1]; every row sums to 1.
    """
    return _softmax(_as_classes(Z))


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


def softmax_grad(Z: ArrayLike) -> np.ndarray:
    """Jacobian of :func:`softmax` for every sample: ``dP[i, j] / dZ[i, c]``.

        J[i, j, c] = P[i, j] * (delta_jc - P[i, c]),   P = softmax(Z)

    A training loop rarely needs it: after a cross-entropy loss the product
    ``dJ/dP @ J`` collapses to ``(P - Y) / n``
    (:func:`ann_lib.losses.softmax_cross_entropy_grad`).

    Parameters
    ----------
    Z : array_like, shape (n_samples, n_classes)

    Returns
    -------
    ndarray, shape (n_samples, n_classes, n_classes)
        ``J[i]`` is the k x k Jacobian of sample i (rows: outputs j, columns:
        scores c).
    """
    P = softmax(Z)
    return P[..., :, np.newaxis] * (np.eye(P.shape[-1]) - P[..., np.newaxis, :])


ACTIVATIONS = {
    "linear": (linear, linear_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "elu": (elu, elu_grad),
    "step": (step, step_grad),
}

KERNELS = {
    "linear": (_linear, _linear_grad),
    "sigmoid": (_sigmoid, _sigmoid_grad),
    "tanh": (_tanh, _tanh_grad),
    "relu": (_relu, _relu_grad),
    "leaky_relu": (_leaky_relu, _leaky_relu_grad),
    "elu": (_elu, _elu_grad),
    "step": (_step, _step_grad),
}
"""The unchecked kernels behind :data:`ACTIVATIONS`, for float arrays already checked (shared with
:meth:`ann_lib.network.MLP.fit`)."""
