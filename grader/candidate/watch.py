"""``fastlings watch``: check each exercise when it is saved, in a screen redrawn on every event.

One loop waits on three things at once (``select``): a key on the terminal, news from the running check, and
the next look at the exercises' modification times. A save starts a new check of that file at once and kills
a check still running (its result would be stale, and a module stuck in a loop would otherwise hold the screen
for its whole time limit). The screen is drawn by ``grader.candidate.screen``; on a terminal it is cleared and
redrawn, elsewhere (a pipe, an IDE's output pane) the same news is appended as plain lines and keys are off.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from grader.candidate import screen
from grader.candidate.checker import CHECK_TIMEOUT_S, CheckError, RunningCheck, start_check, wait_for, warm_up
from grader.candidate.outcome import CheckResult
from grader.candidate.state import Progress, load_progress, next_question, save_progress, state_file
from grader.candidate.workspace import is_untouched
from grader.kit import exercises_dir
from grader.kit.catalogue import Question, load_catalogue

__all__ = ["Watch", "keys_available", "record_result"]

_CLEAR = "\x1b[H\x1b[2J\x1b[3J"


def record_result(question: Question, result: CheckResult) -> Progress:
    """Store a check's status (and, for a changed file, when it was changed); the progress after it."""
    progress = load_progress(state_file())
    progress.record_check(question.id, result.status)
    progress.current = question.id
    path = exercises_dir() / question.filename
    if is_untouched(question) is False:
        with contextlib.suppress(OSError):
            progress.record_modified(question.id, path.stat().st_mtime)
    save_progress(state_file(), progress)
    return progress


def _snapshot() -> dict[str, tuple[int, int]]:
    """Each exercise file's modification time and size: a change in either is a save."""
    found = {}
    with contextlib.suppress(OSError):
        for path in exercises_dir().glob("q*.py"):
            with contextlib.suppress(OSError):
                info = path.stat()
                found[path.name] = (info.st_mtime_ns, info.st_size)
    return found


@contextlib.contextmanager
def _keys_mode(fd: int | None) -> Iterator[None]:
    """The terminal in cbreak mode (keys arrive one by one, unechoed; Ctrl-C still interrupts), restored after."""
    if fd is None:
        yield
        return
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd)
    try:
        yield
    finally:
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def keys_available() -> bool:
    """Whether watch can read single keys: a terminal on both ends, and termios (not on Windows)."""
    return sys.stdin.isatty() and sys.stdout.isatty() and importlib.util.find_spec("termios") is not None


class Watch:
    """The watch loop and its state: the current exercise, the check in flight, its last result, a message."""

    def __init__(
        self, interval_s: float, echo: Callable[[str], None], *, interactive: bool, limit_s: float = CHECK_TIMEOUT_S
    ) -> None:
        self.interval_s = interval_s
        self.limit_s = limit_s
        self.echo = echo
        self.interactive = interactive
        self.questions = load_catalogue()
        self.progress = load_progress(state_file())
        self.current: Question | None = next_question(self.progress, self.questions)
        self.running: RunningCheck | None = None
        self.result: CheckResult | None = None
        self.message: list[str] = []
        self.listing = False

    # -- drawing ----------------------------------------------------------------------------------------
    def _draw(self) -> None:
        upcoming = next_question(self.progress, self.questions, after=self.current) if self.current else None
        lines = screen.render_watch(
            questions=self.questions,
            progress=self.progress,
            current=self.current,
            result=self.result,
            running=self.running is not None,
            upcoming=upcoming,
            message=self._list() if self.listing else self.message,
            interactive=self.interactive,
        )
        # Written apart from the text: NO_COLOR strips styles from the text, but the screen is still cleared.
        sys.stdout.write(_CLEAR)
        sys.stdout.flush()
        self.echo("\n".join(lines))

    def _list(self) -> list[str]:
        return screen.render_list(self.questions, self.progress, self.current, with_progress=False)

    def _plain_result(self, question: Question, result: CheckResult) -> None:
        lines = ["", *screen.render_check(question, result), screen.progress_line(self.progress, self.questions)]
        if result.status == "done":
            upcoming = next_question(self.progress, self.questions, after=question)
            if upcoming is None:
                lines.append("All done! `fastlings submit` packs your answers.")
            else:
                lines.append(f"next: {upcoming.id} · {upcoming.title} ({exercises_dir() / upcoming.filename})")
        self.echo("\n".join(lines))

    # -- checks -----------------------------------------------------------------------------------------
    def _start(self, question: Question) -> None:
        self._cancel()
        self.current = question
        self.result = None
        self.listing = False
        self.message = []
        try:
            self.running = start_check(question, self.limit_s)
        except CheckError as exc:
            self.message = [str(exc)]
            if not self.interactive:
                self.echo(str(exc))
        if self.interactive:
            self._draw()
        elif self.running is not None:
            self.echo(f"\nchecking {question.id} · {question.title}…")

    def _cancel(self) -> None:
        if self.running is not None:
            self.running.cancel()
            self.running = None

    def _poll(self) -> None:
        if self.running is None:
            return
        result = self.running.poll()
        if result is None:
            return
        question = self.running.question
        self.running = None
        self.result = result
        self.progress = record_result(question, result)
        if self.interactive:
            self._draw()
        else:
            self._plain_result(question, result)

    # -- keys -------------------------------------------------------------------------------------------
    def _key(self, key: str) -> bool:
        """Act on one key; False when it asks to quit."""
        if key == "q":
            return False
        if key == "r" and self.current is not None:
            self._start(self.current)
        elif key == "n":
            upcoming = next_question(self.progress, self.questions, after=self.current)
            if upcoming is None:
                self.message = ["Every question passes its public checks: `fastlings submit` packs your answers."]
                self._draw()
            else:
                self.progress.current = upcoming.id
                save_progress(state_file(), self.progress)
                self._start(upcoming)
        elif key == "h" and self.current is not None:
            self.progress = load_progress(state_file())
            shown = self.progress.record_hint(self.current.id, len(self.current.hints))
            save_progress(state_file(), self.progress)
            self.listing = False
            self.message = screen.render_hints(self.current, shown)
            self._draw()
        elif key == "l":
            self.listing = not self.listing
            self._draw()
        return True

    # -- the loop ---------------------------------------------------------------------------------------
    def run(self) -> None:
        """Watch until ``q`` (or Ctrl-C, SIGTERM, SIGHUP: they propagate after the running check is killed)."""
        warm_up(full=True)
        seen = _snapshot()
        stdin_fd = sys.stdin.fileno() if self.interactive else None
        if not self.interactive:
            self.echo(_plain_header(exercises_dir()))
        try:
            with _keys_mode(stdin_fd):
                if self.current is not None:
                    self._start(self.current)
                elif self.interactive:
                    self._draw()
                next_look = time.monotonic() + self.interval_s
                while True:
                    pause = max(next_look - time.monotonic(), 0.0)
                    checks = [self.running] if self.running is not None else []
                    ready = wait_for(checks, pause, also=() if stdin_fd is None else (stdin_fd,))
                    if stdin_fd is not None and stdin_fd in ready:
                        try:
                            keys = os.read(stdin_fd, 64).decode(errors="replace")
                        except OSError:  # the terminal went away
                            return
                        if not keys:  # the terminal went away
                            return
                        for key in keys.lower():
                            if not self._key(key):
                                return
                    self._poll()
                    if time.monotonic() >= next_look:
                        next_look = time.monotonic() + self.interval_s
                        now = _snapshot()
                        changed = [name for name, stamp in now.items() if seen.get(name) != stamp]
                        seen = now
                        saved = max(changed, key=lambda name: now[name], default=None)
                        question = next((q for q in self.questions if q.filename == saved), None)
                        if question is not None:
                            self._start(question)
        finally:
            self._cancel()


def _plain_header(folder: Path) -> str:
    """The first line of the plain (non-terminal) watch."""
    return f"fastlings watch: watching {folder} for changes: save a file to check it (Ctrl-C to stop)"
