"""What a lesson's graded kernel may reach: the :class:`Reach` policy each lesson declares.

A lesson declares its policy once, in its checks module: ``GRADED = Reach(...)``; a lesson that
declares nothing gets :data:`DEFAULT` (of ``ann_lib``, the data sets only). The grader builds the
lesson's kernel tree from it (:mod:`autograder.grading.kernel_tree`): while a notebook is graded
its kernel imports the course's packages from that tree, never from the course itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Reach:
    """What a lesson's kernel may import while it is graded.

    ``ann_lib``: the ``ann_lib`` modules its kernel gets whole (data sets; earlier lessons'
    references that its test cells or checks pass as arguments). ``helpers``: the functions of
    the lesson's checks module its kernel's ``checks`` offers (each written out from its source:
    it may use only NumPy, the allowed ``ann_lib`` modules and other helpers). ``withheld``:
    functions of the allowed modules (``"activations.softmax"``) that are answers of this lesson:
    in the kernel tree each is a stand-in that only raises (its module's other functions, which an
    earlier lesson's reference passed as an argument needs, stay whole).
    """

    ann_lib: tuple = ("datasets",)
    helpers: tuple = ()
    withheld: tuple = ()


#: The policy of a lesson that declares none.
DEFAULT = Reach()


class ReachError(ValueError):
    """A lesson's policy cannot be honoured (a helper needs what the kernel may not reach)."""


def policy(checks_module: ModuleType) -> Reach:
    """The :class:`Reach` of a lesson's checks module (:data:`DEFAULT` if it declares none)."""
    found = getattr(checks_module, "GRADED", DEFAULT)
    if not isinstance(found, Reach):
        raise ReachError(f"{checks_module.__name__}.GRADED should be a Reach, not "
                         f"{type(found).__name__}")
    return found
