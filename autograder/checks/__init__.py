"""The check model: what an exercise's checks are and what a failing one says.

``core`` (Exercise, Property, Mistake, Verdict, ``expect``), ``verdict`` (a failing check's typed
verdict), ``messages`` (every failing check's text), ``figures`` (a failing answer's picture, from
plain data), ``plain`` (the plain data a kernel may hand back to the grader), ``variants``
(catalogued mistakes as one-line variations of one reference), ``inputs`` (whether an answer
changed the arrays it was given), ``calls`` (the calls a judgement asks for, made on a notebook's
answer), ``judge`` (a check's verdict from what those calls computed), ``testcells`` (a test
cell's verdicts combined, its row named, and the learner's ``self_check``: the grader's judgement
run locally), ``reach`` (the ``Reach`` policy each lesson declares: what its graded kernel may
import). Used on both sides of the trust boundary: in a learner's kernel and in the grader's
process.

May import: nothing.
"""
