"""A multi-layer perceptron (MLP) built from the layer functions of :mod:`ann_lib.layers`.

For layer sizes ``[n_0, n_1, ..., n_L]`` the network computes, from ``A_0 = X``,

    Z_l = A_{l-1} @ W_l + b_l,     A_l = f_l(Z_l)          for l = 1, ..., L

with the hidden activation for ``l < L`` and the output activation for
``l = L``. Training minimises the mean loss of ``A_L`` by mini-batch gradient
descent, with gradients from backpropagation.
"""

from collections.abc import Sequence
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator

from ann_lib._validation import (
    as_2d,
    as_float_array,
    check_batch_size,
    check_is_fitted,
    is_finite_number,
    is_integer,
    lookup,
)
from ann_lib.activations import ACTIVATIONS, KERNELS
from ann_lib.layers import (
    activation_backward_kernel,
    activation_forward_kernel,
    dense_backward,
    dense_backward_kernel,
    dense_forward,
    dense_forward_kernel,
)
from ann_lib.losses import LOSSES, binary_cross_entropy_kernel, check_unit_interval
from ann_lib.optim import gradient_descent_in_place, minibatches, momentum_in_place

HE_ACTIVATIONS = ("relu", "leaky_relu", "elu")
"""Activations whose layers get He initialisation (the others get Glorot)."""


def init_params(
    layer_sizes: Sequence[int], hidden_activation: str = "relu", output_activation: str = "sigmoid", *,
    rng: np.random.Generator,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Random initial weights and zero biases for every layer.

    ``W`` is drawn from a normal distribution with mean 0 and

    * He: ``std = sqrt(2 / n_in)`` if the layer's activation is ReLU-like
      (``"relu"``, ``"leaky_relu"``, ``"elu"``);
    * Xavier/Glorot: ``std = sqrt(2 / (n_in + n_out))`` otherwise.

    Both keep the variance of the signal roughly constant from layer to layer.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_features, hidden_1, ..., n_outputs]``, at least two entries.
    hidden_activation, output_activation : str, default "relu", "sigmoid"
        Activation after the hidden layers and after the last layer.
    rng : numpy.random.Generator or int
        Source of randomness (an int is used as a seed); last, as in
        :func:`ann_lib.deep.init_params`, and named: ``init_params(sizes, rng=0)``.

    Returns
    -------
    params : list of (W, b)
        One pair per layer: ``W`` of shape ``(n_in, n_out)``, ``b`` of shape ``(n_out,)``.
    """
    layer_sizes = _check_layer_sizes(layer_sizes)
    rng = np.random.default_rng(rng)
    n_layers = len(layer_sizes) - 1
    params = []
    for i, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:])):
        activation = output_activation if i == n_layers - 1 else hidden_activation
        if activation in HE_ACTIVATIONS:
            std = np.sqrt(2 / n_in)
        else:
            std = np.sqrt(2 / (n_in + n_out))
        params.append((rng.normal(0.0, std, size=(n_in, n_out)), np.zeros(n_out)))
    return params


def _check_layer_sizes(layer_sizes):
    sizes = list(layer_sizes)
    if len(sizes) < 2 or any(int(n) != n or n < 1 for n in sizes):
        raise ValueError(
            f"layer_sizes must list at least two positive integers "
            f"[n_features, ..., n_outputs], got {layer_sizes!r}"
        )
    return [int(n) for n in sizes]


class MLP(BaseEstimator):
    """Multi-layer perceptron trained by mini-batch gradient descent.

    A scikit-learn estimator: ``__init__`` only stores its parameters,
    :meth:`fit` checks them, so :meth:`get_params`, :meth:`set_params` and
    ``sklearn.base.clone`` work as for any scikit-learn model.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_features, hidden_1, ..., n_outputs]``, e.g. ``[30, 64, 1]``.
    hidden_activation : str, default "relu"
        Name from :data:`ann_lib.activations.ACTIVATIONS`.
    output_activation : str, default "sigmoid"
        ``"sigmoid"`` makes the network a binary classifier (outputs are
        probabilities); ``"linear"`` a regressor.
    loss : str, default "binary_cross_entropy"
        Name from :data:`ann_lib.losses.LOSSES`.
    seed : int, default 0
        Seeds the initial weights and the shuffling, so ``fit`` is
        deterministic.

    Attributes
    ----------
    params_ : list of (W, b)
        The trained weights, one pair per layer.
    loss_history_ : list of float
        One entry per epoch: the mean over the epoch's mini-batches of the
        loss of each batch, computed in the forward pass before that batch's
        update and weighted by the batch's size (scikit-learn's
        ``loss_curve_``). With ``batch_size=None`` it is the loss on the whole
        training set before each step.
    n_features_in_ : int
        Number of input features seen by :meth:`fit`.

    Examples
    --------
    >>> from ann_lib.datasets import make_xor
    >>> X, y = make_xor(200, noise=0.2, seed=0)
    >>> model = MLP([2, 8, 1], hidden_activation="tanh", seed=0)
    >>> model.fit(X, y, epochs=200, learning_rate=0.5).score(X, y)
    1.0
    """

    def __init__(
        self,
        layer_sizes,
        hidden_activation="relu",
        output_activation="sigmoid",
        loss="binary_cross_entropy",
        seed=0,
    ):
        self.layer_sizes = layer_sizes
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation
        self.loss = loss
        self.seed = seed

    def fit(self, X: ArrayLike, y: ArrayLike, epochs: int = 100, batch_size: int | None = 32,
            learning_rate: float = 0.1, momentum: float = 0.0) -> Self:
        """Train from fresh random weights.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
        y : array_like, shape (n_samples,) or (n_samples, n_outputs)
            Targets; class labels 0/1 for a classifier.
        epochs : int, default 100
            Passes over the training set.
        batch_size : int or None, default 32
            Samples per gradient step (None: the whole set).
        learning_rate : float, default 0.1
        momentum : float in [0, 1), default 0.0
            0 gives plain gradient descent
            (:func:`ann_lib.optim.gradient_descent_step`), otherwise
            :func:`ann_lib.optim.momentum_step` with ``beta = momentum``.

        Returns
        -------
        self : MLP

        Raises
        ------
        ValueError
            If a parameter of the model or of training is invalid, or the
            shapes of `X` and `y` do not fit ``layer_sizes``.
        """
        sizes = _check_layer_sizes(self.layer_sizes)
        lookup(ACTIVATIONS, self.hidden_activation, "hidden_activation")
        lookup(ACTIVATIONS, self.output_activation, "output_activation")
        lookup(LOSSES, self.loss, "loss")
        _check_training(epochs, batch_size, learning_rate, momentum)
        X, Y = self._check_data(X, y, sizes[0], sizes[-1])
        self._rng = np.random.default_rng(self.seed)
        self.params_ = init_params(sizes, self.hidden_activation, self.output_activation, rng=self._rng)
        self.n_features_in_ = sizes[0]
        self._velocity = [(np.zeros_like(W), np.zeros_like(b)) for W, b in self.params_]
        self.loss_history_: list[float] = []
        shuffled = (np.empty_like(X), np.empty_like(Y))  # reused by every epoch
        for _ in range(epochs):
            self._epoch(X, Y, batch_size, learning_rate, momentum, shuffled)
        return self

    def partial_fit(self, X: ArrayLike, y: ArrayLike, batch_size: int | None = 32, learning_rate: float = 0.1,
                    momentum: float = 0.0) -> Self:
        """One more epoch of training from the current weights (``fit(..., epochs=1)`` if unfitted).

        ``fit(X, y, epochs=1)`` followed by ``k`` calls of ``partial_fit(X, y)``
        with the same settings trains exactly as ``fit(X, y, epochs=k + 1)``:
        the shuffling generator and the momentum carry over.

        Returns
        -------
        self : MLP
        """
        if not hasattr(self, "params_"):
            return self.fit(X, y, 1, batch_size, learning_rate, momentum)
        _check_training(1, batch_size, learning_rate, momentum)
        X, Y = self._check_data(X, y, self.params_[0][0].shape[0], self.params_[-1][0].shape[1])
        if not hasattr(self, "_rng"):  # params_ set by hand rather than by fit
            self._rng = np.random.default_rng(self.seed)
            self._velocity = [(np.zeros_like(W), np.zeros_like(b)) for W, b in self.params_]
            self.loss_history_ = []
        self._epoch(X, Y, batch_size, learning_rate, momentum)
        return self

    def _check_data(self, X, y, n_features, n_outputs):
        X = _check_X(X, n_features)
        Y = _check_y(y, len(X), n_outputs)
        if self._fused_output():  # the loss of each batch is computed unchecked
            check_unit_interval(Y, "y", "; the labels of a classifier are 0 and 1")
        return X, Y

    def _epoch(self, X, Y, batch_size, learning_rate, momentum, shuffled=None):
        """One pass over (X, Y) in shuffled mini-batches; appends the epoch's mean batch loss.

        X and Y were checked once by :meth:`fit`, so everything in the loop runs unchecked:
        the layers' kernels and the activations' (:data:`ann_lib.activations.KERNELS`,
        resolved once here, under one ``np.errstate`` instead of one per call).
        """
        fused = self._fused_output()
        if fused:

            def batch_total(Y, output):  # the sum of the loss over the batch's entries
                return binary_cross_entropy_kernel(Y, output).sum()
        else:
            loss = lookup(LOSSES, self.loss, "loss")[0]

            def batch_total(Y, output):
                return loss(Y, output) * Y.size
        layers = self._layers(KERNELS)  # the arrays of params_ are updated in place
        params = [array for layer in self.params_ for array in layer]
        velocity = [array for layer in self._velocity for array in layer]
        total = 0.0
        with np.errstate(under="ignore"):  # the kernels' underflow to 0 is no error
            for X_batch, Y_batch in minibatches(X, Y, batch_size, self._rng, out=shuffled):
                output, caches = self._forward(X_batch, dense_forward_kernel, layers)
                total += batch_total(Y_batch, output)
                grads = self._backward(output, Y_batch, caches, dense_backward_kernel, layers, fused)
                # optim's in-place updates (gradient_descent_step, momentum_step), minus the checks
                if momentum:
                    momentum_in_place(zip(params, grads, velocity), learning_rate, momentum)
                else:
                    gradient_descent_in_place(zip(params, grads), learning_rate)
        self.loss_history_.append(float(total / Y.size))

    def forward(self, X: ArrayLike) -> tuple[np.ndarray, list[Any]]:
        """Forward pass through all layers.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)

        Returns
        -------
        output : ndarray, shape (n_samples, n_outputs)
            ``A_L``, the activation of the last layer.
        caches : list of (dense_cache, activation_cache)
            One pair per layer, for :meth:`backward`.
        """
        check_is_fitted(self, "params_")
        return self._forward(X, dense_forward, self._layers(ACTIVATIONS))

    def _forward(self, X, dense, layers):
        """:meth:`forward` with `dense` as the dense layer, `layers` from :meth:`_layers`.

        :func:`ann_lib.layers.dense_forward` and the public activations check their input;
        :meth:`fit` passes their unchecked kernels.
        """
        A = X
        caches = []
        for W, b, name, f, _ in layers:
            Z, dense_cache = dense(A, W, b)
            A, activation_cache = activation_forward_kernel(Z, name, f)
            caches.append((dense_cache, activation_cache))
        return A, caches

    def backward(
        self, output: np.ndarray, y: np.ndarray, caches: list[Any],
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Backpropagation: gradient of the mean loss with respect to every parameter.

        For a sigmoid output with binary cross-entropy the two derivatives are
        fused into the stable ``dZ_L = (A_L - y) / n`` (``n = y.size``);
        otherwise ``dZ_L = activation_backward(loss_grad(y, A_L), ...)``.

        Parameters
        ----------
        output : ndarray, shape (n_samples, n_outputs)
            From :meth:`forward`.
        y : array_like, shape (n_samples,) or (n_samples, n_outputs)
        caches : list
            From :meth:`forward`.

        Returns
        -------
        grads : list of (dW, db)
            Same structure and shapes as :attr:`params_`.
        """
        grads = self._backward(output, _check_y(y, len(output), output.shape[1]), caches,
                               dense_backward, self._layers(ACTIVATIONS),
                               self._fused_output())
        return [(grads[i], grads[i + 1]) for i in range(0, len(grads), 2)]

    def _backward(self, output, Y, caches, dense, layers, fused):
        """:meth:`backward` with the given dense backward pass, `layers` from :meth:`_layers`.

        Returns the flat list ``[dW_1, db_1, ..., dW_L, db_L]``; `fused` is
        :meth:`_fused_output`.
        """
        if fused:
            dZ = (output - Y) / Y.size
        else:
            loss_grad = lookup(LOSSES, self.loss, "loss")[1]
            dZ = activation_backward_kernel(loss_grad(Y, output), caches[-1][1][0], layers[-1][4])
        grads = []
        for i in reversed(range(len(caches))):
            dA, dW, db = dense(dZ, caches[i][0], compute_dX=i > 0)
            grads += (db, dW)
            if i > 0:
                dZ = activation_backward_kernel(dA, caches[i - 1][1][0], layers[i - 1][4])
        return grads[::-1]

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Probability of class 1 for each sample (sigmoid output only).

        Unlike scikit-learn, which returns one column per class, this returns
        the network output itself.

        Returns
        -------
        ndarray, shape (n_samples,) or (n_samples, n_outputs)
        """
        if not self._is_classifier():
            raise ValueError(
                f"predict_proba needs a sigmoid output, this MLP has {self.output_activation!r}"
            )
        return self._output(X)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predictions: class labels 0/1 (output >= 0.5) for a sigmoid output, else the output.

        Returns
        -------
        ndarray, shape (n_samples,) or (n_samples, n_outputs)
            Integer labels for a classifier, floats for a regressor.
        """
        output = self._output(X)
        return (output >= 0.5).astype(np.int64) if self._is_classifier() else output

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy for a classifier, coefficient of determination R^2 for a regressor.

        ``R^2 = 1 - sum((y - y_hat)**2) / sum((y - mean(y))**2)`` over all outputs.
        """
        y_hat = self.predict(X)
        y = as_float_array(y, "y").reshape(y_hat.shape)
        if self._is_classifier():
            return float(np.mean(y_hat == y))
        return float(1 - np.sum((y - y_hat) ** 2) / np.sum((y - y.mean(axis=0)) ** 2))

    def _output(self, X):
        check_is_fitted(self, "params_")
        output, _ = self.forward(_check_X(X, self.params_[0][0].shape[0]))
        return output[:, 0] if output.shape[1] == 1 else output

    def _is_classifier(self):
        return self.output_activation == "sigmoid"

    def _fused_output(self):
        return self._is_classifier() and self.loss == "binary_cross_entropy"

    def _layers(self, table):
        """``(W, b, activation name, f, f_grad)`` of every layer, ``f`` and ``f_grad`` from `table`.

        `table` is :data:`ann_lib.activations.ACTIVATIONS` (checked functions) or its
        unchecked kernels (:data:`ann_lib.activations.KERNELS`), for arrays already checked.
        """
        return [(W, b, name, *table[name])
                for (W, b), name in zip(self.params_, self._layer_activations())]

    def _layer_activations(self):
        """The activation of every layer: the hidden one, then the output one."""
        return [self.hidden_activation] * (len(self.params_) - 1) + [self.output_activation]


def _check_X(X, n_features):
    X = as_2d(X, "X")
    if X.shape[1] != n_features:
        raise ValueError(
            f"X has shape {X.shape} but layer_sizes[0] is {n_features}: "
            f"X's {X.shape[1]} features must match the {n_features} inputs"
        )
    return X


def _check_y(y, n_samples, n_outputs):
    """Return y as floats of shape (n_samples, n_outputs); (n_samples,) is accepted."""
    y = as_float_array(y, "y")
    Y = y[:, np.newaxis] if y.ndim == 1 and n_outputs == 1 else y
    if Y.shape != (n_samples, n_outputs):
        raise ValueError(
            f"y has shape {y.shape} but the network needs ({n_samples}, {n_outputs}): "
            f"one row per sample of X, one column per output"
        )
    return Y


def _check_training(epochs, batch_size, learning_rate, momentum):
    """Raise ``ValueError`` unless the training arguments of :meth:`MLP.fit` are valid."""
    if not is_integer(epochs) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    check_batch_size(batch_size)
    if not (is_finite_number(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if not (is_finite_number(momentum) and 0 <= momentum < 1):
        raise ValueError(f"momentum must be a number in [0, 1), got {momentum!r}")
