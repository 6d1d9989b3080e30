"""The production settings, with the benchmark's URLconf: every page of the portal, plus /baseline/.

Used only by benchmark/run.py (for its gunicorn server and its in-process query counts); nothing else changes, so
the pages are measured exactly as production serves them.
"""

from careerportal.settings import *  # noqa: F403

ROOT_URLCONF = "benchmark.urls"
