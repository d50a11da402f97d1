"""A limit on the CPU time one task may take in a worker process (the parse workers).

The limit counts the worker's own CPU seconds, not the wall clock: the parse workers run at the
lowest priority (``priority.py``), so on a busy machine a text can wait a long while for a core
without being pathological. Past the budget the kernel signals the worker (``RLIMIT_CPU``'s soft
limit, SIGXCPU) and the task raises ``CPUBudgetExceeded``; the worker lives on for the next task.
A regular expression stuck backtracking is interrupted too (``re`` checks for signals as it goes).
"""

from __future__ import annotations

import resource
import signal
from contextlib import contextmanager


class CPUBudgetExceeded(TimeoutError):
    """A task used more CPU time than it was given."""


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _over_budget(signum, frame):
    raise CPUBudgetExceeded("CPU time budget exceeded")


@contextmanager
def cpu_budget(seconds: float):
    """Run the block with at most ``seconds`` (rounded up to a whole second) of this process's CPU
    time; main thread only (a signal handler is set). The previous limit is restored after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    limit = int(_cpu_seconds() + seconds) + 1  # RLIMIT_CPU counts whole seconds of the process
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    previous = signal.signal(signal.SIGXCPU, _over_budget)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        signal.signal(signal.SIGXCPU, signal.SIG_DFL if previous is None else previous)
