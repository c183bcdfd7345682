"""What an explorer shows under its figure: an info line, the status with a progress bar, and errors.

* the **info line** holds text about the current result that the explorer writes with
  :meth:`widgets.base.Explorer.set_info` (HTML, hidden while empty): text costs nothing
  on the figure's side here, where ~100 characters of Agg text cost ~11 ms per update;
* the **status** says "updated in 12 ms" (or "failed after ..."); during a long
  update it shows "training 40%" next to a progress bar that never moves back and
  moves in steps of at least 1 % (at most ~100 widget messages per update);
* the **notes**, next to the status, say which settings the explorer changed because they
  cannot be drawn as asked ("param 3 → 0.99: a Leaky ReLU slope must be below 1"), until the
  next change of the settings (:meth:`widgets.base.Explorer.constrain`);
* the **error box** shows the last error with the tail of its traceback, HTML-escaped.
"""
from __future__ import annotations

import html
import traceback

import ipywidgets as W

__all__ = ["StatusLine"]


class StatusLine:
    """The widgets under an explorer's figure (``widgets``, in display order) and their updates."""

    def __init__(self):
        self.info = W.HTML(layout=W.Layout(display="none"))
        self.status = W.HTML()
        self.progress_bar = W.FloatProgress(min=0.0, max=1.0, layout=W.Layout(visibility="hidden"))
        self.error_box = W.HTML()
        self.note = W.HTML(layout=W.Layout(display="none"))
        self.widgets = (self.info, W.HBox([self.status, self.progress_bar, self.note]), self.error_box)
        self.shown = 0.0                     # progress shown in the running update

    def set_info(self, text: str) -> None:
        """Show ``text`` (HTML) on the info line; ``""`` hides the line."""
        self.info.value = text
        self.info.layout.display = "" if text else "none"

    def set_notes(self, notes: list[str]) -> None:
        """Show what the explorer changed in the settings (plain text, one note per setting); ``[]`` hides it."""
        text = "; ".join(notes)
        self.note.value = (f'<span style="color:#8a5a00">&#9888; changed: {html.escape(text)}</span>'
                           if text else "")
        self.note.layout.display = "" if text else "none"

    def start(self) -> None:
        """A new update begins: an empty bar."""
        self.shown = 0.0
        self.progress_bar.value = 0.0

    def progress(self, fraction: float, message: str = "") -> None:
        """Move the bar to ``fraction`` (clipped to [0, 1]) unless that is backwards or less than 1 % on."""
        f = min(max(float(fraction), 0.0), 1.0)
        if (f < self.shown + 0.01 and f < 1.0) or f <= self.shown:
            return
        self.shown = f
        self.progress_bar.layout.visibility = "visible"
        self.progress_bar.value = f
        self.status.value = html.escape(f"{message} {f:.0%}".strip())

    def finish(self, seconds: float, failed: bool) -> None:
        """The update is over: hide the bar, say how long it took."""
        self.progress_bar.layout.visibility = "hidden"
        took = f"{seconds * 1e3:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"
        self.status.value = f"failed after {took}" if failed else f"updated in {took}"

    def show_error(self, exc: BaseException) -> str:
        """Show ``exc`` and the tail of its traceback; returns ``"Type: message"``."""
        what = f"{type(exc).__name__}: {exc}"
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        tail = "\n".join(tb.rstrip().splitlines()[-6:])
        self.error_box.value = (
            '<div style="color:#b00020;border-left:3px solid #b00020;padding-left:6px">'
            f"<b>{html.escape(what)}</b>"
            f'<pre style="font-size:85%;white-space:pre-wrap">{html.escape(tail)}</pre></div>')
        return what

    def clear_error(self) -> None:
        self.error_box.value = ""

    def close(self) -> None:
        for w in (self.info, self.status, self.progress_bar, self.note, self.error_box, *self.widgets):
            w.close()
