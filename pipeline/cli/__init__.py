"""council-archive: the command line. Thin: argument parsing and printing over library functions.

One module per command group, each with its arguments next to its handler. Bad arguments exit 2
with one line on stderr; a crawl that could not reach the site at all exits 1.
"""

from __future__ import annotations

import sys

from pipeline.archive.db import DatabaseError
from pipeline.cli import archive_cmds, crawl_cmds, read_cmds, registry_cmds, worker_cmds
from pipeline.cli.common import CliError, Parser

GROUPS = (crawl_cmds, archive_cmds, read_cmds, registry_cmds, worker_cmds)


def build_parser() -> Parser:
    parser = Parser(prog="council-archive", description="A versioned archive of UK council committee sites.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (CliError, DatabaseError) as exc:
        print(f"council-archive: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("council-archive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `council-archive export ... | head`
        sys.stderr.close()
        return 0
