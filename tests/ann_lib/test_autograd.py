"""ann_lib.autograd: gradients of random graphs against numerical ones, a two-layer network's
against the layers' own backward passes, the rules on their own, stability and errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ann_lib import activations, autograd, gradcheck, layers, losses
from ann_lib.autograd import Tensor

#: Operand shapes that all broadcast to (2, 3).
SHAPES = [(2, 3), (3,), (1, 3), (2, 1), ()]

#: ``(name, number of operands)`` of the operations a random graph is made of.
OPS = [("+", 2), ("-", 2), ("*", 2), ("@", 1), ("tanh", 1), ("sigmoid", 1), ("exp∘tanh", 1),
       ("log∘sigmoid", 1), ("sum0", 1), ("mean0", 1), ("square", 1)]


def apply(op, operands, M):
    a = operands[0]
    b = operands[-1]
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
            "@": lambda: (a + Tensor(np.zeros((2, 3)))) @ M,
            "tanh": a.tanh, "sigmoid": a.sigmoid, "exp∘tanh": lambda: a.tanh().exp(),
            "log∘sigmoid": lambda: a.sigmoid().log(),
            "sum0": lambda: a.sum(axis=0) if a.data.ndim else a.sum(),
            "mean0": lambda: a.mean(axis=0) if a.data.ndim else a.mean(),
            "square": lambda: a * a}[op]()


@st.composite
def graphs(draw):
    """``(leaf values, recipe)``: each step applies an operation to earlier nodes (reuse allowed)."""
    n_leaves = draw(st.integers(1, 3))
    shapes = [draw(st.sampled_from(SHAPES)) for _ in range(n_leaves)]
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    leaves = [rng.normal(size=s) for s in shapes] + [rng.normal(size=(3, 3)) / 2]
    recipe = []
    for step in range(draw(st.integers(1, 7))):
        op, arity = draw(st.sampled_from(OPS))
        picks = [draw(st.integers(0, n_leaves + step - 1)) for _ in range(arity)]
        recipe.append((op, picks))
    return leaves, recipe, rng.normal(size=(2, 3))


def run(leaf_values, recipe, weights, cls=Tensor):
    """The graph's cost ``sum(weights * last node)`` and its leaves."""
    leaves = [cls(v) for v in leaf_values]
    nodes, M = leaves[:-1], leaves[-1]
    for op, picks in recipe:
        nodes.append(apply(op, [nodes[i] for i in picks], M))
    return (nodes[-1] * weights).sum(), leaves


@settings(max_examples=30, deadline=None)
@given(graphs())
def test_gradients_of_random_graphs_match_numerical_gradients(graph):
    values, recipe, weights = graph
    cost, leaves = run(values, recipe, weights)
    cost.backward()
    for k, leaf in enumerate(leaves):
        def f(x, k=k):
            return run(values[:k] + [x] + values[k + 1:], recipe, weights)[0].data
        numerical = gradcheck.numerical_gradient(f, values[k])
        # a leaf the cost does not depend on is not in its graph: no gradient is set
        got = np.zeros_like(values[k]) if leaf.grad is None else leaf.grad
        np.testing.assert_allclose(got, numerical, rtol=1e-5, atol=1e-7,
                                   err_msg=f"leaf {k} of {recipe}")


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**16),
       st.sampled_from(["relu", "sigmoid", "tanh"]))
def test_a_two_layer_network_gets_the_gradients_of_dense_and_activation_backward(
        n, n_in, n_hidden, seed, hidden):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n, n_in)), rng.normal(size=(n, 1))
    W1, b1 = rng.normal(size=(n_in, n_hidden)), rng.normal(size=n_hidden)
    W2, b2 = rng.normal(size=(n_hidden, 1)), rng.normal(size=1)
    params = [Tensor(p) for p in (W1, b1, W2, b2)]
    tW1, tb1, tW2, tb2 = params
    hidden_out = getattr(Tensor(X) @ tW1 + tb1, hidden)()
    autograd.mse(hidden_out @ tW2 + tb2, y).backward()

    Z1, cache1 = layers.dense_forward(X, W1, b1)
    A1, acache = layers.activation_forward(Z1, hidden)
    Z2, cache2 = layers.dense_forward(A1, W2, b2)
    dA1, dW2, db2 = layers.dense_backward(losses.mse_grad(y, Z2), cache2)
    _, dW1, db1 = layers.dense_backward(layers.activation_backward(dA1, acache), cache1)
    for name, p, expected in zip(("W1", "b1", "W2", "b2"), params, (dW1, db1, dW2, db2)):
        np.testing.assert_allclose(p.grad, expected, rtol=1e-9, atol=1e-12, err_msg=name)


def test_unbroadcast_sums_new_leading_axes_and_axes_of_length_one():
    grad = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(autograd.unbroadcast(grad, (4,)), grad.sum(axis=(0, 1)))
    np.testing.assert_array_equal(autograd.unbroadcast(grad, (3, 1)),
                                  grad.sum(axis=(0, 2)).reshape(3, 1))
    np.testing.assert_array_equal(autograd.unbroadcast(grad, ()), grad.sum())
    np.testing.assert_array_equal(autograd.unbroadcast(grad, (2, 3, 4)), grad)


def test_sum_backward_copies_the_gradient_along_the_summed_axis():
    np.testing.assert_array_equal(autograd.sum_backward(np.array([1.0, 2.0]), (2, 3), axis=1),
                                  [[1, 1, 1], [2, 2, 2]])
    np.testing.assert_array_equal(autograd.sum_backward(np.array([1.0, 2.0, 3.0]), (2, 3), 0),
                                  [[1, 2, 3], [1, 2, 3]])
    np.testing.assert_array_equal(autograd.sum_backward(np.array(5.0), (2, 2)), np.full((2, 2), 5))


def test_topological_order_puts_every_node_after_its_parents_once():
    parents = [[], [0], [0, 1], [1, 2, 0], [3, 3]]
    order = autograd.topological_order(4, parents)
    assert sorted(order) == [0, 1, 2, 3, 4]
    assert all(order.index(p) < order.index(n) for n in order for p in parents[n])


def test_topological_order_and_backward_need_no_recursion_on_a_deep_chain():
    x = Tensor(2.0)
    y = x
    for _ in range(3000):  # deeper than Python's recursion limit (1000)
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0


def test_backward_of_a_scalar_graph_adds_the_contributions_of_every_path():
    # y = x * x + x: nodes 0 = x, 1 = x * x, 2 = y; at x = 3, dy/dx = 2x + 1 = 7
    parents, local = [[], [0, 0], [1, 0]], [[], [3.0, 3.0], [1.0, 1.0]]
    assert autograd.backward([0, 1, 2], parents, local) == [7.0, 1.0, 1.0]


def test_a_value_used_twice_gets_both_gradients_and_backward_starts_afresh():
    a = Tensor([1.0, -2.0])
    loss = (a * a + a).sum()
    loss.backward()
    loss.backward()
    np.testing.assert_array_equal(a.grad, [3.0, -3.0])


def test_sigmoid_tanh_and_their_gradients_are_finite_at_plus_minus_1000():
    t = Tensor([-1000.0, 0.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (t.sigmoid() + t.tanh()).sum().backward()
    np.testing.assert_allclose(t.grad, activations.sigmoid_grad(t.data)
                               + activations.tanh_grad(t.data))


def test_relu_passes_the_gradient_only_where_its_input_is_positive():
    t = Tensor([-1.0, 0.0, 2.0])
    t.relu().sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 0.0, 1.0])


def test_arrays_and_numbers_combine_with_tensors_on_either_side():
    t = Tensor([1.0, 2.0])
    out = (np.array([3.0, 4.0]) * t + 1 - t).sum()
    assert isinstance(out, Tensor)
    out.backward()
    np.testing.assert_array_equal(t.grad, [2.0, 3.0])


def test_a_class_using_other_rules_calls_them():
    calls = []

    def my_mul_backward(out_grad, a, b):
        calls.append(out_grad.shape)
        return autograd.mul_backward(out_grad, a, b)

    Mine = Tensor.using(mul_backward=my_mul_backward)
    x = Mine([1.0, 2.0])
    (x * 3.0).sum().backward()
    assert calls and isinstance(x * 2.0, Mine)
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


@pytest.mark.parametrize("make, message", [
    (lambda: Tensor(np.ones((2, 3))) + Tensor(np.ones((4, 3))), "shapes (2, 3) and (4, 3)"),
    (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3))), "got shapes (2, 3) and (2, 3)"),
    (lambda: Tensor(np.ones(3)) * "abc", "not str"),
    (lambda: Tensor(["a"]), "real numbers"),
    (lambda: Tensor(np.ones(3)).sum(axis=1), "axis must be None or an integer in [-1, 1)"),
    (lambda: Tensor(np.zeros(2)).log(), "x > 0"),
    (lambda: autograd.unbroadcast(np.ones((2, 3)), (4,)), "does not broadcast"),
    (lambda: autograd.mul_backward(np.ones(2), np.ones(3), np.ones(3)), "out_grad has shape (2,)"),
    (lambda: Tensor.using(mul=len), "unknown rules ['mul']"),
])
def test_wrong_shapes_and_types_get_a_message_that_names_them(make, message):
    with pytest.raises((ValueError, TypeError), match=message.replace("(", r"\(").replace(
            ")", r"\)").replace("[", r"\[").replace("]", r"\]")):
        make()
