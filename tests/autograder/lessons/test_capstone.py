"""The capstone's checks: the analytic references against ann_lib and centred differences, the
one-line mistakes, and the figures the lesson's prose states against what the solution computes."""

import re

import numpy as np
import pytest

from ann_lib import deep, gradcheck, losses, regularization
from autograder import notebooks
from autograder.lessons import capstone
from autograder.settings import REPO

LESSON = REPO / "solutions" / "13_capstone" / "13_capstone.ipynb"


def _random_network(rng, n, sizes):
    X = rng.normal(size=(n, sizes[0]))
    y = rng.integers(0, 2, size=n).astype(float)
    params = [(0.5 * rng.normal(size=(a, b)), 0.3 * rng.normal(size=b))
              for a, b in zip(sizes[:-1], sizes[1:])]
    return X, y, params


@pytest.mark.parametrize("sizes", [[4, 1], [4, 5, 1], [3, 5, 4, 1]])
def test_the_reference_forward_is_ann_libs_any_depth_forward(sizes):
    X, _, params = _random_network(np.random.default_rng(1), 6, sizes)
    probs, caches = capstone._ref_forward(X, params)
    A, deep_caches = deep.forward(X, params, ["relu"] * (len(params) - 1) + ["sigmoid"])
    np.testing.assert_allclose(probs, A[:, 0])
    for (A_prev, Z), ((A_prev_deep, _), (Z_deep, _)) in zip(caches, deep_caches):
        np.testing.assert_allclose(A_prev, A_prev_deep)
        np.testing.assert_allclose(Z, Z_deep)


@pytest.mark.parametrize("sizes", [[5, 1], [3, 4, 1], [30, 16, 8, 1], [4, 6, 5, 3, 1]])
def test_the_reference_init_params_draws_what_ann_lib_network_init_params_draws(sizes):
    from ann_lib import network

    ours = capstone._ref_init_params(sizes, np.random.default_rng(3))
    theirs = network.init_params(sizes, "relu", "sigmoid", rng=np.random.default_rng(3))
    assert len(ours) == len(theirs) == len(sizes) - 1
    for (W, b), (W_net, b_net) in zip(ours, theirs):
        np.testing.assert_array_equal(W, W_net)
        np.testing.assert_array_equal(b, b_net)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("lam", [0.0, 0.7])
def test_the_reference_backward_agrees_with_centred_differences_of_the_cost(seed, lam):
    rng = np.random.default_rng(seed)
    X, y, params = _random_network(rng, 7, [4, 5, 3, 1])
    probs, caches = capstone._ref_forward(X, params)
    analytic = capstone._ref_backward(y, params, probs, caches, lam)
    for i, pair in enumerate(params):
        for j, P in enumerate(pair):
            def cost(P_new, i=i, j=j):
                trial = [list(p) for p in params]
                trial[i][j] = P_new
                return (losses.binary_cross_entropy(y, capstone._ref_forward(X, trial)[0])
                        + regularization.l2_penalty(trial, lam, len(y)))

            numeric = gradcheck.numerical_gradient(cost, P)
            assert analytic[i][j].shape == P.shape
            assert gradcheck.relative_error(analytic[i][j], numeric) < 1e-6, (i, j)


def test_every_mistake_is_one_line_away_from_its_reference_template():
    templates = {
        "standardize_split": capstone._standardize_split_template,
        "init_params": capstone._init_params_template, "forward": capstone._forward_template,
        "cost": capstone._cost_template, "backward": capstone._backward_template,
        "minibatch_indices": capstone._minibatch_template, "adam_step": capstone._adam_template,
        "cosine_decay": capstone._cosine_template, "train": capstone._train_template,
        "predict": capstone._predict_template,
        "precision_recall": capstone._precision_recall_template,
    }
    from autograder.checks import variants
    from autograder.lessons import checks_of

    for name, check in checks_of("13_capstone").items():
        reference = variants.template_source(templates[name]).splitlines()
        assert len(check.all_mistakes()) >= 2, name
        for mistake in check.all_mistakes():
            lines = mistake.source(name).splitlines()
            assert len(lines) == len(reference), mistake.key
            differ = [k for k, (a, b) in enumerate(zip(reference, lines)) if a != b]
            assert differ == [0, differ[1]] if lines[0] != reference[0] else len(differ) == 1, \
                (mistake.key, differ)


@pytest.mark.parametrize("seed", [None, 7])  # the grader draws a fresh seed every run
def test_every_catalogued_mistake_fails_its_check_and_is_named(seed):
    from autograder.lessons import checks_of

    for check in checks_of("13_capstone").values():
        assert check.verdict(check.reference, seed=seed) is None, check.name
        for mistake in check.all_mistakes():
            verdict = check.verdict(mistake.wrong, seed=seed)
            assert verdict and mistake.message in verdict, (check.name, mistake.key, verdict)


def test_the_broadcast_trap_that_raises_in_a_deeper_layer_is_still_named():
    trap = next(m for m in capstone.backward.mistakes if m.key == "backward_broadcast_trap")
    verdict = capstone.backward.verdict(trap.wrong)
    assert capstone.BROADCAST_TRAP in verdict and "raised ValueError" in verdict


def test_train_is_graded_on_seeds_other_than_0_several_layers_and_uneven_batches():
    cases = capstone.train.cases(np.random.default_rng(0))
    kwargs = [c.kwargs for c in cases]
    assert any(k["seed"] != 0 for k in kwargs)
    assert any(len(k["layer_sizes"]) > 3 for k in kwargs)
    assert any(len(c.args[0]) % c.kwargs["batch_size"] for c in cases)
    assert any(k["learning_rate"] == 0.0 for k in kwargs)


# --- the figures the prose states are those the solution computes -----------------------------

def _markdown_after(nb, marker):
    return next(c.source for c in nb.cells if c.cell_type == "markdown"
                and c.source.startswith(marker))


@pytest.fixture(scope="module")
def figures():
    """What the lesson's cells print, recomputed with the grader's references (which the
    solution's answers equal: the graded-class tests give the solutions full marks)."""
    X_train, X_val, X_test, y_train, y_val, y_test = capstone.lesson_split()
    X_train_s, X_val_s = capstone._ref_standardize_split(X_train, X_val)
    _, X_test_s = capstone._ref_standardize_split(X_train, X_test)
    settings = dict(learning_rate=0.01, lam=1.0, batch_size=32, max_epochs=200, patience=20,
                    seed=0)
    grid = np.round(np.arange(0.05, 1.0, 0.05), 2)
    out = {}
    for name, sizes in (("network", [30, 16, 8, 1]), ("neuron", [30, 1])):
        best, _, val_costs = capstone._ref_train(X_train_s, y_train, X_val_s, y_val, sizes,
                                                 **settings)
        val_probs = capstone._ref_forward(X_val_s, best)[0]
        precision, recall = capstone._ref_precision_recall(y_val, val_probs, grid)
        missed = np.round((1 - recall) * y_val.sum())
        alarms = np.array([np.sum((val_probs >= t) & (y_val == 0)) for t in grid])
        threshold = float(grid[int(np.argmin(10 * missed + alarms))])
        perfect = grid[(missed == 0) & (alarms == 0)]
        test_probs = capstone._ref_forward(X_test_s, best)[0]
        tests = []
        for t in (0.5, threshold):
            labels = test_probs >= t
            tests.append((np.mean(labels == y_test), int(np.sum(labels & (y_test == 1))),
                          int(np.sum(labels & (y_test == 0)))))
        out[name] = dict(epochs=len(val_costs), best=int(np.argmin(val_costs)),
                         val_cost=min(val_costs),
                         val_correct=int(np.sum((val_probs >= 0.5) == y_val)),
                         threshold=threshold, tests=tests,
                         perfect=(float(perfect.min()), float(perfect.max())),
                         n_params=sum(W.size + b.size for W, b in best))
    out["n_val"], out["n_malignant_test"] = len(y_val), int(y_test.sum())
    return out


def test_the_comparison_states_the_network_and_baseline_figures_the_solution_computes(figures):
    text = _markdown_after(notebooks.read(LESSON), "**What the validation set says.**")
    net, neuron = figures["network"], figures["neuron"]
    stated = [f"network ({net['n_params']} parameters) stopped after {net['epochs']} epochs "
              f"(its best at epoch {net['best']})",
              f"neuron ({neuron['n_params']} parameters)",
              f"validation cost of {net['val_cost']:.4f}",
              f"stopped after {neuron['epochs']} epochs (best at epoch {neuron['best']})",
              f"at\n{neuron['val_cost']:.4f}" if "at\n" in text else f"at {neuron['val_cost']:.4f}"]
    assert net["val_correct"] == neuron["val_correct"], "the prose says both classify alike"
    stated.append(f"{net['val_correct']} of the {figures['n_val']}")
    stated.append(f"({net['val_correct'] / figures['n_val']:.1%})")
    flat = " ".join(text.split())
    for phrase in stated:
        assert " ".join(phrase.split()) in flat, phrase
    numbers = set(re.findall(r"\d+\.\d+%?|\d+ of \d+", flat))
    allowed = {" ".join(p.split()) for p in stated}
    assert all(any(n in a for a in allowed) for n in numbers), numbers - allowed


def test_the_test_set_paragraph_states_the_figures_the_solution_computes(figures):
    text = " ".join(_markdown_after(notebooks.read(LESSON),
                                    "**What the test set says, once.**").split())
    net, neuron = figures["network"], figures["neuron"]
    m = figures["n_malignant_test"]
    (net_acc, net_found, net_alarms), (net_acc_t, net_found_t, _) = net["tests"]
    (nr_acc, nr_found, nr_alarms), (nr_acc_t, nr_found_t, _) = neuron["tests"]
    stated = [f"network classifies {net_acc:.1%} of the 143", f"finds {net_found} of the {m}",
              "with no false alarm" if net_alarms == 0 else f"{net_alarms} false alarm",
              f"neuron scores {nr_acc:.1%}, finds {nr_found} of {m} and raises {nr_alarms} false "
              f"alarm", f"({net['threshold']:.2f} and {neuron['threshold']:.2f})",
              f"network finds {net_found_t} of {m} ({net_acc_t:.1%})",
              f"single neuron {nr_found_t} of {m} ({nr_acc_t:.1%})",
              f"from {net['perfect'][0]:.2f} (the network) or {neuron['perfect'][0]:.2f} (the "
              f"single neuron) up to {net['perfect'][1]:.2f}"]
    assert net["perfect"][1] == neuron["perfect"][1]
    for phrase in stated:
        assert phrase in text, phrase
    assert net_acc_t < net_acc and nr_acc_t < nr_acc, "the prose says both do worse"
