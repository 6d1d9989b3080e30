"""Seeds a large organisation for the page load and search benchmarks, with bulk inserts.

5,000 published stories (video, podcast and text, each with about 2,000 words of generated speech or text, captions
timed per sentence), 1,500 storytellers, an ESCO-sized framework of 14,000 skills imported through the real importer,
20,000 employees, 300,000 explored stories, 50,000 objectives with actions, and the smaller things pages show
(saved stories, reflections, self-assessments, plan shares, featured collections), a curator (staff, in the Curators
group) and drafts ready for the curator to publish during the traffic mix. Then the derived data is built as
rebuild_search_index builds it after any bulk change: the search index and each skill's count of published stories.

All text comes from a seeded random generator, so two runs seed the same organisation.
"""

import datetime
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from benchmark.import_esco import write_esco

BATCH = 2_000
RANDOM_SEED = 20_26
PASSWORD = "bench-employee-password"
BENCH_USERNAME = "bench.employee"


@dataclass(frozen=True)
class Sizes:
    stories: int = 5_000
    storytellers: int = 1_500
    skills: int = 14_000
    employees: int = 20_000
    visits: int = 300_000
    objectives: int = 50_000
    transcript_words: int = 2_000
    drafts: int = 300  # ready to publish: the curator of the traffic mix publishes one every few seconds

    def scaled(self, factor: float) -> "Sizes":
        """A smaller organisation for a quick trial run (the framework keeps its four-level shape)."""
        if factor == 1:
            return self
        return Sizes(
            stories=max(60, round(self.stories * factor)),
            storytellers=max(20, round(self.storytellers * factor)),
            skills=max(1_200, round(self.skills * factor)),
            employees=max(50, round(self.employees * factor)),
            visits=max(500, round(self.visits * factor)),
            objectives=max(100, round(self.objectives * factor)),
            transcript_words=self.transcript_words,
            drafts=max(30, round(self.drafts * factor)),
        )


@dataclass
class Seeded:
    """What was seeded, and the handles the benchmarks need: who logs in, which story, skill and words to ask for."""

    sizes: Sizes
    username: str = BENCH_USERNAME
    password: str = PASSWORD  # every seeded account's
    curator_username: str = ""
    collection_id: int = 0  # one of the employee's own collections
    story_slug: str = ""  # a captioned video story the employee explored
    filter_skill_slug: str = ""  # the most used skill: /stories/?skill= at its heaviest
    skill_page_slug: str = ""  # a skill with sub-skills and many stories
    storyteller_name: str = ""
    skill_name: str = ""
    alternative_label: str = ""
    common_words: list[str] = field(default_factory=lambda: ["manager", "secondment", "spreadsheet", "confidence"])
    rare_words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=lambda: PHRASES[:4])
    words_per_story: int = 0
    timings: list[tuple[str, float]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


# Vocabulary. Real words first (they are the frequent ones), then made-up words for a long tail, as in real speech.

FUNCTION_WORDS = """
i we you they it the a an and but so because when then that this my our their was were is are had have been be
could would should will can did not just really very also still about into from with for of to in on at by as
honestly actually basically obviously definitely probably maybe perhaps suddenly eventually finally luckily
""".split()
CONTENT_WORDS = """
team manager role work job year years month people colleague colleagues project projects customer customers client
clients business finance sales marketing data engineering product operations support learning skills skill
career move moved moving change changed changing new old first next last time week day conversation conversations
mentor mentoring coach coaching feedback course training secondment stretch lateral promotion specialist ladder
management leadership strength strengths development goal goals objective plan planning budget budgets forecast
report reports analysis analyst numbers spreadsheet model models process processes system systems tool tools
problem problems solution solutions decision decisions risk risks opportunity opportunities confidence curiosity
resilience patience listening writing presenting negotiating stakeholder stakeholders influence trust network
internal external abroad office remote hybrid part-time return parental leave apprenticeship graduate degree
certificate qualification exam study studied learned learnt taught teach shadowing shadowed asked told helped
lead led manage managed build built design designed test tested ship shipped launch launched improve
improved reduce reduced grow grew hire hired interview interviews application applied role-play workshop
hard easy scary exciting rewarding tiring fun interesting different same better worse bigger smaller
""".split()
SYLLABLES = (
    "ka ra mi to le sa no vi de lu pe ro ta ni ve do ma si ko re tu la mo fe be ga li na po ze"
    " bri stra plo kan ter mon vel dor fin gar hul jex kor lim nax pil qua rus sev tob umb wex yor zil"
).split()

PHRASES = [
    "lateral move",
    "dual ladder",
    "stretch project",
    "career conversation",
    "reverse mentoring",
    "international secondment",
    "return to work",
    "stakeholder management",
    "growth mindset",
    "imposter syndrome",
]
FUNCTIONS = [
    "Finance",
    "Sales",
    "Marketing",
    "Engineering",
    "Data and analytics",
    "Operations",
    "People and HR",
    "Legal",
    "Customer service",
    "Product",
    "Supply chain",
    "Research",
]
LEVELS = ["Apprentice", "Associate", "Professional", "Senior professional", "Manager", "Director"]
ROLES = [
    "Account Manager", "Financial Analyst", "Data Engineer", "Product Owner", "Sales Representative",
    "Software Developer", "HR Business Partner", "Legal Counsel", "Customer Success Lead", "Buyer",
    "Research Scientist", "Operations Planner", "Marketing Specialist", "Controller", "Team Lead",
    "Scrum Master", "UX Designer", "Procurement Officer", "Internal Auditor", "Learning Designer",
]  # fmt: skip
FIRST_NAMES = (
    "Amira Ben Chloe Dev Elena Felix Grace Hugo Ines Jonas Kemi Liam Maya Noah Olga Priya Quentin Rosa Sami Tara"
    " Umar Vera Wei Xenia Yusuf Zoe Aisha Bruno Carla Dmitri Emeka Fatima Gabriel Hana Ivan Julia Kofi Lena Marco"
).split()
LAST_NAMES = (
    "Walsh Bell Sato Okafor Novak Garcia Müller Rossi Kowalski Haddad Lindqvist Nguyen Dubois Silva Kaur Fischer"
    " Moreau Tanaka Brennan Osei Petrov Jansen Costa Ahmed Larsen Ferrari Schmidt Popescu Yilmaz Ivanova"
).split()
VERBS = [
    ("manage", "management"), ("analyse", "analysis"), ("design", "design"), ("plan", "planning"),
    ("negotiate", "negotiation"), ("forecast", "forecasting"), ("audit", "auditing"), ("coach", "coaching"),
    ("present", "presentation"), ("document", "documentation"), ("evaluate", "evaluation"), ("test", "testing"),
    ("monitor", "monitoring"), ("optimise", "optimisation"), ("automate", "automation"), ("model", "modelling"),
    ("prioritise", "prioritisation"), ("report on", "reporting"), ("facilitate", "facilitation"),
    ("develop", "development"), ("procure", "procurement"), ("schedule", "scheduling"), ("budget for", "budgeting"),
    ("communicate", "communication"), ("research", "research"), ("review", "review"), ("maintain", "maintenance"),
    ("improve", "improvement"), ("coordinate", "coordination"), ("supervise", "supervision"),
    ("train others in", "training"), ("assess", "assessment"), ("interpret", "interpretation"),
    ("implement", "implementation"), ("sell", "sales"), ("measure", "measurement"), ("mentor", "mentoring"),
    ("visualise", "visualisation"), ("secure", "security"), ("translate", "translation"), ("write", "writing"),
    ("organise", "organisation"), ("recruit for", "recruitment"), ("estimate", "estimation"),
    ("simplify", "simplification"), ("govern", "governance"), ("integrate", "integration"), ("pitch", "pitching"),
    ("deliver", "delivery"), ("launch", "launches"), ("budget", "budgeting"), ("price", "pricing"),
    ("inspect", "inspection"), ("migrate", "migration"), ("label", "labelling"), ("moderate", "moderation"),
    ("archive", "archiving"), ("benchmark", "benchmarking"), ("debug", "debugging"), ("localise", "localisation"),
]  # fmt: skip
OBJECTS = [
    "budgets", "cash flow", "supplier contracts", "customer accounts", "data pipelines", "marketing campaigns",
    "product roadmaps", "software releases", "hiring processes", "legal agreements", "sales forecasts",
    "risk registers", "training programmes", "user research", "financial statements", "tax returns",
    "cloud infrastructure", "machine learning models", "dashboards", "brand guidelines", "price lists",
    "inventory levels", "warehouse operations", "logistics networks", "quality standards", "safety procedures",
    "board papers", "investor relations", "press releases", "social media content", "websites", "mobile apps",
    "databases", "network security", "access rights", "incident responses", "service levels", "call centres",
    "complaints", "partnerships", "tenders", "grant applications", "research studies", "clinical trials",
    "laboratory tests", "patents", "compliance checks", "internal controls", "payroll", "pension schemes",
    "employee benefits", "performance reviews", "succession plans", "workforce plans", "team rotas", "meetings",
    "workshops", "events", "travel arrangements", "office facilities", "energy use", "sustainability reports",
    "carbon accounts", "change programmes", "business cases", "project portfolios", "sprint backlogs",
    "user stories", "test plans", "code reviews", "technical debt", "APIs", "data models", "data quality",
    "master data", "spreadsheets", "statistical models", "surveys", "customer journeys", "onboarding",
    "knowledge bases", "translations", "policies", "procedures", "audits", "contracts", "licences", "fleets",
    "production lines", "maintenance schedules", "spare parts", "shipping routes", "customs declarations",
    "retail displays", "loyalty schemes", "e-commerce sites", "payment systems", "credit checks", "collections",
    "invoices", "expenses", "capital projects", "mergers", "acquisitions", "valuations", "scenarios",
    "stakeholder maps", "communities", "volunteer programmes", "mentoring schemes", "learning paths",
    "apprenticeships", "job descriptions", "salary bands", "diversity data", "accessibility audits",
    "design systems", "prototypes", "user interfaces", "illustrations", "videos", "podcasts", "newsletters",
    "speeches", "negotiation strategies", "sales pipelines", "key accounts", "channel partners", "distributors",
    "franchises", "product launches", "pricing models", "market research", "competitor analyses", "brand health",
]  # fmt: skip
SETTINGS = [
    "in healthcare", "in retail", "in the public sector", "across borders", "for start-ups", "in manufacturing",
    "in financial services", "for small businesses", "in energy", "in logistics",
]  # fmt: skip
TITLES = [
    "From {from_role} to {to_role}",
    "How I moved from {from_function} into {to_function}",
    "Why I chose the specialist ladder",
    "A secondment that changed my mind about {to_function}",
    "Learning to {skill} after ten years in {from_function}",
    "What a stretch project taught me about {skill_noun}",
    "Coming back to {to_function} after a career break",
    "Reskilling from {from_role} to {to_role}",
    "Two years abroad as a {to_role}",
    "The conversation that started my move into {to_function}",
]


@dataclass(frozen=True)
class Vocabulary:
    words: list[str]
    cumulative: list[float]  # Zipf-like: the n-th word is n times rarer than the first


class TextMaker:
    """Speech-like text with Zipf-like word frequencies. Each story has a vocabulary of its own (function words,
    some of the career words, a few hundred of the made-up long tail, two career phrases), so a word or a phrase
    is found in some stories and not others, as in a real library."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        made_up = sorted({rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(SYLLABLES) for _ in range(9_000)})
        rng.shuffle(made_up)
        self.long_tail = [word for word in made_up if word not in CONTENT_WORDS][:6_000]
        self.general = self._vocabulary(FUNCTION_WORDS + CONTENT_WORDS)

    @staticmethod
    def _vocabulary(words: list[str]) -> Vocabulary:
        return Vocabulary(words, list(accumulate(1 / (rank + 1) for rank in range(len(words)))))

    def sentence(self, extra: str | None = None, vocabulary: Vocabulary | None = None) -> str:
        vocabulary = vocabulary or self.general
        words = self.rng.choices(vocabulary.words, cum_weights=vocabulary.cumulative, k=self.rng.randint(7, 22))
        if extra:
            words.insert(self.rng.randrange(len(words)), extra)
        if len(words) > 10 and self.rng.random() < 0.4:
            words[self.rng.randrange(3, len(words) - 3)] += ","
        text = " ".join(words)
        return text[0].upper() + text[1:] + self.rng.choice("....?!")

    def speech(self, words: int, mentions: list[str]) -> list[str]:
        """Sentences of about `words` words in all, mentioning each of `mentions` (skill names, say) somewhere."""
        rng = self.rng
        vocabulary = self._vocabulary(FUNCTION_WORDS + rng.sample(CONTENT_WORDS, 80) + rng.sample(self.long_tail, 500))
        phrases = rng.sample(PHRASES, 2)
        sentences, count = [], 0
        mentions = list(mentions)
        while count < words:
            if mentions and rng.random() < 0.1:
                extra = mentions.pop()
            else:
                extra = rng.choice(phrases) if rng.random() < 0.04 else None
            sentence = self.sentence(extra, vocabulary)
            sentences.append(sentence)
            count += sentence.count(" ") + 1
        return sentences


def _paragraphs(sentences: list[str], per_paragraph: int = 6) -> str:
    return "\n\n".join(" ".join(sentences[i : i + per_paragraph]) for i in range(0, len(sentences), per_paragraph))


def _cues(sentences: list[str]) -> list[list]:
    """[start, end, text] per sentence, at about 150 words a minute."""
    cues, start = [], 0.0
    for sentence in sentences:
        end = start + 0.4 * (sentence.count(" ") + 1)
        cues.append([round(start, 1), round(end, 1), sentence])
        start = end
    return cues


def _skill_labels(count: int, rng: random.Random):
    """ESCO-style labels: "negotiate supplier contracts", also known as "supplier contracts negotiation"; past the
    plain combinations, narrower ones: "negotiate supplier contracts in healthcare"."""
    plain = [(verb, noun, thing) for verb, noun in VERBS for thing in OBJECTS]
    narrower = [(verb, noun, f"{thing} {where}") for verb, noun, thing in plain for where in SETTINGS]
    if count > len(plain) + len(narrower):
        raise ValueError(f"Only {len(plain) + len(narrower)} distinct skill names for {count} skills.")
    chosen = plain[:count] + rng.sample(narrower, max(0, count - len(plain)))
    rng.shuffle(chosen)

    def labels(i: int) -> tuple[str, list[str]]:
        verb, noun, thing = chosen[i]
        return f"{verb} {thing}", [f"{thing} {noun}", f"{noun} of {thing}"]

    return labels


def _renditions(prefix: str, ratio: float) -> dict:
    """Rendition metadata as the image pipeline stores it, so pages carry their real srcset markup."""
    return {
        str(width): {"name": f"renditions/{prefix}-{width}.webp", "width": width, "height": round(width * ratio)}
        for width in (160, 320, 640, 960)
    }


def _bulk(model, rows: list, **kwargs) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH, **kwargs)


class Timer:
    """Prints and records how long each step of the seeding took."""

    def __init__(self, seeded: Seeded) -> None:
        self.seeded, self.started = seeded, time.perf_counter()

    def lap(self, label: str) -> None:
        now = time.perf_counter()
        self.seeded.timings.append((label, now - self.started))
        print(f"  {label:<46} {now - self.started:6.1f} s", flush=True)
        self.started = now


def _drafts(rng: random.Random, story_ids: list[int], count: int) -> int:
    """Copies of published stories as drafts in review, with their skills: ready to publish. A random generator of
    their own, so the published organisation is the same as without them."""
    from stories.models import Story, TaggedStory

    originals = list(Story.objects.filter(pk__in=rng.sample(story_ids, count)).order_by("pk"))
    skills: dict[int, list[int]] = {}
    for story_id, skill_id in TaggedStory.objects.filter(content_object__in=originals).values_list(
        "content_object_id", "tag_id"
    ):
        skills.setdefault(story_id, []).append(skill_id)
    copies = []
    for n, story in enumerate(originals):
        copies.append((story.pk, story))
        story.pk, story.slug, story.title = None, f"draft-{n}-{story.slug}"[:200], f"{story.title} (draft {n})"
        story.status, story.published_at, story.featured = Story.Status.IN_REVIEW, None, False
    created = _bulk(Story, [story for _pk, story in copies])
    _bulk(
        TaggedStory,
        [
            TaggedStory(content_object_id=copy.pk, tag_id=skill_id)
            for (original, _story), copy in zip(copies, created, strict=True)
            for skill_id in skills[original]
        ],
    )
    return len(created)


def seed_organisation(*, sizes: Sizes, media_root: Path) -> Seeded:
    from careerportal.roles import curators_group_ensure
    from reflection.models import (
        Action,
        Objective,
        PlanShare,
        Reflection,
        SavedStory,
        SelfAssessment,
        StoryVisit,
    )
    from skills.importers import parse_framework_file
    from skills.models import Skill
    from skills.services import framework_import
    from stories import search
    from stories.models import CareerMove, Collection, CollectionItem, Function, Level, Story, Storyteller, TaggedStory
    from stories.services import facet_counts_update, skill_story_counts_update
    from stories.text import render_markdown, render_transcript

    rng = random.Random(RANDOM_SEED)
    text = TextMaker(rng)
    now = timezone.now()
    seeded = Seeded(sizes=sizes, rare_words=text.long_tail[:5])
    timer = Timer(seeded)

    # The framework: an ESCO file through the real importer, as a company would load it.
    with tempfile.TemporaryDirectory(prefix="portal-bench-esco-") as folder:
        skills_path, broader_path = write_esco(Path(folder), sizes.skills, labels=_skill_labels(sizes.skills, rng))
        with skills_path.open("rb") as skills_file, broader_path.open("rb") as broader_file:
            parsed = parse_framework_file(skills_file, filename=skills_path.name, broader_file=broader_file)
        report = framework_import(parsed=parsed)
        if not report.ok:
            raise RuntimeError(f"The generated framework did not import: {report.problems[:3]}")
    skills = list(Skill.objects.filter(framework__code="esco").order_by("pk").values_list("pk", "slug", "parent_id"))
    timer.lap(f"{len(skills):,} skills imported (ESCO format)")

    functions = _bulk(Function, [Function(name=n, slug=slugify(n), position=i) for i, n in enumerate(FUNCTIONS)])
    levels = _bulk(Level, [Level(name=n, slug=slugify(n), rank=i + 1) for i, n in enumerate(LEVELS)])
    tellers = []
    for i in range(sizes.storytellers):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        tellers.append(
            Storyteller(
                name=name,
                slug=f"{slugify(name)}-{i}",
                role_title=rng.choice(ROLES),
                function=rng.choice(functions),
                level=rng.choice(levels),
                bio=" ".join(text.sentence() for _ in range(3)),
                consent_given_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randrange(400)),
                portrait_renditions=_renditions(f"portrait-{i}", 1.0),
            )
        )
    tellers = _bulk(Storyteller, tellers)
    seeded.storyteller_name = tellers[7].name
    timer.lap(f"{len(tellers):,} storytellers")

    # Stories, their skills and moves. Skills are used unevenly (Zipf-like), as in a real library; level 1 and 2
    # of the tree are broad groups, so stories are tagged below them.
    taggable = [pk for pk, _slug, _parent in skills[100:]]
    rng.shuffle(taggable)
    skill_weights = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(taggable))))
    names = dict(Skill.objects.filter(pk__in=taggable).values_list("pk", "name"))
    media_root.joinpath("stories/media").mkdir(parents=True, exist_ok=True)
    media_root.joinpath("stories/captions").mkdir(parents=True, exist_ok=True)
    media_root.joinpath("stories/media/bench.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2000)
    media_root.joinpath("stories/media/bench.mp3").write_bytes(b"ID3\x04\x00" + b"\x00" * 2000)
    media_root.joinpath("stories/captions/bench.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nHello.\n")
    formats = [Story.Format.VIDEO] * 45 + [Story.Format.PODCAST] * 30 + [Story.Format.TEXT] * 25
    kinds = list(CareerMove.Kind.values)
    tagged, total_words, story_count, move_count = [], 0, 0, 0
    for start in range(0, sizes.stories, 250):
        batch, batch_skills, moves = [], [], []
        for i in range(start, min(start + 250, sizes.stories)):
            teller = tellers[i % len(tellers)] if i < len(tellers) else rng.choice(tellers)
            story_skills = list(dict.fromkeys(rng.choices(taggable, cum_weights=skill_weights, k=rng.randint(3, 6))))
            kind = rng.choice(kinds)
            from_function, to_function = rng.choice(functions), rng.choice(functions)
            from_role, to_role = rng.choice(ROLES), rng.choice(ROLES)
            skill = names[story_skills[0]]
            title = rng.choice(TITLES).format(
                from_role=from_role,
                to_role=to_role,
                from_function=from_function.name,
                to_function=to_function.name,
                skill=skill,
                skill_noun=skill.split(" ", 1)[-1],
            )
            story_format = rng.choice(formats)
            sentences = text.speech(sizes.transcript_words, [names[pk] for pk in story_skills])
            total_words += sum(sentence.count(" ") + 1 for sentence in sentences)
            summary = " ".join(text.sentence() for _ in range(2))[:590]
            story = Story(
                title=title,
                slug=f"{slugify(title)[:80]}-{i}",
                storyteller=teller,
                format=story_format,
                status=Story.Status.PUBLISHED,
                featured=i % 400 == 7,
                summary=summary,
                published_at=now - datetime.timedelta(minutes=37 * (sizes.stories - i)),
            )
            if story_format == Story.Format.TEXT:
                story.body = _paragraphs(sentences)
            else:
                story.body = _paragraphs([text.sentence() for _ in range(5)])
                story.transcript = _paragraphs(sentences)
                story.transcript_cues = _cues(sentences)
                story.duration_seconds = int(story.transcript_cues[-1][1])
                story.media = f"stories/media/bench.{'mp4' if story_format == Story.Format.VIDEO else 'mp3'}"
                story.captions = "stories/captions/bench.vtt"
                if story_format == Story.Format.VIDEO:
                    story.poster_renditions = _renditions(f"poster-{i}", 9 / 16)
            story.body_html = render_markdown(story.body)
            story.transcript_html = render_transcript(transcript=story.transcript, cues=story.transcript_cues)
            batch.append(story)
            batch_skills.append(story_skills)
            moves.extend(
                CareerMove(
                    story=story,
                    position=n,
                    kind=kind if n == 0 else rng.choice(kinds),
                    from_role=from_role,
                    from_function=from_function,
                    to_role=to_role,
                    to_function=to_function,
                    year=2010 + rng.randrange(16),
                )
                for n in range(rng.randint(1, 3))
            )
        for story, story_skills in zip(_bulk(Story, batch), batch_skills, strict=True):
            tagged.extend(TaggedStory(content_object_id=story.pk, tag_id=pk) for pk in story_skills)
        move_count += len(_bulk(CareerMove, moves))
        story_count += len(batch)
    _bulk(TaggedStory, tagged)
    seeded.words_per_story = round(total_words / max(1, story_count))
    timer.lap(f"{story_count:,} stories, {seeded.words_per_story:,} words; {len(tagged):,} tags, {move_count:,} moves")

    # The benchmark's handles: the most used skill (its filtered list is the heaviest), and the level-3 skill whose
    # own page (its stories and its sub-skills' stories) lists the most.
    uses = Counter(tag.tag_id for tag in tagged)
    slugs = {pk: slug for pk, slug, _parent in skills}
    top_skill = uses.most_common(1)[0][0]
    seeded.filter_skill_slug = slugs[top_skill]
    seeded.skill_name = names[top_skill]
    seeded.alternative_label = Skill.objects.get(pk=top_skill).alternative_label_list[0]
    parents = {pk: parent for pk, _slug, parent in skills}
    page_counts = Counter()
    for pk, n in uses.items():
        page_counts[pk] += n
        if parents[pk] is not None:
            page_counts[parents[pk]] += n
    seeded.skill_page_slug = slugs[max((pk for pk, _s, _p in skills[100:1000]), key=lambda pk: page_counts[pk])]
    story_ids = list(Story.objects.order_by("pk").values_list("pk", flat=True))
    video = Story.objects.filter(format=Story.Format.VIDEO).order_by("-published_at").first()
    seeded.story_slug = video.slug

    # Employees: one password hash for all (hashing 20,000 times would take minutes and measure nothing).
    password = make_password(PASSWORD)
    User = get_user_model()
    users = [
        User(
            username=f"employee{i:05d}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            email=f"employee{i:05d}@example.com",
            password=password,
        )
        for i in range(1, sizes.employees)
    ]
    users.insert(
        0,
        User(username=BENCH_USERNAME, first_name="Bea", last_name="Bench", email="bea@example.com", password=password),
    )
    user_ids = [user.pk for user in _bulk(User, users)]
    me, manager, curator = user_ids[0], user_ids[1], user_ids[2]
    curator_user = User.objects.get(pk=curator)
    curator_user.is_staff = True
    curator_user.save(update_fields=["is_staff"])
    curator_user.groups.add(curators_group_ensure())
    seeded.curator_username = curator_user.username
    timer.lap(f"{len(user_ids):,} employees, {curator_user.username} a curator")

    # Explored stories: popular stories are explored more, and some employees explore far more than others.
    story_weights = list(accumulate(1 / (rank + 1) ** 0.6 for rank in range(len(story_ids))))
    user_weights = list(accumulate(rng.uniform(0.2, 3) for _ in user_ids))
    pairs = {(me, pk) for pk in rng.sample(story_ids, 40)} | {(me, video.pk)}
    while len(pairs) < sizes.visits:
        owners = rng.choices(user_ids, cum_weights=user_weights, k=sizes.visits)
        stories = rng.choices(story_ids, cum_weights=story_weights, k=sizes.visits)
        pairs.update(list(zip(owners, stories, strict=True))[: sizes.visits - len(pairs)])
    visits = []
    for owner, story in pairs:
        first = now - datetime.timedelta(minutes=rng.randrange(1, 525_600))
        visits.append(
            StoryVisit(
                owner_id=owner,
                story_id=story,
                first_visited_at=first,
                visits=rng.randint(1, 6),
                last_visited_at=first + (now - first) * rng.random(),
                furthest_seconds=rng.choice([None, rng.randrange(1, 600)]),
            )
        )
    _bulk(StoryVisit, visits)
    saved = {(me, pk) for pk in rng.sample(story_ids, 8)} | {
        (rng.choice(user_ids), rng.choice(story_ids)) for _ in range(sizes.visits // 15)
    }
    _bulk(SavedStory, [SavedStory(owner_id=owner, story_id=story) for owner, story in saved])
    timer.lap(f"{len(visits):,} explored stories, {len(saved):,} saved")

    # Plans: objectives with the skills they build and the stories behind them, actions, self-assessments.
    owners = [me] * 6 + rng.choices(user_ids, cum_weights=user_weights, k=sizes.objectives - 6)
    statuses = [
        Objective.Status.NOT_STARTED,
        Objective.Status.ON_TRACK,
        Objective.Status.ON_TRACK,
        Objective.Status.AT_RISK,
        Objective.Status.DONE,
        Objective.Status.DROPPED,
    ]
    today = timezone.localdate()
    objectives = _bulk(
        Objective,
        [
            Objective(
                owner_id=owner,
                title=text.sentence()[:120],
                why=text.sentence(),
                success_measure=text.sentence(),
                status=Objective.OPEN[i % 3] if owner == me else rng.choice(statuses),
                target_date=today + datetime.timedelta(days=rng.randrange(-60, 400)),
            )
            for i, owner in enumerate(owners)
        ],
    )
    popular = [pk for pk, _n in uses.most_common(300)]
    objective_skills, objective_stories, actions = [], [], []
    for objective in objectives:
        for skill in set(rng.sample(popular, rng.randint(1, 2))):
            objective_skills.append(Objective.skills.through(objective_id=objective.pk, skill_id=skill))
        if rng.random() < 0.5:
            story = rng.choice(story_ids)
            objective_stories.append(Objective.stories.through(objective_id=objective.pk, story_id=story))
        for _ in range(rng.randint(1, 3)):
            due = today + datetime.timedelta(days=rng.randrange(-30, 120))
            actions.append(
                Action(
                    objective=objective,
                    kind=rng.choice(Action.Kind.values),
                    title=text.sentence()[:150],
                    due_date=due,
                    done_at=now if rng.random() < 0.3 else None,
                )
            )
    _bulk(Objective.skills.through, objective_skills)
    _bulk(Objective.stories.through, objective_stories)
    _bulk(Action, actions)
    assessments = [
        SelfAssessment(owner_id=me, skill_id=pk, level=2, wants_to_develop=True, is_strength=False)
        for pk in popular[10:15]
    ] + [
        SelfAssessment(
            owner_id=rng.choice(user_ids),
            skill_id=rng.choice(popular),
            level=rng.randint(1, 4),
            wants_to_develop=rng.random() < 0.5,
            is_strength=rng.random() < 0.3,
        )
        for _ in range(sizes.objectives // 2)
    ]
    _bulk(SelfAssessment, assessments)
    reflections = [
        Reflection(
            owner_id=owner,
            story_id=rng.choice(story_ids),
            what_they_did=text.sentence(),
            what_i_could_try=text.sentence(),
        )
        for owner in [me] * 3 + rng.choices(user_ids, k=sizes.objectives // 5)
    ]
    _bulk(Reflection, reflections)
    sharing = zip(rng.sample(user_ids, len(user_ids) // 7), rng.sample(user_ids, len(user_ids) // 7), strict=True)
    shares = {(me, manager)} | {(owner, colleague) for owner, colleague in sharing if me != owner != colleague}
    _bulk(PlanShare, [PlanShare(owner_id=owner, shared_with_id=colleague) for owner, colleague in shares])
    timer.lap(f"{len(objectives):,} objectives, {len(actions):,} actions, {len(assessments):,} assessments")

    # Featured collections for the home page (shared by link), and two of the employee's own.
    collections = _bulk(
        Collection,
        [
            Collection(
                owner_id=curator,
                title=f"Moves into {name}",
                is_featured=True,  # only a collection shared by link can be: the link key is the seed's own
                link_key=f"{rng.getrandbits(192):048x}",
                introduction=text.sentence(),
            )
            for name in FUNCTIONS[:4]
        ]
        + [Collection(owner_id=me, title=f"For my conversation {n}") for n in (1, 2)],
    )
    seeded.collection_id = collections[-1].pk
    _bulk(
        CollectionItem,
        [
            CollectionItem(collection=c, story_id=pk, position=n)
            for c in collections
            for n, pk in enumerate(rng.sample(story_ids, 8))
        ],
    )

    drafts = _drafts(random.Random(RANDOM_SEED + 1), story_ids, sizes.drafts)
    timer.lap(f"{drafts:,} drafts ready to publish")

    with transaction.atomic():
        documents = search.documents_rebuild()
        skill_story_counts_update()
        facet_counts_update()
    timer.lap(f"search index, skill and facet counts: {documents:,} documents (as rebuild_search_index)")
    # Statistics for the planner after a bulk load: PostgreSQL's autovacuum would gather them soon; SQLite never does
    # on its own, and without them it may count facets through the wrong index (the README's "Production" says when
    # to run ANALYZE).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    timer.lap("ANALYZE")

    seeded.rows = {
        "published stories": Story.objects.published().count(),
        "storytellers": Storyteller.objects.count(),
        "skills": Skill.objects.count(),
        "story tags": TaggedStory.objects.count(),
        "employees": User.objects.count(),
        "explored stories": StoryVisit.objects.count(),
        "objectives": Objective.objects.count(),
        "actions": Action.objects.count(),
        "drafts": drafts,
        "search documents": documents,
    }
    return seeded
