"""The only code of the grader that runs inside a grading sandbox, beside the student's code.

``kernel`` (the grading kernel's entry point: limits, a safe ``sys.path``, the checkers' tools
watched), ``compute`` (the calls of a student's function the grader asks for, answered as plain
data), ``zygote_server`` (the warm-kernel zygote's program: a fork server that makes each
notebook's sandbox and forks its kernel there) and ``libc`` (the Linux calls it needs). Nothing
here judges or can reach the grader's files: the grader judges in its own process.

May import: checks, lessons, limits.
"""
