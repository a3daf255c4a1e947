"""The second process that reads a big file: order, errors and early stops reach the caller."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tracker.ingest.worker import ChildFailed, can_fork, run_in_child

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs the fork start method")


def numbers(count, fail_at=None, error=ValueError):
    def produce():
        for i in range(count):
            if i == fail_at:
                raise error(f"bad item {i}")
            yield i
        return f"read {count}"

    return produce


def collect(generator):
    items = []
    try:
        while True:
            items.append(next(generator))
    except StopIteration as end:
        return items, end.value


def test_items_arrive_in_order_with_the_producers_return_value():
    assert collect(run_in_child(numbers(500))) == (list(range(500)), "read 500")


def test_items_are_produced_in_another_process():
    def produce():
        yield os.getpid()

    [pid] = list(run_in_child(produce))
    assert pid != os.getpid()


def test_an_error_in_the_child_is_raised_where_its_item_would_have_come():
    seen = []
    with pytest.raises(ValueError, match="bad item 3") as raised:
        for item in run_in_child(numbers(10, fail_at=3)):
            seen.append(item)
    assert seen == [0, 1, 2]
    assert any("raised in the reading process" in note for note in raised.value.__notes__)


def test_an_error_that_cannot_cross_is_reported_by_its_text():
    class Unpicklable(Exception):
        def __reduce__(self):
            raise TypeError("no")

    with pytest.raises(ChildFailed, match="Unpicklable: bad item 1"):
        list(run_in_child(numbers(5, fail_at=1, error=Unpicklable)))


def test_a_child_that_dies_is_reported_not_waited_for():
    def produce():
        yield 1
        os.kill(os.getpid(), signal.SIGKILL)
        yield 2

    with pytest.raises(ChildFailed, match="exit code -9"):
        list(run_in_child(produce))


def test_stopping_early_ends_the_child_by_itself(tmp_path):
    """Closing the generator makes the child's next hand-over fail: it cleans up and ends
    on its own (a child killed by the fallback would never run its clean-up)."""
    marker = tmp_path / "closed"

    def produce():
        try:
            while True:
                yield b"x" * 100_000  # more than the pipe holds: the child is always waiting
        finally:
            marker.write_text(str(os.getpid()))

    items = run_in_child(produce)
    next(items)
    items.close()
    assert marker.read_text().isdigit()


def test_a_child_whose_parent_is_killed_ends(tmp_path):
    """The parent killed outright (no clean-up at all): the child must not wait forever on a
    pipe nobody reads, holding the parent's files and database connections."""
    pid_file = tmp_path / "child.pid"
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(f"""
        import os, signal
        from tracker.ingest.worker import run_in_child

        def produce():
            open({str(pid_file)!r}, "w").write(str(os.getpid()))
            while True:
                yield b"x" * 100_000

        items = run_in_child(produce)
        next(items)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    )
    parent = subprocess.run([sys.executable, str(script)], check=False)
    assert parent.returncode == -signal.SIGKILL
    child = int(pid_file.read_text())
    for _ in range(200):
        if not _running(child):
            break
        time.sleep(0.05)
    assert not _running(child)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for whoever reaps orphans here)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_packed_items_are_unpacked_on_arrival():
    produce = numbers(20)
    items = run_in_child(produce, pack=lambda i: str(i).encode(), unpack=lambda b: int(b) * 2)
    assert collect(items) == ([2 * i for i in range(20)], "read 20")
