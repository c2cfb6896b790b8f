"""Course support: the lessons' figures and interactive explorers (not the reference maths).

One module per topic, in the order the course meets them:

* :mod:`ann_lib.teaching.neuron` -- lesson 01: bias shift, neuron explorer
* :mod:`ann_lib.teaching.standardizing` -- lesson 02: descent on raw vs standardized features
* :mod:`ann_lib.teaching.forward` -- lesson 03: network diagram, forward-pass explorer
* :mod:`ann_lib.teaching.activations` -- lesson 04: activation panel and explorer
* :mod:`ann_lib.teaching.losses` -- lesson 05: loss panel, outlier fits and explorer
* :mod:`ann_lib.teaching.backprop` -- lesson 06: computational graph, tangent explorer
* :mod:`ann_lib.teaching.descent` -- lesson 07: learning rates, local minima, descent explorer,
  the descent variants' and momentum's loss curves
* :mod:`ann_lib.teaching.deep` -- lesson 08 (deep networks): per-layer curves, decision
  boundaries over the epochs, boundary explorer
* :mod:`ann_lib.teaching.optimizers` -- lesson 09: SGD, momentum, RMSProp and Adam compared, a
  learning-rate schedule, optimizer explorer
* :mod:`ann_lib.teaching.multiclass` -- lesson 10 (multi-class): digit images, the misclassified
  ones, a cost curve, first-layer weights, a k x k confusion matrix, softmax explorer
* :mod:`ann_lib.teaching.regularization` -- lesson 11: training with the learner's L2 and
  dropout, training and validation accuracy with and without them
* :mod:`ann_lib.teaching.autograd` -- lesson 12 (automatic differentiation): a Tensor's
  computation graph, values and gradients
* :mod:`ann_lib.teaching.training` -- lesson 13, the capstone: training and validation curves, comparison,
  confusion matrix, training explorer

Besides them: ``one_blas_thread()`` (a context manager: BLAS on one thread, for training loops
on small matrices) and lesson 11's ``train_regularized`` (a training loop that calls the learner's
regularisation functions); and the two helpers every module shares,
:mod:`~ann_lib.teaching.canvas` (figures; matplotlib and ipywidgets are imported on first use,
so importing this package stays light) and
:mod:`~ann_lib.teaching.learner` (running the learner's function).

A figure function returns a ``matplotlib.figure.Figure``. An explorer (``*_explorer``) returns an
``ipywidgets.interactive`` that draws the learner's own functions; one that is not written yet is
not replaced by the reference: the explorer says which function to write. Nothing here knows
about grading; the reference modules of :mod:`ann_lib` never import this package. A notebook
imports it once, ``from ann_lib import teaching``, and calls ``teaching.<function>``.
"""

from ann_lib.teaching.activations import activation_explorer, activation_panel
from ann_lib.teaching.autograd import computation_graph
from ann_lib.teaching.backprop import neuron_graph, tangent_explorer
from ann_lib.teaching.deep import boundary_explorer, decision_boundaries, layer_curves
from ann_lib.teaching.descent import (
    descent_explorer,
    descent_variants,
    learning_rate_paths,
    local_minima,
    momentum_curves,
)
from ann_lib.teaching.forward import forward_explorer, network_diagram
from ann_lib.teaching.losses import loss_panel, outlier_explorer, outlier_fits
from ann_lib.teaching.multiclass import (
    class_confusion,
    cost_curve,
    digit_images,
    first_layer_weights,
    softmax_explorer,
)
from ann_lib.teaching.neuron import bias_shift, neuron_explorer
from ann_lib.teaching.optimizers import optimizer_explorer, optimizer_race, schedule_comparison
from ann_lib.teaching.regularization import gap_curves, train_regularized
from ann_lib.teaching.standardizing import descent_raw_vs_standardized, standardizing_explorer
from ann_lib.teaching.training import (
    confusion_matrix,
    model_comparison,
    one_blas_thread,
    training_curves,
    training_explorer,
    validation_curves,
)

__all__ = [
    "activation_explorer", "activation_panel", "bias_shift", "confusion_matrix",
    "boundary_explorer", "decision_boundaries", "layer_curves",
    "descent_explorer", "descent_raw_vs_standardized", "forward_explorer", "learning_rate_paths",
    "descent_variants", "momentum_curves",
    "local_minima", "loss_panel", "model_comparison", "network_diagram", "neuron_explorer",
    "neuron_graph", "outlier_explorer", "outlier_fits", "standardizing_explorer",
    "tangent_explorer", "training_curves", "training_explorer", "validation_curves",
    "optimizer_explorer", "optimizer_race", "schedule_comparison",
    "class_confusion", "cost_curve", "digit_images", "first_layer_weights", "softmax_explorer",
    "gap_curves", "one_blas_thread", "train_regularized", "computation_graph",
]
#: Not figures: a context manager that runs BLAS on one thread while it lasts (a training loop
#: on small matrices runs several times faster so, above all on a busy machine), and lesson 11's
#: experiment (a training loop that calls the learner's regularisation functions).
HELPERS = ("one_blas_thread", "train_regularized")
#: The explorers, each returning an ipywidgets.interactive.
EXPLORERS = tuple(name for name in __all__ if name.endswith("_explorer"))
#: The figure functions, each returning a matplotlib Figure.
FIGURES = tuple(name for name in __all__ if name not in EXPLORERS + HELPERS)
