"""A letter closing while one of its pages is being made."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import LetterFactory


@contextmanager
def closing_while_made(monkeypatch, module, name: str):
    """A letter closing in 30 seconds, and a frozen clock that passes its closing while
    `module.name` (what makes a page) runs the first time: the page was read open and is
    finished closed. Yields the letter."""
    start = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        letter = LetterFactory(closes_at=start + timedelta(seconds=30))
        make = getattr(module, name)

        def made_as_the_clock_passes_the_closing(*args):
            monkeypatch.setattr(module, name, make)
            made = make(*args)
            clock.shift(timedelta(minutes=1))
            return made

        monkeypatch.setattr(module, name, made_as_the_clock_passes_the_closing)
        yield letter
