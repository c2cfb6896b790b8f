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

``LOSSES`` maps each name to the pair ``(loss, loss_grad)``.
"""

import numpy as np

from ann_lib._validation import as_float_array, check_same_shape
from ann_lib.activations import sigmoid

EPS = 1e-12
"""Probabilities are clipped to ``[EPS, 1 - EPS]`` in :func:`binary_cross_entropy`."""


def _prepare(y_true, y_pred, pred_name="y_pred"):
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


def mse(y_true, y_pred, reduction="mean"):
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


def mse_grad(y_true, y_pred):
    """Gradient of the mean squared error: ``-2 r / n`` (``n = y_pred.size``)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return -2 * (y_true - y_pred) / y_pred.size


def mae(y_true, y_pred, reduction="mean"):
    """Absolute error, ``|r|``; its mean is the mean absolute error.

    Parameters
    ----------
    y_true, y_pred : array_like, same shape
    reduction : {"mean", "none"}, default "mean"
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _reduce(np.abs(y_true - y_pred), reduction)


def mae_grad(y_true, y_pred):
    """Gradient of the mean absolute error: ``-sign(r) / n``.

    At ``r = 0`` we return the sub-gradient 0.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return -np.sign(y_true - y_pred) / y_pred.size


def huber(y_true, y_pred, delta=1.0, reduction="mean"):
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


def huber_grad(y_true, y_pred, delta=1.0):
    """Gradient of the mean Huber loss: ``-clip(r, -delta, delta) / n``."""
    _check_positive(delta, "delta")
    y_true, y_pred = _prepare(y_true, y_pred)
    return -np.clip(y_true - y_pred, -delta, delta) / y_pred.size


@np.errstate(under="ignore")
def log_cosh(y_true, y_pred, reduction="mean"):
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


def log_cosh_grad(y_true, y_pred):
    """Gradient of the mean log-cosh loss: ``-tanh(r) / n``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return -np.tanh(y_true - y_pred) / y_pred.size


def quantile(y_true, y_pred, q=0.5, reduction="mean"):
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


def quantile_grad(y_true, y_pred, q=0.5):
    """Gradient of the mean quantile loss: ``-q / n`` where ``r >= 0``, ``(1 - q) / n`` elsewhere.

    At ``r = 0`` we return ``-q / n`` (the ``r >= 0`` branch).
    """
    _check_quantile(q)
    y_true, y_pred = _prepare(y_true, y_pred)
    return np.where(y_true - y_pred >= 0, -q, 1 - q) / y_pred.size


def epsilon_insensitive(y_true, y_pred, epsilon=1.0, reduction="mean"):
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


def epsilon_insensitive_grad(y_true, y_pred, epsilon=1.0):
    """Gradient of the mean epsilon-insensitive loss: ``-sign(r) / n`` outside the tube, else 0.

    On the tube's edge, ``|r| = epsilon``, we return the sub-gradient 0.
    """
    _check_positive(epsilon, "epsilon", allow_zero=True)
    y_true, y_pred = _prepare(y_true, y_pred)
    r = y_true - y_pred
    return np.where(np.abs(r) > epsilon, -np.sign(r), 0.0) / y_pred.size


# --- classification -----------------------------------------------------------------------


def binary_cross_entropy(y_true, y_pred, reduction="mean"):
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
    return _reduce(_binary_cross_entropy(y_true, y_pred), reduction)


def _binary_cross_entropy(y_true, y_pred):
    """Per-sample :func:`binary_cross_entropy` of float arrays already checked to lie in [0, 1]."""
    p = np.clip(y_pred, EPS, 1 - EPS)
    return -(y_true * np.log(p) + (1 - y_true) * np.log1p(-p))


def binary_cross_entropy_grad(y_true, y_pred):
    """Gradient of the mean binary cross-entropy: ``(p - y) / (p (1 - p)) / n``.

    `p` is the clipped `y_pred`, as in :func:`binary_cross_entropy`.
    """
    y_true, y_pred = _prepare_probabilities(y_true, y_pred)
    p = np.clip(y_pred, EPS, 1 - EPS)
    return (p - y_true) / (p * (1 - p)) / p.size


@np.errstate(under="ignore")
def binary_cross_entropy_with_logits(y_true, logits, reduction="mean"):
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
    _check_unit_interval(y_true, "y_true")
    return _reduce(np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z))), reduction)


def binary_cross_entropy_with_logits_grad(y_true, logits):
    """Gradient of the mean :func:`binary_cross_entropy_with_logits`: ``(sigmoid(z) - y) / n``."""
    y_true, z = _prepare(y_true, logits, "logits")
    _check_unit_interval(y_true, "y_true")
    return (sigmoid(z) - y_true) / z.size


def hinge(y_true, y_pred, reduction="mean"):
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


def hinge_grad(y_true, y_pred):
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


def _check_unit_interval(y, name, hint=""):
    if y.size and (y.min() < 0 or y.max() > 1):
        raise ValueError(
            f"{name} must lie in [0, 1], got values from {y.min():g} to {y.max():g}{hint}"
        )


def _prepare_probabilities(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    _check_unit_interval(y_true, "y_true")
    _check_unit_interval(
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
