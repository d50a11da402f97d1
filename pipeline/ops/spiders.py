"""Which spider crawls a council: the registry's platform, else the archive's, else `detect`'s answer.

One table from platform name to spider class, so `crawl` and `nightly` never branch on a platform
themselves. Detection is the last resort (it costs a request, cached by requests-cache): a site the
registry and the archive know nothing about, given by ``--base-url``.
"""

from __future__ import annotations

from crawler.spiders.base import CouncilSpider
from crawler.spiders.cmis import CmisSpider
from crawler.spiders.moderngov import ModernGovSpider
from crawler.urls import cmis_install_root

SPIDERS: dict[str, type[CouncilSpider]] = {"moderngov": ModernGovSpider, "cmis": CmisSpider}
DEFAULT_PLATFORM = "moderngov"


class UnknownPlatform(ValueError):
    """A platform no spider crawls; the message is one line for the user."""


def spider_for(platform: str | None) -> type[CouncilSpider]:
    name = (platform or DEFAULT_PLATFORM).strip().lower()
    if name not in SPIDERS:
        raise UnknownPlatform(f"no spider for platform {platform!r} (one of: {', '.join(SPIDERS)})")
    return SPIDERS[name]


def platform_for(base_url: str, registry_platform: str | None, archived_platform: str | None, detect) -> str:
    """The platform to crawl ``base_url`` as. ``detect(url)`` returns a ``Detection`` (pipeline.ops.detect)
    and is called only when neither the registry nor the archive says. A detection that is not sure
    (blocked, unreachable, neither) leaves CMIS if the path shows a CMIS install folder, else ModernGov,
    whose spider then fails with its own reason."""
    for known in (registry_platform, archived_platform):
        if known:
            return str(known).lower()
    try:
        found = detect(base_url).status
    except Exception:  # noqa: BLE001 (whatever a site does to detection, the spider says it in one line)
        found = None
    if found in SPIDERS:
        return found
    # Not sure (an error page, a page of the install that shows nothing): a CMIS folder in the path.
    return "cmis" if cmis_install_root(base_url) else DEFAULT_PLATFORM
