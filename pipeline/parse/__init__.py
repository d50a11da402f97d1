"""Pure parsers over text: repairs of extracted text, minutes, references, resolution rules.

No I/O, no database, no Scrapy (enforced by the import contracts in pyproject.toml). Derived rows
record ``PARSER_VERSION`` with the council profile they were parsed under (``parser_version``), so
``council-archive reprocess`` knows what an improved parser must redo. Bump it whenever any
parser's output changes.
"""

from pipeline.parse.profile import Profile

PARSER_VERSION = "4"


def parser_version(profile: Profile) -> str:
    """The value recorded on derived rows: the parser's version and the profile it ran under."""
    return f"{PARSER_VERSION};{profile.key}"
