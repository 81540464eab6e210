"""A plain textual progress bar for stderr (no dependency): redrawn in place on a
terminal, a few lines in a log file."""

from __future__ import annotations

from typing import TextIO

WIDTH = 30


class ProgressBar:
    def __init__(self, stream: TextIO, total: int, label: str = ""):
        self.stream, self.total, self.label = stream, max(total, 1), label
        self.done = 0
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last_quarter = -1

    def step(self, label: str | None = None, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        if label:
            self.label = label
        self._draw()

    def _line(self) -> str:
        filled = round(WIDTH * self.done / self.total)
        pct = round(100 * self.done / self.total)
        return f"[{'#' * filled}{'-' * (WIDTH - filled)}] {pct:3d}% {self.label}"

    def _draw(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K" + self._line())
            self.stream.flush()
            return
        quarter = 4 * self.done // self.total
        if quarter != self._last_quarter:
            self._last_quarter = quarter
            self.stream.write(self._line() + "\n")
            self.stream.flush()

    def finish(self, label: str = "done") -> None:
        self.done, self.label = self.total, label
        if self.tty:
            self.stream.write("\r\033[K" + self._line() + "\n")
            self.stream.flush()
        elif self._last_quarter != 4:
            self._last_quarter = 4
            self.stream.write(self._line() + "\n")
