"""Loss functions and their gradients.

Every loss has the signature ``name(y_true, y_pred, ..., reduction="mean")``:

* ``y_true`` and ``y_pred`` must have the same shape -- ``(n_samples,)``,
  ``(n_samples, n_outputs)`` or any other; a mismatch such as ``(n,)`` vs
  ``(n, 1)`` raises ``ValueError`` instead of silently broadcasting;
* ``reduction="none"`` returns the loss of every element, same shape as
  ``y_pred``;
* ``reduction="mean"`` returns the cost: the mean of the element losses over
  all elements (for shape ``(n, k)`` that is the mean over samples of the
  per-sample mean over the ``k`` outputs).

``name_grad(y_true, y_pred, ...)`` is the gradient of the *mean* cost with
respect to ``y_pred``, so it includes the factor ``1 / y_pred.size``. Where
the loss has a kink, the docstring states the sub-gradient returned there.

For the regression losses the residual is ``r = y_true - y_pred``.
All losses compute in float64.

``LOSSES`` maps each name to the pair ``(loss, loss_grad)``. The multi-class
``softmax_cross_entropy(Z, Y)`` and its gradient take the logits first and are
not in it.
"""

import numpy as np
from numpy.typing import ArrayLike

from ann_lib._validation import as_float_array, check_same_shape
from ann_lib.activations import _softmax, sigmoid

EPS = 1e-12
"""Probabilities are clipped to ``[EPS, 1 - EPS]`` in :func:`binary_cross_entropy`."""


def _prepare(
    y_true: ArrayLike, y_pred: ArrayLike, pred_name: str = "y_pred",
) -> tuple[np.ndarray, np.ndarray]:
    y_true = as_float_array(y_true, "y_true").astype(np.float64, copy=False)
    y_pred = as_float_array(y_pred, pred_name).astype(np.float64, copy=False)
    check_same_shape(y_true, y_pred, "y_true", pred_name)
    return y_true, y_pred


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "none":
        return loss
    raise ValueError(f'reduction must be "mean" or "none", got {reduction!r}')


# --- regression ---------------------------------------------------------------------------


def mse(y_true: ArrayLike, y_pred: ArrayLike, reduction: str = "mean") -> float | np.ndarray:
    """Squared error, ``r**2``; its mean is the mean squared error.

    Parameters
    ----------
    y_true, y_pred : array_like, same shape
    reduction : {"mean", "none"}, default "mean"

    Returns
    -------
    float or ndarray
        The mean over all elements, or (``"none"``) the loss of each element.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _reduce((y_true - y_pred) ** 2, reduction)


def mse_grad(y_true: ArrayLike, y_pred: ArrayLike) -> np.ndarray:
    """Gradient of the mean squared error: ``-2 r / n`` (``n = y_pred.size``)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return -2 * (y_true - y_pred) / y_pred.size


def mae(y_true: ArrayLike, y_pred: ArrayLike, reduction: str = "mean") -> float | np.ndarray:
    """Absolute error, ``|r|``; its mean is the mean absolute error.

    Parameters
    ----------
    y_true, y_pred : array_like, same shape
    reduction : {"mean", "none"}, default "mean"
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _reduce(np.abs(y_true - y_pred), reduction)


def mae_grad(y_true: ArrayLike, y_pred: ArrayLike) -> np.ndarray:
    """Gradient of the mean absolute error: ``-sign(r) / n``.

    At ``r = 0`` we return the sub-gradient 0.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return -np.sign(y_true - y_pred) / y_pred.size


def huber(
    y_true: ArrayLike, y_pred: ArrayLike, delta: float = 1.0, reduction: str = "mean",
) -> float | np.ndarray:
    """Huber loss: quadratic for small residuals, linear for large ones.

        huber(r) = r**2 / 2                  if |r| <= delta
                   delta * (|r| - delta / 2) otherwise

    Parameters
    ----------
    y_true, y_pred : array_like, same shape
    delta : float > 0, default 1.0
        Where the loss switches from quadratic to linear.
    reduction : {"mean", "none"}, default "mean"
    """
    _check_positive(delta, "delta")
    y_true, y_pred = _prepare(y_true, y_pred)
    a = np.abs(y_true - y_pred)
    return _reduce(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta)), reduction)


def huber_grad(y_true: ArrayLike, y_pred: ArrayLike, delta: float = 1.0) -> np.ndarray:
    """Gradient of the mean Huber loss: ``-clip(r, -delta, delta) / n``."""
    _check_positive(delta, "delta")
    y_true, y_pred = _prepare(y_true, y_pred)
    return -np.clip(y_true - y_pred, -delta, delta) / y_pred.size


@np.errstate(under="ignore")
def log_cosh(y_true: ArrayLike, y_pred: ArrayLike, reduction: str = "mean") -> float | np.ndarray:
    """Log-cosh loss, ``log(cosh(r))``: like ``r**2 / 2`` near 0, like ``|r| - log 2`` far away.

    Computed as ``|r| + log1p(exp(-2 |r|)) - log(2)``, which does not overflow
    for large residuals (``cosh`` itself would).

    Parameters
    ----------
    y_true, y_pred : array_like, same shape
    reduction : {"mean", "none"}, default "mean"
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    a = np.abs(y_true - y_pred)
    return _reduce(a + np.log1p(np.exp(-2 * a)) - np.log(2), reduction)


def log_cosh_grad(y_true: ArrayLike, y_pred: ArrayLike) -> np.ndarray:
    """Gradient of the mean log-cosh loss: ``-tanh(r) / n``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return -np.tanh(y_true - y_pred) / y_pred.size


def quantile(
    y_true: ArrayLike, y_pred: ArrayLike, q: float = 0.5, reduction: str = "mean",
) -> float | np.ndarray:
    """Quantile (pinball) loss; its minimiser is the q-th quantile of ``y_true``.

        quantile(r) = q * r        if r >= 0   (under-prediction)
                      (q - 1) * r  if r < 0    (over-prediction)

    The mean equals ``sklearn.metrics.mean_pinball_loss(y_true, y_pred, alpha=q)``;
    ``q = 0.5`` gives half the absolute error.

    Parameters
    ----------
    y_true, y_pred : array_like, same shape
    q : float in [0, 1], default 0.5
    reduction : {"mean", "none"}, default "mean"
    """
    _check_quantile(q)
    y_true, y_pred = _prepare(y_true, y_pred)
    r = y_true - y_pred
    return _reduce(np.where(r >= 0, q * r, (q - 1) * r), reduction)


def quantile_grad(y_true: ArrayLike, y_pred: ArrayLike, q: float = 0.5) -> np.ndarray:
    """Gradient of the mean quantile loss: ``-q / n`` where ``r >= 0``, ``(1 - q) / n`` elsewhere.

    At ``r = 0`` we return ``-q / n`` (the ``r >= 0`` branch).
    """
    _check_quantile(q)
    y_true, y_pred = _prepare(y_true, y_pred)
    return np.where(y_true - y_pred >= 0, -q, 1 - q) / y_pred.size


def epsilon_insensitive(
    y_true: ArrayLike, y_pred: ArrayLike, epsilon: float = 1.0, reduction: str = "mean",
) -> float | np.ndarray:
    """Epsilon-insensitive loss (support vector regression), ``max(0, |r| - epsilon)``.

    Residuals inside the tube ``|r| <= epsilon`` cost nothing.

    Parameters
    ----------
    y_true, y_pred : array_like, same shape
    epsilon : float >= 0, default 1.0
    reduction : {"mean", "none"}, default "mean"
    """
    _check_positive(epsilon, "epsilon", allow_zero=True)
    y_true, y_pred = _prepare(y_true, y_pred)
    return _reduce(np.maximum(0.0, np.abs(y_true - y_pred) - epsilon), reduction)


def epsilon_insensitive_grad(y_true: ArrayLike, y_pred: ArrayLike, epsilon: float = 1.0) -> np.ndarray:
    """Gradient of the mean epsilon-insensitive loss: ``-sign(r) / n`` outside the tube, else 0.

    On the tube's edge, ``|r| = epsilon``, we return the sub-gradient 0.
    """
    _check_positive(epsilon, "epsilon", allow_zero=True)
    y_true, y_pred = _prepare(y_true, y_pred)
    r = y_true - y_pred
    return np.where(np.abs(r) > epsilon, -np.sign(r), 0.0) / y_pred.size


# --- classification -----------------------------------------------------------------------


def binary_cross_entropy(y_true: ArrayLike, y_pred: ArrayLike, reduction: str = "mean") -> float | np.ndarray:
    """Binary cross-entropy (log loss) of predicted probabilities.

        bce(y, p) = -(y * log(p) + (1 - y) * log(1 - p))

    `y_pred` is clipped to ``[EPS, 1 - EPS]`` with ``EPS = 1e-12`` first, so a
    confident wrong prediction costs at most ``-log(1e-12) ~ 27.6`` instead of
    infinity.

    Parameters
    ----------
    y_true : array_like
        Targets in [0, 1] (usually the labels 0 and 1).
    y_pred : array_like, same shape as `y_true`
        Predicted probabilities of class 1, in [0, 1].
    reduction : {"mean", "none"}, default "mean"

    Raises
    ------
    ValueError
        If `y_true` or `y_pred` leave [0, 1]. For raw scores (logits) use
        :func:`binary_cross_entropy_with_logits`.
    """
    y_true, y_pred = _prepare_probabilities(y_true, y_pred)
    return _reduce(binary_cross_entropy_kernel(y_true, y_pred), reduction)


def binary_cross_entropy_kernel(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Per-sample :func:`binary_cross_entropy` of float arrays already checked to lie in [0, 1]."""
    p = np.clip(y_pred, EPS, 1 - EPS)
    return -(y_true * np.log(p) + (1 - y_true) * np.log1p(-p))


def binary_cross_entropy_grad(y_true: ArrayLike, y_pred: ArrayLike) -> np.ndarray:
    """Gradient of the mean binary cross-entropy: ``(p - y) / (p (1 - p)) / n``.

    `p` is the clipped `y_pred`, as in :func:`binary_cross_entropy`.
    """
    y_true, y_pred = _prepare_probabilities(y_true, y_pred)
    p = np.clip(y_pred, EPS, 1 - EPS)
    return (p - y_true) / (p * (1 - p)) / p.size


@np.errstate(under="ignore")
def binary_cross_entropy_with_logits(
    y_true: ArrayLike, logits: ArrayLike, reduction: str = "mean",
) -> float | np.ndarray:
    """Binary cross-entropy of ``sigmoid(logits)``, computed from the logits.

        bce(y, z) = max(z, 0) - z * y + log1p(exp(-|z|))

    This equals ``binary_cross_entropy(y, sigmoid(z))`` but never overflows
    and needs no clipping.

    Parameters
    ----------
    y_true : array_like
        Targets in [0, 1].
    logits : array_like, same shape as `y_true`
        Real-valued scores ``z``.
    reduction : {"mean", "none"}, default "mean"
    """
    y_true, z = _prepare(y_true, logits, "logits")
    check_unit_interval(y_true, "y_true")
    return _reduce(np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z))), reduction)


def binary_cross_entropy_with_logits_grad(y_true: ArrayLike, logits: ArrayLike) -> np.ndarray:
    """Gradient of the mean :func:`binary_cross_entropy_with_logits`: ``(sigmoid(z) - y) / n``."""
    y_true, z = _prepare(y_true, logits, "logits")
    check_unit_interval(y_true, "y_true")
    return (sigmoid(z) - y_true) / z.size


def _prepare_classes(Z: ArrayLike, Y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Logits and one-hot (or probability) targets, checked: both (n_samples, n_classes)."""
    Z = as_float_array(Z, "Z").astype(np.float64, copy=False)
    Y = as_float_array(Y, "Y").astype(np.float64, copy=False)
    if Z.ndim != 2 or Z.shape[1] == 0:
        raise ValueError(f"Z must be 2-D (n_samples, n_classes) logits, got shape {Z.shape}")
    if Y.shape != Z.shape:
        hint = ("; one-hot encode the labels first (ann_lib.preprocessing.one_hot(y, n_classes))"
                if Y.ndim == 1 else "")
        raise ValueError(f"Y has shape {Y.shape} but Z has shape {Z.shape}: they must have the "
                         f"same shape{hint}")
    check_unit_interval(Y, "Y")
    if Y.size and not np.allclose(Y.sum(axis=1), 1.0):
        bad = int(np.flatnonzero(~np.isclose(Y.sum(axis=1), 1.0))[0])
        raise ValueError(f"every row of Y must sum to 1 (one-hot labels), but row {bad} sums to "
                         f"{Y[bad].sum():g}")
    return Z, Y


@np.errstate(under="ignore")
def softmax_cross_entropy(Z: ArrayLike, Y: ArrayLike, reduction: str = "mean") -> float | np.ndarray:
    """Multi-class cross-entropy of ``softmax(Z)``, computed from the logits `Z`.

        loss_i = -sum_j Y[i, j] * log softmax(Z)[i, j]
               = logsumexp(Z[i]) - sum_j Y[i, j] * Z[i, j]

    with ``logsumexp(z) = m + log(sum_j exp(z_j - m))``, ``m = max_j z_j``: no
    ``exp`` is ever above 1 and no probability is ever taken the log of, so a
    row with a logit of 1000 (or a class whose probability underflows to 0)
    costs what it should instead of ``inf`` or ``nan``.

    Unlike the element-wise losses above, the arguments are ``(logits,
    targets)`` and ``"mean"`` is the mean over samples of each sample's sum
    over classes.

    Parameters
    ----------
    Z : array_like, shape (n_samples, n_classes)
        Logits: the network's last layer before the softmax.
    Y : array_like, same shape as `Z`
        One-hot targets (more generally, rows of probabilities summing to 1).
    reduction : {"mean", "none"}, default "mean"

    Returns
    -------
    float or ndarray of shape (n_samples,)
        The mean over samples, or (``"none"``) the loss of each sample.

    Raises
    ------
    ValueError
        If the shapes differ (e.g. labels ``y`` of shape ``(n,)`` not one-hot
        encoded) or a row of `Y` is not a probability distribution.
    """
    Z, Y = _prepare_classes(Z, Y)
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return _reduce(-(Y * log_probs).sum(axis=1), reduction)


def softmax_cross_entropy_grad(Z: ArrayLike, Y: ArrayLike) -> np.ndarray:
    """Gradient of the mean :func:`softmax_cross_entropy` with respect to the logits.

        dJ/dZ = (softmax(Z) - Y) / n_samples

    (the softmax's Jacobian and the log's ``1 / p`` cancel: see lesson 10).

    Parameters
    ----------
    Z : array_like, shape (n_samples, n_classes)
    Y : array_like, same shape as `Z`

    Returns
    -------
    ndarray, shape (n_samples, n_classes)
    """
    Z, Y = _prepare_classes(Z, Y)
    with np.errstate(under="ignore"):
        return (_softmax(Z) - Y) / len(Z)


def hinge(y_true: ArrayLike, y_pred: ArrayLike, reduction: str = "mean") -> float | np.ndarray:
    """Hinge loss (support vector machines), ``max(0, 1 - y * s)``.

    Parameters
    ----------
    y_true : array_like
        Labels -1 or +1.
    y_pred : array_like, same shape as `y_true`
        Real-valued scores ``s``; the prediction is ``sign(s)``.
    reduction : {"mean", "none"}, default "mean"

    Raises
    ------
    ValueError
        If `y_true` holds any label other than -1 and +1.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    _check_signed_labels(y_true)
    return _reduce(np.maximum(0.0, 1 - y_true * y_pred), reduction)


def hinge_grad(y_true: ArrayLike, y_pred: ArrayLike) -> np.ndarray:
    """Gradient of the mean hinge loss: ``-y / n`` where ``y * s < 1``, else 0.

    On the margin, ``y * s = 1``, we return the sub-gradient 0.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    _check_signed_labels(y_true)
    return np.where(y_true * y_pred < 1, -y_true, 0.0) / y_pred.size


# --- argument checks ----------------------------------------------------------------------


def _check_positive(value, name, allow_zero=False):
    if not (value > 0 or (allow_zero and value == 0)):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")


def _check_quantile(q):
    if not 0 <= q <= 1:
        raise ValueError(f"q must be in [0, 1], got {q!r}")


def check_unit_interval(y: np.ndarray, name: str, hint: str = "") -> None:
    """Raise ``ValueError`` unless every entry of the float array `y` lies in [0, 1]."""
    if y.size and (y.min() < 0 or y.max() > 1):
        raise ValueError(
            f"{name} must lie in [0, 1], got values from {y.min():g} to {y.max():g}{hint}"
        )


def _prepare_probabilities(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = _prepare(y_true, y_pred)
    check_unit_interval(y_true, "y_true")
    check_unit_interval(
        y_pred, "y_pred", "; for raw scores (logits) use binary_cross_entropy_with_logits"
    )
    return y_true, y_pred


def _check_signed_labels(y_true):
    labels = set(np.unique(y_true).tolist())
    if not labels <= {-1.0, 1.0}:
        shown = ", ".join(f"{label:g}" for label in sorted(labels)[:6])
        shown = "{" + shown + (", ...}" if len(labels) > 6 else "}")
        hint = "; map 0 -> -1, e.g. y = 2 * y - 1" if 0.0 in labels else ""
        raise ValueError(f"hinge needs labels -1/+1, got labels {shown}{hint}")


LOSSES = {
    "mse": (mse, mse_grad),
    "mae": (mae, mae_grad),
    "huber": (huber, huber_grad),
    "log_cosh": (log_cosh, log_cosh_grad),
    "quantile": (quantile, quantile_grad),
    "epsilon_insensitive": (epsilon_insensitive, epsilon_insensitive_grad),
    "binary_cross_entropy": (binary_cross_entropy, binary_cross_entropy_grad),
    "binary_cross_entropy_with_logits": (
        binary_cross_entropy_with_logits,
        binary_cross_entropy_with_logits_grad,
    ),
    "hinge": (hinge, hinge_grad),
}
