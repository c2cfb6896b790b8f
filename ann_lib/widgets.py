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
