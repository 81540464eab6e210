"""The seeding progress bar: redrawn on a terminal, a few lines in a log."""

import io

from consilium.apps.demo.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_in_a_log_the_bar_writes_the_first_step_and_each_quarter():
    stream = io.StringIO()
    bar = ProgressBar(stream, 8, "seeding")
    for _ in range(8):
        bar.step("writing cases")
    bar.finish()
    lines = stream.getvalue().splitlines()
    assert [line[33:37] for line in lines] == [" 12%", " 25%", " 50%", " 75%", "100%"]
    assert lines[-1].startswith("[" + "#" * 30 + "] 100%")


def test_on_a_terminal_the_bar_is_redrawn_in_place():
    stream = Terminal()
    bar = ProgressBar(stream, 4)
    bar.step("one")
    bar.step("two")
    bar.finish("done")
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.endswith("100% done\n")
    assert "[" + "#" * 15 + "-" * 15 + "]  50% two" in text
