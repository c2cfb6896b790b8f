"""Lesson 12, automatic differentiation: the computation graph a Tensor records, drawn."""

from __future__ import annotations

from typing import Any

import numpy as np

from ann_lib import autograd
from ann_lib.teaching import canvas

#: How an operation is written in a node's box.
_OPS = {"+": "+", "*": "×", "@": "@", "sum": "sum", "exp": "exp", "log": "log", "relu": "relu",
        "sigmoid": "σ", "tanh": "tanh", "const": "const"}


def _example() -> autograd.Tensor:
    """One sigmoid neuron with squared error, ``L = (sigmoid(w x + b) - y)**2``, backward done."""
    x, w, b = autograd.Tensor(1.5), autograd.Tensor(0.8), autograd.Tensor(0.1)
    x.name, w.name, b.name = "x", "w", "b"
    error = (w * x + b).sigmoid() - 1.0
    loss = error * error
    loss.name = "L"
    loss.backward()
    return loss


def _value(v: Any) -> str:
    v = np.asarray(v, dtype=float)
    return f"{float(v.reshape(())):.3g}" if v.size == 1 else "shape " + "×".join(map(str, v.shape))


def _constants(order: list) -> set:
    """The nodes that are constants: ``const`` inputs and what is computed from constants only."""
    found: set = set()
    for node in order:
        if node.op == "const" or node.parents and all(p in found for p in node.parents):
            found.add(node)
    return found


def _layout(nodes: list, constants: set) -> dict:
    """``{node: (column, row)}`` of the nodes drawn: an operation one column right of its
    latest parent, an input one column left of its first use; rows spread evenly."""
    depth: dict = {}
    for node in nodes:
        drawn = [p for p in node.parents if p not in constants]
        depth[node] = 1 + max((depth[p] for p in drawn), default=-1)
    for node in nodes:
        if not node.parents:
            uses = [depth[n] for n in nodes if any(p is node for p in n.parents)]
            depth[node] = min(uses, default=1) - 1
    start = min(depth.values())
    columns: dict = {}
    for node in nodes:
        columns.setdefault(depth[node] - start, []).append(node)
    tallest = max(len(c) for c in columns.values())
    place = {}
    for col, members in columns.items():
        top = (tallest - len(members)) / 2
        for row, node in enumerate(members):
            place[node] = (col, top + row)
    return place


def _label(node: autograd.Tensor, constants: set) -> str:
    if node.name:
        return node.name
    folded = [f"{float(p.data.reshape(())):.3g}" if p.data.size == 1 else "c"
              for p in node.parents if p in constants]
    return " ".join([_OPS.get(node.op, node.op) or "input", *folded])


def computation_graph(root: autograd.Tensor | None = None, title: str = "") -> Any:
    """The graph of ``root`` (after ``root.backward()``), inputs on the left, the root on the right.

    Each box names its operation (or its ``name``) and shows its value above and, in red, the
    gradient of the root with respect to it below; arrows go from each parent to the node
    computed from it, between the boxes (an arrow that skips a column bends around the boxes).

    Parameters
    ----------
    root : Tensor, optional
        The last node; its nodes' ``grad`` are drawn where ``backward`` has set them. Default:
        one sigmoid neuron with squared error, ``L = (sigmoid(w x + b) - 1)**2`` at x = 1.5,
        w = 0.8, b = 0.1.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    if root is None:
        root = _example()
        title = title or "L = (σ(w·x + b) − 1)²: values (blue) and dL/d node (red)"
    if not isinstance(root, autograd.Tensor):
        raise TypeError(f"computation_graph draws a Tensor's graph, not a {type(root).__name__}")
    order = autograd.topological_order(root, autograd.PARENTS)
    if len(order) > 40:
        raise ValueError(f"the graph has {len(order)} nodes; draw one of at most 40")
    constants = _constants(order)
    nodes = [n for n in order if n not in constants or n is root]
    place = _layout(nodes, constants)
    n_cols = 1 + max(c for c, _ in place.values())
    n_rows = 1 + max(r for _, r in place.values())
    fig, ax = canvas.figure(figsize=(max(6.0, 1.9 * n_cols), max(3.0, 1.25 * n_rows + 0.8)))
    half_w = 0.32
    for node in nodes:
        cx, cy = place[node]
        for k, parent in enumerate(p for p in node.parents if p in place):
            px, py = place[parent]
            bend = 0.0 if cx - px == 1 else 0.25 * (1 if (k % 2 == 0) else -1)
            ax.annotate("", xy=(cx - half_w, -cy), xytext=(px + half_w, -py),
                        arrowprops=dict(arrowstyle="->", color="grey", lw=1.1,
                                        connectionstyle=f"arc3,rad={bend}",
                                        shrinkA=2, shrinkB=2))
    for node in nodes:
        cx, cy = place[node]
        ax.text(cx, -cy, _label(node, constants), ha="center", va="center", fontsize=11, zorder=3,
                bbox=dict(boxstyle="round,pad=0.35", fc="#e8f0fb", ec="#4a78b5"))
        ax.text(cx, -cy + 0.3, _value(node.data), ha="center", va="bottom", fontsize=9,
                color="#1f4e8c", zorder=3)
        if node.grad is not None:
            ax.text(cx, -cy - 0.3, _value(node.grad), ha="center", va="top", fontsize=9,
                    color="#b22222", zorder=3)
    ax.set_xlim(-0.7, n_cols - 0.3)
    ax.set_ylim(-(n_rows - 1) - 0.7, 0.7)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=11)
    return fig
