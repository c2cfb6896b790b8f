"""Training speed of ann_lib's MLP against a bare NumPy loop and scikit-learn.

All three train the same network on the same standardized data: one hidden
ReLU layer of 64 units, a sigmoid output, binary cross-entropy, plain
mini-batch SGD (no momentum, no L2 penalty), float64, reshuffled every epoch.

* ``MLP``: ``ann_lib.network.MLP``.
* ``bare``: the same algorithm written as one NumPy function with no
  validation and in-place updates. It draws its weights and shuffles from the
  same seeded generator as ``MLP``, so the two must train the very same
  network: the script prints the largest difference of their loss histories.
  Like ``MLP`` it records the training-set loss after every epoch.
* ``sklearn``: ``sklearn.neural_network.MLPClassifier(solver="sgd")``, with
  early stopping and the tolerance switched off so that it runs every epoch.
  It initialises and shuffles with its own generator.

BLAS runs on one thread: these matrices are too small to gain from more, and
thread wake-ups would only add noise. On glibc the script also asks malloc to
keep freed memory (``mallopt``); by default glibc hands the ~2 MB temporaries
of a full-training-set forward pass back to the OS and page-faults them in
again every epoch, which costs the NumPy loops (not sklearn, which averages
its batch losses instead) up to a third of their time on the synthetic set.
``--default-malloc`` skips this. Rounds are interleaved and the order
alternates between rounds; the script prints the median time of each
implementation, its test accuracy, and the ratios MLP/bare (target <= 1.25)
and sklearn/MLP (target >= 2.5). Nothing is asserted.

Run: ``python bench/bench_train.py [--rounds 7]``
"""

import argparse
import ctypes
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from ann_lib.datasets import load_breast_cancer, train_test_split
from ann_lib.network import MLP
from ann_lib.preprocessing import StandardScaler

HIDDEN = 64
BATCH_SIZE = 32
LEARNING_RATE = 0.05
SEED = 0


def train_mlp(X, y, epochs):
    model = MLP([X.shape[1], HIDDEN, 1], seed=SEED)
    model.fit(X, y, epochs=epochs, batch_size=BATCH_SIZE, learning_rate=LEARNING_RATE)
    return model.predict, model.loss_history_


def train_bare(X, y, epochs):
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
    for _ in range(epochs):
        order = rng.permutation(n)
        Xs, Ys = X[order], Y[order]
        for start in range(0, n, BATCH_SIZE):
            Xb, Yb = Xs[start : start + BATCH_SIZE], Ys[start : start + BATCH_SIZE]
            Z1, A1, A2 = forward(Xb)
            dZ2 = (A2 - Yb) / Yb.size
            dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
            W2 -= LEARNING_RATE * (A1.T @ dZ2)
            b2 -= LEARNING_RATE * dZ2.sum(axis=0)
            W1 -= LEARNING_RATE * (Xb.T @ dZ1)
            b1 -= LEARNING_RATE * dZ1.sum(axis=0)
        p = np.clip(forward(X)[2], 1e-12, 1 - 1e-12)
        history.append(float(-np.mean(Y * np.log(p) + (1 - Y) * np.log1p(-p))))

    def predict(X):
        return (forward(X)[2][:, 0] >= 0.5).astype(np.int64)

    return predict, history


def train_sklearn(X, y, epochs):
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
        max_iter=epochs,
        shuffle=True,
        tol=0.0,
        n_iter_no_change=epochs,
        random_state=SEED,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return model.predict, model.loss_curve_


IMPLEMENTATIONS = {"MLP": train_mlp, "bare": train_bare, "sklearn": train_sklearn}


def workloads():
    X, y = load_breast_cancer()
    yield "breast cancer (426 train x 30)", X, y, 200
    X, y = make_classification(
        n_samples=5000, n_features=20, n_informative=10, class_sep=1.0, random_state=SEED
    )
    yield "synthetic (3750 train x 20)", X, y, 20


def bench(name, X, y, epochs, rounds):
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.25, seed=SEED, stratify=True)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    times = {key: [] for key in IMPLEMENTATIONS}
    results = {}
    for r in range(rounds):
        order = list(IMPLEMENTATIONS) if r % 2 == 0 else list(reversed(IMPLEMENTATIONS))
        for key in order:
            start = time.perf_counter()
            predict, history = IMPLEMENTATIONS[key](X_train, y_train, epochs)
            times[key].append(time.perf_counter() - start)
            results[key] = (float(np.mean(predict(X_test) == y_test)), history)

    print(f"\n{name}: {epochs} epochs, batch {BATCH_SIZE}, lr {LEARNING_RATE}, {rounds} rounds")
    median = {key: statistics.median(t) for key, t in times.items()}
    for key in IMPLEMENTATIONS:
        accuracy, history = results[key]
        print(
            f"  {key:8s} median {median[key] * 1000:8.1f} ms   test accuracy {accuracy:.4f}"
            f"   final training loss {history[-1]:.5f}"
        )
    same = np.max(np.abs(np.subtract(results["MLP"][1], results["bare"][1])))
    print(f"  MLP/bare    = {median['MLP'] / median['bare']:.3f}   (target <= 1.25)")
    print(f"  sklearn/MLP = {median['sklearn'] / median['MLP']:.3f}   (target >= 2.5)")
    print(f"  max |loss_history MLP - bare| = {same:.1e}")


def keep_freed_memory():
    """Ask glibc's malloc not to return freed memory to the OS; False if not glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # from <malloc.h>
    return bool(libc.mallopt(M_TRIM_THRESHOLD, 2**28) and libc.mallopt(M_MMAP_THRESHOLD, 2**25))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--default-malloc", action="store_true", help="skip mallopt")
    args = parser.parse_args()
    kept = not args.default_malloc and keep_freed_memory()
    malloc = "freed memory kept (mallopt)" if kept else "default settings"
    print(f"numpy {np.__version__}, BLAS limited to 1 thread, malloc: {malloc}")
    with threadpool_limits(limits=1):
        for name, X, y, epochs in workloads():
            bench(name, X, y, epochs, args.rounds)


if __name__ == "__main__":
    main()
