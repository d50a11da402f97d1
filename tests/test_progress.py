"""Progress: a live line on a terminal, plain timestamped lines otherwise (cron mail, logs)."""

import io

from pipeline.progress import Progress


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_plain_lines_when_not_a_terminal():
    out = io.StringIO()
    p = Progress("crawling sample", every_s=0, stream=out)
    p.update("3 pages")
    p.update("5 pages")
    p.close()
    lines = out.getvalue().splitlines()
    assert [line.split(" ", 2)[2] for line in lines] == [
        "crawling sample: 3 pages",
        "crawling sample: 5 pages",
    ]


def test_quiet_between_intervals():
    out = io.StringIO()
    p = Progress("crawling sample", every_s=3600, stream=out)
    p.update("3 pages")
    assert out.getvalue() == ""


def test_live_line_on_a_terminal():
    out = Tty()
    p = Progress("crawling sample", stream=out)
    assert p.live is not None
    p.update("3 pages")
    p.close()
    assert "\n20" not in out.getvalue()  # no timestamped log lines on a terminal
