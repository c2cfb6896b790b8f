"""Training speed of ann_lib's MLP against a bare NumPy loop and scikit-learn.

All three train the same network on the same standardized data, 20000 x 40 with binary labels:
one hidden ReLU layer of 64 units, a sigmoid output, binary cross-entropy, plain mini-batch SGD
(batch 64, 10 epochs, no momentum, no L2 penalty), float64, reshuffled every epoch.

* ``MLP``: ``ann_lib.network.MLP``.
* ``bare``: the same algorithm written as one NumPy function with no validation and in-place
  updates. It draws its weights and shuffles from the same seeded generator as ``MLP`` and, like
  it (and like scikit-learn's ``loss_curve_``), records the mean of the batch losses of each
  epoch, so the two must train the very same network: the script prints the largest difference
  of their loss histories.
* ``sklearn``: ``sklearn.neural_network.MLPClassifier(solver="sgd")``, with early stopping and
  the tolerance switched off so that it runs every epoch. It initialises and shuffles with its
  own generator, so its loss history and accuracy agree only up to that.

The process runs with its default settings (allocator, BLAS threads, ...): nothing is tuned for
the benchmark. The machine may be busy, so the rounds are interleaved, their order alternates,
and the script prints the load average at the start, the median wall-clock and CPU time (all
threads) of each implementation, its test accuracy and final training loss, and the ratios
MLP/bare (goal <= 1.15) and sklearn/MLP. Nothing is asserted.

Run: ``python bench/bench_train.py [--rounds 7]`` (about half a minute on an idle machine)
"""

import argparse
import os
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from ann_lib.datasets import train_test_split
from ann_lib.network import MLP
from ann_lib.preprocessing import StandardScaler

N_TRAIN, N_FEATURES = 20000, 40
HIDDEN = 64
BATCH_SIZE = 64
EPOCHS = 10
LEARNING_RATE = 0.05
SEED = 0


def train_mlp(X, y):
    model = MLP([X.shape[1], HIDDEN, 1], seed=SEED)
    model.fit(X, y, epochs=EPOCHS, batch_size=BATCH_SIZE, learning_rate=LEARNING_RATE)
    return model.predict, model.loss_history_


def train_bare(X, y):
    rng = np.random.default_rng(SEED)
    n, d = X.shape
    W1 = rng.normal(0.0, np.sqrt(2 / d), size=(d, HIDDEN))  # He
    b1 = np.zeros(HIDDEN)
    W2 = rng.normal(0.0, np.sqrt(2 / (HIDDEN + 1)), size=(HIDDEN, 1))  # Glorot
    b2 = np.zeros(1)
    Y = y.reshape(-1, 1).astype(np.float64)

    def forward(X):
        Z1 = X @ W1 + b1
        A1 = np.maximum(Z1, 0)
        Z2 = A1 @ W2 + b2
        e = np.exp(-np.abs(Z2))  # stable sigmoid
        return Z1, A1, np.where(Z2 >= 0, 1, e) / (1 + e)

    history = []
    for _ in range(EPOCHS):
        order = rng.permutation(n)
        Xs, Ys = X[order], Y[order]
        total = 0.0
        for start in range(0, n, BATCH_SIZE):
            Xb, Yb = Xs[start : start + BATCH_SIZE], Ys[start : start + BATCH_SIZE]
            Z1, A1, A2 = forward(Xb)
            p = np.clip(A2, 1e-12, 1 - 1e-12)
            total -= np.sum(Yb * np.log(p) + (1 - Yb) * np.log1p(-p))
            dZ2 = (A2 - Yb) / Yb.size
            dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
            dW2, db2 = A1.T @ dZ2, dZ2.sum(axis=0)
            dW1, db1 = Xb.T @ dZ1, dZ1.sum(axis=0)
            W1 -= LEARNING_RATE * dW1
            b1 -= LEARNING_RATE * db1
            W2 -= LEARNING_RATE * dW2
            b2 -= LEARNING_RATE * db2
        history.append(float(total / n))

    def predict(X):
        return (forward(X)[2][:, 0] >= 0.5).astype(np.int64)

    return predict, history


def train_sklearn(X, y):
    model = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,),
        activation="relu",
        solver="sgd",
        alpha=0.0,
        batch_size=BATCH_SIZE,
        learning_rate="constant",
        learning_rate_init=LEARNING_RATE,
        momentum=0.0,
        nesterovs_momentum=False,
        max_iter=EPOCHS,
        shuffle=True,
        tol=0.0,
        n_iter_no_change=EPOCHS,
        random_state=SEED,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return model.predict, model.loss_curve_


IMPLEMENTATIONS = {"MLP": train_mlp, "bare": train_bare, "sklearn": train_sklearn}


def data():
    X, y = make_classification(
        n_samples=N_TRAIN + 5000, n_features=N_FEATURES, n_informative=20, class_sep=1.0,
        random_state=SEED,
    )
    X_train, X_test, y_train, y_test = train_test_split(X, y, 5000, seed=SEED)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    X_train, X_test, y_train, y_test = data()
    print(f"numpy {np.__version__}; {X_train.shape[0]} x {X_train.shape[1]} training samples, "
          f"{EPOCHS} epochs, batch {BATCH_SIZE}, lr {LEARNING_RATE}, {args.rounds} rounds; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")

    wall = {key: [] for key in IMPLEMENTATIONS}
    cpu = {key: [] for key in IMPLEMENTATIONS}
    results = {}
    for r in range(args.rounds):
        order = list(IMPLEMENTATIONS) if r % 2 == 0 else list(reversed(IMPLEMENTATIONS))
        for key in order:
            start, start_cpu = time.perf_counter(), time.process_time()
            predict, history = IMPLEMENTATIONS[key](X_train, y_train)
            wall[key].append(time.perf_counter() - start)
            cpu[key].append(time.process_time() - start_cpu)
            results[key] = (float(np.mean(predict(X_test) == y_test)), list(history))

    median = {key: statistics.median(t) for key, t in wall.items()}
    median_cpu = {key: statistics.median(t) for key, t in cpu.items()}
    for key in IMPLEMENTATIONS:
        accuracy, history = results[key]
        print(f"  {key:8s} median {median[key] * 1000:7.1f} ms wall, {median_cpu[key] * 1000:7.1f} ms "
              f"CPU   test accuracy {accuracy:.4f}   final training loss {history[-1]:.5f}")
    for a, b, goal in (("MLP", "bare", "   (goal <= 1.15)"), ("sklearn", "MLP", "")):
        print(f"  {a}/{b} = {median[a] / median[b]:.3f} wall, "
              f"{median_cpu[a] / median_cpu[b]:.3f} CPU{goal}")
    same = np.max(np.abs(np.subtract(results["MLP"][1], results["bare"][1])))
    agree = "agree" if same < 1e-9 and results["MLP"][0] == results["bare"][0] else "DIFFER"
    print(f"  MLP vs bare: max |loss_history difference| = {same:.1e}, test accuracies "
          f"{results['MLP'][0]:.4f} / {results['bare'][0]:.4f}: {agree}")
    gap = np.max(np.abs(np.subtract(results["MLP"][1], results["sklearn"][1])))
    print(f"  MLP vs sklearn (other initial weights and shuffles): max |loss_history difference| "
          f"= {gap:.3f}, test accuracies {results['MLP'][0]:.4f} / {results['sklearn'][0]:.4f}")


if __name__ == "__main__":
    main()
