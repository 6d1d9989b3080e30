"""Realistic traffic: many employees' sessions on URLs drawn from the whole catalogue, a curator editing meanwhile.

gunicorn serves the seeded organisation as production would (benchmark/server.py). Employees log in through the
login form; a file of URLs is drawn with a fixed seed in the shares of MIX (story pages from every published story,
lists filtered by a skill that has stories, skill pages, searches of one or two common words, /me/, home, deep list
pages), each line naming the employee whose session cookie it is sent with. wrk (benchmark/mix.lua) walks the file
over 8 connections; rounds of the mix alternate with rounds of /baseline/ (a minimal login-required view of the same
process, with the same sessions), the order swapped every round so that the shared machine's busier moments fall on
both alike. Throughout the rounds a curator, logged in to the admin, re-tags a published story or publishes a draft
every few seconds (CURATOR_EDIT_SECONDS), posting the admin's change form as a browser would.

Measured: the mix's throughput as a share of the baseline's (median rounds), latency percentiles as wrk sees them,
errors (socket errors and responses 400 and up; redirects counted apart), each kind of page's server time from
gunicorn's access log, and the caches' hit rates counted in the server processes (benchmark/cachestats.py).
"""

import itertools
import json
import random
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from benchmark.cachestats import ENVIRONMENT as CACHE_STATS_ENVIRONMENT
from benchmark.cachestats import read_totals
from benchmark.seed import CONTENT_WORDS, Seeded
from benchmark.server import gunicorn_server, logged_in_opener, login, server_shape

WRK_SCRIPT = Path(__file__).resolve().parent / "mix.lua"
URL_SEED = 16  # the URL draw's: two runs send the same requests in the same order
MIX = {  # kind of page: share of requests, in per cent
    "story page": 45,
    "story list by skill": 15,
    "skill page": 10,
    "search": 10,
    "/me/": 8,
    "home": 7,
    "deep list page": 5,
}
DEEP_PAGES_FROM = 10  # a deep list page is one of pages 10 to the last
SEARCH_WORDS = CONTENT_WORDS  # the career words every seeded story speaks some of
MIN_BASELINE_RATIO = 0.35
MAX_P99_MS = 250
CURATOR_EDIT_SECONDS = 3.0
LOGINS_AT_ONCE = 4
SETTLE_SECONDS = 1.2  # after each round: the server processes write their cache counts twice a second


@dataclass(frozen=True)
class MixOptions:
    seconds: int = 20  # each round of the mix, and each of the baseline
    rounds: int = 5
    sessions: int = 40
    connections: int = 8
    wrk_threads: int = 2
    urls: int = 100_000  # drawn once; the rounds walk on through them
    warm_up_seconds: int = 5


# The draw.


def draw_urls(*, seeded: Seeded, sessions: int, count: int) -> list[tuple[int, str, str]]:
    """(session number, path, kind) for `count` requests, in the shares of MIX, from a seeded random generator."""
    from stories.models import Story, TaggedStory
    from stories.views import STORIES_PER_PAGE

    published = Story.objects.published()
    story_slugs = list(published.order_by("pk").values_list("slug", flat=True))
    skill_slugs = list(
        TaggedStory.objects.filter(content_object__in=published)
        .order_by("tag__slug")
        .values_list("tag__slug", flat=True)
        .distinct()
    )
    last_page = -(-len(story_slugs) // STORIES_PER_PAGE)
    rng = random.Random(URL_SEED)

    def search() -> str:
        return "/search/?" + urllib.parse.urlencode({"q": " ".join(rng.sample(SEARCH_WORDS, rng.randint(1, 2)))})

    draw = {
        "story page": lambda: f"/stories/{rng.choice(story_slugs)}/",
        "story list by skill": lambda: "/stories/?" + urllib.parse.urlencode({"skill": rng.choice(skill_slugs)}),
        "skill page": lambda: f"/skills/{urllib.parse.quote(rng.choice(skill_slugs))}/",
        "search": search,
        "/me/": lambda: "/me/",
        "home": lambda: "/",
        "deep list page": lambda: f"/stories/?page={rng.randint(min(DEEP_PAGES_FROM, last_page), last_page)}",
    }  # fmt: skip
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=count)
    return [(rng.randrange(sessions), draw[kind](), kind) for kind in kinds]


def employees(seeded: Seeded, count: int) -> list[str]:
    """The seeded employee and others drawn with a fixed seed; never the curator."""
    from django.contrib.auth import get_user_model

    others = get_user_model().objects.filter(is_staff=False).exclude(username=seeded.username)
    usernames = list(others.order_by("pk").values_list("username", flat=True))
    return [seeded.username, *random.Random(URL_SEED).sample(usernames, count - 1)]


# The curator.


class _FormFields(HTMLParser):
    """The (name, value) pairs a browser would submit from the form with the given id (files left unchanged)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select: str | None = None
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        elif not self.inside:
            return
        elif tag == "input" and "name" in attributes:
            kind = attributes.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.fields.append((attributes["name"], attributes.get("value") or "on"))
                return
            self.fields.append((attributes["name"], attributes.get("value") or ""))
        elif tag == "select":
            self._select = attributes.get("name")
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields.append((self._select, attributes.get("value") or ""))
        elif tag == "textarea" and "name" in attributes:
            self._textarea = [attributes["name"], ""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.fields.append((name, text.removeprefix("\r\n").removeprefix("\n")))  # as browsers read it
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data


@dataclass
class Edit:
    kind: str
    story_id: int
    seconds: float
    problem: str = ""


class Curator(threading.Thread):
    """A curator at work in the admin: every `every` seconds, alternately re-tags a published story (one of its
    skills swapped for another that has stories) and publishes a draft (the change form's Publish button)."""

    def __init__(self, *, base_url: str, seeded: Seeded, every: float, seed: int) -> None:
        super().__init__(name="curator", daemon=True)
        from stories.models import Story, TaggedStory

        self.base_url, self.seeded, self.every = base_url, seeded, every
        self.rng = random.Random(seed)
        published = Story.objects.published()
        self.stories = list(published.order_by("pk").values_list("pk", flat=True))
        self.drafts = list(
            Story.objects.filter(status=Story.Status.IN_REVIEW).order_by("pk").values_list("pk", flat=True)
        )
        skills = TaggedStory.objects.filter(content_object__in=published).values_list("tag_id", flat=True)
        self.skills = sorted({str(pk) for pk in skills})
        self.stopping = threading.Event()
        self.edits: list[Edit] = []

    def run(self) -> None:
        from django.db import connection

        opener, _cookies = logged_in_opener(
            self.base_url, username=self.seeded.curator_username, password=self.seeded.password
        )
        kinds = itertools.cycle([self._retag, self._publish])
        next_edit = time.monotonic()
        try:
            while not self.stopping.wait(max(0.0, next_edit - time.monotonic())):
                next_edit += self.every
                edit = next(kinds)
                started = time.perf_counter()
                story_id, problem = edit(opener)
                self.edits.append(Edit(edit.__name__[1:], story_id, time.perf_counter() - started, problem))
        finally:
            connection.close()  # this thread's, opened to check the publications

    def _change_form(self, opener, story_id: int) -> tuple[str, list[tuple[str, str]]]:
        url = f"{self.base_url}/admin/stories/story/{story_id}/change/"
        with opener.open(url, timeout=60) as response:
            parser = _FormFields("story_form")
            parser.feed(response.read().decode())
        return url, parser.fields

    def _post(self, opener, url: str, fields: list[tuple[str, str]]) -> str:
        """Posts the form; the problem if the admin did not redirect (a form with errors answers 200)."""
        request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST")
        request.add_header("Referer", url)
        try:
            with opener.open(request, timeout=60) as response:
                return f"answered {response.status}, not a redirect"
        except urllib.error.HTTPError as error:
            return "" if error.code == 302 else f"answered {error.code}"

    def _retag(self, opener) -> tuple[int, str]:
        story_id = self.rng.choice(self.stories)
        try:
            url, fields = self._change_form(opener, story_id)
            skills = [value for name, value in fields if name == "skills"]
            dropped = self.rng.choice(skills)
            added = self.rng.choice([pk for pk in self.skills if pk not in skills])
            kept = [(name, value) for name, value in fields if name != "skills"]
            return story_id, self._post(opener, url, [*kept, *(("skills", pk) for pk in skills if pk != dropped),
                                                      ("skills", added)])  # fmt: skip
        except (OSError, IndexError) as error:
            return story_id, f"{type(error).__name__}: {error}"

    def _publish(self, opener) -> tuple[int, str]:
        from stories.models import Story

        if not self.drafts:
            return 0, "no draft left to publish"
        story_id = self.drafts.pop(0)
        try:
            url, fields = self._change_form(opener, story_id)
            problem = self._post(opener, url, [*fields, ("_transition", Story.Status.PUBLISHED)])
        except OSError as error:
            return story_id, f"{type(error).__name__}: {error}"
        status = Story.objects.filter(pk=story_id).values_list("status", flat=True).first()
        return story_id, problem or ("" if status == Story.Status.PUBLISHED else f"still {status}")


# The load.


def wrk(url: str, *, urls: Path, cookies: Path, start: int, seconds: int, options: MixOptions) -> dict:
    command = [
        "wrk", f"-t{options.wrk_threads}", f"-c{options.connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(WRK_SCRIPT), url, "--", str(urls), str(cookies), str(start), str(options.wrk_threads),
    ]  # fmt: skip
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    numbers = json.loads(finished.stdout.strip().splitlines()[-1])
    numbers["rps"] = numbers["requests"] / (numbers["duration_us"] / 1e6)
    numbers["errors"] = sum(numbers[kind] for kind in ("connect", "read", "write", "status", "timeout"))
    return numbers


@dataclass
class MixResult:
    options: MixOptions
    urls: list[tuple[int, str, str]]
    rounds: list[dict[str, dict]] = field(default_factory=list)  # per round: "mix" and "baseline" → wrk's numbers
    server_ms: dict[str, list[int]] = field(default_factory=dict)  # kind → each mix request's duration in the server
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)  # kind → status → responses
    cache: dict[str, dict[str, int]] = field(default_factory=dict)  # alias → hits, misses in the mix rounds
    edits: list[Edit] = field(default_factory=list)
    logins_seconds: float = 0.0

    def median(self, part: str) -> dict:
        ordered = sorted((round_[part] for round_ in self.rounds), key=lambda numbers: numbers["rps"])
        return ordered[len(ordered) // 2]

    @property
    def ratio(self) -> float:
        return self.median("mix")["rps"] / self.median("baseline")["rps"]

    def cpu_ms(self, part: str) -> str:
        """The median round's server CPU per request, in ms; a dash where it could not be read."""
        each = sorted(round_[part]["cpu_ms"] for round_ in self.rounds if "cpu_ms" in round_[part])
        return f"{each[len(each) // 2]:.1f}" if each else "–"

    def total(self, part: str, key: str) -> int:
        return sum(round_[part][key] for round_ in self.rounds)

    @property
    def checks(self) -> dict[str, bool]:
        return {
            "throughput": self.ratio >= MIN_BASELINE_RATIO,
            "p99": self.median("mix")["p99_us"] / 1000 < MAX_P99_MS,
            "errors": self.total("mix", "errors") + self.total("baseline", "errors") == 0,
        }


def _delta(after, before) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for (alias, kind), keys in after.items():
        counts.setdefault(alias, {"hits": 0, "misses": 0})[kind] = keys - before.get((alias, kind), 0)
    return counts


def _read_access_log(path: Path, spans: list[tuple[int, int]], kinds: dict[str, str], result: MixResult) -> None:
    """Each mix request's duration and status in the server, by kind, from the JSON lines of gunicorn's access log
    written during the mix rounds (`spans`: byte offsets)."""
    with path.open("rb") as log:
        for start, end in spans:
            log.seek(start)
            for line in log.read(end - start).decode(errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                url = entry["path"] + (f"?{entry['query']}" if entry.get("query") else "")
                kind = kinds.get(url, "other: the curator in the admin")
                result.server_ms.setdefault(kind, []).append(int(entry["duration_ms"]))
                statuses = result.statuses.setdefault(kind, {})
                statuses[entry["status"]] = statuses.get(entry["status"], 0) + 1


def run_mix(*, seeded: Seeded, options: MixOptions, folder: Path) -> MixResult:
    from django.db import connections

    usernames = employees(seeded, options.sessions)
    result = MixResult(options, draw_urls(seeded=seeded, sessions=options.sessions, count=options.urls))
    urls_file, baseline_file, cookies_file = folder / "mix-urls.tsv", folder / "baseline-urls.tsv", folder / "cookies"
    urls_file.write_text("".join(f"{session}\t{path}\n" for session, path, _kind in result.urls))
    baseline_file.write_text("".join(f"{session}\t/baseline/\n" for session in range(options.sessions)))
    kinds = {path: kind for _session, path, kind in result.urls}
    stats_folder, access_log = folder / "cache-stats", folder / "access.log"
    stats_folder.mkdir()
    connections.close_all()  # the server gets the database to itself, but for the curator's checks
    environment = {CACHE_STATS_ENVIRONMENT: str(stats_folder)}
    with gunicorn_server(log_path=folder / "gunicorn.log", access_log=access_log, env=environment) as server:
        base_url = server.url
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=LOGINS_AT_ONCE) as pool:  # each log-in hashes a password
            cookies = list(pool.map(lambda username: login(base_url, username=username, password=seeded.password),
                                    usernames))  # fmt: skip
        result.logins_seconds = time.perf_counter() - started
        cookies_file.write_text("".join(f"{cookie}\n" for cookie in cookies))
        print(
            f"  gunicorn at {base_url}, {len(cookies)} employees logged in ({result.logins_seconds:.0f} s)", flush=True
        )
        # Warm-up (not counted): every process started, templates compiled, from the far end of the URLs.
        for part_file, start in ((urls_file, options.urls // 2), (baseline_file, 0)):
            wrk(base_url + "/", urls=part_file, cookies=cookies_file, start=start, seconds=options.warm_up_seconds,
                options=options)  # fmt: skip
        curator = Curator(base_url=base_url, seeded=seeded, every=CURATOR_EDIT_SECONDS, seed=URL_SEED)
        curator.start()
        mix_start, spans = 0, []
        try:
            for number in range(options.rounds):
                result.rounds.append({})
                for part in ("mix", "baseline") if number % 2 == 0 else ("baseline", "mix"):
                    before, offset = read_totals(stats_folder), access_log.stat().st_size
                    cpu_before = server.cpu_seconds()
                    numbers = wrk(base_url + "/", urls=urls_file if part == "mix" else baseline_file,
                                  cookies=cookies_file, start=mix_start if part == "mix" else 0,
                                  seconds=options.seconds, options=options)  # fmt: skip
                    if cpu_before is not None:  # the curator's requests are in it too: one every few seconds
                        numbers["cpu_ms"] = (server.cpu_seconds() - cpu_before) * 1000 / max(1, numbers["requests"])
                    time.sleep(SETTLE_SECONDS)
                    numbers["cache"] = _delta(read_totals(stats_folder), before)
                    result.rounds[-1][part] = numbers
                    if part == "mix":
                        mix_start += numbers["requests"]
                        spans.append((offset, access_log.stat().st_size))
                    print(f"  round {number + 1}  {part:<8} {numbers['rps']:7.1f} req/s  p50 "
                          f"{numbers['p50_us'] / 1000:6.1f} ms  p99 {numbers['p99_us'] / 1000:7.1f} ms  "
                          f"{numbers['errors']} errors  server CPU {numbers.get('cpu_ms', 0):.1f} ms a request",
                          flush=True)  # fmt: skip
        finally:
            curator.stopping.set()
            curator.join(timeout=120)
        result.edits = curator.edits
    _read_access_log(access_log, spans, kinds, result)
    for round_ in result.rounds:
        for alias, counts in round_["mix"]["cache"].items():
            totals = result.cache.setdefault(alias, {"hits": 0, "misses": 0})
            for kind in ("hits", "misses"):
                totals[kind] += counts[kind]
    return result


# The report.


def _percentile(values: list[int], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report_markdown(*, result: MixResult, context: dict[str, str], pages: list[str], targets: str) -> str:
    options, mark = result.options, {True: "pass", False: "**FAIL**"}
    workers, threads, worker_class = server_shape()
    mix, baseline = result.median("mix"), result.median("baseline")
    checks = result.checks
    failed = [name for name, ok in checks.items() if not ok]
    verdict = mark[not failed] + (f" ({', '.join(failed)})" if failed else "")
    drawn = {kind: sum(1 for _s, _p, k in result.urls if k == kind) for kind in MIX}
    edits = {kind: [edit for edit in result.edits if edit.kind == kind] for kind in ("retag", "publish")}
    problems = [edit for edit in result.edits if edit.problem]
    lines = [
        f"# Realistic traffic: {context['database']}",
        "",
        *(f"- {label}: {value}" for label, value in context.items() if label != "database"),
        f"- Traffic: {options.sessions} employees logged in through the login form (the seeded employee and "
        f"{options.sessions - 1} others), each request sent with one of their sessions, drawn at random. "
        f"{options.urls:,} URLs drawn with seed {URL_SEED} (benchmark/mix.py): "
        + ", ".join(f"{share}% {kind}" for kind, share in MIX.items())
        + ". Story pages from every published story, lists and skill pages from every skill that has stories, "
        f"searches of one or two of {len(SEARCH_WORDS)} common career words, deep list pages from page "
        f"{DEEP_PAGES_FROM} to the last; each uniformly. Each mix round walks on through the URLs where the last one "
        "stopped, so no round repeats another's requests.",
        f"- Curator: logged in to the admin, every {CURATOR_EDIT_SECONDS:g} s alternately re-tags a published story "
        "(one skill swapped for another that has stories: the change form posted as a browser does) and publishes "
        "a draft (the change form's Publish button), throughout the rounds. "
        f"{len(edits['retag'])} re-tags and {len(edits['publish'])} publications, "
        f"{len(problems)} failed"
        + (f" (first: {problems[0].kind} of story {problems[0].story_id}: {problems[0].problem})" if problems else "")
        + "; "  # fmt: skip
        f"median {statistics.median([edit.seconds for edit in result.edits] or [0]) * 1000:,.0f} ms per edit "
        "(opening the form and posting it).",
        f"- Load: `wrk -t{options.wrk_threads} -c{options.connections} -d{options.seconds}s -s benchmark/mix.lua`, "
        f"{options.rounds} rounds of the mix alternating with {options.rounds} of `/baseline/` (the same sessions), "
        f"the order swapped every round, after a {options.warm_up_seconds} s warm-up of each. gunicorn with "
        f"careerportal/gunicorn.conf.py ({workers} {worker_class} workers × {threads} "
        f"thread{'s' if threads != 1 else ''}) "
        "and the production settings (DEBUG off, manifest static files, persistent database connections), on "
        "127.0.0.1. wrk asks for no compression, so pages go uncompressed (the portal gzips HTML for browsers that "
        "accept it: README, 'Compression'; the pages report gives each page's gzipped size).",
        f"- Targets: the mix at {MIN_BASELINE_RATIO}× the baseline's throughput or more, p99 under {MAX_P99_MS} ms "
        f"with {options.connections} connections, no errors. Throughput and latencies are those of each part's "
        "median round by throughput (each round's in brackets); errors are socket errors and responses 400 and up "
        "in all rounds; redirects are counted apart (every URL of the mix answers 200 to a logged-in employee). "
        "Server CPU: the processor time gunicorn's processes used in each part's rounds (Linux's /proc) per request "
        "served, the median round's; unlike throughput it hardly moves with what else the machine runs, so runs on "
        "a busy machine compare by it.",
        "",
        "| | req/s | × baseline | p50 ms | p95 ms | p99 ms | errors | redirects | server CPU ms a request | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for part, numbers in (("mix", mix), ("baseline", baseline)):
        each_rps = ", ".join(f"{round_[part]['rps']:,.0f}" for round_ in result.rounds)
        each_p99 = ", ".join(f"{round_[part]['p99_us'] / 1000:,.0f}" for round_ in result.rounds)
        lines.append(
            f"| {part} | {numbers['rps']:,.1f} ({each_rps}) | {numbers['rps'] / baseline['rps']:.2f} | "
            f"{numbers['p50_us'] / 1000:,.1f} | {numbers['p95_us'] / 1000:,.1f} | "
            f"{numbers['p99_us'] / 1000:,.1f} ({each_p99}) | {result.total(part, 'errors')} | "
            f"{result.total(part, '3xx')} | {result.cpu_ms(part)} | {verdict if part == 'mix' else 'reference'} |"
        )
    lines += [
        "",
        "## Cache hits in the mix rounds",
        "",
        "Counted in the server processes: a CountingCache (benchmark/cachestats.py, switched on by "
        "benchmark/settings.py for this server only) stands in front of each configured cache and counts each key "
        "asked for with get() or get_many() and whether the cache had it, summed over the mix rounds. A cache whose "
        "misses fall through to another (LOCATION) is counted at both: its misses are the other's reads.",
        "",
        "| cache | keys read | hits | hit rate | reads per mix request |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    mix_requests = result.total("mix", "requests")
    for alias, counts in sorted(result.cache.items()):
        reads = counts["hits"] + counts["misses"]
        rate = f"{counts['hits'] / reads:.1%}" if reads else "–"
        lines.append(f"| `{alias}` | {reads:,} | {counts['hits']:,} | {rate} | {reads / max(1, mix_requests):.1f} |")
    lines += [
        "",
        "## The mix by kind of page",
        "",
        "Time in the server (gunicorn's access log, from the request read to the response written; wrk's latencies "
        "add the wait for a free thread and the network), over all mix rounds. Drawn: the share of the URL file.",
        "",
        "| kind | drawn | served | p50 ms | p95 ms | p99 ms | max ms | statuses |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    served = sum(len(values) for kind, values in result.server_ms.items() if kind in MIX)
    for kind in [*MIX, *sorted(set(result.server_ms) - set(MIX))]:
        values = result.server_ms.get(kind, [])
        share = f"{drawn[kind] / len(result.urls):.1%}" if kind in MIX else "–"
        count = f"{len(values):,} ({len(values) / max(1, served):.1%})" if kind in MIX else f"{len(values):,}"
        statuses = ", ".join(f"{status}: {n:,}" for status, n in sorted(result.statuses.get(kind, {}).items()))
        lines.append(
            f"| {kind} | {share} | {count} | {_percentile(values, 0.5):,.0f} | {_percentile(values, 0.95):,.0f} | "
            f"{_percentile(values, 0.99):,.0f} | {max(values, default=0):,} | {statuses} |"
        )
    lines += ["", "## Pages rendered afresh, in-process", "", targets, "", *pages]
    return "\n".join(lines) + "\n"
