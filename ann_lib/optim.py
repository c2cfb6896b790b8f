"""Gradient descent: update rules, mini-batches, and descent paths on a 2-D surface.

    gradient descent:   p <- p - learning_rate * g
    momentum:           v <- beta * v - learning_rate * g,   p <- p + v

``params`` and ``grads`` may be a single array or a (nested) list or tuple of
arrays, such as the list of ``(W, b)`` pairs of :func:`ann_lib.network.init_params`;
the result has the same structure. Inputs are never modified, unless
``inplace=True`` asks for an update in place (what a training loop wants).
"""

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib._validation import as_float_array, check_batch_size, check_same_length, is_finite_number


def gradient_descent_step(params: Any, grads: Any, learning_rate: float, inplace: bool = False) -> Any:
    """One step of gradient descent, ``p - learning_rate * g`` for every parameter.

    Parameters
    ----------
    params : ndarray or list/tuple of ndarrays
    grads : same structure and shapes as `params`
    learning_rate : float
    inplace : bool, default False
        If True, update the arrays of `params` in place (``p -= learning_rate * g``;
        they must be writable float arrays) and return `params` itself: a
        training loop then makes no new parameter arrays at each step.

    Returns
    -------
    new_params : same structure as `params`
    """
    if inplace:
        gradient_descent_in_place(_leaves_to_update((params, grads), ("params", "grads")),
                                   learning_rate)
        return params
    return _map(lambda p, g: p - learning_rate * g, params, grads, names=("params", "grads"))


def momentum_step(params: Any, grads: Any, velocity: Any, learning_rate: float, beta: float = 0.9,
                  inplace: bool = False) -> tuple[Any, Any]:
    """One step of gradient descent with momentum.

        v <- beta * v - learning_rate * g
        p <- p + v

    The velocity ``v`` is a running sum of past steps, decayed by `beta`
    (``beta = 0`` is plain gradient descent).

    Parameters
    ----------
    params : ndarray or list/tuple of ndarrays
    grads : same structure and shapes as `params`
    velocity : same structure and shapes as `params`, or None
        The previous velocity; None means zeros (the first step).
    learning_rate : float
    beta : float in [0, 1), default 0.9
    inplace : bool, default False
        If True, update the arrays of `params` and `velocity` in place (they
        must be writable float arrays; `velocity` must be given) and return
        them.

    Returns
    -------
    new_params, new_velocity : same structure as `params`
    """
    if inplace:
        if velocity is None:
            raise ValueError("inplace=True needs the velocity arrays to update (zeros at first)")

        leaves = _leaves_to_update((params, grads, velocity), ("params", "grads", "velocity"))
        momentum_in_place(leaves, learning_rate, beta)
        return params, velocity
    if velocity is None:
        velocity = _map(np.zeros_like, params)
    velocity = _map(
        lambda v, g: beta * v - learning_rate * g, velocity, grads, names=("velocity", "grads")
    )
    params = _map(lambda p, v: p + v, params, velocity, names=("params", "velocity"))
    return params, velocity


def gradient_descent_in_place(leaves: list[tuple[np.ndarray, ...]], learning_rate: float) -> None:
    """``p -= learning_rate * g`` for every pair ``(p, g)`` of checked `leaves`."""
    for p, g in leaves:
        p -= learning_rate * g


def momentum_in_place(leaves: list[tuple[np.ndarray, ...]], learning_rate: float, beta: float) -> None:
    """The momentum step in place for every triple ``(p, g, v)`` of checked `leaves`."""
    for p, g, v in leaves:
        v *= beta
        v -= learning_rate * g
        p += v


# --- adaptive steps and schedules

def rmsprop_step(params: Any, grads: Any, sq_avg: Any, learning_rate: float, beta: float = 0.9,
                 eps: float = 1e-8) -> tuple[Any, Any]:
    """One step of RMSProp: each parameter's step divided by its recent gradient size.

        s <- beta * s + (1 - beta) * g**2
        p <- p - learning_rate * g / (sqrt(s) + eps)

    ``s`` is a running (exponentially decaying) mean of the squared gradient, entry by
    entry, so every parameter gets its own step size: about ``learning_rate`` wherever the
    gradient keeps its size, whatever that size is (Hinton, Coursera lecture 6e, 2012).
    `eps` is added outside the square root, as in the Adam paper and PyTorch.

    Parameters
    ----------
    params : ndarray or list/tuple of ndarrays
    grads : same structure and shapes as `params`
    sq_avg : same structure and shapes as `params`, or None
        The previous mean of squared gradients; None means zeros (the first step).
    learning_rate : float >= 0
    beta : float in [0, 1), default 0.9
        Decay of the running mean.
    eps : float > 0, default 1e-8
        Keeps the division finite where the mean is 0.

    Returns
    -------
    new_params, new_sq_avg : same structure as `params`
    """
    _check_rate(learning_rate)
    _check_decay(beta, "beta")
    _check_eps(eps)
    if sq_avg is None:
        sq_avg = _map(np.zeros_like, params)
    sq_avg = _map(lambda s, g: beta * s + (1 - beta) * np.square(g), sq_avg, grads,
                  names=("sq_avg", "grads"))
    params = _map(lambda p, g, s: p - learning_rate * g / (np.sqrt(s) + eps),
                  params, grads, sq_avg, names=("params", "grads", "sq_avg"))
    return params, sq_avg


def adam_step(params: Any, grads: Any, m: Any, v: Any, t: int, learning_rate: float = 0.001,
              beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> tuple[Any, Any, Any]:
    """One step of Adam (Kingma & Ba, 2015): momentum and RMSProp, with bias correction.

        m <- beta1 * m + (1 - beta1) * g               (mean of the gradient)
        v <- beta2 * v + (1 - beta2) * g**2            (mean of the squared gradient)
        m_hat = m / (1 - beta1**t),   v_hat = v / (1 - beta2**t)
        p <- p - learning_rate * m_hat / (sqrt(v_hat) + eps)

    `m` and `v` start at zero, so their early values are too small; dividing by
    ``1 - beta**t`` removes that bias (at ``t = 1``, ``m_hat = g`` and ``v_hat = g**2``, so the
    first step is ``learning_rate * g / (|g| + eps)``, about ``learning_rate`` per entry).
    `eps` is added outside the square root, as in the paper's Algorithm 1.

    Parameters
    ----------
    params : ndarray or list/tuple of ndarrays
    grads : same structure and shapes as `params`
    m, v : same structure and shapes as `params`, or None
        The running means after the previous step; None means zeros (the first step).
    t : int >= 1
        The number of this step, counting from 1.
    learning_rate : float >= 0, default 0.001
    beta1, beta2 : floats in [0, 1), default 0.9, 0.999
        Decays of the means of the gradient and of its square.
    eps : float > 0, default 1e-8

    Returns
    -------
    new_params, new_m, new_v : same structure as `params`
    """
    if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)) or t < 1:
        raise ValueError(f"t is the number of the step, an integer counting from 1, got {t!r} "
                         "(the bias correction divides by 1 - beta**t, which is 0 at t = 0)")
    _check_rate(learning_rate)
    _check_decay(beta1, "beta1")
    _check_decay(beta2, "beta2")
    _check_eps(eps)
    if m is None:
        m = _map(np.zeros_like, params)
    if v is None:
        v = _map(np.zeros_like, params)
    m = _map(lambda m_, g: beta1 * m_ + (1 - beta1) * g, m, grads, names=("m", "grads"))
    v = _map(lambda v_, g: beta2 * v_ + (1 - beta2) * np.square(g), v, grads,
             names=("v", "grads"))
    c1, c2 = 1 - beta1 ** int(t), 1 - beta2 ** int(t)
    params = _map(lambda p, m_, v_: p - learning_rate * (m_ / c1) / (np.sqrt(v_ / c2) + eps),
                  params, m, v, names=("params", "m", "v"))
    return params, m, v


def step_decay(
    epoch: ArrayLike, base_rate: float, drop: float = 0.5, epochs_per_drop: int = 10,
) -> float | np.ndarray:
    """A learning rate that drops by the factor `drop` every `epochs_per_drop` epochs.

        rate(epoch) = base_rate * drop ** floor(epoch / epochs_per_drop)

    Epochs count from 0: epochs ``0 .. epochs_per_drop - 1`` use `base_rate` itself.

    Parameters
    ----------
    epoch : int >= 0 or array_like of them
    base_rate : float >= 0
        The rate of the first epochs.
    drop : float in (0, 1], default 0.5
    epochs_per_drop : int >= 1, default 10

    Returns
    -------
    float, or ndarray of the shape of `epoch`
    """
    epoch = _check_epochs(epoch)
    _check_rate(base_rate, "base_rate")
    if not (is_finite_number(drop) and 0 < drop <= 1):
        raise ValueError(f"drop must be in (0, 1], the factor the rate is multiplied by, "
                         f"got {drop!r}")
    if (isinstance(epochs_per_drop, (bool, np.bool_))
            or not isinstance(epochs_per_drop, (int, np.integer)) or epochs_per_drop < 1):
        raise ValueError(f"epochs_per_drop must be a positive integer, got {epochs_per_drop!r}")
    rate = base_rate * float(drop) ** (epoch // int(epochs_per_drop))
    return float(rate) if rate.ndim == 0 else rate


def cosine_decay(
    epoch: ArrayLike, base_rate: float, n_epochs: int, min_rate: float = 0.0,
) -> float | np.ndarray:
    """A learning rate that falls from `base_rate` to `min_rate` along half a cosine.

        rate(epoch) = min_rate + (base_rate - min_rate) * (1 + cos(pi * epoch / n_epochs)) / 2

    for ``0 <= epoch <= n_epochs`` (Loshchilov & Hutter's SGDR without restarts); later
    epochs keep `min_rate`.

    Parameters
    ----------
    epoch : int >= 0 or array_like of them
    base_rate : float >= 0
    n_epochs : int >= 1
        The epoch at which the rate reaches `min_rate`.
    min_rate : float in [0, base_rate], default 0.0

    Returns
    -------
    float, or ndarray of the shape of `epoch`
    """
    epoch = _check_epochs(epoch)
    _check_rate(base_rate, "base_rate")
    if (isinstance(n_epochs, (bool, np.bool_))
            or not isinstance(n_epochs, (int, np.integer)) or n_epochs < 1):
        raise ValueError(f"n_epochs must be a positive integer, got {n_epochs!r}")
    if not (is_finite_number(min_rate) and 0 <= min_rate <= base_rate):
        raise ValueError(f"min_rate must be between 0 and base_rate = {base_rate!r}, "
                         f"got {min_rate!r}")
    progress = np.minimum(epoch, n_epochs) / n_epochs
    rate = min_rate + (base_rate - min_rate) * (1 + np.cos(np.pi * progress)) / 2
    return float(rate) if rate.ndim == 0 else rate


def _check_rate(rate, name="learning_rate"):
    if not (is_finite_number(rate) and rate >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {rate!r}")


def _check_decay(beta, name):
    if not (is_finite_number(beta) and 0 <= beta < 1):
        raise ValueError(f"{name} must be in [0, 1), the weight of the running mean's past, "
                         f"got {beta!r}")


def _check_eps(eps):
    if not (is_finite_number(eps) and eps > 0):
        raise ValueError(f"eps must be a small positive number (e.g. 1e-8) that keeps the "
                         f"division finite, got {eps!r}")


def _check_epochs(epoch: ArrayLike) -> np.ndarray:
    array = np.asarray(epoch)
    if array.dtype.kind not in "iu" or np.any(array < 0):
        raise ValueError(f"epoch must be an integer >= 0 (or an array of them), counting from 0, "
                         f"got {epoch!r}")
    return array.astype(np.int64)


def _map(f, *trees, names=("params",)):
    """Apply `f` leaf by leaf to arrays nested in lists/tuples of the same structure."""
    first = trees[0]
    if isinstance(first, (list, tuple)):
        _check_structure(trees, names)
        return type(first)(_map(f, *leaves, names=names) for leaves in zip(*trees))
    arrays = [np.asarray(leaf) for leaf in trees]
    _check_shapes(arrays, names)
    return f(*arrays)


def _check_structure(trees, names):
    for other, name in zip(trees[1:], names[1:]):
        if not isinstance(other, (list, tuple)) or len(other) != len(trees[0]):
            raise ValueError(
                f"{name} must have the structure of {names[0]}: "
                f"a list or tuple of {len(trees[0])} entries"
            )


def _check_shapes(leaves, names):
    for leaf, name in zip(leaves[1:], names[1:]):
        if np.shape(leaf) != np.shape(leaves[0]):
            raise ValueError(
                f"{names[0]} entry has shape {np.shape(leaves[0])} but {name} entry has shape "
                f"{np.shape(leaf)}: they must match"
            )


def _leaves_to_update(trees, names):
    """The leaves of same-structure trees, zipped, for an update in place.

    Every entry is checked before any is changed, so a bad one changes nothing: the
    shapes must match, and the leaves of every tree but the second (the gradients)
    must be writable float arrays.
    """
    groups = []
    _gather(trees, names, groups)
    for group in groups:
        for leaf, name in zip(group[:1] + group[2:], names[:1] + names[2:]):
            if not (isinstance(leaf, np.ndarray) and leaf.dtype.kind == "f" and leaf.flags.writeable):
                dtype = f" of dtype {leaf.dtype}" if isinstance(leaf, np.ndarray) else ""
                raise ValueError(
                    f"inplace=True updates {name} in place: its entries must be writable float "
                    f"NumPy arrays, got {type(leaf).__name__}{dtype}"
                )
        _check_shapes(group, names)
    return groups


def _gather(trees, names, groups):
    if not isinstance(trees[0], (list, tuple)):
        groups.append(trees)
        return
    _check_structure(trees, names)
    for leaves in zip(*trees):
        _gather(leaves, names, groups)


def minibatches(X: np.ndarray, y: np.ndarray, batch_size: int | None, rng: np.random.Generator,
                out: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield shuffled mini-batches that cover every sample exactly once (one epoch).

    Parameters
    ----------
    X : ndarray, shape (n_samples, ...)
    y : ndarray, shape (n_samples, ...)
    batch_size : int or None
        Samples per batch; the last batch holds the remainder. ``1`` gives
        stochastic gradient descent. ``None`` or ``>= n_samples`` gives one
        full batch, yielded in the original order (no shuffling).
    rng : numpy.random.Generator or int
        Source of the shuffling order (an int is used as a seed).
    out : (ndarray, ndarray) or None, default None
        Arrays of the shapes and dtypes of `X` and `y` to shuffle into, so that a
        training loop reuses them every epoch instead of copying the data anew.
        The batches are views of them, valid until the next epoch.

    Yields
    ------
    X_batch : ndarray, shape (batch_size, ...)
    y_batch : ndarray, shape (batch_size, ...)
    """
    X, y = np.asarray(X), np.asarray(y)
    check_same_length(X, y)
    n = len(X)
    check_batch_size(batch_size)
    if batch_size is None or batch_size >= n:
        yield X, y
        return
    order = np.random.default_rng(rng).permutation(n)
    if out is None:
        X, y = X[order], y[order]  # shuffle once, then slice (views, no copies)
    else:
        for array, buffer, name in ((X, out[0], "X"), (y, out[1], "y")):
            if buffer.shape != array.shape or buffer.dtype != array.dtype:
                raise ValueError(
                    f"out needs arrays like X and y: {name} is {array.dtype} of shape "
                    f"{array.shape}, its buffer {buffer.dtype} of shape {buffer.shape}"
                )
        # mode="clip" (order is a permutation, always in range) writes straight into out;
        # the default mode="raise" would go through a temporary copy
        X = np.take(X, order, axis=0, out=out[0], mode="clip")
        y = np.take(y, order, axis=0, out=out[1], mode="clip")
    for start in range(0, n, batch_size):
        yield X[start : start + batch_size], y[start : start + batch_size]


def gradient_descent(grad_fn: Callable[[np.ndarray], ArrayLike], x0: ArrayLike, learning_rate: float,
                     n_steps: int, momentum: float = 0.0) -> np.ndarray:
    """Run gradient descent (with optional momentum) from `x0` and record the path.

    Meant for lessons on 2-D loss surfaces:

        v <- momentum * v - learning_rate * grad_fn(x),   x <- x + v

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(x)`` returns the gradient at `x`, shape (dim,).
    x0 : array_like, shape (dim,)
        Starting point.
    learning_rate : float
    n_steps : int
    momentum : float in [0, 1), default 0.0
        0 gives plain gradient descent.

    Returns
    -------
    path : ndarray, shape (n_steps + 1, dim)
        ``path[0]`` is `x0`, ``path[t]`` the point after `t` steps.
    """
    x = as_float_array(x0, "x0").astype(np.float64)
    if x.ndim != 1:
        raise ValueError(f"x0 must be 1-D (dim,), got shape {x.shape}")
    path = np.empty((n_steps + 1, x.size))
    path[0] = x
    velocity = np.zeros_like(x)
    for t in range(1, n_steps + 1):
        g = np.asarray(grad_fn(x), dtype=np.float64)
        if g.shape != x.shape:
            raise ValueError(f"grad_fn returned shape {g.shape} but x has shape {x.shape}")
        velocity = momentum * velocity - learning_rate * g
        x = x + velocity
        path[t] = x
    return path


def least_squares_descent(
    X: ArrayLike, y: ArrayLike, n_steps: int, lr_fraction: float = 0.8,
) -> tuple[np.ndarray, float]:
    """Gradient descent on the mean squared error of the linear model ``y ~ X @ w``, from w = 0.

        C(w) = mean((X @ w - y)**2),   grad C(w) = 2/n X^T (X w - y),   H = 2/n X^T X

    Descent on this quadratic is stable for learning rates below ``2 / lambda_max(H)``, which
    depends on the spread of the features; the rate used is ``lr_fraction`` times that limit,
    so that runs on differently scaled features are compared fairly.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
    y : array_like, shape (n_samples,)
    n_steps : int
        Gradient-descent steps.
    lr_fraction : float, default 0.8
        Learning rate as a fraction of the stability limit; above 1 the path diverges.

    Returns
    -------
    path : ndarray, shape (n_steps + 1, n_features)
        ``path[0]`` is zero, ``path[t]`` the weights after `t` steps.
    learning_rate : float
        The learning rate used, ``lr_fraction * 2 / lambda_max(H)``.
    """
    X = as_float_array(X, "X").astype(np.float64)
    y = as_float_array(y, "y").astype(np.float64)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X must be 2-D (n_samples, n_features) and y 1-D (n_samples,), got "
                         f"shapes {X.shape} and {y.shape}")
    if not lr_fraction > 0:
        raise ValueError(f"lr_fraction must be positive, got {lr_fraction!r}")
    n = len(X)
    lambda_max = np.linalg.eigvalsh(2.0 / n * X.T @ X).max()
    if not lambda_max > 0:
        raise ValueError("X is all zeros: the cost does not depend on the weights")
    learning_rate = lr_fraction * 2.0 / lambda_max

    def grad(w):
        return 2.0 / n * X.T @ (X @ w - y)

    return gradient_descent(grad, np.zeros(X.shape[1]), learning_rate, n_steps), learning_rate


def fit_line(x: ArrayLike, y: ArrayLike, loss_grad: Callable[..., ArrayLike], n_iter: int = 60,
             **loss_kwargs: float) -> tuple[float, float]:
    """The line ``y ~ slope * x + intercept`` that minimises a regression cost, by iteratively
    reweighted least squares (IRLS).

    Starting from the least-squares line, each iteration solves a weighted least-squares problem
    whose sample weights are ``psi(r) / r`` for the residuals ``r = y - y_pred``, with
    ``psi(r) = -n * d cost / d y_pred`` taken from `loss_grad`. For the squared error all weights
    are equal (one step); for absolute, Huber or log-cosh loss, samples with large residuals
    (outliers) get small weights.

    Parameters
    ----------
    x, y : array_like, shape (n_samples,)
    loss_grad : callable
        ``loss_grad(y_true, y_pred, **loss_kwargs)``, the gradient of the mean cost with respect
        to ``y_pred``, e.g. :func:`ann_lib.losses.huber_grad`.
    n_iter : int, default 60
    **loss_kwargs
        Passed to `loss_grad` (e.g. ``delta`` of Huber's loss).

    Returns
    -------
    slope, intercept : float
    """
    x = as_float_array(x, "x").astype(np.float64)
    y = as_float_array(y, "y").astype(np.float64)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"x and y must be 1-D with the same length, got shapes {x.shape} and "
                         f"{y.shape}")
    A = np.column_stack([x, np.ones_like(x)])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    for _ in range(n_iter):
        r = y - A @ theta
        psi = -y.size * np.asarray(loss_grad(y, A @ theta, **loss_kwargs), dtype=np.float64)
        safe = np.where(r >= 0, np.maximum(r, 1e-8), np.minimum(r, -1e-8))
        weights = np.maximum(psi / safe, 1e-12)
        theta = np.linalg.solve(A.T @ (weights[:, None] * A), A.T @ (weights * y))
    return float(theta[0]), float(theta[1])


# --- descent loops


def linear_regression_descent(
    X: ArrayLike, y: ArrayLike, learning_rate: float, epochs: int, batch_size: int | None,
    rng: np.random.Generator, momentum: float = 0.0,
) -> tuple[np.ndarray, float, np.ndarray]:
    """Train the linear model ``y ~ X @ w + b`` by mini-batch gradient descent on the mean
    squared error, from ``w = 0, b = 0``, and record the cost after every epoch.

    Every epoch draws a new order of the samples, ``rng.permutation(n_samples)`` (also when one
    batch holds them all), and cuts it into consecutive batches of `batch_size`, the last one
    holding the remainder. On each batch B of m samples, with residuals ``r = X_B @ w + b - y_B``:

        J_B = mean(r**2),   dJ_B/dw = 2/m X_B^T r,   dJ_B/db = 2/m sum(r)
        v <- momentum * v - learning_rate * grad,    theta <- theta + v

    for theta = w and theta = b, each with its own velocity v (zero at the start, carried over
    from step to step and epoch to epoch; ``momentum = 0`` is plain gradient descent).
    ``batch_size = n_samples`` gives batch gradient descent, ``1`` stochastic gradient descent.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
    y : array_like, shape (n_samples,)
    learning_rate : float
        Positive.
    epochs : int
        Passes over the data, at least 0.
    batch_size : int or None
        Samples per step, at least 1; None (or more than n_samples) means all of them.
    rng : numpy.random.Generator or int
        Source of the epochs' orders (an int is used as a seed); a Generator is advanced by
        one permutation per epoch.
    momentum : float in [0, 1), default 0.0

    Returns
    -------
    w : ndarray, shape (n_features,)
    b : float
    history : ndarray, shape (epochs,)
        ``history[e]`` is the cost on the whole data, ``mean((X @ w + b - y)**2)``, after the
        updates of epoch ``e``.
    """
    X = as_float_array(X, "X").astype(np.float64)
    y = as_float_array(y, "y").astype(np.float64)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X must be 2-D (n_samples, n_features) and y 1-D (n_samples,), got "
                         f"shapes {X.shape} and {y.shape}")
    if len(X) == 0:
        raise ValueError("X has no samples")
    if not (is_finite_number(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    check_batch_size(batch_size)
    if not (is_finite_number(momentum) and 0 <= momentum < 1):
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    rng = np.random.default_rng(rng)
    n = len(X)
    size = n if batch_size is None else min(int(batch_size), n)
    w, b = np.zeros(X.shape[1]), 0.0
    v_w, v_b = np.zeros_like(w), 0.0
    history = np.empty(epochs)
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, size):
            batch = order[start:start + size]
            r = X[batch] @ w + b - y[batch]
            v_w = momentum * v_w - learning_rate * (2.0 / batch.size) * (X[batch].T @ r)
            v_b = momentum * v_b - learning_rate * (2.0 / batch.size) * r.sum()
            w = w + v_w
            b = b + v_b
        history[epoch] = np.mean((X @ w + b - y) ** 2)
    return w, float(b), history
