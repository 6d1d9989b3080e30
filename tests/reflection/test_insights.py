"""HR insights: curators only, aggregates only, small counts masked, fixed queries."""

import csv
import datetime
import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from reflection.models import Objective, Reflection, SavedStory, StoryVisit
from stories.models import CareerMove, Story
from tests.factories import (
    CareerMoveFactory,
    FunctionFactory,
    LevelFactory,
    ProfileFactory,
    SkillFactory,
    StoryFactory,
    StorytellerFactory,
    UserFactory,
)
from tests.reflection.factories import ConversationRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity():
    """One story explored by 7 people, another by 2 (one of them 'Zoe Quinn', who must never show)."""
    negotiation = SkillFactory(name="Negotiation")
    popular = StoryFactory(title="Popular story", skills=[negotiation])
    niche = StoryFactory(title="Niche story", skills=[SkillFactory(name="Courage")])
    people = [UserFactory(first_name="Zoe", last_name="Quinn", username="zoe")] + UserFactory.create_batch(6)
    for person in people:
        StoryVisit.objects.create(owner=person, story=popular)
    for person in people[:2]:
        StoryVisit.objects.create(owner=person, story=niche)
    SavedStory.objects.create(owner=people[0], story=niche)
    Reflection.objects.create(owner=people[0], story=niche, what_i_could_try="Ask for a secondment")
    objective = Objective.objects.create(owner=people[0], title="Secret objective of Zoe")
    objective.skills.set([negotiation])
    return {"popular": popular, "niche": niche}


def test_only_curators_see_insights(employee_client, curator_client, client, employee):
    for url in [reverse("insights:coverage"), reverse("insights:engagement")]:
        assert curator_client.get(url).status_code == 200
    client.force_login(employee)
    for url in [reverse("insights:coverage"), reverse("insights:engagement")]:
        assert client.get(url).status_code == 403


def test_engagement_masks_counts_below_the_threshold(curator_client, activity):
    response = curator_client.get(reverse("insights:engagement"))
    top = {title: str(count) for title, _, count in response.context["top_stories"]}
    assert top == {"Popular story": "5", "Niche story": "fewer than 5"}
    content = response.content.decode()
    assert "fewer than 5" in content
    # bars are drawn from the shown counts: a masked count gets nothing, the largest sets the scale
    assert '<progress max="5" value="5"' in content
    assert '<progress max="5" value="0"' in content
    assert 'max="7"' not in content


def test_no_insight_page_or_download_reveals_an_individual(curator_client, activity):
    pages = [
        reverse("insights:coverage"),
        reverse("insights:engagement"),
        *(
            f"{reverse('insights:engagement')}?download={table}"
            for table in ("stories", "skills", "trend", "functions", "levels")
        ),
        *(f"{reverse('insights:coverage')}?download={table}" for table in ("grid", "skills", "formats", "moves")),
    ]
    for url in pages:
        content = curator_client.get(url).content.decode()
        for private in ["Zoe", "Quinn", "zoe@example.com", "Secret objective", "Ask for a secondment"]:
            # As a word: a page's random CSRF token may hold "Zoe" inside it (one page in a few hundred).
            assert not re.search(rf"\b{re.escape(private)}\b", content), (url, private)


def test_engagement_by_skill_counts_people_and_plans(curator_client, activity):
    response = curator_client.get(f"{reverse('insights:engagement')}?download=skills")
    rows = response.content.decode().splitlines()
    assert rows[0] == "skill,people who explored,people who saved,people who reflected,people who set objectives"
    assert "Negotiation,5,fewer than 5,fewer than 5,fewer than 5" in rows


def test_engagement_counts_people_not_their_reflections_or_objectives(curator_client):
    """Six objectives or reflections by one person are one person: not enough to show."""
    skill = SkillFactory(name="Courage")
    story = StoryFactory(skills=[skill])
    person = UserFactory()
    for n in range(6):
        Reflection.objects.create(owner=person, story=story, what_i_could_try=f"Idea {n}")
        Objective.objects.create(owner=person, title=f"Objective {n}").skills.set([skill])
    response = curator_client.get(f"{reverse('insights:engagement')}?download=skills")
    assert "Courage,fewer than 5,fewer than 5,fewer than 5,fewer than 5" in response.content.decode().splitlines()


def test_period_limits_engagement(curator_client, activity):
    StoryVisit.objects.update(last_visited_at=timezone.now() - datetime.timedelta(days=200))
    assert curator_client.get(f"{reverse('insights:engagement')}?days=90").context["top_stories"] == []
    assert len(curator_client.get(f"{reverse('insights:engagement')}?days=365").context["top_stories"]) == 2
    assert curator_client.get(f"{reverse('insights:engagement')}?days=bogus").context["period"] == "90"


def test_coverage_grid_counts_storytellers_and_published_stories(curator_client):
    finance, director = FunctionFactory(name="Finance"), LevelFactory(name="Director")
    teller = StorytellerFactory(function=finance, level=director)
    StoryFactory.create_batch(2, storyteller=teller)
    StoryFactory(storyteller=teller, status=Story.Status.DRAFT)
    response = curator_client.get(f"{reverse('insights:coverage')}?download=grid")
    assert "Director,Finance,1,2" in response.content.decode().splitlines()


@pytest.mark.parametrize("people", [3, 60])
def test_insight_pages_keep_their_query_counts(curator_client, django_assert_num_queries, people):
    stories = StoryFactory.create_batch(5, skills=[SkillFactory()])
    for person in UserFactory.create_batch(people):
        StoryVisit.objects.bulk_create([StoryVisit(owner=person, story=story) for story in stories])
    # 12 and 11 since curators are known by their group (one query), not by two queries loading their permissions.
    with django_assert_num_queries(12):
        curator_client.get(reverse("insights:coverage"))
    # The total counts people only: no count of explorations. Who explores (by function and by level) takes 2; what
    # stories led to: three tables, one query each.
    with django_assert_num_queries(16):
        curator_client.get(reverse("insights:engagement"))


# Differencing attack: stories explored by 1, 2, 4, 5, 6 and 7 people over the periods on offer.
AGES = {"recent": 10, "middle": 60, "old": 200}  # days ago: in all three periods, in 90 and 365, in 365 only
CROWDS = {  # story (and its one skill) -> people who explored it in each age band
    "Alpha": {"recent": 5, "middle": 1, "old": 1},  # 5, 6, 7 over 30, 90, 365 days
    "Beta": {"recent": 4, "middle": 0, "old": 2},  # 4, 4, 6
    "Gamma": {"recent": 1, "middle": 1, "old": 0},  # 1, 2, 2
    "Delta": {"recent": 2, "middle": 2, "old": 3},  # 2, 4, 7
}


def _true_count(name: str, days: int) -> int:
    return sum(n for band, n in CROWDS[name].items() if AGES[band] <= days)


@pytest.fixture
def crowds():
    now = timezone.now()
    for name, bands in CROWDS.items():
        story = StoryFactory(title=name, skills=[SkillFactory(name=name)])
        for band, people in bands.items():
            when = now - datetime.timedelta(days=AGES[band])
            for person in UserFactory.create_batch(people):
                StoryVisit.objects.create(owner=person, story=story, first_visited_at=when, last_visited_at=when)
                SavedStory.objects.create(owner=person, story=story, saved_at=when)


def _shown(client, days: int) -> tuple[dict, list[int]]:
    """Every count a curator can read for one period, by table, row and column (None: "fewer than 5"), and the
    numbers in every bar's attributes."""
    url = reverse("insights:engagement")
    page = client.get(f"{url}?days={days}").content.decode()
    shown = {("people",): re.search(r"<p>([^<]*) people explored stories", page).group(1)}
    for table in ("stories", "skills", "trend", "functions", "levels"):
        header, *rows = csv.reader(client.get(f"{url}?days={days}&download={table}").content.decode().splitlines())
        for label, *cells in rows:
            shown |= {(table, label, column): cell for column, cell in zip(header[1:], cells, strict=True)}
    counts = {key: None if text.startswith("fewer than") else int(text.replace(",", "")) for key, text in shown.items()}
    bars = [int(n) for pair in re.findall(r'<progress max="(\d+)" value="(\d+)"', page) for n in pair]
    return counts, bars


def test_no_insight_number_is_a_count_of_fewer_than_five_people(curator_client, crowds):
    for days in (30, 90, 365):
        counts, bars = _shown(curator_client, days)
        assert bars
        for key, count in counts.items():
            assert count is None or (count >= 5 and count % 5 == 0), (days, key, count)
        for number in bars:
            assert number % 5 == 0, (days, number)
        for name in CROWDS:
            if _true_count(name, days) < 5:
                assert counts[("stories", name, "people")] is None
                assert counts[("skills", name, "people who explored")] is None


def test_comparing_periods_or_totals_with_rows_reveals_no_small_count(curator_client, crowds):
    periods = {days: _shown(curator_client, days)[0] for days in (30, 90, 365)}
    for (short, shorter), (long, longer) in itertools.combinations(periods.items(), 2):
        for key in shorter.keys() & longer.keys():
            if shorter[key] is not None and longer[key] is not None:
                assert longer[key] - shorter[key] not in range(1, 5), (key, short, long)
    for days, counts in periods.items():
        for table, column in [("stories", "people"), ("skills", "people who explored")]:
            visible = sum(counts[(table, name, column)] or 0 for name in CROWDS if (table, name, column) in counts)
            assert counts[("people",)] - visible not in range(1, 5), (days, table)


# Who explores: function and level from the directory, with the same rule.


@pytest.fixture
def explorers():
    """Sales: 9 people at two levels, 6 of whom explored a lateral move; Finance: 3 people, all on the lateral move;
    2 people without a profile."""
    sales, finance = FunctionFactory(name="Sales", position=1), FunctionFactory(name="Finance", position=2)
    associate, professional = LevelFactory(name="Associate", rank=1), LevelFactory(name="Professional", rank=2)
    lateral = StoryFactory(title="Sideways")
    CareerMoveFactory(story=lateral, kind=CareerMove.Kind.LATERAL)
    CareerMoveFactory(story=lateral, kind=CareerMove.Kind.PROMOTION)  # a second move of the same story
    other = StoryFactory(title="Up")
    CareerMoveFactory(story=other, kind=CareerMove.Kind.PROMOTION)
    people = {
        (sales, associate, lateral): 4,
        (sales, professional, lateral): 2,
        (sales, professional, other): 3,
        (finance, professional, lateral): 3,
        (None, None, other): 2,
    }
    for (function, level, story), n in people.items():
        for _ in range(n):
            user = UserFactory()
            if function:
                ProfileFactory(user=user, function=function, level=level)
            StoryVisit.objects.create(owner=user, story=story)
            if story != other:  # everyone saw "Up" too: people, not visits, are counted
                StoryVisit.objects.create(owner=user, story=other)


def _table(client, table: str) -> dict[str, dict[str, str]]:
    header, *rows = csv.reader(
        client.get(f"{reverse('insights:engagement')}?download={table}").content.decode().splitlines()
    )
    return {name: dict(zip(header[1:], cells, strict=True)) for name, *cells in rows}


def test_who_explores_counts_people_by_their_function_and_level_in_the_directory(curator_client, explorers):
    functions = _table(curator_client, "functions")
    assert list(functions) == ["Sales", "Finance", "Not recorded in the directory"]  # the directory's order
    assert functions["Sales"]["people exploring"] == "10"  # 9, rounded to a multiple of 5
    assert functions["Sales"]["people exploring: Lateral move"] == "5"  # 6
    assert functions["Sales"]["people exploring: Promotion"] == "10"  # 9
    assert functions["Sales"]["people exploring: Secondment"] == "fewer than 5"
    assert set(functions["Finance"].values()) | set(functions["Not recorded in the directory"].values()) == {
        "fewer than 5"
    }
    levels = _table(curator_client, "levels")
    assert levels["Professional"]["people exploring"] == "10"  # 8 in two functions
    assert levels["Associate"]["people exploring: Lateral move"] == "fewer than 5"  # 4


def test_who_explores_reveals_no_small_group_by_any_route(curator_client, explorers):
    """No count under 5, and no row, column or total differs from another by 1 to 4 people."""
    page = curator_client.get(reverse("insights:engagement"))
    content = page.content.decode()
    assert "Who explores" in content and "Lateral move" in content
    total = int(re.search(r"<p>([^<]*) people explored stories", content).group(1))
    for table in ("functions", "levels"):
        rows = _table(curator_client, table)
        counts = [None if cell.startswith("fewer") else int(cell) for row in rows.values() for cell in row.values()]
        assert all(count is None or (count >= 5 and count % 5 == 0) for count in counts), (table, counts)
        shown = sum(int(row["people exploring"]) for row in rows.values() if not row["people exploring"][0] == "f")
        assert total - shown not in range(1, 5), table


def test_engagement_shows_what_stories_led_to_by_skill_function_and_month_never_who_asked_whom(curator_client):
    """Six people asked Priya for a conversation after her story, two asked for mentoring: the first shows, the
    second is masked, and neither the askers nor the storyteller is named."""
    priya = UserFactory(username="priya", first_name="Priya", last_name="Shah")
    teller = StorytellerFactory(name="Priya Shah", function=FunctionFactory(name="Finance"), account=priya)
    story = StoryFactory(storyteller=teller, skills=[SkillFactory(name="Negotiation")])
    askers = [UserFactory(first_name="Zoe", last_name="Quinn", username="zoe")] + UserFactory.create_batch(5)
    for person in askers:
        ConversationRequestFactory(owner=person, colleague=priya, story=story, message="Zoe would like to talk")
    for person in askers[:2]:  # after the first was held
        ConversationRequestFactory(owner=person, colleague=priya, story=story, kind="mentoring", state="held")
    ConversationRequestFactory.create_batch(6, colleague=priya)  # not from a story: not counted

    response = curator_client.get(reverse("insights:engagement"))

    asks = response.context["asks"]
    shown = {
        table: [(label, [str(count) for count in counts]) for label, counts in asks[table]]
        for table in ("skills", "functions", "months")
    }
    cells = ["5", "fewer than 5", "fewer than 5"]  # conversation, mentoring, shadowing
    assert shown["skills"] == [("Negotiation", cells)]
    assert shown["functions"] == [("Finance", cells)]
    assert shown["months"] == [(date_format(timezone.localdate(), "F Y"), cells)]
    content = response.content.decode()
    assert "People who asked for mentoring" in content
    for private in ["Zoe", "Quinn", "Priya", "Shah", "would like to talk"]:
        assert not re.search(rf"\b{re.escape(private)}\b", content), private
