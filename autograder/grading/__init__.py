"""``ann-course grade`` (a class) and ``ann-course check`` (one notebook).

``grade`` (the run), ``layout`` (nbgrader's submitted layout), ``staging`` (what of a submission is
graded), ``scan`` (suspicious code, read outside the kernel), ``runner`` (workers, retries,
budgets), ``job`` (one notebook through nbgrader), ``records`` (the typed records between the
executor, the job and the run); for each notebook: ``restore`` (the release's cells put back),
``shadowing`` (files that would shadow the grader's packages), ``kernel_launch`` (the grading
kernel, its IPC sockets and sandbox), ``kernel_tree`` (the lesson's kernel tree: what a graded
kernel imports, its teaching cells skipped), ``execution`` (the guarded Execute preprocessor: each
test cell judged by :mod:`autograder.checks.judge` from what the kernel computed), ``output_cap``,
``configuration`` (the autograde preprocessors and the run's limits, applied in one place);
``course_gradebook`` (the course's gradebook), ``speedups`` (nbconvert's templates compiled once),
``check_notebook`` (``ann-course check``), ``tempdirs`` (one private temporary folder per run,
removed when it ends). Also ``exports`` and ``manual_feedback`` (every CSV and the feedback from
the gradebook, ``ann-course export``), ``formgrader`` (``ann-course formgrader``),
``exchange_collect`` (collect only a student's own submissions).

May import: settings, limits, notebooks, regular, nbgrader_api, checks, lessons, sandbox, release,
outputs.
"""
