"""Checks for lesson 12, automatic differentiation: the derivative rules of a broadcast operand,
of the product, the matrix product and the sum, the topological order of a graph and the
reverse-mode sweep.

The graph exercises take plain data: nodes are numbers, ``parents[node]`` the nodes it was
computed from and, for the sweep, ``local[node][k]`` the local derivative with respect to
``parents[node][k]`` (numbers or arrays); the lesson's ``Tensor`` class passes the same functions
its own nodes. A topological order is not unique, so that check is a :class:`Property`: it
checks what every right order has (each node of the graph the root depends on, once, after its
parents, the root last) on graphs deeper than Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ann_lib import autograd
from ann_lib.autograd import unbroadcast
from autograder.checks import variants
from autograder.checks.core import Exercise, Mistake, Property, case, expect
from autograder.checks.reach import Reach
from autograder.lessons import self_check_for

__all__ = ["expect", "self_check", "unbroadcast_rule", "mul_backward", "matmul_backward",
           "sum_backward", "topological_order", "backward_sweep"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = self_check_for(__name__)


# --- unbroadcast -----------------------------------------------------------------------------

def _unbroadcast_cases(rng: np.random.Generator) -> list:
    cases = [case(np.ones((4, 3)), (3,)), case(np.arange(6.0).reshape(2, 3), (2, 1)),
             case(np.arange(6.0).reshape(2, 3), ()), case(np.arange(6.0).reshape(2, 3), (2, 3))]
    for grad_shape, shape in (((5, 3), (1, 3)), ((2, 4, 3), (4, 1)), ((3, 2, 5), (2, 5)),
                              ((4, 3), (4, 1)), ((2, 3, 4), (1, 3, 1)), ((6,), (1,))):
        cases.append(case(rng.normal(size=grad_shape), shape))
    return cases


def unbroadcast_leading_axes_only(grad: np.ndarray, shape: tuple) -> np.ndarray:
    return grad.sum(axis=tuple(range(grad.ndim - len(shape))))


def unbroadcast_mean(grad: np.ndarray, shape: tuple) -> np.ndarray:
    grad = grad.mean(axis=tuple(range(grad.ndim - len(shape))))
    ones = tuple(axis for axis, size in enumerate(shape) if size == 1)
    return grad.mean(axis=ones, keepdims=True)


def unbroadcast_drops_the_ones(grad: np.ndarray, shape: tuple) -> np.ndarray:
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    ones = tuple(axis for axis, size in enumerate(shape) if size == 1)
    return grad.sum(axis=ones)


def unbroadcast_trailing_axes(grad: np.ndarray, shape: tuple) -> np.ndarray:
    grad = grad.sum(axis=tuple(range(len(shape), grad.ndim)))
    ones = tuple(axis for axis, size in enumerate(shape) if size == 1)
    return grad.sum(axis=ones, keepdims=True)


unbroadcast_rule = Exercise(
    name="unbroadcast_rule",
    answer="unbroadcast",
    reference=autograd.unbroadcast,
    cases=_unbroadcast_cases,
    mistakes=[
        Mistake(unbroadcast_leading_axes_only,
                "only the new leading axes are summed; an axis where the operand has length 1 "
                "was copied too, so sum over it as well (keeping it, of length 1)."),
        Mistake(unbroadcast_mean,
                "you averaged the copies' gradients; every copy of the operand adds its own "
                "share to the cost, so the operand's gradient is their sum, not their mean."),
        Mistake(unbroadcast_drops_the_ones,
                "the axes of length 1 are summed away: the result must have the operand's shape, "
                "so keep them (keepdims=True)."),
        Mistake(unbroadcast_trailing_axes,
                "you summed the last axes; NumPy lines shapes up from the right, so the axes it "
                "adds are the first grad.ndim - len(shape) ones."),
    ],
)


# --- the product -----------------------------------------------------------------------------

def _pair_cases(rng: np.random.Generator) -> list:
    cases = [case(np.ones((2, 3)), np.arange(6.0).reshape(2, 3), np.array([1.0, -2.0, 3.0]))]
    for a_shape, b_shape in (((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1), (1, 5)), ((4, 2), ()),
                             ((), (3, 2)), ((5,), (3, 1))):
        a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
        cases.append(case(rng.normal(size=np.broadcast_shapes(a.shape, b.shape)), a, b))
    return cases


def mul_swapped(out_grad: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple:
    da = unbroadcast(out_grad * a, a.shape)
    db = unbroadcast(out_grad * b, b.shape)
    return da, db


def mul_not_unbroadcast(out_grad: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple:
    da = out_grad * b
    db = out_grad * a
    return da, db


def mul_without_out_grad(out_grad: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple:
    da = unbroadcast(np.ones_like(out_grad) * b, a.shape)
    db = unbroadcast(np.ones_like(out_grad) * a, b.shape)
    return da, db


mul_backward = Exercise(
    name="mul_backward",
    reference=autograd.mul_backward,
    cases=_pair_cases,
    returns=("da", "db"),
    uses=("unbroadcast",),
    mistakes=[
        Mistake(mul_swapped,
                "the two local derivatives are swapped: d(a * b)/da is b, the *other* operand, "
                "so da comes from out_grad * b and db from out_grad * a."),
        Mistake(mul_not_unbroadcast,
                "da and db keep the shape of a * b; where NumPy broadcast an operand its "
                "gradient must be summed back to its own shape (your unbroadcast)."),
        Mistake(mul_without_out_grad,
                "out_grad is left out of the chain rule: the gradient of the cost with respect "
                "to a is out_grad times d(a * b)/da, not the local derivative alone."),
    ],
)


# --- the matrix product ------------------------------------------------------------------------

def _matmul_cases(rng: np.random.Generator) -> list:
    cases = [case(np.ones((2, 2)), np.array([[1.0, 2.0], [3.0, 4.0]]),
                  np.array([[5.0, 6.0], [7.0, 8.0]]))]
    for n, k, m in ((2, 3, 4), (5, 1, 3), (1, 4, 1), (3, 3, 3), (4, 2, 6)):
        cases.append(case(rng.normal(size=(n, m)), rng.normal(size=(n, k)),
                          rng.normal(size=(k, m))))
    return cases


def matmul_db_transposed(out_grad: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple:
    da = out_grad @ b.T
    db = out_grad.T @ a
    return da, db


def matmul_without_out_grad(out_grad: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple:
    da = np.ones_like(out_grad) @ b.T
    db = a.T @ np.ones_like(out_grad)
    return da, db


def matmul_gradients_swapped(out_grad: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple:
    da = out_grad @ b.T
    db = a.T @ out_grad
    return db, da


def matmul_transposes_swapped(out_grad: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple:
    da = out_grad @ b
    db = a @ out_grad
    return da, db


matmul_backward = Exercise(
    name="matmul_backward",
    reference=autograd.matmul_backward,
    cases=_matmul_cases,
    returns=("da", "db"),
    mistakes=[
        Mistake(matmul_db_transposed,
                "db has the shape (m, k) of B transposed: a gradient has the shape of what it is "
                "the gradient of, (k, m) for B; check the order of your product."),
        Mistake(matmul_without_out_grad,
                "out_grad is left out: each Y_ij passes back out_grad_ij times its local "
                "derivative, so the sums over i or j weigh every term by out_grad."),
        Mistake(matmul_gradients_swapped,
                "da and db come back in the wrong order: return (da, db), the gradient with "
                "respect to the first operand first."),
        Mistake(matmul_transposes_swapped,
                "the transposes are missing: Y_ij = sum_p A_ip B_pj, so dA_ip sums out_grad_ij "
                "B_pj over j, a product with B's rows, not its columns."),
    ],
)


# --- the sum ------------------------------------------------------------------------------------

def _sum_cases(rng: np.random.Generator) -> list:
    cases = [case(np.array([1.0, 2.0]), (2, 3), axis=1), case(np.array(5.0), (2, 2)),
             case(np.array([1.0, 2.0, 3.0]), (2, 3), axis=0)]
    for shape, axis in (((4, 3), 0), ((4, 3), 1), ((3, 4), -1), ((2, 3, 4), 1), ((5,), 0),
                        ((3, 3), 1), ((2, 5), None)):
        out_shape = np.empty(shape).sum(axis=axis).shape
        cases.append(case(rng.normal(size=out_shape), shape, axis=axis))
    return cases


def sum_not_expanded(out_grad: np.ndarray, shape: tuple, axis: int | None = None) -> np.ndarray:
    return np.broadcast_to(out_grad, shape).copy()


def sum_backward_mean(out_grad: np.ndarray, shape: tuple, axis: int | None = None) -> np.ndarray:
    if axis is not None:
        out_grad = np.expand_dims(out_grad, axis)
    return np.broadcast_to(out_grad, shape) / (np.prod(shape) / np.size(out_grad))


def sum_backward_ones(out_grad: np.ndarray, shape: tuple, axis: int | None = None) -> np.ndarray:
    return np.ones(shape)


sum_backward = Exercise(
    name="sum_backward",
    reference=autograd.sum_backward,
    cases=_sum_cases,
    mistakes=[
        Mistake(sum_not_expanded,
                "out_grad was broadcast without putting the summed axis back first: NumPy lines "
                "shapes up from the right, so for axis=1 the gradients land on the wrong rows (or "
                "do not fit); np.expand_dims(out_grad, axis) first."),
        Mistake(sum_backward_mean,
                "you divided by the number of entries summed: that is the mean's gradient; each "
                "entry adds into the sum with slope 1."),
        Mistake(sum_backward_ones,
                "the result is all ones: that is the local derivative only; multiply it by "
                "out_grad (chain rule), copied back along the summed axis."),
    ],
)


# --- the topological order -------------------------------------------------------------------

#: Deeper than Python's default recursion limit (1000) and IPython's (3000).
DEEP = 5000


def _graphs() -> list:
    """``(root, parents)`` of the graphs a topological order is checked on."""
    return [(3, [[], [0], [0], [1, 2]]),
            (4, [[], [0], [0, 1], [1, 2, 0], [3, 3], [4]]),
            (0, [[]]),
            (2, [[1], [], [0, 1], [2]]),
            (5, [[], [], [0, 1], [2], [2, 3], [4, 2, 0], [1, 5]]),
            (DEEP, [[]] + [[i] for i in range(DEEP)])]


def _ancestors(root: int, parents: list) -> set:
    found, stack = {root}, [root]
    while stack:
        for p in parents[stack.pop()]:
            if p not in found:
                found.add(p)
                stack.append(p)
    return found


RECURSION = ("the walk is recursive and a graph deeper than Python's recursion limit stops it: "
             "use a list as a stack of nodes still to visit, (node, ready) pairs, in a while loop.")
TWICE = ("a node used twice (a diamond) comes twice in the order: keep a set of the nodes "
         "already visited and visit each once.")
PARENTS_FIRST = ("a node comes before a node it was computed from: every node must come after "
                 "all of its parents, so that the sweep, walking the order backwards, reaches a "
                 "node only once every use of it has passed its gradient back.")
ROOT_LAST = "the root must be the last node of the order (the sweep starts from it)."
ONLY_ANCESTORS = ("the order holds nodes the root does not depend on (or misses some it does): "
                  "walk from the root through the parents.")


def topo_recursive(root: int, parents: list) -> list:
    order, seen = [], set()

    def visit(node: int) -> None:
        if node not in seen:
            seen.add(node)
            for parent in parents[node]:
                visit(parent)
            order.append(node)

    visit(root)
    return order


def _topo(name: str, old: str, new: str) -> Callable:
    """The reference ``topological_order`` with the line ``old`` replaced by ``new``."""
    return variants.variant(autograd.topological_order, {}, name, old, new)


_TOPO_MISTAKES = [
    Mistake(topo_recursive, RECURSION),
    Mistake(_topo("topo_no_seen_set", "elif node not in seen:", "else:"), TWICE),
    Mistake(_topo("topo_root_first", "return order", "return order[::-1]"), PARENTS_FIRST),
    Mistake(_topo("topo_every_node", "return order", "return list(range(len(parents)))"),
            ONLY_ANCESTORS),
]


def _order_problem(order: Any, root: int, parents: list) -> str | None:
    """What is wrong with ``order`` as a topological order of ``root``'s graph, or None."""
    if not isinstance(order, (list, tuple)):
        return f"it returned {type(order).__name__}, not a list of nodes"
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in order):
        return "it returned something that is not a list of the nodes (here numbers)"
    nodes = [int(n) for n in order]
    if len(set(nodes)) < len(nodes):
        return TWICE
    if set(nodes) != _ancestors(root, parents):
        return ONLY_ANCESTORS
    place = {n: i for i, n in enumerate(nodes)}
    if any(place[p] > place[n] for n in nodes for p in parents[n]):
        return PARENTS_FIRST
    if nodes[-1] != root:
        return ROOT_LAST
    return None


def _describe_graph(root: int, parents: list) -> str:
    if len(parents) > 10:
        return f"topological_order({root}, a chain of {len(parents)} nodes, parents[i] = [i - 1])"
    return f"topological_order({root}, {parents})"


def _judge_topological_order(student: Any) -> str | None:
    lead = "`topological_order` is not right yet"
    for root, parents in _graphs():
        call = _describe_graph(root, parents)
        try:
            order = student(root, [list(p) for p in parents])
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - any student error becomes a message
            # by its name: while graded, the kernel's error is re-raised as a class of that name
            if type(exc).__name__ == "RecursionError":
                return f"{lead}: {RECURSION} For example, {call} raised RecursionError."
            return f"{call} raised {type(exc).__name__}: {exc}"
        if order is None:
            return f"{call} returned None. Did you forget the `return` statement?"
        problem = _order_problem(order, root, parents)
        if problem:
            shown = list(order)[:12] if isinstance(order, (list, tuple)) else order
            return f"{lead}: {problem} For example, {call} returned {shown}."
    return None


topological_order = Property(name="topological_order", judge=_judge_topological_order,
                             mistakes=_TOPO_MISTAKES, model=autograd.topological_order)


# --- the backward sweep ----------------------------------------------------------------------

def _sweep_cases(rng: np.random.Generator) -> list:
    # y = x * x + x at x = 3: nodes 0 = x, 1 = x * x, 2 = y
    cases = [case([0, 1, 2], [[], [0, 0], [1, 0]], [[], [3.0, 3.0], [1.0, 1.0]]),
             case([0, 1, 2], [[], [0, 0], [1, 0]], [[], [3.0, 3.0], [1.0, 1.0]], 2.0),
             case([0], [[]], [[]], 1.5)]
    for n in (4, 6, 9):
        parents = [[]] + [sorted(rng.choice(i, size=min(i, 2), replace=True).tolist())
                          for i in range(1, n)]
        local = [[float(rng.normal()) for _ in p] for p in parents]
        cases.append(case(list(range(n)), parents, local, float(rng.normal())))
    parents = [[], [], [0, 1], [2, 0]]
    arrays = [[], [], [rng.normal(size=3), rng.normal(size=3)],
              [rng.normal(size=3), rng.normal(size=3)]]
    cases.append(case([1, 0, 2, 3], parents, arrays, rng.normal(size=3)))
    return cases


def _sweep(name: str, old: str, new: str) -> Callable:
    """The reference ``backward`` with the line ``old`` replaced by ``new``."""
    return variants.variant(autograd.backward, {}, name, old, new)


_ADDS = "grad[parent] = grad[parent] + derivative * grad[node]"


backward_sweep = Exercise(
    name="backward_sweep",
    answer="backward",
    reference=autograd.backward,
    cases=_sweep_cases,
    mistakes=[
        Mistake(_sweep("sweep_assigns", _ADDS, "grad[parent] = derivative * grad[node]"),
                "a node's gradient is overwritten by each use: a value used twice (x in x * x + "
                "x) must add the contributions of every use, grad[p] = grad[p] + ..."),
        Mistake(_sweep("sweep_forward_order", "for node in reversed(order):",
                       "for node in order:"),
                "the sweep runs from the first node to the last: it must start at the root and "
                "go backwards (reversed(order)), so that a node's gradient is complete before it "
                "is passed on."),
        Mistake(_sweep("sweep_ignores_seed", "grad[order[-1]] = seed", "grad[order[-1]] = 1.0"),
                "the root's gradient is 1 whatever seed is: start from grad[root] = seed."),
        Mistake(_sweep("sweep_local_only", _ADDS, "grad[parent] = grad[parent] + derivative"),
                "the node's own gradient is left out of the chain rule: a parent receives the "
                "local derivative *times* the gradient of the node, local[node][k] * grad[node]."),
    ],
)


#: While graded: the data sets, the numerical gradient, lesson 03-06's layers and losses (the
#: lesson checks the learner's engine against them), and ``ann_lib.autograd`` for its Tensor
#: class, with every function that is an answer of this lesson withheld (a stand-in that only
#: raises): the Tensor runs only on the rules the learner passes it.
GRADED = Reach(ann_lib=("activations", "autograd", "datasets", "gradcheck", "layers", "losses"),
               withheld=tuple(f"autograd.{name}" for name in autograd.RULES))
