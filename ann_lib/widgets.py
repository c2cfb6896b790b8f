"""Interactive explorers for the lessons (ipywidgets).

Each explorer runs the learner's own function when one is given, so they watch their code at
work; if it is not written yet, the explorer says so and shows the reference instead. While
nbgrader grades a notebook the explorers return ``None`` at once, so they never slow grading.
"""

import numpy as np

from ann_lib import activations
from ann_lib.plotting import _pyplot, grading


def _run(fn, reference, *args):
    """Call the learner's ``fn``; fall back to ``reference`` with a note if it fails."""
    if fn is not None:
        try:
            return np.asarray(fn(*args), dtype=float), None
        except NotImplementedError:
            note = f"`{fn.__name__}` is not implemented yet: showing the reference."
        except Exception as exc:  # noqa: BLE001 - show the learner their error, keep going
            note = f"`{fn.__name__}` raised {type(exc).__name__}: {exc}. Showing the reference."
    else:
        note = None
    return np.asarray(reference(*args), dtype=float), note


def neuron_explorer(neuron_output=None):
    """Sliders for w and b of a one-input neuron; plots ``neuron_output`` over x in [-6, 6].

    Parameters
    ----------
    neuron_output : callable, optional
        ``neuron_output(X, w, b, activation)`` with X of shape (n, 1) and w of shape (1,);
        defaults to ``ann_lib.neuron.neuron_output``.

    Returns
    -------
    ipywidgets.interactive or None
        Its ``result`` holds the plotted outputs, shape (241,).
    """
    if grading():
        return None
    import ipywidgets as W

    from ann_lib import neuron

    transfer = {"sigmoid": activations.sigmoid, "step": activations.step,
                "tanh": activations.tanh, "relu": activations.relu}
    x = np.linspace(-6, 6, 241)

    def show(w=1.0, b=0.0, f="sigmoid"):
        a, note = _run(neuron_output, neuron.neuron_output, x[:, None], np.array([w]), b,
                       transfer[f])
        a = a.reshape(-1)
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(6.5, 3.6))
        ax.plot(x, a, lw=2.5)
        if w != 0:
            ax.axvline(-b / w, color="grey", ls=":", lw=1)
        ax.set_ylim(-1.15, 1.15) if f == "tanh" else ax.set_ylim(-0.1, 1.1 if f != "relu" else 6)
        ax.set_xlabel("input x")
        ax.set_ylabel("output a")
        ax.set_title(note or f"a = {f}({w:.2f} x + {b:.2f})", fontsize=10)
        ax.grid(alpha=0.3)
        plt.show()
        return a

    return W.interactive(
        show,
        w=W.FloatSlider(value=1.0, min=-4.0, max=4.0, step=0.1, description="weight w"),
        b=W.FloatSlider(value=0.0, min=-6.0, max=6.0, step=0.1, description="bias b"),
        f=W.Dropdown(options=list(transfer), value="sigmoid", description="f"),
    )


def tangent_explorer(neuron_gradients=None):
    """Slider on one weight of a sigmoid neuron: the loss curve and the tangent of slope dL/dw1.

    The neuron has inputs ``x = (1.5, -0.5)``, target ``y = 1``, ``w2 = 0.5`` and ``b = 0``;
    the loss is ``L(w1) = (sigmoid(1.5 w1 - 0.25) - 1)**2``. The tangent's slope is the first
    entry of ``dw`` returned by the learner's ``neuron_gradients(x, y, w, b)``.

    Parameters
    ----------
    neuron_gradients : callable, optional
        ``neuron_gradients(x, y, w, b) -> (dw, db)``; defaults to the reference chain rule.

    Returns
    -------
    ipywidgets.interactive or None
        Its ``result`` is the slope drawn, a float.
    """
    if grading():
        return None
    import ipywidgets as W

    x, y, w2, b = np.array([1.5, -0.5]), 1.0, 0.5, 0.0
    grid = np.linspace(-4, 4, 201)

    def loss(w1):
        return (activations.sigmoid(x[0] * w1 + x[1] * w2 + b) - y) ** 2

    def reference(x_, y_, w_, b_):
        z = x_ @ w_ + b_
        d = 2 * (activations.sigmoid(z) - y_) * activations.sigmoid_grad(z)
        return d * x_, d

    def show(w1=-1.0):
        w = np.array([w1, w2])
        note = None
        try:
            if neuron_gradients is None:
                raise LookupError
            slope = float(np.asarray(neuron_gradients(x, y, w, b)[0], dtype=float)[0])
        except LookupError:
            slope = float(reference(x, y, w, b)[0][0])
        except NotImplementedError:
            note = "`neuron_gradients` is not implemented yet: showing the reference slope."
            slope = float(reference(x, y, w, b)[0][0])
        except Exception as exc:  # noqa: BLE001 - show the learner their error, keep going
            note = f"`neuron_gradients` raised {type(exc).__name__}: {exc}. Showing the reference."
            slope = float(reference(x, y, w, b)[0][0])
        numeric = (loss(w1 + 1e-5) - loss(w1 - 1e-5)) / 2e-5
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(6.5, 3.8))
        ax.plot(grid, loss(grid), lw=2.5, label="loss L(w1)")
        ax.plot(grid, loss(w1) + slope * (grid - w1), "--", color="#b22222",
                label=f"tangent, slope = your dL/dw1 = {slope:.4f}")
        ax.plot([w1], [loss(w1)], "o", color="#b22222")
        ax.set_ylim(-0.1, 1.1)
        ax.set_xlabel("weight w1")
        ax.set_ylabel("loss L")
        ax.set_title(note or f"numerical slope (centred difference) = {numeric:.4f}", fontsize=10)
        ax.legend(loc="upper right", fontsize=9)
        ax.grid(alpha=0.3)
        plt.show()
        return slope

    return W.interactive(show, w1=W.FloatSlider(value=-1.0, min=-4.0, max=4.0, step=0.05,
                                                description="weight w1"))


# --- lesson 02: standardizing the inputs --------------------------------------------------

def standardizing_explorer(standardize=None):
    """Gradient descent on raw vs standardized features, with sliders for the feature scale.

    Parameters
    ----------
    standardize : callable, optional
        The learner's ``standardize(X, mean, scale)``; it standardizes the data of the right-hand
        panel (defaults to the reference ``(X - mean) / scale``).

    Returns
    -------
    ipywidgets.interactive or None
        Its ``result`` is the pair (final loss raw, final loss standardized).
    """
    if grading():
        return None
    import ipywidgets as W

    from ann_lib import preprocessing
    from ann_lib.plotting import _descent_panel, scaled_regression_data

    def reference(X, mean, scale):
        return preprocessing.StandardScaler().fit(X).transform(X)

    def show(scale=10.0, lr_fraction=0.8, n_steps=30):
        X, y = scaled_regression_data(scale)
        Z, note = _run(standardize, reference, X, X.mean(axis=0), X.std(axis=0))
        plt = _pyplot()
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.8))
        raw = _descent_panel(axes[0], X, y, lr_fraction, n_steps,
                             f"raw features (std 1 and {scale:.3g})",
                             ("weight of x1", "weight of x2"))
        std = _descent_panel(axes[1], Z, y, lr_fraction, n_steps,
                             note or "standardized by your `standardize`",
                             ("weight of z1", "weight of z2"))
        fig.tight_layout()
        plt.show()
        return raw, std

    return W.interactive(
        show,
        scale=W.FloatLogSlider(value=10.0, base=10, min=0, max=2, step=0.05,
                               description="std of x2"),
        lr_fraction=W.FloatSlider(value=0.8, min=0.05, max=0.99, step=0.01,
                                  description="lr / limit"),
        n_steps=W.IntSlider(value=30, min=1, max=200, description="steps"),
    )


# --- lesson 08, capstone: retrain the learner's network with new hyperparameters -----------

def _reference_training(X_train, y_train, n_hidden, learning_rate, epochs, seed):
    """ann_lib's MLP with full-batch gradient descent: (predict function, loss history)."""
    from ann_lib.network import MLP

    model = MLP([X_train.shape[1], n_hidden, 1], seed=seed)
    model.fit(X_train, y_train, epochs=epochs, batch_size=None, learning_rate=learning_rate)
    return model.predict, model.loss_history_


def _one_blas_thread():
    """Context manager: BLAS on one thread (these small matrices run several times faster so,
    above all on a busy machine); a no-op without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


def training_explorer(train=None, predict=None, X_train=None, y_train=None, X_test=None,
                      y_test=None, seed=0):
    """Sliders for learning rate, hidden units and epochs; retrains and redraws on release.

    Runs the learner's ``train(X, y, n_hidden, learning_rate, epochs, seed)`` and
    ``predict(X, params)`` on standardized data; if either is missing or fails, it trains
    ``ann_lib.network.MLP`` (full batch) instead and says so.

    Returns
    -------
    ipywidgets.interactive or None
        Its ``result`` is the test accuracy of the last training run.
    """
    if grading():
        return None
    import ipywidgets as W

    def show(learning_rate=0.5, n_hidden=16, epochs=100):
        note = None
        try:
            if train is None or predict is None:
                raise NotImplementedError
            with _one_blas_thread():
                params, history = train(X_train, y_train, n_hidden=n_hidden,
                                        learning_rate=learning_rate, epochs=epochs, seed=seed)
            accuracy = float(np.mean(np.asarray(predict(X_test, params)).reshape(-1) == y_test))
        except NotImplementedError:
            note = "`train` or `predict` is not implemented yet: showing ann_lib's MLP."
        except Exception as exc:  # noqa: BLE001 - show the learner their error, keep going
            note = f"your code raised {type(exc).__name__}: {exc}. Showing ann_lib's MLP."
        if note:
            with _one_blas_thread():
                predict_ref, history = _reference_training(X_train, y_train, n_hidden,
                                                           learning_rate, epochs, seed)
            accuracy = float(np.mean(predict_ref(X_test) == y_test))
        history = np.asarray(history, dtype=float)
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(6.5, 3.6))
        ax.plot(np.arange(1, history.size + 1), history, lw=2)
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training cost (log scale)")
        ax.set_title((note + "\n" if note else "")
                     + f"test accuracy {accuracy:.1%}, final training cost {history[-1]:.4f}",
                     fontsize=10)
        ax.grid(alpha=0.3, which="both")
        plt.show()
        return accuracy

    return W.interactive(
        show,
        learning_rate=W.FloatLogSlider(value=0.5, base=10, min=-3, max=1, step=0.1,
                                       description="learning rate", continuous_update=False),
        n_hidden=W.IntSlider(value=16, min=1, max=64, description="hidden units",
                             continuous_update=False),
        epochs=W.IntSlider(value=100, min=5, max=300, step=5, description="epochs",
                           continuous_update=False),
    )


# --- lesson 04: activation explorer ----------------------------------------------------------


def activation_explorer(sigmoid=None, sigmoid_grad=None, relu=None, relu_grad=None,
                        leaky_relu=None, elu=None):
    """Pick an activation, move its parameter, see the function and its derivative.

    Runs the learner's functions where they are given (the others, and any that are not written
    yet, come from ``ann_lib.activations``). The dotted line is the numerical slope of the
    function curve, ``(f(z + h) - f(z - h)) / 2h``: where the derivative is right, the dashed
    and dotted lines lie on top of each other.

    Parameters
    ----------
    sigmoid, sigmoid_grad, relu, relu_grad, leaky_relu, elu : callable, optional
        The learner's functions; ``leaky_relu(z, slope)`` and ``elu(z, alpha)``.

    Returns
    -------
    ipywidgets.interactive or None
        Its ``result`` is ``(f(z), f'(z))`` on 401 points of [-5, 5].
    """
    if grading():
        return None
    import ipywidgets as W

    a = activations
    table = {  # name: (learner f, reference f, learner f', reference f', takes a parameter)
        "sigmoid": (sigmoid, a.sigmoid, sigmoid_grad, a.sigmoid_grad, False),
        "tanh": (None, a.tanh, None, a.tanh_grad, False),
        "relu": (relu, a.relu, relu_grad, a.relu_grad, False),
        "leaky_relu (parameter = slope)": (leaky_relu, a.leaky_relu, None, a.leaky_relu_grad,
                                           True),
        "elu (parameter = alpha)": (elu, a.elu, None, a.elu_grad, True),
        "linear": (None, a.linear, None, a.linear_grad, False),
    }
    z = np.linspace(-5, 5, 401)
    h = 1e-4

    def show(name="sigmoid", parameter=0.1):
        f, f_ref, df, df_ref, param = table[name]
        extra = (parameter,) if param else ()
        fz, note_f = _run(f, f_ref, z, *extra)
        dfz, note_df = _run(df, df_ref, z, *extra)
        up, _ = _run(f, f_ref, z + h, *extra)
        down, _ = _run(f, f_ref, z - h, *extra)
        slope = (up - down) / (2 * h)
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.plot(z, fz, lw=2.5, label="f(z)" + (" (yours)" if f and not note_f else ""))
        ax.plot(z, dfz, lw=2, ls="--", label="f'(z)" + (" (yours)" if df and not note_df else ""))
        ax.plot(z, slope, lw=1.2, ls=":", color="black", label="numerical slope of f")
        ax.axhline(0, color="grey", lw=0.6)
        ax.axvline(0, color="grey", lw=0.6)
        ax.set_ylim(-2.5, 5.2)
        ax.set_xlabel("z")
        notes = [n for n in (note_f, note_df) if n]
        ax.set_title("\n".join(notes) or name.split(" ")[0]
                     + (f" with parameter {parameter:.2f}" if param else ""), fontsize=9)
        ax.legend(loc="upper left", fontsize=9)
        ax.grid(alpha=0.3)
        plt.show()
        return fz, dfz

    return W.interactive(
        show,
        name=W.Dropdown(options=list(table), value="sigmoid", description="activation"),
        parameter=W.FloatSlider(value=0.1, min=0.0, max=2.0, step=0.05,
                                description="slope/alpha"),
    )


# --- lesson 05: a constant fitted under different losses, with one outlier -------------------


def outlier_explorer(mse=None, mae=None, huber=None, y=None):
    """Drag one outlier; watch the constant that minimises each cost follow it (or not).

    A constant prediction ``c`` for every sample is fitted by trying 601 values of ``c`` and
    keeping the one with the smallest cost. MSE's best constant is the mean, MAE's the median,
    Huber's lies in between. Runs the learner's ``mse``, ``mae`` and ``huber(y_true, y_pred,
    delta)`` where given; otherwise (or if not written yet) the ``ann_lib.losses`` reference.

    Parameters
    ----------
    mse, mae, huber : callable, optional
        Costs ``f(y_true, y_pred)`` returning the mean loss.
    y : ndarray of shape (n_samples,), optional
        The inliers; defaults to 9 values near 5. The outlier is added to them.

    Returns
    -------
    ipywidgets.interactive or None
        Its ``result`` maps each loss name to its fitted constant.
    """
    if grading():
        return None
    import ipywidgets as W

    from ann_lib import losses

    inliers = (np.array([3.8, 4.3, 4.6, 4.9, 5.0, 5.2, 5.5, 5.9, 6.4]) if y is None
               else np.asarray(y, dtype=float))
    candidates = np.linspace(-5, 45, 601)
    costs = {"MSE (mean)": (mse, losses.mse), "MAE (median)": (mae, losses.mae),
             "Huber": (huber, losses.huber)}

    def show(outlier=20.0, delta=1.0):
        data = np.append(inliers, outlier)
        plt = _pyplot()
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
        left.scatter(np.arange(data.size - 1), inliers, color="grey", zorder=3, label="data")
        left.scatter([data.size - 1], [outlier], color="crimson", s=60, zorder=3,
                     label="outlier")
        best, notes = {}, []
        for label, (fn, reference) in costs.items():
            extra = (delta,) if label == "Huber" else ()
            values, note = [], None
            for c in candidates:
                v, n = _run(fn, reference, data, np.full(data.size, c), *extra)
                values.append(float(v))
                note = note or n
            if note:
                notes.append(note)
            values = np.array(values)
            best[label] = float(candidates[np.argmin(values)])
            line = right.plot(candidates, values / max(values.max(), 1e-12), lw=2,
                              label=label)[0]
            left.axhline(best[label], color=line.get_color(), lw=2,
                         label=f"{label}: c = {best[label]:.2f}")
        left.set_ylim(-6, 46)
        left.set_xlabel("sample")
        left.set_ylabel("y")
        left.legend(fontsize=8, loc="upper left")
        left.set_title("\n".join(notes) or "best constant prediction c under each cost",
                       fontsize=9)
        right.set_xlabel("constant prediction c")
        right.set_ylabel("cost(c) / its maximum")
        right.set_title("cost of predicting c for every sample", fontsize=9)
        right.legend(fontsize=8)
        for ax in (left, right):
            ax.grid(alpha=0.3)
        fig.tight_layout()
        plt.show()
        return best

    return W.interactive(
        show,
        outlier=W.FloatSlider(value=20.0, min=-5.0, max=45.0, step=0.5, description="outlier y"),
        delta=W.FloatSlider(value=1.0, min=0.1, max=5.0, step=0.1, description="Huber delta"),
    )


# --- lesson 03: forward propagation -------------------------------------------------------

def _forward_reference(X, params, hidden_activation, output_activation):
    """Reference forward pass with activation functions passed as callables."""
    from ann_lib.layers import dense_forward

    A = X
    for i, (W, b) in enumerate(params):
        Z = dense_forward(A, W, b)[0]
        A = (output_activation if i == len(params) - 1 else hidden_activation)(Z)
    return A


def forward_explorer(forward=None):
    """Output surface of a 2-2-1 network over the input plane, with sliders on some weights.

    The network starts out computing XOR on the corners of the unit square: hidden neuron 1
    fires when ``x1 + x2 > 0.5``, hidden neuron 2 when ``x1 + x2 > 1.5``, and the output is
    high when only neuron 1 fires. Sliders change neuron 1's two input weights, both output
    weights and the output bias; a dropdown picks the hidden activation (output: sigmoid).

    Parameters
    ----------
    forward : callable, optional
        The learner's ``forward(X, params, hidden_activation, output_activation)``.

    Returns
    -------
    ipywidgets.interactive or None
        Its ``result`` is the output grid, shape (101, 101).
    """
    if grading():
        return None
    import ipywidgets as W

    hidden = {"sigmoid": activations.sigmoid, "relu": activations.relu,
              "tanh": activations.tanh}
    g = np.linspace(-0.5, 1.5, 101)
    G1, G2 = np.meshgrid(g, g)
    X = np.stack([G1.ravel(), G2.ravel()], axis=1)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])

    def show(w11=10.0, w21=10.0, v1=10.0, v2=-10.0, b_out=-5.0, f="sigmoid"):
        params = [(np.array([[w11, 10.0], [w21, 10.0]]), np.array([-5.0, -15.0])),
                  (np.array([[v1], [v2]]), np.array([b_out]))]
        out, note = _run(forward, _forward_reference, X, params, hidden[f], activations.sigmoid)
        out = out.reshape(G1.shape)
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(5.6, 4.6))
        mesh = ax.pcolormesh(G1, G2, out, cmap="coolwarm", vmin=0, vmax=1, shading="auto")
        if out.min() < 0.5 < out.max():
            ax.contour(G1, G2, out, levels=[0.5], colors="black", linewidths=1.5)
        ax.scatter(corners[:, 0], corners[:, 1], c=["tab:blue", "tab:red", "tab:red", "tab:blue"],
                   edgecolors="white", s=90, zorder=3)
        fig.colorbar(mesh, ax=ax, label="network output")
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        ax.set_title(note or f"2-2-1 network, {f} hidden layer; black line: output 0.5",
                     fontsize=9)
        ax.set_aspect("equal")
        plt.show()
        return out

    slider = dict(min=-20.0, max=20.0, step=0.5)
    return W.interactive(
        show,
        w11=W.FloatSlider(value=10.0, description="W1[0,0]", **slider),
        w21=W.FloatSlider(value=10.0, description="W1[1,0]", **slider),
        v1=W.FloatSlider(value=10.0, description="W2[0,0]", **slider),
        v2=W.FloatSlider(value=-10.0, description="W2[1,0]", **slider),
        b_out=W.FloatSlider(value=-5.0, description="b2[0]", **slider),
        f=W.Dropdown(options=list(hidden), value="sigmoid", description="hidden f"),
    )


def descent_explorer(gradient_descent=None, momentum_step=None):
    """Sliders for the learning rate, the momentum and the number of steps on the bowl.

    Draws the path of gradient descent on ``theta0**2 + 10 theta1**2`` from (4, 1). With
    momentum 0 it runs the learner's ``gradient_descent(grad_fn, x0, learning_rate, n_steps)``;
    with momentum above 0 it loops the learner's
    ``momentum_step(theta, velocity, grad, learning_rate, beta)``.

    Returns
    -------
    ipywidgets.interactive or None
        Its ``result`` is the path drawn, shape (n_steps + 1, 2).
    """
    if grading():
        return None
    import ipywidgets as W

    from ann_lib import optim
    from ann_lib.plotting import _bowl, _bowl_contours

    start = np.array([4.0, 1.0])

    def grad(theta):
        return np.array([2 * theta[0], 20 * theta[1]])

    def reference_momentum(theta, velocity, g, learning_rate, beta):
        return optim.momentum_step(theta, g, velocity, learning_rate, beta)

    def momentum_path(step, learning_rate, beta, n_steps):
        theta, velocity, path = start.copy(), np.zeros(2), [start.copy()]
        for _ in range(n_steps):
            theta, velocity = step(theta, velocity, grad(theta), learning_rate, beta)
            theta = np.asarray(theta, dtype=float)
            path.append(theta)
            if not np.all(np.isfinite(theta)) or np.abs(theta).max() > 1e6:
                break
        return np.array(path)

    def show(learning_rate=0.05, momentum=0.0, n_steps=30):
        if momentum == 0:
            with np.errstate(all="ignore"):
                path, note = _run(gradient_descent, optim.gradient_descent, grad, start,
                                  learning_rate, n_steps)
            who = "your gradient_descent"
        else:
            fn = momentum_step
            note = None
            with np.errstate(all="ignore"):
                try:
                    if fn is None:
                        raise LookupError
                    path = momentum_path(fn, learning_rate, momentum, n_steps)
                except LookupError:
                    path = momentum_path(reference_momentum, learning_rate, momentum, n_steps)
                except NotImplementedError:
                    note = "`momentum_step` is not implemented yet: showing the reference."
                    path = momentum_path(reference_momentum, learning_rate, momentum, n_steps)
                except Exception as exc:  # noqa: BLE001 - show the learner their error
                    note = (f"`momentum_step` raised {type(exc).__name__}: {exc}. "
                            "Showing the reference.")
                    path = momentum_path(reference_momentum, learning_rate, momentum, n_steps)
            who = "your momentum_step"
        if gradient_descent is None and momentum == 0 or momentum_step is None and momentum > 0:
            who = "ann_lib.optim"
        path = np.atleast_2d(path)
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(7.5, 3.8))
        _bowl_contours(ax)
        shown = np.clip(path, -50, 50)
        ax.plot(shown[:, 0], shown[:, 1], "o-", color="#c0392b", ms=3, lw=1.2)
        ax.plot(start[0], start[1], "s", color="#1f4e8c", ms=7)
        with np.errstate(all="ignore"):
            final = _bowl(*path[-1]) if path.shape[-1] == 2 else float("nan")
        ax.set_title(note or f"{who}: {len(path) - 1} steps, final loss {final:.3g}",
                     fontsize=10)
        plt.show()
        return path

    return W.interactive(
        show,
        learning_rate=W.FloatSlider(value=0.05, min=0.001, max=0.11, step=0.001,
                                    readout_format=".3f", description="learning rate"),
        momentum=W.FloatSlider(value=0.0, min=0.0, max=0.95, step=0.05, description="momentum"),
        n_steps=W.IntSlider(value=30, min=1, max=100, description="steps"),
    )
