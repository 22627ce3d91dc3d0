"""`mlkatas watch`: check the kata file on every save with a warm judge, and take single keys.

    events.py   what happens (a save, a key, the watch going live or failing) and the threads
                that produce it, into one queue
    session.py  the state of a watch and what each event does to it (no terminal)
    screen.py   what the terminal shows
    fit.py      the screen kept within the terminal's height (long parts cut, with a note)
    loop.py     one loop: events from the queue to the session's worker thread, which redraws;
                q is acted on at once, even while a check runs

The judge keeps its zygote between saves, so a check costs a fork and the comparison, not a
Python start and a torch import.
"""

from mlkatas.cli.watch.loop import run

__all__ = ["run"]
