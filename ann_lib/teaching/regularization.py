"""Lesson 11, regularisation: train a network with the learner's L2 penalty and dropout, and
draw the training and validation curves of several such runs side by side.

:func:`train_regularized` is the lesson's experiment, not reference maths: it is lesson 10's
full-batch training loop on the softmax cross-entropy, with the learner's four functions put in
the four places where regularisation enters (the penalty in the cost, its gradient in the step,
dropout after every hidden layer in the forward pass, and its backward pass). Nothing else of
the learner's is used, so what the curves show is what the learner's functions do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib import deep, layers, losses
from ann_lib.teaching import canvas, learner
from ann_lib.teaching.training import one_blas_thread

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _accuracy(Z, y):
    return float(np.mean(np.asarray(Z).argmax(axis=1) == y))


def train_regularized(X: ArrayLike, y: ArrayLike, X_val: ArrayLike, y_val: ArrayLike,
                      layer_sizes: Sequence[int], learning_rate: float, epochs: int, seed: int,
                      lam: float = 0.0, keep_prob: float = 1.0, l2_penalty: Callable | None = None,
                      l2_penalty_grad: Callable | None = None, dropout_forward: Callable | None = None,
                      dropout_backward: Callable | None = None, every: int = 10) -> dict[str, Any]:
    """Full-batch gradient descent on a ReLU network with a softmax output, regularised with the
    learner's functions; the training and validation cost and accuracy every ``every`` epochs.

    Per epoch: the forward pass (dense, ReLU, then ``dropout_forward(A, keep_prob, rng)`` after
    every hidden layer when ``keep_prob < 1``; the last layer gives the logits), the cost
    ``softmax_cross_entropy + l2_penalty(params, lam, n)`` (when ``lam > 0``), the backward pass
    (``dropout_backward(dA, mask, keep_prob)`` through each dropout) and a step along the
    gradients plus ``l2_penalty_grad(params, lam, n)``. The validation set is measured in
    evaluation mode (no dropout), without the penalty.

    Parameters
    ----------
    X, X_val : ndarray, shape (n_samples, n_features)
    y, y_val : ndarray of int, shape (n_samples,)
        Class labels 0 .. k-1 (k = ``layer_sizes[-1]``).
    layer_sizes : list of int
        ``[n_features, hidden..., k]``.
    learning_rate : float
    epochs : int
    seed : int
        Seeds He initialisation and, in a generator of its own, every dropout mask.
    lam : float, default 0
        The L2 strength; 0 leaves the learner's L2 functions out.
    keep_prob : float, default 1
        Dropout's keep probability; 1 leaves the learner's dropout functions out.
    l2_penalty, l2_penalty_grad, dropout_forward, dropout_backward : callables, optional
        The learner's functions (needed when ``lam > 0``, resp. ``keep_prob < 1``).
    every : int, default 10
        Record the curves every ``every`` epochs (and after the last one).

    Returns
    -------
    dict
        ``epochs`` (the recorded epochs), ``train_cost``, ``val_cost``, ``train_accuracy``,
        ``val_accuracy`` (lists, one entry per recorded epoch; the training cost includes the
        penalty), and ``params``, the final parameters.

    Raises
    ------
    ann_lib.teaching.learner.NotReady
        If a learner function needed is not written yet or fails; the message says which.
    """
    X, X_val = np.asarray(X, dtype=float), np.asarray(X_val, dtype=float)
    k = layer_sizes[-1]
    Y = np.eye(k)[np.asarray(y)]
    Y_val = np.eye(k)[np.asarray(y_val)]
    n = len(X)
    params = deep.init_params(list(layer_sizes), "he", np.random.default_rng(seed))
    masks_rng = np.random.default_rng([seed, 11])
    use_l2, use_dropout = lam > 0, keep_prob < 1
    out: dict[str, Any] = {"epochs": [], "train_cost": [], "val_cost": [], "train_accuracy": [],
           "val_accuracy": []}

    def record(epoch, Z, cost):
        Z_val = deep.forward(X_val, params, ["relu"] * (len(params) - 1) + ["linear"])[0]
        out["epochs"].append(epoch)
        out["train_cost"].append(cost)
        out["val_cost"].append(float(losses.softmax_cross_entropy(Z_val, Y_val)))
        out["train_accuracy"].append(_accuracy(Z, y))
        out["val_accuracy"].append(_accuracy(Z_val, y_val))

    caches: list[tuple]
    with one_blas_thread():
        for epoch in range(epochs + 1):
            A, caches = X, []
            for layer, (W, b) in enumerate(params):
                Z, dense_cache = layers.dense_forward(A, W, b)
                if layer == len(params) - 1:
                    caches.append((dense_cache, None, None))
                    break
                A, activation_cache = layers.activation_forward(Z, "relu")
                mask = None
                if use_dropout:
                    A, mask = learner.call(dropout_forward, "dropout_forward", A, keep_prob,
                                           masks_rng, convert=_pair)
                caches.append((dense_cache, activation_cache, mask))
            cost = float(losses.softmax_cross_entropy(Z, Y))
            if use_l2:
                cost += learner.call(l2_penalty, "l2_penalty", params, lam, n, convert=float)
            if epoch % every == 0 or epoch == epochs:
                if use_dropout:  # the training accuracy in evaluation mode, like the validation
                    Z_eval = deep.forward(X, params, ["relu"] * (len(params) - 1) + ["linear"])[0]
                else:
                    Z_eval = Z
                record(epoch, Z_eval, cost)
            if epoch == epochs:
                break
            dA: Any = losses.softmax_cross_entropy_grad(Z, Y)
            grads = []
            for dense_cache, activation_cache, mask in reversed(caches):
                if activation_cache is not None:
                    if mask is not None:
                        dA = learner.call(dropout_backward, "dropout_backward", dA, mask,
                                          keep_prob, convert=learner.floats)
                    dA = layers.activation_backward(dA, activation_cache)
                dA, dW, db = layers.dense_backward(dA, dense_cache)
                grads.append((dW, db))
            grads = grads[::-1]
            if use_l2:
                extra = learner.call(l2_penalty_grad, "l2_penalty_grad", params, lam, n,
                                     convert=list)
                grads = [(dW + eW, db + eb) for (dW, db), (eW, eb) in zip(grads, extra)]
            params = [(W - learning_rate * dW, b - learning_rate * db)
                      for (W, b), (dW, db) in zip(params, grads)]
    out["params"] = params
    return out


def _pair(out):
    A, mask = out
    return learner.floats(A), np.asarray(mask)


def gap_curves(runs: Mapping[str, Mapping[str, Any]],
               title: str = "Training and validation accuracy") -> Figure:
    """Training (dashed) and validation (solid) accuracy over the epochs, one colour per run.

    Parameters
    ----------
    runs : dict of str -> dict
        Per label (e.g. ``"no regularisation"``), a result of :func:`train_regularized`.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: the accuracies, and the gap (training minus validation accuracy).
    """
    fig, (ax, gap) = canvas.figure(1, 2, figsize=(10.0, 3.8))
    for (label, run), colour in zip(runs.items(), ("tab:red", "tab:blue", "tab:green",
                                                   "tab:purple", "tab:orange")):
        epochs = np.asarray(run["epochs"])
        train, val = np.asarray(run["train_accuracy"]), np.asarray(run["val_accuracy"])
        ax.plot(epochs, train, "--", color=colour, lw=1.4)
        ax.plot(epochs, val, "-", color=colour, lw=1.8, label=label)
        gap.plot(epochs, train - val, "-", color=colour, lw=1.8, label=label)
    # zoom on where the runs differ: from the lowest accuracy after the first records
    later = [a for run in runs.values() for key in ("train_accuracy", "val_accuracy")
             for a in run[key][len(run[key]) // 10 + 1:]]
    if later:
        ax.set_ylim(max(0.0, min(later) - 0.03), 1.005)
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (dashed: training, solid: validation)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    gap.set_xlabel("epoch")
    gap.set_ylabel("training minus validation accuracy")
    gap.set_title("The gap", fontsize=10)
    gap.grid(alpha=0.3)
    gap.legend(fontsize=8)
    return fig
