"""Search latency (in-process, same large library as the page benchmark): stories.search over about 30 varied queries.

Each query is parsed and ranked (stories.search.search) many times; the highlighted extracts of its first page
(stories.search.snippets) are timed too, and the whole /search/ page is requested once through the test client to
count its SQL queries. run.py seeds the database and calls run_search().
"""

import math
import time
import urllib.parse
from dataclasses import dataclass, field

from benchmark.seed import Seeded

PAGE_SIZE = 12  # stories.views.STORIES_PER_PAGE
PAGE_REPEATS = 3


@dataclass
class QueryResult:
    kind: str
    text: str
    hits: int = 0
    search_ms: list[float] = field(default_factory=list)
    snippets_ms: list[float] = field(default_factory=list)
    page_queries: int = 0
    page_ms: float = 0.0


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def search_queries(seeded: Seeded) -> list[tuple[str, str]]:
    """About 30 queries of the kinds employees type, built from what was seeded."""
    common, rare = seeded.common_words, seeded.rare_words
    last_name = seeded.storyteller_name.split()[-1]
    queries = [("word", word) for word in common] + [("rare word", word) for word in rare[:3]]
    queries += [("phrase", f'"{phrase}"') for phrase in seeded.phrases]
    queries += [
        ("phrase", f'"{seeded.skill_name}"'),
        ("words", "finance lateral move"),
        ("words", "career conversation manager feedback"),
        ("OR", "mentoring OR coaching"),
        ("OR", f"secondment OR {rare[0]}"),
        ("OR", '"dual ladder" OR "specialist ladder"'),
        ("minus", "manager -budget"),
        ("minus", f'"{seeded.phrases[0]}" -{common[1]}'),
        ("name", seeded.storyteller_name),
        ("name", last_name),
        ("skill", seeded.skill_name),
        ("alternative label", seeded.alternative_label),
        ("prefix-like", "manag"),
        ("no hit", "zyxwvut"),
        ("no hit", '"flamingo quartet"'),
        ("no hit", "qqqq OR xxxz"),
        ("odd input", '"unclosed phrase OR -'),
    ]
    return queries


def run_search(*, seeded: Seeded, rounds: int) -> list[QueryResult]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from stories import search

    results = [QueryResult(kind, text) for kind, text in search_queries(seeded)]
    for result in results:  # a first pass warms the database's caches for every query alike
        result.hits = len(search.search(search.parse(result.text)))
    for _ in range(rounds):
        for result in results:
            started = time.perf_counter()
            query = search.parse(result.text)
            ranked = search.search(query)
            searched = time.perf_counter()
            search.snippets(query, ranked[:PAGE_SIZE])
            result.search_ms.append((searched - started) * 1000)
            result.snippets_ms.append((time.perf_counter() - searched) * 1000)

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=seeded.username))
    for result in results:
        path = "/search/?" + urllib.parse.urlencode({"q": result.text})
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}.")
        result.page_queries = len(captured.captured_queries)
        durations = []
        for _ in range(PAGE_REPEATS):
            started = time.perf_counter()
            client.get(path)
            durations.append((time.perf_counter() - started) * 1000)
        result.page_ms = percentile(durations, 50)
    return results


def report_markdown(*, results: list[QueryResult], context: dict[str, str], rounds: int) -> str:
    every_search = [ms for result in results for ms in result.search_ms]
    every_snippet = [ms for result in results for ms in result.snippets_ms]
    pages = [result.page_ms for result in results]
    lines = [
        f"# Search latency: {context['database']}",
        "",
        *(f"- {label}: {value}" for label, value in context.items() if label != "database"),
        f"- {len(results)} queries, each run {rounds} times in turn, in-process. *search* is stories.search.parse "
        f"and stories.search.search (every match, ranked); *extracts* is stories.search.snippets for the first "
        f"{PAGE_SIZE} results; *page* is the whole /search/ page through the test client (the median of "
        f"{PAGE_REPEATS} requests after a warm-up one), with its SQL query count.",
        "",
        "| | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: |",
        f"| search, all queries | {percentile(every_search, 50):.1f} | {percentile(every_search, 95):.1f} | "
        f"{max(every_search):.1f} |",
        f"| extracts of the first page | {percentile(every_snippet, 50):.1f} | {percentile(every_snippet, 95):.1f} | "
        f"{max(every_snippet):.1f} |",
        f"| /search/ page (medians of the queries) | {percentile(pages, 50):.1f} | {percentile(pages, 95):.1f} | "
        f"{max(pages):.1f} |",
        "",
        "| kind | query | hits | search p50 ms | search p95 ms | extracts p50 ms | page queries | page ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        text = result.text.replace("|", "\\|")
        lines.append(
            f"| {result.kind} | `{text}` | {result.hits:,} | {percentile(result.search_ms, 50):.1f} | "
            f"{percentile(result.search_ms, 95):.1f} | {percentile(result.snippets_ms, 50):.1f} | "
            f"{result.page_queries} | {result.page_ms:.1f} |"
        )
    return "\n".join(lines) + "\n"
