"""Grading for ann-course: the checks behind every exercise, the build and the grading pipeline.

The package follows the pipeline and the trust boundary; each subpackage's docstring says what it
holds and, on a line ``May import:``, which other parts of ``autograder`` its modules may import
(``tests/autograder/test_package_shape.py`` reads those lines and checks every import, function-local
ones included, against them; none may form a circle):

* ``checks/``: the check model (Exercise, Property, Verdict), its messages and pictures, plain data;
* ``lessons/``: one module of checks per lesson, what the notebooks import as ``checks``;
* ``inkernel/``: the only code that runs inside a grading sandbox, next to the student's code;
* ``sandbox/``: bubblewrap, cgroups and the warm-kernel zygote that make those sandboxes;
* ``release/``: ``ann-course build``: the student release, its graded cells, the sample class;
* ``outputs/``: what the grader writes after the sandboxes are gone: grades, report, feedback;
* ``grading/``: ``ann-course grade`` and ``ann-course check``: the run, its jobs, the judge.

Top-level modules, shared by all of them:

* ``settings``: the course's constants (its folder, the solution stub). May import: nothing.
* ``limits``: what one notebook may use while graded (one ``Limits``). May import: nothing.
* ``notebooks``: reading course notebooks (answer cells, test cells). May import: nothing.
* ``regular``: a submission's regular files, read without following a link or opening a FIFO.
  May import: limits.
* ``nbgrader_api``: the course's nbgrader settings and the one way to call nbgrader.
  May import: settings, limits, outputs.
* ``cli`` (and ``__main__``): the ``ann-course`` command. May import: anything.
"""
