"""The crawl's start-up loads only the Scrapy components it runs."""

import subprocess
import sys

# Scrapy imports every key of DOWNLOADER_MIDDLEWARES / EXTENSIONS to normalise it, a None included
CODE = """
import sys
from pipeline.ops.crawl import crawl_settings
s = crawl_settings("sqlite://")
mws = s.get_component_priority_dict_with_base("DOWNLOADER_MIDDLEWARES")
exts = s.get_component_priority_dict_with_base("EXTENSIONS")
print(sorted(m for m in ("aiohttp", "scrapy.extensions.remote_control",
                         "scrapy.downloadermiddlewares.cookies") if m in sys.modules))
print(any("offsite" in k for k in mws), "crawler.middlewares.SiteBoundary" in mws,
      "scrapy.extensions.corestats.CoreStats" in exts)
"""


def test_the_crawl_settings_import_no_unused_component():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    unused, used = out.stdout.strip().splitlines()
    assert unused == "[]"
    assert used == "False True True"  # Scrapy's offsite filter replaced by the site boundary
