"""The production settings, with the benchmark's URLconf: every page of the portal, plus /baseline/.

Used only by benchmark/run.py (for its gunicorn server and its in-process query counts); nothing else changes, so
the pages are measured exactly as production serves them. When PORTAL_BENCH_CACHE_STATS names a folder (the server
under the traffic mix), each cache is counted on its way through (benchmark/cachestats.py).
"""

import os

from careerportal.settings import *  # noqa: F403

ROOT_URLCONF = "benchmark.urls"

if os.environ.get("PORTAL_BENCH_CACHE_STATS"):
    from benchmark.cachestats import counted

    CACHES = counted(CACHES)  # noqa: F405
