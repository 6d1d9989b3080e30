"""The main pages rendered afresh, in-process: time, SQL queries and HTML size of each, against the issue's targets.

For each page, through Django's test client on the benchmark's database (run.py seeds it): the fastest of several
requests with every cache cleared first (what a page costs when nothing is cached, as after an edit of what it
shows), its queries and their time, the fastest of several cached requests, and the size of its HTML, raw and gzipped.
The throughput under load is measured by the traffic mix (benchmark/mix.py), not page by page.
"""

import cProfile
import gzip
import pstats
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

from benchmark.seed import Seeded

ROOT = Path(__file__).resolve().parent.parent
MAX_UNCACHED_MS = 25
MAX_QUERIES = 10
MAX_HTML_BYTES = 60 * 1024
UNCACHED_REPEATS = 7  # the fastest is reported: what the page costs, less the machine's other work
CACHED_REPEATS = 20
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


@dataclass(frozen=True)
class Page:
    name: str
    path: str

    @property
    def is_reference(self) -> bool:
        """The baselines: measured for comparison, not held to the targets."""
        return self.path.startswith("/baseline/")


@dataclass
class PageResult:
    page: Page
    html_bytes: int = 0
    gzip_bytes: int = 0
    uncached_ms: float = 0.0  # the fastest request with every cache cleared before it
    uncached_queries: int = 0
    uncached_sql_ms: float = 0.0
    sql: list[tuple[str, float]] = field(default_factory=list)  # (statement, seconds) of the fastest uncached request
    cached_ms: float = 0.0
    cached_queries: int = 0
    profile: str = ""

    @property
    def checks(self) -> dict[str, bool]:
        return {
            "time": self.uncached_ms <= MAX_UNCACHED_MS,
            "queries": self.uncached_queries <= MAX_QUERIES,
            "HTML": self.html_bytes < MAX_HTML_BYTES,
        }

    @property
    def verdict(self) -> str:
        if self.page.is_reference:
            return "reference"
        failed = [name for name, ok in self.checks.items() if not ok]
        return "**FAIL** (" + ", ".join(failed) + ")" if failed else "pass"


def main_pages(seeded: Seeded) -> list[Page]:
    from stories.views import STORIES_PER_PAGE

    last_page = -(-seeded.rows["published stories"] // STORIES_PER_PAGE)
    return [
        Page("baseline", "/baseline/"),
        Page("layout only", "/baseline/layout/"),
        Page("home", "/"),
        Page("story list", "/stories/"),
        Page("story list, last page", f"/stories/?page={last_page}"),
        Page("story list, by skill", "/stories/?" + urllib.parse.urlencode({"skill": seeded.filter_skill_slug})),
        Page("skill page", f"/skills/{urllib.parse.quote(seeded.skill_page_slug)}/"),
        Page("skills tree", "/skills/"),
        Page("story page", f"/stories/{seeded.story_slug}/"),
        Page("search", "/search/?" + urllib.parse.urlencode({"q": seeded.common_words[0]})),
        Page("collections", "/collections/"),
        Page("a collection", f"/collections/{seeded.collection_id}/"),
        Page("toolkit /me/", "/me/"),
        Page("explored", "/me/explored/"),
        Page("reflections", "/me/reflections/"),
        Page("assessment", "/me/assessment/"),
        Page("aspirations", "/me/aspirations/"),
        Page("plan", "/me/plan/"),
        Page("sharing", "/me/sharing/"),
    ]


def _normalised(sql: str) -> str:
    """The statement with its literal values blanked, so repeated queries (N+1) group together."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    return re.sub(r"\b\d+(\.\d+)?\b", "?", sql)


class _QueryTimer:
    """An execute wrapper that times each statement to the microsecond (Django's own log rounds to milliseconds)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds.append(time.perf_counter() - started)


def _clear_caches() -> None:
    """Every cache this process uses, emptied: the next request renders and looks up everything afresh."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


def _timed_request(client, path: str) -> tuple[float, list[tuple[str, float]], object]:
    """One request: its milliseconds, its statements with their seconds, the response."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timer = _QueryTimer()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        started = time.perf_counter()
        response = client.get(path)
        milliseconds = (time.perf_counter() - started) * 1000
    statements = [query["sql"] for query in captured.captured_queries]
    # BEGIN and COMMIT of a transaction under autocommit bypass execute wrappers: they are listed untimed.
    timed = [not statement.startswith(TRANSACTION_CONTROL) for statement in statements]
    seconds = iter(timer.seconds if len(timer.seconds) == sum(timed) else [0.0] * sum(timed))
    seconds = [next(seconds) if is_timed else 0.0 for is_timed in timed]
    if response.status_code != 200:
        raise RuntimeError(f"In-process {path} answered {response.status_code}.")
    return milliseconds, list(zip(statements, seconds, strict=True)), response


def run_pages(*, seeded: Seeded) -> list[PageResult]:
    """Each main page of the seeded employee, in-process (the server is stopped: the database is the runner's)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=seeded.username))
    results = []
    for page in main_pages(seeded):
        result = PageResult(page)
        _ms, _sql, response = _timed_request(client, page.path)  # warm: templates compiled, the visit recorded
        body = response.content
        result.html_bytes, result.gzip_bytes = len(body), len(gzip.compress(body, compresslevel=6))
        uncached = []
        for _ in range(UNCACHED_REPEATS):
            _clear_caches()
            uncached.append(_timed_request(client, page.path)[:2])
        result.uncached_ms, result.sql = min(uncached, key=lambda timed: timed[0])
        result.uncached_queries = len(result.sql)
        result.uncached_sql_ms = sum(seconds for _statement, seconds in result.sql) * 1000
        cached = [_timed_request(client, page.path)[:2] for _ in range(CACHED_REPEATS)]
        result.cached_ms = min(milliseconds for milliseconds, _sql in cached)
        result.cached_queries = len(cached[-1][1])
        if not result.page.is_reference and not result.checks["time"]:
            profiler = cProfile.Profile()
            for _ in range(UNCACHED_REPEATS):
                _clear_caches()
                profiler.enable()
                client.get(page.path)
                profiler.disable()
            result.profile = _profile_text(profiler)
        print(f"  {page.name:<22} uncached {result.uncached_ms:7.1f} ms, {result.uncached_queries} queries", flush=True)
        results.append(result)
    return results


def _profile_text(profiler: cProfile.Profile) -> str:
    """The functions with the most own time, then the project's own functions by cumulative time."""
    parts = []
    for order, restriction in (("tottime", 15), ("cumulative", rf"^{re.escape(str(ROOT))}/(?!\.venv)")):
        out = StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(order)
        if isinstance(restriction, str):
            stats.print_stats(restriction, 15)
        else:
            stats.print_stats(restriction)
        parts.append(f"by {order}:\n" + _trim_profile(out.getvalue()))
    return "\n\n".join(parts)


def _trim_profile(text: str) -> str:
    """pstats' table without its preamble, with paths shortened to the project or the package."""
    table = text[text.find("   ncalls") :] if "   ncalls" in text else text
    table = table.replace(str(ROOT) + "/", "")
    table = re.sub(r"\S*/site-packages/", "", table)
    return re.sub(r"\S*/lib/python3\.\d+/", "", table).rstrip()  # the standard library, wherever it lives


def _sql_summary(sql: list[tuple[str, float]], *, limit: int = 400) -> list[str]:
    """One line per distinct statement shape: how many times, total time, the first statement (shortened)."""
    groups: dict[str, list[tuple[str, float]]] = {}
    for statement, seconds in sql:
        groups.setdefault(_normalised(statement), []).append((statement, seconds))
    lines = []
    for group in sorted(groups.values(), key=lambda rows: -sum(s for _q, s in rows)):
        first = group[0][0]
        text = first if len(first) <= limit else first[:limit] + " …"
        lines.append(f"{len(group)}× {sum(s for _q, s in group) * 1000:.1f} ms: {text}")
    return lines


def summary_table(results: list[PageResult]) -> list[str]:
    """The per-page table: the second section of the traffic report, the first of the pages report."""
    lines = [
        "| page | uncached ms (SQL) | uncached queries | cached ms | cached queries | HTML KB | gzip KB | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        lines.append(
            f"| {result.page.name} `{result.page.path}` | {result.uncached_ms:,.1f} ({result.uncached_sql_ms:,.1f}) | "
            f"{result.uncached_queries} | {result.cached_ms:,.1f} | {result.cached_queries} | "
            f"{result.html_bytes / 1024:,.1f} | {result.gzip_bytes / 1024:,.1f} | {result.verdict} |"
        )
    return lines


def targets_text() -> str:
    return (
        f"Targets: rendered afresh in at most {MAX_UNCACHED_MS} ms with at most {MAX_QUERIES} SQL queries, HTML under "
        f"{MAX_HTML_BYTES // 1024} KB. In-process through Django's test client on the same database, logged in as "
        f"the seeded employee. Uncached: the fastest of {UNCACHED_REPEATS} requests, each after every cache was "
        "cleared, its queries and the time spent in the database driver's execute calls (in brackets); cached: the "
        f"fastest of {CACHED_REPEATS} requests in a row."
    )


def report_markdown(*, results: list[PageResult], context: dict[str, str]) -> str:
    lines = [
        f"# Pages rendered afresh: {context['database']}",
        "",
        *(f"- {label}: {value}" for label, value in context.items() if label != "database"),
        f"- {targets_text()}",
        "",
        *summary_table(results),
        "",
        "## SQL of one uncached request, per page",
        "",
        "Grouped by statement shape (literals blanked), the most time first.",
    ]
    for result in results:
        if result.page.is_reference:
            continue
        lines += ["", f"### {result.page.name} ({result.uncached_queries} queries, {result.uncached_sql_ms:.1f} ms)"]
        lines += ["", "```sql", *_sql_summary(result.sql), "```"]
    slow = [result for result in results if result.profile]
    if slow:
        lines += ["", f"## Where the time goes (cProfile over {UNCACHED_REPEATS} uncached requests in-process)"]
        for result in slow:
            lines += ["", f"### {result.page.name}", "", "```", result.profile, "```"]
    return "\n".join(lines) + "\n"


def context_summary(seeded: Seeded, *, database: str) -> dict[str, str]:
    return {
        "database": database,
        "data": ", ".join(f"{count:,} {label}" for label, count in seeded.rows.items())
        + f"; {seeded.words_per_story:,} words of transcript or text per story",
        "seeding": ", ".join(f"{label} {seconds:.0f} s" for label, seconds in seeded.timings),
    }


def vendor_label(vendor: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)
