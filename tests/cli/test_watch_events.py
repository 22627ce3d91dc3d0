"""Where a watch's events come from: saves in the folder and keys, into one queue."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from mlkatas.cli.watch.events import EventQueue, FilesSaved, KeyPressed, KeyReader, KeysClosed, SaveWatcher, WatchLive

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the watch's sources are POSIX")


def take(events: EventQueue, timeout: float = 10.0) -> list:
    """The next events, or [] if none came within `timeout`."""
    taken: list = []
    waiter = threading.Thread(target=lambda: taken.extend(events.take()), daemon=True)
    waiter.start()
    waiter.join(timeout)
    return taken


def take_until(events: EventQueue, wanted: type, timeout: float = 10.0) -> list:
    """Events up to and including the first of type `wanted`."""
    seen: list = []
    deadline = time.monotonic() + timeout
    while not any(isinstance(e, wanted) for e in seen):
        left = deadline - time.monotonic()
        got = take(events, left) if left > 0 else []
        assert got, f"no {wanted.__name__} within {timeout} s; saw {seen}"
        seen += got
    return seen


def test_keys_arrive_one_by_one_and_a_closed_input_ends_the_source():
    events = EventQueue()
    read_end, write_end = os.pipe()
    keys = KeyReader(read_end, events).start()
    try:
        os.write(write_end, b"hq")
        os.close(write_end)
        seen = take_until(events, KeysClosed)
        assert seen == [KeyPressed("h"), KeyPressed("q"), KeysClosed()]
        assert events.sources == 0  # nothing more will come: the loop may stop
    finally:
        keys.stop()
        os.close(read_end)


def test_stopping_the_key_reader_sends_nothing():
    events = EventQueue()
    read_end, write_end = os.pipe()
    keys = KeyReader(read_end, events).start()
    keys.stop()
    os.write(write_end, b"q")
    assert take(events, timeout=0.5) == []
    for fd in (read_end, write_end):
        os.close(fd)


@pytest.mark.parametrize("poll", [False, True], ids=["events", "polling"])
def test_a_save_is_one_event_naming_the_file(tmp_path, poll):
    events = EventQueue()
    watcher = SaveWatcher(tmp_path, events, poll=poll).start()
    try:
        assert take_until(events, WatchLive)[-1] == WatchLive()  # from here on, no save is missed
        kata_file = tmp_path / "split-heads.py"
        with open(kata_file, "w") as f:  # truncate, then write: as an editor saves in place
            f.write("def split_heads(x, num_heads):\n")
            f.flush()
            f.write("    return x\n")
        saved = [e for e in take_until(events, FilesSaved) if isinstance(e, FilesSaved)]
        assert kata_file in saved[0].paths
        time.sleep(0.6)  # past the debounce: the same save does not come again
        assert [e for e in take(events, timeout=0.1) if isinstance(e, FilesSaved)] == []
        assert events.sources == 1
    finally:
        watcher.stop()
