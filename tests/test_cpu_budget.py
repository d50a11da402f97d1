"""The parse workers' limit is CPU time: spinning past it raises, waiting does not, and the worker
is left as it was (the next task runs under no limit of this one's)."""

from __future__ import annotations

import multiprocessing
import resource
import signal
import time

import pytest
from pebble import ProcessPool

from pipeline.stages.cpu_budget import CPUBudgetExceeded, cpu_budget


def _spin(seconds: float, budget: float) -> float:
    started = time.process_time()
    with cpu_budget(budget):
        while time.process_time() - started < seconds:
            pass
    return time.process_time() - started


def _wait(seconds: float, budget: float) -> str:
    with cpu_budget(budget):
        time.sleep(seconds)
    return "done"


def _limits() -> tuple:
    return resource.getrlimit(resource.RLIMIT_CPU), signal.getsignal(signal.SIGXCPU)


@pytest.fixture
def worker():
    # one worker process for the whole test: the limit of one task must not outlive it
    with ProcessPool(max_workers=1, context=multiprocessing.get_context("fork")) as pool:
        yield pool


def test_spinning_past_the_budget_raises_and_the_worker_goes_on(worker):
    before = worker.schedule(_limits).result(timeout=30)
    with pytest.raises(CPUBudgetExceeded):
        worker.schedule(_spin, args=(20, 1)).result(timeout=60)
    assert worker.schedule(_limits).result(timeout=30) == before
    # the same worker, a task within its budget
    assert worker.schedule(_spin, args=(0.5, 2)).result(timeout=30) >= 0.5


def test_the_budget_is_cpu_time_not_the_wall_clock(worker):
    assert worker.schedule(_wait, args=(2.5, 1)).result(timeout=30) == "done"


def test_successive_budgets_each_start_from_the_cpu_already_used(worker):
    # 3 tasks of 0.8 s each under a 1 s budget: 2.4 s in all, but no task is over its own budget
    for _ in range(3):
        assert worker.schedule(_spin, args=(0.8, 1)).result(timeout=30) >= 0.8
