"""Reverse-mode automatic differentiation on NumPy arrays, micrograd's idea for tensors.

Every operation on a :class:`Tensor` returns a new node that remembers its ``parents`` (the
tensors it was computed from) and its *local derivatives*: for each parent, the linear map that
takes the gradient of the cost with respect to the node's output to the gradient with respect to
that parent (a vector-Jacobian product). ``loss.backward()`` then applies the chain rule once
per node, from the loss back to the inputs:

    order  = topological_order(loss, PARENTS)     every node after the nodes it was computed from
    grads  = backward(order, PARENTS, LOCAL, 1)   d loss / d node for every node of order

    grad of a parent = sum over its children c of (local derivative of c) applied to (grad of c)

The derivative rules of the operations are module functions that take and return plain arrays:

    y = a + b   (broadcast)   da = unbroadcast(dy, a.shape)                       unbroadcast
    y = a * b   (broadcast)   da, db = mul_backward(dy, a, b)                    mul_backward
    y = a @ b   (2-D)         da, db = matmul_backward(dy, a, b)                 matmul_backward
    y = a.sum(axis)           da = sum_backward(dy, a.shape, axis)               sum_backward

Subtraction, negation and the mean are built from these (``a - b = a + (-1) * b``, ``mean =
sum * (1 / count)``), so every gradient of a graph of them flows through the four rules. The
element-wise functions (``exp``, ``log``, ``relu``, ``sigmoid``, ``tanh``) carry their own
derivative; ``sigmoid`` and ``tanh`` use :mod:`ann_lib.activations`' stable formulas and never
overflow, even at ``z = +-1000``.

``Tensor.using(**rules)`` is a Tensor class whose operations use other rules (e.g. a learner's
own), and :data:`RULES` names them. Nodes are compared by identity (a Tensor defines no ``==``),
so a set of nodes holds each node once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np

from ann_lib._validation import as_float_array, is_integer
from ann_lib.activations import _sigmoid, _sigmoid_grad, _tanh, _tanh_grad

#: The derivative rules a :class:`Tensor` class uses, by name (see :meth:`Tensor.using`).
RULES = ("unbroadcast", "mul_backward", "matmul_backward", "sum_backward",
         "topological_order", "backward")


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum a gradient back to the shape of an operand that NumPy broadcast.

    Broadcasting copies an operand along new leading axes and along its axes of length 1; each
    copy receives its own share of the gradient, and the gradient of the operand is the sum of
    them (a value used several times gets the sum of the gradients of its uses):

        sum ``grad`` over its first ``grad.ndim - len(shape)`` axes, then over every axis where
        ``shape`` has a 1 (keeping that axis, of length 1).

    Parameters
    ----------
    grad : ndarray
        Gradient with respect to the broadcast result.
    shape : tuple of int
        Shape of the operand before broadcasting; it must broadcast to ``grad.shape``.

    Returns
    -------
    ndarray of shape `shape`

    Examples
    --------
    >>> unbroadcast(np.ones((4, 3)), (3,))
    array([4., 4., 4.])
    """
    grad = as_float_array(grad, "grad")
    shape = tuple(shape)
    if len(shape) > grad.ndim or not _broadcasts(shape, grad.shape):
        raise ValueError(f"an operand of shape {shape} does not broadcast to the gradient's "
                         f"shape {grad.shape}")
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    ones = tuple(axis for axis, size in enumerate(shape) if size == 1)
    return grad.sum(axis=ones, keepdims=True)


def mul_backward(out_grad: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple:
    """Gradients of ``y = a * b`` (element-wise, with broadcasting).

    ``dy/da = b`` and ``dy/db = a`` element by element, so ``da = unbroadcast(out_grad * b,
    a.shape)`` and ``db = unbroadcast(out_grad * a, b.shape)``.

    Parameters
    ----------
    out_grad : ndarray of the shape of ``a * b``
    a, b : ndarray
        The operands (broadcastable to each other).

    Returns
    -------
    da : ndarray of the shape of `a`
    db : ndarray of the shape of `b`
    """
    out_grad, a, b = (as_float_array(v, n) for v, n in ((out_grad, "out_grad"), (a, "a"), (b, "b")))
    _check_grad(out_grad, np.broadcast_shapes(a.shape, b.shape), "a * b")
    return unbroadcast(out_grad * b, a.shape), unbroadcast(out_grad * a, b.shape)


def matmul_backward(out_grad: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple:
    """Gradients of ``Y = A @ B`` for a 2-D ``A`` of shape (n, k) and ``B`` of shape (k, m).

    ``Y_ij = sum_p A_ip B_pj``, so ``dY_ij / dA_ip = B_pj`` and ``dY_ij / dB_pj = A_ip``; summing
    over every output the entry touches: ``dA = dY @ B.T`` (n, k) and ``dB = A.T @ dY`` (k, m).

    Parameters
    ----------
    out_grad : ndarray of shape (n, m)
    a : ndarray of shape (n, k)
    b : ndarray of shape (k, m)

    Returns
    -------
    da : ndarray of shape (n, k)
    db : ndarray of shape (k, m)
    """
    out_grad, a, b = (as_float_array(v, n) for v, n in ((out_grad, "out_grad"), (a, "a"), (b, "b")))
    _check_matmul(a.shape, b.shape)
    _check_grad(out_grad, (a.shape[0], b.shape[1]), "a @ b")
    return out_grad @ b.T, a.T @ out_grad


def sum_backward(out_grad: np.ndarray, shape: tuple, axis: int | None = None) -> np.ndarray:
    """Gradient of ``y = x.sum(axis)`` with respect to ``x`` of shape `shape`.

    Every entry of ``x`` adds into exactly one entry of ``y`` with slope 1, so it receives that
    entry's gradient: ``out_grad`` copied back along the summed axis (all axes for None).

    Parameters
    ----------
    out_grad : ndarray of the shape of ``x.sum(axis)``
    shape : tuple of int
        The shape of ``x``.
    axis : int or None, default None
        The summed axis (negative counts from the end); None: every axis.

    Returns
    -------
    ndarray of shape `shape`
    """
    out_grad, shape = as_float_array(out_grad, "out_grad"), tuple(shape)
    _check_grad(out_grad, np.empty(shape).sum(axis=_axis(axis, len(shape))).shape,
                f"x.sum(axis={axis}) of x of shape {shape}")
    if axis is not None:
        out_grad = np.expand_dims(out_grad, axis)
    return np.broadcast_to(out_grad, shape).copy()


def topological_order(root: "Hashable", parents: "Any") -> "list":  # noqa: UP037 - see Notes
    """Every node `root` depends on, each after the nodes it was computed from; `root` last.

    A depth-first walk over ``parents`` with an explicit stack (no recursion, so a graph of any
    depth works): a node enters the order once all its parents have, and a node reached twice
    (a value used twice) enters it once.

    Parameters
    ----------
    root : hashable
        The node whose gradient is wanted (the loss).
    parents : mapping or sequence
        ``parents[node]`` is the sequence of the nodes `node` was computed from (empty for an
        input). For Tensors, :data:`PARENTS`; for a graph of numbered nodes, a list of lists.

    Returns
    -------
    list of nodes

    Notes
    -----
    The annotations are strings, so that this source runs as it is in a notebook (the lesson's
    checks make their catalogued mistakes from it, one line changed each).
    """
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((parent, False) for parent in parents[node] if parent not in seen)
    return order


def backward(order: "Sequence", parents: "Any", local: "Any", seed: "Any" = 1.0) -> "list":  # noqa: UP037
    """Reverse-mode sweep: the gradient of the last node of `order` with respect to every node.

    The last node gets `seed`; then, from the last node to the first, each node passes its
    gradient to each of its parents, multiplied by the local derivative (chain rule), and a
    parent reached several times adds the contributions up:

        grad[root] = seed
        grad[p]   += local[node][k] * grad[node]    for node from last to first, p = parents[node][k]

    For numbers ``local[node][k]`` is the number d node / d p; for Tensors (:data:`LOCAL`) it is
    the linear map that ``*`` applies to an array gradient.

    Parameters
    ----------
    order : sequence of nodes
        From :func:`topological_order`: each node after its parents, the root last.
    parents : mapping or sequence
        ``parents[node]``: the nodes `node` was computed from.
    local : mapping or sequence
        ``local[node][k]``: the local derivative of `node` with respect to ``parents[node][k]``.
    seed : number or ndarray, default 1.0
        The gradient of the root with respect to itself.

    Returns
    -------
    list
        ``grads[i]`` is the gradient with respect to ``order[i]`` (0 for a node nothing reaches).

    Notes
    -----
    String annotations, as :func:`topological_order`'s (the checks' mistakes are made from it).
    """
    grad = {node: 0.0 for node in order}
    grad[order[-1]] = seed
    for node in reversed(order):
        for parent, derivative in zip(parents[node], local[node]):
            grad[parent] = grad[parent] + derivative * grad[node]
    return [grad[node] for node in order]


class LocalDerivative:
    """The local derivative of a node with respect to one parent, as the linear map it is.

    ``derivative * grad`` (or ``grad * derivative``) applies it: the vector-Jacobian product
    ``vjp(grad)``, a new array (never one that another gradient shares).
    """

    __array_ufunc__ = None  # ``array * derivative`` calls ``__rmul__``, not NumPy's loop

    def __init__(self, vjp: Callable[[np.ndarray], np.ndarray]) -> None:
        self.vjp = vjp

    def __mul__(self, grad: Any) -> np.ndarray:
        return np.array(self.vjp(as_float_array(grad, "grad")), dtype=float)

    __rmul__ = __mul__


class _Parents:
    """``PARENTS[node]`` is ``node.parents``."""

    def __getitem__(self, node: Tensor) -> tuple:
        return node.parents


class _Local:
    """``LOCAL[node]`` is ``node.local``."""

    def __getitem__(self, node: Tensor) -> tuple:
        return node.local


#: ``parents`` and ``local`` of a graph of Tensors, for :func:`topological_order` and :func:`backward`.
PARENTS, LOCAL = _Parents(), _Local()


class Tensor:
    """A node of a computation graph: an array, the nodes it came from and its local derivatives.

    Parameters
    ----------
    data : array_like
        The value (converted to floats).
    parents : tuple of Tensor, default ()
        The tensors this one was computed from (none for an input or a parameter).
    local : tuple of LocalDerivative, default ()
        One local derivative per parent.
    op : str, default ""
        The operation that made it ("+", "*", "@", "sum", "relu", ...), for figures and repr.
    name : str, default ""
        A label for figures.

    Attributes
    ----------
    grad : ndarray or None
        After ``root.backward()``: d root / d self, of the shape of ``data``.
    """

    rules: dict = {}
    __array_ufunc__ = None  # ``array + tensor`` calls ``Tensor.__radd__``, not NumPy's loop

    def __init__(self, data: Any, parents: tuple = (), local: tuple = (), op: str = "",
                 name: str = "") -> None:
        self.data = np.array(as_float_array(data, "data"), dtype=float)
        if len(parents) != len(local) or not all(isinstance(p, Tensor) for p in parents):
            raise TypeError("parents must be Tensors, one local derivative each")
        self.parents, self.local, self.op, self.name = tuple(parents), tuple(local), op, name
        self.grad: np.ndarray | None = None

    @classmethod
    def using(cls, **rules: Callable) -> type[Tensor]:
        """A Tensor class whose operations use `rules` (names of :data:`RULES`) in place of
        this module's functions; rules not given stay this module's."""
        unknown = sorted(set(rules) - set(RULES))
        if unknown:
            raise ValueError(f"unknown rules {unknown}; the rules are {', '.join(RULES)}")
        bad = sorted(name for name, fn in rules.items() if not callable(fn))
        if bad:
            raise TypeError(f"rules must be functions; {', '.join(bad)} is not")
        return type(cls.__name__, (cls,), {"rules": {**cls.rules, **rules}})

    def _rule(self, name: str) -> Callable:
        return self.rules.get(name) or globals()[name]

    def __repr__(self) -> str:
        made = f", op={self.op!r}" if self.op else ""
        return f"{type(self).__name__}(shape={self.shape}{made})"

    @property
    def shape(self) -> tuple:
        """The shape of ``data``."""
        return self.data.shape

    def _lift(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (bool, np.bool_)) or not isinstance(other, (int, float, np.ndarray,
                                                                          np.number, list)):
            raise TypeError(f"a Tensor combines with Tensors, numbers or arrays, not "
                            f"{type(other).__name__}")
        return type(self)(other, op="const")

    def _new(self, data: np.ndarray, parents: tuple, vjps: tuple, op: str) -> Tensor:
        return type(self)(data, parents, tuple(LocalDerivative(v) for v in vjps), op)

    # --- the operations whose derivative rules are the module functions -------------------
    def __add__(self, other: Any) -> Tensor:
        other = self._lift(other)
        try:
            data = self.data + other.data
        except ValueError:
            raise ValueError(f"cannot add Tensors of shapes {self.shape} and {other.shape}: "
                             "they do not broadcast") from None
        unb = self._rule("unbroadcast")
        return self._new(data, (self, other), (lambda g: unb(g, self.shape),
                                               lambda g: unb(g, other.shape)), "+")

    __radd__ = __add__

    def __mul__(self, other: Any) -> Tensor:
        other = self._lift(other)
        try:
            data = self.data * other.data
        except ValueError:
            raise ValueError(f"cannot multiply Tensors of shapes {self.shape} and "
                             f"{other.shape}: they do not broadcast") from None
        return self._new(data, (self, other),
                         _pair(self._rule("mul_backward"), self.data, other.data), "*")

    __rmul__ = __mul__

    def __neg__(self) -> Tensor:
        return self * -1.0

    def __sub__(self, other: Any) -> Tensor:
        return self + -self._lift(other)

    def __rsub__(self, other: Any) -> Tensor:
        return self._lift(other) + -self

    def __matmul__(self, other: Any) -> Tensor:
        other = self._lift(other)
        _check_matmul(self.shape, other.shape)
        return self._new(self.data @ other.data, (self, other),
                         _pair(self._rule("matmul_backward"), self.data, other.data), "@")

    def __rmatmul__(self, other: Any) -> Tensor:
        return self._lift(other) @ self

    def sum(self, axis: int | None = None) -> Tensor:
        """``y = x.sum(axis)``: every axis for None."""
        shape, rule = self.shape, self._rule("sum_backward")
        data = self.data.sum(axis=_axis(axis, self.data.ndim))
        return self._new(data, (self,), (lambda g: rule(g, shape, axis),), "sum")

    def mean(self, axis: int | None = None) -> Tensor:
        """``x.sum(axis) / count``, the count of the entries summed into each result."""
        total = self.sum(axis)
        return total * (1.0 / (self.data.size // max(total.data.size, 1)))

    # --- element-wise functions, each with its own derivative ------------------------------
    def exp(self) -> Tensor:
        """``exp(x)``, derivative ``exp(x)``; overflows to inf (with a warning) above 709."""
        out = np.exp(self.data)
        return self._new(out, (self,), (lambda g: g * out,), "exp")

    def log(self) -> Tensor:
        """Natural logarithm, derivative ``1 / x``; every entry must be positive."""
        if np.any(self.data <= 0):
            raise ValueError("log of a Tensor with entries <= 0: the logarithm needs x > 0")
        x = self.data
        return self._new(np.log(x), (self,), (lambda g: g / x,), "log")

    def relu(self) -> Tensor:
        """``max(0, x)``, derivative 1 where ``x > 0``, else 0."""
        x = self.data
        return self._new(np.maximum(x, 0.0), (self,), (lambda g: g * (x > 0),), "relu")

    def sigmoid(self) -> Tensor:
        """``1 / (1 + exp(-x))``, derivative ``sigmoid(x) (1 - sigmoid(x))`` (stable)."""
        x = self.data
        with np.errstate(under="ignore"):
            out = _sigmoid(x)
        return self._new(out, (self,), (lambda g: _stable(lambda: g * _sigmoid_grad(x)),),
                         "sigmoid")

    def tanh(self) -> Tensor:
        """``tanh(x)``, derivative ``1 - tanh(x)**2`` (stable)."""
        x = self.data
        return self._new(_tanh(x), (self,), (lambda g: _stable(lambda: g * _tanh_grad(x)),),
                         "tanh")

    def backward(self) -> None:
        """Set ``grad`` of every node this one depends on to d self / d node (self's ``grad``
        to ones); every call starts afresh (the gradients do not add up over calls)."""
        order = self._rule("topological_order")(self, PARENTS)
        grads = self._rule("backward")(order, PARENTS, LOCAL, np.ones_like(self.data))
        if len(grads) != len(order):
            raise ValueError(f"backward returned {len(grads)} gradients for {len(order)} nodes")
        for node, g in zip(order, grads):
            node.grad = np.broadcast_to(np.asarray(g, dtype=float), node.shape).copy()


def mse(pred: Tensor, target: Any) -> Tensor:
    """Mean squared error ``mean((pred - target)**2)`` over every entry, as a Tensor."""
    diff = pred - target
    return (diff * diff).mean()


def _pair(rule: Callable, a: np.ndarray, b: np.ndarray) -> tuple:
    """The two vector-Jacobian products of a two-operand `rule`, which runs once per gradient."""
    last: dict = {}

    def part(k: int) -> Callable[[np.ndarray], np.ndarray]:
        def vjp(g: np.ndarray) -> np.ndarray:
            if last.get("g") is not g:
                last.update(g=g, out=rule(g, a, b))
            return last["out"][k]
        return vjp

    return part(0), part(1)


def _stable(compute: Callable[[], np.ndarray]) -> np.ndarray:
    with np.errstate(under="ignore"):
        return compute()


def _axis(axis: Any, ndim: int) -> int | None:
    if axis is None:
        return None
    if not is_integer(axis) or not -ndim <= axis < ndim:
        raise ValueError(f"axis must be None or an integer in [-{ndim}, {ndim}), got {axis!r}")
    return int(axis)


def _broadcasts(shape: tuple, target: tuple) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _check_grad(grad: np.ndarray, shape: tuple, what: str) -> None:
    if grad.shape != tuple(shape):
        raise ValueError(f"out_grad has shape {grad.shape} but {what} has shape {tuple(shape)}: "
                         "a gradient has the shape of what it is the gradient of")


def _check_matmul(a: tuple, b: tuple) -> None:
    if len(a) != 2 or len(b) != 2 or a[1] != b[0]:
        raise ValueError(f"a @ b needs 2-D a (n, k) and b (k, m); got shapes {a} and {b}")
