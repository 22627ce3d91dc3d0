"""Submissions in and verdicts out.

One grader process per machine (`grader.py`) holds the judge and its zygotes; every web process
writes a submission row, commits it, and tells the grader its id over a unix socket
(`client.py`), then waits, without blocking its event loop, for the grader's "done" notice. The
database is the queue: a grader that starts again grades whatever was left queued or grading.
"""

SOCKET_ENV = "MLKATAS_GRADER_SOCKET"  # where web processes find the grader (set by `mlkatas serve`)
SANDBOX_ENV = "MLKATAS_GRADER_SANDBOX"  # the grader's sandbox mode, for the page to say so when not strict
