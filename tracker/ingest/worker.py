"""A big file's chunks read and checked in a second process while this one stores them.

Loading alternates Python work (splitting text, checking every cell against the contract)
with the database driver's work (binding and storing rows). Both hold the interpreter lock,
so a thread gains nothing (measured slower: docs/decisions.md). A forked
child has its own interpreter and its own core; it hands each checked chunk over a pipe, and
the pipe's small buffer keeps it at most about a chunk ahead, so memory stays bounded.

The child never touches a database connection: what it needs from the database is fetched
before the fork, and it leaves through ``os._exit`` (multiprocessing's own ending for a forked
child), so no inherited connection is closed or finalised from the child's side.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Generator
from typing import Any, TypeVar

T = TypeVar("T")

_ITEM, _DONE, _FAILED = "item", "done", "failed"
_JOIN_SECONDS = 5.0


class ChildFailed(Exception):
    """The child preparing a file's chunks ended without saying why (killed, out of memory)."""


def can_fork() -> bool:
    """Linux only: macOS offers fork, but system libraries a process has loaded may not
    survive it (Python itself defaults to spawn there); elsewhere one process does it all."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def run_in_child(
    produce: Callable[[], Generator[T, None, Any]],
    pack: Callable[[T], bytes] | None = None,
    unpack: Callable[[bytes], T] | None = None,
) -> Generator[T, None, Any]:
    """The items ``produce()`` yields, produced in a forked child; returns what it returns.

    ``pack`` and ``unpack`` carry an item as bytes when pickling it whole would cost more
    than the work saved (pickle remembers every object it writes: millions of strings).

    An exception raised in the child is raised here where its item would have come (its
    traceback text attached as a note). Closing this generator early closes the pipe, and the
    child, blocked on its next hand-over, ends; it is waited for (killed if it will not).
    """
    return (yield from start_in_child(produce, pack, unpack))


def start_in_child(
    produce: Callable[[], Generator[T, None, Any]],
    pack: Callable[[T], bytes] | None = None,
    unpack: Callable[[bytes], T] | None = None,
) -> Generator[T, None, Any]:
    """``run_in_child`` with the child started now rather than at the first item, so this
    process can do other work meanwhile. Close the generator (``contextlib.closing``) even
    if no item is ever taken: that is what waits for the child."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_produce_into,
        args=(produce, sender, pack, receiver),
        daemon=True,
        name="tracker-ingest-reader",
    )
    child.start()
    sender.close()  # the child holds the only writing end: its end is the pipe's end
    items = _received(child, receiver, unpack)
    next(items)  # inside its ``try`` now: closing it, even before any item, waits for the child
    return items


def _received(child, receiver, unpack) -> Generator:
    """The items the child sends, then its producer's return value (see ``run_in_child``);
    it first yields one None, which ``start_in_child`` takes."""
    try:
        yield None
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                child.join(_JOIN_SECONDS)
                raise ChildFailed(
                    f"the process reading the file stopped (exit code {child.exitcode})"
                ) from None
            except Exception as exc:  # what it sent could not be rebuilt here
                raise ChildFailed(f"the reading process sent what cannot be read: {exc}") from exc
            if kind == _ITEM:
                yield unpack(payload) if unpack is not None else payload
            elif kind == _DONE:
                return payload
            else:
                raise payload
    finally:
        receiver.close()
        child.join(_JOIN_SECONDS)
        if child.is_alive():
            child.kill()
            child.join()


def _produce_into(produce: Callable[[], Generator], sender, pack, receiver) -> None:
    """The child's whole life: every item, then the generator's return value or its error.

    Its inherited copy of the reading end is closed first: the parent's then stays the only
    reader, so when the parent stops listening (closes, fails, or is killed outright) the next
    hand-over fails at once and the child ends instead of waiting on a pipe nobody reads."""
    receiver.close()
    items = None
    try:
        items = produce()
        while True:
            try:
                item = next(items)
            except StopIteration as end:
                sender.send((_DONE, end.value))
                return
            sender.send((_ITEM, pack(item) if pack is not None else item))
    except (BrokenPipeError, ConnectionResetError):
        if items is not None:
            items.close()  # the producer's own clean-up (open files) runs
        return  # the parent stopped listening: nothing left to do
    except BaseException as exc:  # handed to the parent, raised there
        _send_failure(sender, exc)
    finally:
        sender.close()


def _send_failure(sender, exc: BaseException) -> None:
    import traceback

    detail = "".join(traceback.format_exception(exc))
    try:
        exc.add_note(f"raised in the reading process {os.getpid()}:\n{detail}")
        sender.send((_FAILED, exc))
    except Exception:  # the exception itself would not pickle: send its text
        sender.send((_FAILED, ChildFailed(f"{type(exc).__name__}: {exc}")))
