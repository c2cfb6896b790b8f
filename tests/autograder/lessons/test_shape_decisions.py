"""The course's decisions on three shape questions, as the checks apply them.

* ``[:, 0]`` versus ``.squeeze()`` for the output column: ``[:, 0]`` (or ``.ravel()``) is right;
  ``.squeeze()`` is a named mistake, since a single sample loses its sample axis too.
* ``len(y)`` versus ``y.size``: both count the samples when ``y`` is ``(n,)`` or ``(n, 1)`` and
  both are accepted there; where a cost averages an ``(n, k)`` array (lesson 05's ``mse_and_grad``),
  ``len`` counts rows only and is a named mistake.
* ``db`` of shape ``(1, n)`` (``keepdims=True``) versus ``(n,)``: a gradient has its parameter's
  shape, so ``(1, n)`` is a named mistake.
"""

import numpy as np

from ann_lib import activations
from autograder.lessons import backprop, capstone, losses


def _message(check, key):
    return next(m.message for m in check.all_mistakes() if m.key == key)


def _wrong(check, key):
    return next(m.wrong for m in check.all_mistakes() if m.key == key)


def forward_ravel(X, params):
    A, caches = X, []
    for k, (W, b) in enumerate(params):
        Z = A @ W + b
        caches.append((A, Z))
        A = activations.sigmoid(Z) if k == len(params) - 1 else np.maximum(Z, 0)
    return A.ravel(), caches


def test_forward_accepts_ravel_and_names_squeeze():
    assert capstone.forward.verdict(forward_ravel) is None
    squeezed = _wrong(capstone.forward, "forward_squeezed")
    verdict = capstone.forward.verdict(squeezed)
    assert _message(capstone.forward, "forward_squeezed") in verdict
    probs, _ = squeezed(np.ones((1, 2)), [(np.eye(2), np.zeros(2)), (np.ones((2, 1)), np.zeros(1))])
    assert np.shape(probs) == (), "the mistake is real: one sample loses its axis"


def two_layer_with_y_size(X, y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    A2 = activations.sigmoid(A1 @ W2 + b2)
    dZ2 = (A2 - y) / y.size
    dZ1 = (dZ2 @ W2.T) * (1 - A1 ** 2)
    return X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)


def backward_with_y_size(y, params, probs, caches, lam):
    dZ = (probs - y)[:, None] / y.size
    grads = []
    for k in reversed(range(len(params))):
        A_prev, _ = caches[k]
        W = params[k][0]
        grads.insert(0, (A_prev.T @ dZ + lam / y.size * W, dZ.sum(axis=0)))
        if k:
            dZ = (dZ @ W.T) * (caches[k - 1][1] > 0)
    return grads


def test_y_size_and_len_y_are_both_accepted_where_y_has_one_column():
    assert backprop.two_layer_gradients.verdict(two_layer_with_y_size) is None
    assert capstone.backward.verdict(backward_with_y_size) is None


def test_len_on_a_2d_mse_gradient_is_a_named_mistake():
    verdict = losses.mse_and_grad.verdict(losses.mse_and_grad_len_rows)
    assert _message(losses.mse_and_grad, "mse_and_grad_len_rows") in verdict
    assert losses.mse_and_grad.verdict(
        lambda y_true, y_pred: (np.mean((y_true - y_pred) ** 2),
                                2 * (y_pred - y_true) / y_pred.size)) is None


def test_a_bias_gradient_of_shape_1_by_n_is_a_named_mistake():
    verdict = backprop.dense_backward.verdict(backprop.dense_db_kept_dims)
    assert _message(backprop.dense_backward, "dense_db_kept_dims") in verdict
    verdict = capstone.backward.verdict(_wrong(capstone.backward, "backward_db_kept_dims"))
    assert _message(capstone.backward, "backward_db_kept_dims") in verdict
