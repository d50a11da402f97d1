"""`python -m pipeline.cli`: the same as the `council-archive` command (crawl children use it)."""

import sys

from pipeline.cli import main

sys.exit(main())
