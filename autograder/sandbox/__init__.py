"""The sandboxes grading kernels run in.

``bubblewrap`` (a kernel's ``bwrap`` command line, its environment and limits, pids cgroups),
``zygote`` (the worker's side of warm kernels: it starts the zygote, whose own program is
:mod:`autograder.inkernel.zygote_server`, and asks it for kernels), ``provisioners`` (the
jupyter_client provisioners that start a kernel either way).

May import: limits, inkernel.
"""
