"""Figures for the lessons.

Each function draws one figure with matplotlib and returns it (``None`` while nbgrader grades a
notebook: figures cost time there and are graded by nobody). matplotlib is imported lazily so
that grading never pays for it.
"""

import os

import numpy as np


def grading():
    """True while nbgrader executes the notebook (autograde or validate)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def bias_shift(activation, w=1.0, biases=(-2.0, 0.0, 2.0), x=None):
    """One-input neuron ``activation(w * x + b)`` drawn for several biases.

    Parameters
    ----------
    activation : callable
        Element-wise transfer function f(z).
    w : float
        The neuron's weight.
    biases : sequence of float
        One curve per bias.
    x : ndarray of shape (n_points,), optional
        Input values; defaults to 241 points on [-6, 6].

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if grading():
        return None
    plt = _pyplot()
    x = np.linspace(-6, 6, 241) if x is None else np.asarray(x, dtype=float)
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for b in biases:
        line, = ax.plot(x, activation(w * x + b), lw=2, label=f"b = {b:g}")
        if w != 0:
            ax.axvline(-b / w, color=line.get_color(), ls=":", lw=1)
    ax.axhline(0.5, color="grey", lw=0.8)
    ax.set_xlabel("input x")
    ax.set_ylabel(f"output a = f({w:g} x + b)")
    ax.set_title("The bias slides the neuron's response; dotted: x = -b / w")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def neuron_graph(x, w, b, y):
    """Computational graph of one sigmoid neuron with squared error, forward and backward values.

    The graph is ``z = w . x + b``, ``a = sigmoid(z)``, ``L = (a - y)**2``. Above each node its
    forward value, below it (in red) the gradient of L with respect to it, found by the chain rule
    from right to left.

    Parameters
    ----------
    x, w : ndarray of shape (2,)
        Inputs and weights of a two-input neuron.
    b, y : float
        Bias and target.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if grading():
        return None
    from ann_lib import activations

    plt = _pyplot()
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    z = float(x @ w + b)
    a = float(activations.sigmoid(z))
    loss = (a - y) ** 2
    dL_da = 2 * (a - y)
    da_dz = float(activations.sigmoid_grad(z))
    dL_dz = dL_da * da_dz
    nodes = {  # name: (x, y, label, forward value, gradient)
        "x1": (0.0, 3.2, "$x_1$", x[0], None),
        "w1": (0.0, 2.3, "$w_1$", w[0], dL_dz * x[0]),
        "x2": (0.0, 1.4, "$x_2$", x[1], None),
        "w2": (0.0, 0.5, "$w_2$", w[1], dL_dz * x[1]),
        "b": (0.0, -0.4, "$b$", b, dL_dz),
        "z": (2.4, 1.4, "$z = w \\cdot x + b$", z, dL_dz),
        "a": (4.8, 1.4, "$a = \\sigma(z)$", a, dL_da),
        "L": (7.2, 1.4, "$L = (a - y)^2$", loss, 1.0),
    }
    fig, ax = plt.subplots(figsize=(9.5, 4.6))
    for src in ("x1", "w1", "x2", "w2", "b"):
        ax.annotate("", xy=(nodes["z"][0] - 0.75, nodes["z"][1]), xytext=(nodes[src][0] + 0.35,
                    nodes[src][1]), arrowprops=dict(arrowstyle="->", color="grey", lw=1.2))
    for s, t in (("z", "a"), ("a", "L")):
        ax.annotate("", xy=(nodes[t][0] - 0.75, nodes[t][1]), xytext=(nodes[s][0] + 0.75,
                    nodes[s][1]), arrowprops=dict(arrowstyle="->", color="grey", lw=1.2))
    for name, (px, py, label, value, grad) in nodes.items():
        ax.text(px, py, label, ha="center", va="center", fontsize=11,
                bbox=dict(boxstyle="round,pad=0.35", fc="#e8f0fb", ec="#4a78b5"))
        sym = f"{name[0]}_{name[1]}" if len(name) == 2 else name
        if px == 0.0:  # an input: value on the left, gradient on the right of the box
            ax.text(px - 0.4, py, f"{value:.3g}", ha="right", va="center", fontsize=9.5,
                    color="#1f4e8c")
            if grad is not None:
                ax.text(px + 0.4, py + 0.2, f"$\\partial L/\\partial {sym}$ = {grad:.3g}",
                        ha="left", va="bottom", fontsize=9.5, color="#b22222")
            continue
        ax.text(px, py + 0.38, f"{value:.3g}", ha="center", va="bottom", fontsize=9.5,
                color="#1f4e8c")
        ax.text(px, py - 0.38, f"$\\partial L/\\partial {sym}$ = {grad:.3g}", ha="center",
                va="top", fontsize=9.5, color="#b22222")
    ax.text(3.6, 1.55, f"$\\sigma'(z)$ = {da_dz:.3g}", ha="center", va="bottom", fontsize=9.5,
            color="#b22222")
    ax.text(6.0, 1.55, f"$2(a - y)$ = {dL_da:.3g}", ha="center", va="bottom", fontsize=9.5,
            color="#b22222")
    ax.set_xlim(-0.8, 8.4)
    ax.set_ylim(-1.2, 3.9)
    ax.axis("off")
    ax.set_title(f"One neuron, target y = {y:g}: forward values (blue) left to right, "
                 "gradients (red) right to left", fontsize=10)
    fig.tight_layout()
    return fig


# --- lesson 02: standardizing the inputs --------------------------------------------------

def scaled_regression_data(scale=10.0, n_samples=100, seed=0):
    """Linear-regression data whose two features have very different spreads.

    ``x1`` has standard deviation 1 and ``x2`` standard deviation `scale` (both centred on 0);
    the targets are ``y = 2 x1 + 3 x2 / scale + noise``, so both features matter equally.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, 2))
    X = (X - X.mean(axis=0)) / X.std(axis=0) * np.array([1.0, scale])
    y = 2.0 * X[:, 0] + 3.0 * X[:, 1] / scale + 0.3 * rng.standard_normal(n_samples)
    return X, y


def _mse_descent(X, y, lr_fraction, n_steps):
    """Gradient descent on the MSE of y ~ X @ w from w = 0.

    The learning rate is ``lr_fraction`` times the stability limit ``2 / lambda_max``
    (``lambda_max``: largest eigenvalue of the loss's Hessian ``2 X^T X / n``).
    Returns ``(path, w_best, loss, learning_rate)``.
    """
    from ann_lib import optim

    n = len(X)
    hessian = 2.0 / n * X.T @ X
    learning_rate = lr_fraction * 2.0 / np.linalg.eigvalsh(hessian).max()

    def grad(w):
        return 2.0 / n * X.T @ (X @ w - y)

    def loss(w):
        return np.mean((X @ w - y) ** 2)

    path = optim.gradient_descent(grad, np.zeros(X.shape[1]), learning_rate, n_steps)
    w_best = np.linalg.lstsq(X, y, rcond=None)[0]
    return path, w_best, loss, learning_rate


def _descent_panel(ax, X, y, lr_fraction, n_steps, title, names):
    path, w_best, loss, learning_rate = _mse_descent(X, y, lr_fraction, n_steps)
    centre = w_best / 2
    half = 0.5 * np.abs(w_best).max() + 1.0
    g1 = np.linspace(centre[0] - half, centre[0] + half, 161)
    g2 = np.linspace(centre[1] - half, centre[1] + half, 161)
    W1, W2 = np.meshgrid(g1, g2)
    grid = np.stack([W1.ravel(), W2.ravel()], axis=1)
    L = np.mean((grid @ X.T - y) ** 2, axis=1).reshape(W1.shape)
    low = loss(w_best)
    levels = low + np.geomspace(1e-3, 1.0, 12) * (L.max() - low)
    ax.contour(W1, W2, L, levels=levels, cmap="viridis", linewidths=1)
    ax.plot(path[:, 0], path[:, 1], "o-", color="tab:red", ms=3, lw=1.2, label="descent path")
    ax.plot(*w_best, "*", color="black", ms=12, label="minimum")
    ax.set_xlim(g1[0], g1[-1])
    ax.set_ylim(g2[0], g2[-1])
    ax.set_aspect("equal")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(f"{title}\nloss after {n_steps} steps: {loss(path[-1]):.3f} "
                 f"(best {low:.3f}), lr = {learning_rate:.3g}", fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    return loss(path[-1])


def descent_raw_vs_standardized(scale=10.0, n_steps=30, lr_fraction=0.8, Z=None, seed=0):
    """Gradient descent on the MSE of a linear model, raw features vs standardized features.

    Left: the loss contours over the two weights for raw features (``x2`` is `scale` times wider
    than ``x1``); right: the same model on standardized features. Each run starts at w = 0 and
    uses ``lr_fraction`` of its own largest stable learning rate.

    Parameters
    ----------
    scale : float
        Standard deviation of the second feature (the first has 1).
    n_steps : int
        Gradient-descent steps.
    lr_fraction : float in (0, 1)
        Learning rate as a fraction of the stability limit 2 / lambda_max.
    Z : ndarray of shape (n_samples, 2), optional
        The standardized features; defaults to ``ann_lib.preprocessing.standardize(X)``.
    seed : int

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if grading():
        return None
    from ann_lib import preprocessing

    plt = _pyplot()
    X, y = scaled_regression_data(scale, seed=seed)
    Z = preprocessing.standardize(X) if Z is None else np.asarray(Z, dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.8))
    _descent_panel(axes[0], X, y, lr_fraction, n_steps,
                   f"raw features (std 1 and {scale:g})", ("weight of x1", "weight of x2"))
    _descent_panel(axes[1], Z, y, lr_fraction, n_steps,
                   "standardized features (std 1 and 1)", ("weight of z1", "weight of z2"))
    fig.tight_layout()
    return fig


# --- lesson 08, capstone: training curves, model comparison, confusion matrix --------------

def training_curves(curves, title="Training cost per epoch"):
    """Training cost against epoch for several learners on one axis.

    Parameters
    ----------
    curves : dict of str -> sequence of float
        One loss history per learner, e.g. ``{"my network": history, "scikit-learn": ...}``.
    title : str

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if grading():
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for (label, history), style in zip(curves.items(), ("-", "--", ":", "-.")):
        history = np.asarray(history, dtype=float)
        ax.plot(np.arange(1, history.size + 1), history, style, lw=2, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean binary cross-entropy (log scale)")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def model_comparison(accuracies, seconds, target=None):
    """Two bar charts side by side: test accuracy and training time of each learner.

    Parameters
    ----------
    accuracies : dict of str -> float
        Test accuracy (0 to 1) per learner.
    seconds : dict of str -> float
        Training time in seconds per learner (same keys).
    target : float, optional
        Drawn as a dashed line on the accuracy panel.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if grading():
        return None
    plt = _pyplot()
    names = list(accuracies)
    colors = [f"C{i}" for i in range(len(names))]
    fig, (ax_acc, ax_time) = plt.subplots(1, 2, figsize=(8.5, 3.4))
    acc = [100 * accuracies[n] for n in names]
    bars = ax_acc.bar(names, acc, color=colors)
    ax_acc.bar_label(bars, fmt="%.1f%%")
    if target is not None:
        ax_acc.axhline(100 * target, color="grey", ls="--", lw=1, label=f"target {target:.0%}")
        ax_acc.legend(loc="lower right")
    ax_acc.set_ylim(min(80.0, min(acc) - 5), 101)
    ax_acc.set_ylabel("test accuracy (%)")
    ax_acc.set_title("Accuracy on the held-out test set")
    ms = [1000 * seconds[n] for n in names]
    bars = ax_time.bar(names, ms, color=colors)
    ax_time.bar_label(bars, fmt="%.0f ms")
    ax_time.set_ylabel("training time (ms)")
    ax_time.set_title("Training time")
    ax_time.set_ylim(0, 1.2 * max(ms))
    for ax in (ax_acc, ax_time):
        ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def confusion_matrix(y_true, y_pred, labels=("class 0", "class 1"), title="Confusion matrix"):
    """A 2 x 2 confusion matrix: rows are the true classes, columns the predicted ones.

    Parameters
    ----------
    y_true, y_pred : array_like of 0/1, shape (n_samples,)
    labels : pair of str
        Names of class 0 and class 1.
    title : str

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if grading():
        return None
    plt = _pyplot()
    y_true = np.asarray(y_true).astype(int).reshape(-1)
    y_pred = np.asarray(y_pred).astype(int).reshape(-1)
    counts = np.zeros((2, 2), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    fig, ax = plt.subplots(figsize=(4.2, 3.6))
    ax.imshow(counts, cmap="Blues")
    for i in range(2):
        for j in range(2):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=14,
                    color="white" if counts[i, j] > counts.max() / 2 else "black")
    ax.set_xticks([0, 1], [f"predicted\n{labels[0]}", f"predicted\n{labels[1]}"])
    ax.set_yticks([0, 1], [f"true\n{labels[0]}", f"true\n{labels[1]}"])
    ax.set_title(f"{title}\n(accuracy {np.trace(counts) / counts.sum():.1%})", fontsize=10)
    fig.tight_layout()
    return fig


# --- lesson 04: activation functions ---------------------------------------------------------


def activation_panel(z=None):
    """Every activation of lesson 04 (solid) with its derivative (dashed), one panel each.

    The last panel is a maxout unit of one input with k = 2 pieces,
    ``max(0.5 x - 1, -x)``, and its slope.

    Parameters
    ----------
    z : ndarray of shape (n_points,), optional
        Where to draw; defaults to 401 points on [-4, 4].

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if grading():
        return None
    from ann_lib import activations as act

    plt = _pyplot()
    z = np.linspace(-4, 4, 401) if z is None else np.asarray(z, dtype=float)
    panels = [("linear", act.linear, act.linear_grad),
              ("sigmoid", act.sigmoid, act.sigmoid_grad),
              ("tanh", act.tanh, act.tanh_grad),
              ("ReLU", act.relu, act.relu_grad),
              ("leaky ReLU (slope 0.1)", act.leaky_relu, act.leaky_relu_grad),
              ("ELU (alpha 1)", act.elu, act.elu_grad)]
    fig, axes = plt.subplots(2, 4, figsize=(13, 5.8))
    axes = axes.ravel()
    for ax, (title, f, df) in zip(axes, panels):
        ax.plot(z, f(z), lw=2.2, label="f(z)")
        ax.plot(z, df(z), lw=1.6, ls="--", label="f'(z)")
        ax.set_title(title, fontsize=10)
    pieces = np.stack([0.5 * z - 1, -z], axis=-1)
    ax = axes[6]
    ax.plot(z, pieces[:, 0], color="grey", lw=0.8, ls=":")
    ax.plot(z, pieces[:, 1], color="grey", lw=0.8, ls=":")
    ax.plot(z, act.maxout(pieces), lw=2.2, label="f(x)")
    ax.plot(z, act.maxout_grad(pieces) @ np.array([0.5, -1.0]), lw=1.6, ls="--", label="f'(x)")
    ax.set_title("maxout: max(0.5x - 1, -x)", fontsize=10)
    step = act.step(z)
    ax = axes[7]
    ax.plot(z, step, lw=2.2, label="f(z)")
    ax.plot(z, act.step_grad(z), lw=1.6, ls="--", label="f'(z)")
    ax.set_title("step (lesson 01): f' = 0", fontsize=10)
    for ax in axes:
        ax.axhline(0, color="black", lw=0.6)
        ax.axvline(0, color="black", lw=0.6)
        ax.grid(alpha=0.3)
        ax.set_ylim(-2.2, 4.2) if ax in (axes[0], axes[3], axes[4], axes[5], axes[6]) \
            else ax.set_ylim(-1.2, 1.2)
    axes[0].legend(loc="upper left", fontsize=9)
    fig.suptitle("Activation functions (solid) and their derivatives (dashed)")
    fig.tight_layout()
    return fig


# --- lesson 05: loss functions ---------------------------------------------------------------


def loss_panel(r=None, delta=1.0, quantiles=(0.25, 0.5, 0.75), epsilon=1.0):
    """The regression losses as functions of the residual ``r = y_true - y_pred``, panels (a)-(f).

    (a) squared, (b) absolute, (c) Huber (`delta`), (d) log-cosh, (e) quantile for each of
    `quantiles`, (f) epsilon-insensitive (`epsilon`).

    Parameters
    ----------
    r : ndarray of shape (n_points,), optional
        Residuals to draw; defaults to 401 points on [-3, 3].

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if grading():
        return None
    from ann_lib import losses

    plt = _pyplot()
    r = np.linspace(-3, 3, 401) if r is None else np.asarray(r, dtype=float)
    zero = np.zeros_like(r)

    def per_sample(loss, **kw):
        return loss(r, zero, reduction="none", **kw)  # y_true = r, y_pred = 0: residual r

    fig, axes = plt.subplots(2, 3, figsize=(12, 6.4))
    axes = axes.ravel()
    axes[0].plot(r, per_sample(losses.mse), lw=2.2)
    axes[0].set_title("(a) squared: $r^2$")
    axes[1].plot(r, per_sample(losses.mae), lw=2.2)
    axes[1].set_title("(b) absolute: $|r|$")
    axes[2].plot(r, per_sample(losses.huber, delta=delta), lw=2.2)
    axes[2].plot(r, 0.5 * r**2, color="grey", ls=":", lw=1)
    for s in (-delta, delta):
        axes[2].axvline(s, color="grey", ls="--", lw=0.8)
    axes[2].set_title(f"(c) Huber, $\\delta$ = {delta:g}")
    axes[3].plot(r, per_sample(losses.log_cosh), lw=2.2)
    axes[3].set_title(r"(d) log-cosh: $\log\cosh r$")
    for q in quantiles:
        axes[4].plot(r, per_sample(losses.quantile, q=q), lw=2, label=f"q = {q:g}")
    axes[4].legend(fontsize=8)
    axes[4].set_title("(e) quantile (pinball)")
    axes[5].plot(r, per_sample(losses.epsilon_insensitive, epsilon=epsilon), lw=2.2)
    for s in (-epsilon, epsilon):
        axes[5].axvline(s, color="grey", ls="--", lw=0.8)
    axes[5].set_title(f"(f) $\\epsilon$-insensitive, $\\epsilon$ = {epsilon:g}")
    for ax in axes:
        ax.set_xlabel("residual r = y_true - y_pred")
        ax.set_ylim(-0.2, 4.2)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _fit_line(x, y, loss_grad, n_iter=60, **kw):
    """Line ``w x + b`` minimising a regression cost, by iteratively reweighted least squares.

    The weight of each sample is ``psi(r) / r`` with ``psi(r) = -n * d cost / d y_pred``.
    """
    A = np.column_stack([x, np.ones_like(x)])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    for _ in range(n_iter):
        r = y - A @ theta
        psi = -y.size * loss_grad(y, A @ theta, **kw)
        safe = np.where(r >= 0, np.maximum(r, 1e-8), np.minimum(r, -1e-8))
        wts = np.maximum(psi / safe, 1e-12)
        theta = np.linalg.solve(A.T @ (wts[:, None] * A), A.T @ (wts * y))
    return theta


def outlier_fits(x, y, delta=1.0, true_line=None):
    """A line fitted to data with outliers under MSE, MAE, Huber and log-cosh.

    Parameters
    ----------
    x, y : ndarray of shape (n_samples,)
    delta : float
        Huber's delta.
    true_line : (slope, intercept), optional
        Drawn dotted for comparison.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if grading():
        return None
    from ann_lib import losses

    plt = _pyplot()
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    ax.scatter(x, y, s=14, color="grey", alpha=0.7, label="data")
    grid = np.linspace(x.min(), x.max(), 50)
    fits = [("MSE", losses.mse_grad, {}), ("MAE", losses.mae_grad, {}),
            (f"Huber (delta {delta:g})", losses.huber_grad, {"delta": delta}),
            ("log-cosh", losses.log_cosh_grad, {})]
    for label, grad, kw in fits:
        w, b = _fit_line(x, y, grad, **kw)
        ax.plot(grid, w * grid + b, lw=2, label=f"{label}: y = {w:.2f} x + {b:.2f}")
    if true_line is not None:
        ax.plot(grid, true_line[0] * grid + true_line[1], color="black", ls=":", lw=1.5,
                label=f"true line: y = {true_line[0]:g} x + {true_line[1]:g}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("The squared error is pulled towards the outliers")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


# --- lesson 03: forward propagation -------------------------------------------------------

def network_diagram(layer_sizes, params=None, X=None, activations=None):
    """Draw a fully connected network: one column of neurons per layer, an arrow per weight.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_inputs, hidden_1, ..., n_outputs]``.
    params : list of (W, b), optional
        When given, each connection is coloured by the sign of its weight (blue positive, red
        negative), drawn thicker for larger ``|w|`` and labelled with its value; each neuron is
        labelled with its bias.
    X : ndarray of shape (n_inputs,), optional
        One input sample: with ``params`` and ``activations`` it writes every neuron's output
        (the forward pass) inside the neuron.
    activations : sequence of callables, optional
        One activation per layer of ``params``.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if grading():
        return None
    plt = _pyplot()
    sizes = list(layer_sizes)
    values = None
    if X is not None and params is not None and activations is not None:
        values = [np.asarray(X, dtype=float).reshape(-1)]
        for (W, b), f in zip(params, activations):
            values.append(np.asarray(f(values[-1] @ W + b), dtype=float).reshape(-1))
    fig, ax = plt.subplots(figsize=(1.9 * len(sizes) + 2.5, 0.9 * max(sizes) + 1.8))

    def position(layer, i):
        return layer * 2.0, (sizes[layer] - 1) / 2 - i

    for layer in range(len(sizes) - 1):
        for i in range(sizes[layer]):
            for j in range(sizes[layer + 1]):
                (x0, y0), (x1, y1) = position(layer, i), position(layer + 1, j)
                if params is None:
                    ax.plot([x0, x1], [y0, y1], color="grey", lw=1, zorder=1)
                    continue
                w = float(params[layer][0][i, j])
                ax.plot([x0, x1], [y0, y1], color="tab:blue" if w >= 0 else "tab:red",
                        lw=0.8 + 1.2 * min(abs(w), 3), alpha=0.8, zorder=1)
                t = 0.5 if sizes[layer + 1] == 1 else (0.25 if i % 2 == 0 else 0.4)
                ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), f"{w:g}", fontsize=8,
                        ha="center", va="center", zorder=3,
                        bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))
    for layer, n in enumerate(sizes):
        for i in range(n):
            x, y = position(layer, i)
            ax.add_patch(plt.Circle((x, y), 0.3, fc="lightyellow" if layer else "lavender",
                                    ec="black", zorder=2))
            if values is not None:
                label = f"{values[layer][i]:.3g}"
            elif layer == 0:
                label = f"$x_{i + 1}$"
            else:
                label = f"$a^{{({layer})}}_{i + 1}$"
            ax.text(x, y, label, ha="center", va="center", fontsize=9, zorder=4)
            if params is not None and layer > 0:
                ax.text(x, y - 0.42, f"b = {float(params[layer - 1][1][i]):g}", ha="center",
                        va="top", fontsize=8, color="dimgrey")
    for layer in range(len(sizes)):
        name = ("input" if layer == 0 else "output" if layer == len(sizes) - 1
                else f"hidden {layer}")
        ax.text(layer * 2.0, (max(sizes) - 1) / 2 + 0.75, f"{name}\n({sizes[layer]})",
                ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-0.8, 2.0 * (len(sizes) - 1) + 0.8)
    ax.set_ylim(-(max(sizes) - 1) / 2 - 1.0, (max(sizes) - 1) / 2 + 1.4)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig


def _bowl(theta0, theta1):
    """The elongated bowl of lesson 07, theta0**2 + 10 theta1**2."""
    return theta0 ** 2 + 10 * theta1 ** 2


def _bowl_contours(ax, lim=(-5.0, 5.0, -2.0, 2.0)):
    t0, t1 = np.meshgrid(np.linspace(lim[0], lim[1], 201), np.linspace(lim[2], lim[3], 161))
    ax.contour(t0, t1, _bowl(t0, t1), levels=[0.1, 0.5, 1, 2, 4, 8, 16, 32], colors="grey",
               linewidths=0.7)
    ax.plot([0], [0], "*", color="black", ms=10)
    ax.set_xlim(lim[0], lim[1])
    ax.set_ylim(lim[2], lim[3])
    ax.set_xlabel(r"$\theta_0$")
    ax.set_ylabel(r"$\theta_1$")


def learning_rate_paths(rates=(0.01, 0.09, 0.098, 0.102), n_steps=30, start=(4.0, 1.0),
                        labels=("too small", "about right", "too large: oscillates",
                                "far too large: diverges")):
    """Gradient descent on the bowl ``theta0**2 + 10 theta1**2`` with several learning rates.

    One panel per learning rate: the contours, the path of `n_steps` steps from `start`
    (computed with :func:`ann_lib.optim.gradient_descent`) and the loss at its end.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if grading():
        return None
    from ann_lib import optim

    plt = _pyplot()

    def grad(theta):
        return np.array([2 * theta[0], 20 * theta[1]])

    fig, axes = plt.subplots(2, 2, figsize=(10, 6.4), sharex=True, sharey=True)
    for ax, rate, label in zip(axes.ravel(), rates, labels):
        _bowl_contours(ax)
        path = optim.gradient_descent(grad, np.asarray(start, dtype=float), rate, n_steps)
        ax.plot(path[:, 0], path[:, 1], "o-", color="#c0392b", ms=3, lw=1.2)
        ax.plot(path[0, 0], path[0, 1], "s", color="#1f4e8c", ms=7)
        ax.set_title(f"learning rate {rate:g}: {label}\nloss after {n_steps} steps = "
                     f"{_bowl(*path[-1]):.3g}", fontsize=10)
    for ax in axes[0]:
        ax.set_xlabel("")
    for ax in axes[:, 1]:
        ax.set_ylabel("")
    fig.tight_layout()
    return fig


def local_minima(starts=(-2.0, -0.4, 0.6, 2.0), learning_rate=0.02, n_steps=60):
    """Gradient descent on the non-convex ``f(x) = x**4 - 3 x**2 + x`` from several starts.

    The function has a global minimum near x = -1.30 and a local one near x = 1.13, separated
    by a local maximum near x = 0.17; each start ends in the minimum of its own valley.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if grading():
        return None
    from ann_lib import optim

    plt = _pyplot()

    def f(x):
        return x ** 4 - 3 * x ** 2 + x

    def grad(x):
        return 4 * x ** 3 - 6 * x + 1

    x = np.linspace(-2.2, 2.2, 301)
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    ax.plot(x, f(x), color="black", lw=2)
    for start in starts:
        path = optim.gradient_descent(grad, np.array([start]), learning_rate, n_steps)[:, 0]
        line, = ax.plot(path, f(path), "o-", ms=3.5, lw=1, alpha=0.85,
                        label=f"start {start:g} -> ends at {path[-1]:.2f}")
        ax.plot(path[0], f(path[0]), "s", color=line.get_color(), ms=8)
    ax.set_ylim(-4.2, 6)
    ax.set_xlabel("x")
    ax.set_ylabel(r"$f(x) = x^4 - 3x^2 + x$")
    ax.set_title("Different starts, different minima (squares: starting points)", fontsize=10)
    ax.legend(loc="upper center", fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
