import datetime
import re
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from reflection.services import self_assess
from skills.models import Skill
from stories import selectors
from stories.models import CareerMove, Collection, CollectionItem, Story
from tests.factories import (
    CareerMoveFactory,
    FunctionFactory,
    LevelFactory,
    SkillFactory,
    StoryFactory,
    StorytellerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    """A small library where filters have something to tell apart."""
    finance, sales = (
        FunctionFactory(name="Finance", slug="finance"),
        FunctionFactory(name="Sales", slug="sales"),
    )
    junior, senior = (
        LevelFactory(name="Associate", slug="associate"),
        LevelFactory(name="Director", slug="director"),
    )
    negotiation, resilience = (
        SkillFactory(name="Negotiation"),
        SkillFactory(name="Resilience", kind="strength"),
    )
    amara = StorytellerFactory(name="Amara", function=finance, level=junior)
    ben = StorytellerFactory(name="Ben", function=sales, level=senior)
    stories = {
        "finance_text": StoryFactory(title="Into finance", storyteller=amara, skills=[negotiation, resilience]),
        "finance_video": StoryFactory(title="Numbers on camera", storyteller=amara, video=True, skills=[negotiation]),
        "sales_podcast": StoryFactory(title="Sales abroad", storyteller=ben, podcast=True, skills=[resilience]),
        "draft": StoryFactory(title="Not yet", storyteller=ben, status=Story.Status.DRAFT, skills=[negotiation]),
    }
    CareerMoveFactory(story=stories["finance_text"], kind=CareerMove.Kind.LATERAL)
    CareerMoveFactory(story=stories["sales_podcast"], kind=CareerMove.Kind.INTERNATIONAL)
    CareerMoveFactory(story=stories["sales_podcast"], kind=CareerMove.Kind.INTERNATIONAL, year=2025)
    return {"negotiation": negotiation, "resilience": resilience, **stories}


def titles(response) -> list[str]:
    return sorted(story.title for story in response.context["page"].object_list)


def facet(response, name) -> dict[str, int]:
    return {option.value: option.count for option in response.context["facets"][name]}


def test_anonymous_visitor_is_sent_to_log_in(client, library):
    for url in ["/", "/stories/", "/stories/into-finance/", "/skills/", reverse("stories:media", args=["x"])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_health_check_needs_no_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_story_list_shows_published_stories_only(employee_client, library):
    response = employee_client.get("/stories/")
    assert titles(response) == ["Into finance", "Numbers on camera", "Sales abroad"]
    assert b"Not yet" not in response.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"function": "finance"}, ["Into finance", "Numbers on camera"]),
        ({"level": "director"}, ["Sales abroad"]),
        ({"format": "podcast"}, ["Sales abroad"]),
        ({"move": "international"}, ["Sales abroad"]),
        ({"move": "lateral", "function": "finance"}, ["Into finance"]),
        ({"function": "finance", "format": "video"}, ["Numbers on camera"]),
        ({"function": "sales", "format": "video"}, []),
    ],
)
def test_filters_combine(employee_client, library, query, expected):
    assert titles(employee_client.get("/stories/", query)) == expected


@pytest.mark.parametrize("listed_from_tags_up_to", [0, 1000])
def test_skill_filter_uses_the_skill_slug(employee_client, library, monkeypatch, listed_from_tags_up_to):
    # A skill's stories are the same, in the same order, whether read from its tags or by walking the stories.
    monkeypatch.setattr(selectors, "LISTED_FROM_TAGS_UP_TO", listed_from_tags_up_to)
    response = employee_client.get("/stories/", {"skill": library["resilience"].slug})
    newest_first = Story.objects.published().filter(skills=library["resilience"]).values_list("title", flat=True)
    assert [story.title for story in response.context["page"].object_list] == list(newest_first)
    assert titles(response) == ["Into finance", "Sales abroad"]
    assert facet(response, "format") == {"text": 1, "podcast": 1}


@pytest.mark.parametrize("typed", ["Resilience", "  resilience ", "bouncing back"])
def test_skill_filter_reads_a_typed_name_or_alternative_label(employee_client, library, typed):
    resilience = library["resilience"]
    resilience.alternative_labels = "Grit\nBouncing back"
    resilience.save()
    response = employee_client.get("/stories/", {"skill": typed})
    assert titles(response) == ["Into finance", "Sales abroad"]
    assert response.context["problems"] == []
    assert 'value="Resilience"' in response.content.decode()  # the box shows the skill it understood


def test_an_unknown_typed_skill_is_reported_kept_in_the_box_and_ignored(employee_client, library):
    response = employee_client.get("/stories/", {"skill": "Juggling <b>", "format": "podcast"})
    assert titles(response) == ["Sales abroad"]
    page = response.content.decode()
    assert "No skill or strength is called “Juggling &lt;b&gt;”" in page
    assert 'value="Juggling &lt;b&gt;"' in page


def test_an_alternative_label_shared_by_two_skills_is_not_guessed(employee_client, library):
    for skill in (library["negotiation"], library["resilience"]):
        skill.alternative_labels = "Staying power"
        skill.save()
    response = employee_client.get("/stories/", {"skill": "staying power"})
    assert len(response.context["page"].object_list) == 3
    assert response.context["problems"]


def test_the_skill_box_offers_the_most_used_skills_with_counts(employee_client, library):
    page = employee_client.get("/stories/").content.decode()
    assert '<option value="Negotiation">2 stories</option>' in page
    assert '<option value="Resilience">2 stories</option>' in page


def test_the_skill_box_offers_at_most_forty_skills(employee_client, db):
    story = StoryFactory(skills=SkillFactory.create_batch(45))
    response = employee_client.get("/stories/")
    assert len(response.context["facets"]["skill"]) == 40
    assert titles(employee_client.get("/stories/", {"skill": story.skills.order_by("-name")[0].name})) == [story.title]


def test_skill_suggestions_match_names_and_alternative_labels(employee_client, library):
    library["negotiation"].alternative_labels = "Haggling\nDeal making"
    library["negotiation"].save()
    SkillFactory(name="Dealing with ambiguity")
    SkillFactory(name="Dealer relations", is_retired=True)
    response = employee_client.get(reverse("skills:suggest"), {"q": "deal"})
    assert response.json() == {
        "skills": [{"name": "Dealing with ambiguity", "also": ""}, {"name": "Negotiation", "also": "Deal making"}]
    }
    assert employee_client.get(reverse("skills:suggest"), {"q": "d"}).json() == {"skills": []}
    assert employee_client.get(reverse("skills:suggest"), {"q": "%' OR 1=1 --"}).json() == {"skills": []}


def test_skill_suggestions_need_a_login(client, library):
    response = client.get(reverse("skills:suggest"), {"q": "neg"})
    assert response.status_code == 302


def test_each_filter_option_counts_the_stories_it_would_leave(employee_client, library):
    response = employee_client.get("/stories/", {"function": "finance"})
    # Function counts ignore the function filter itself; the other facets are narrowed to finance.
    assert facet(response, "function") == {"finance": 2, "sales": 1}
    assert facet(response, "format") == {"text": 1, "video": 1}
    assert facet(response, "skill") == {library["negotiation"].slug: 2, library["resilience"].slug: 1}
    assert facet(response, "move") == {"lateral": 1}
    assert "Finance (2)" in response.content.decode()


def test_function_and_level_options_are_counted_apart_in_their_display_order(employee_client, db):
    sales, finance = FunctionFactory(name="Sales", position=1), FunctionFactory(name="Finance", position=2)
    senior, junior = LevelFactory(name="Senior", rank=3), LevelFactory(name="Junior", rank=1)
    FunctionFactory(name="Legal", position=0)  # no stories: not offered
    for function, level, count in ((finance, junior, 2), (finance, senior, 1), (sales, senior, 3)):
        StoryFactory.create_batch(count, storyteller=StorytellerFactory(function=function, level=level))

    response = employee_client.get("/stories/", {"level": senior.slug})

    # Functions are counted among senior stories; levels ignore the level filter itself.
    assert list(facet(response, "function").items()) == [(sales.slug, 3), (finance.slug, 1)]
    assert list(facet(response, "level").items()) == [(junior.slug, 2), (senior.slug, 4)]
    response = employee_client.get("/stories/", {"function": finance.slug, "level": junior.slug})
    assert facet(response, "function") == {finance.slug: 2}
    assert facet(response, "level") == {junior.slug: 2, senior.slug: 1}


def test_move_facet_counts_a_story_once_even_with_two_moves_of_that_kind(employee_client, library):
    assert facet(employee_client.get("/stories/"), "move") == {"lateral": 1, "international": 1}
    assert titles(employee_client.get("/stories/", {"move": "international"})) == ["Sales abroad"]


def test_unknown_filter_value_is_reported_and_ignored(employee_client, library):
    response = employee_client.get("/stories/", {"function": "astrology", "format": "video"})
    assert titles(response) == ["Numbers on camera"]
    assert "“astrology” is not one of the choices" in response.content.decode()
    assert "astrology (" not in response.content.decode()  # not offered as an option


@pytest.mark.parametrize("url, query", [("/stories/", {}), ("/search/", {"q": "finance"})])
def test_a_chosen_filter_with_no_stories_shows_its_name_not_its_code(employee_client, library, url, query):
    FunctionFactory(name="Legal", slug="legal")
    LevelFactory(name="Vice president", slug="vice-president")
    chosen = {"function": "legal", "level": "vice-president", "format": "podcast", "move": "secondment"}
    content = employee_client.get(url, {**query, **chosen}).content.decode()
    for label in ("Legal", "Vice president", "Podcast", "Secondment"):
        assert f"selected>{label} (0)</option>" in content
    for code in ("legal", "vice-president", "podcast", "secondment"):
        assert f">{code} (0)<" not in content


def test_pagination_keeps_the_filters(employee_client, db):
    function = FunctionFactory(slug="finance")
    StoryFactory.create_batch(14, storyteller=StorytellerFactory(function=function))
    StoryFactory.create_batch(3)
    first = employee_client.get("/stories/", {"function": "finance"})
    assert first.context["page"].paginator.count == 14
    assert 'href="?function=finance&amp;page=2"' in first.content.decode()
    second = employee_client.get("/stories/", {"function": "finance", "page": 2})
    assert len(second.context["page"].object_list) == 2


def test_removing_an_active_filter_keeps_the_others(employee_client, library):
    response = employee_client.get("/stories/", {"function": "finance", "format": "video", "page": "1"})
    assert ("Finance", "?format=video") in response.context["active"]
    assert ("Video", "?function=finance") in response.context["active"]


@pytest.mark.parametrize("url, query", [("/stories/", {}), ("/search/", {"q": "finance"})])
def test_the_filter_panel_is_folded_or_open_in_the_html_itself(employee_client, library, url, query):
    """Folded on phones until filters are on (CSS keeps it open on wide screens): no script folds it after load."""
    folded = employee_client.get(url, query).content.decode()
    filtered = employee_client.get(url, {**query, "format": "video"}).content.decode()
    assert '<details class="filters">' in folded
    assert '<details class="filters" open>' in filtered


def test_video_story_has_player_with_captions_and_transcript(employee_client, library):
    story = library["finance_video"]
    content = employee_client.get(story.get_absolute_url()).content.decode()
    assert "<video" in content
    assert f'src="{reverse("stories:media", args=[story.slug])}"' in content
    assert f'<track kind="captions" src="{reverse("stories:captions", args=[story.slug])}"' in content
    assert "This is my story." in content


def test_podcast_story_has_audio_player(employee_client, library):
    content = employee_client.get(library["sales_podcast"].get_absolute_url()).content.decode()
    assert "<audio" in content and "<video" not in content
    assert '<track kind="captions"' in content


def test_text_story_renders_sanitised_markdown(employee_client, db):
    story = StoryFactory(body="## Lessons\n\n<script>alert(1)</script>\n\n[a link](javascript:alert(1)) **bold**")
    content = employee_client.get(story.get_absolute_url()).content.decode()
    assert "<h2>Lessons</h2>" in content
    assert "<strong>bold</strong>" in content
    assert "<script>alert" not in content
    assert "javascript:" not in content


def test_shared_moment_starts_the_player_there(employee_client, db):
    url = StoryFactory(video=True, duration_seconds=600).get_absolute_url()
    content = employee_client.get(url, {"t": "95"}).content.decode()
    assert 'data-start="95"' in content and "#t=95" in content and "Starts at 1:35" in content
    assert 'data-start="95"' in employee_client.get(url, {"t": "95.7"}).content.decode()  # decimal: whole seconds
    assert "data-start" not in employee_client.get(url, {"t": ""}).content.decode()


def test_a_moment_past_the_end_starts_the_player_at_the_end(employee_client, db):
    url = StoryFactory(video=True, duration_seconds=600).get_absolute_url()
    assert 'data-start="600"' in employee_client.get(url, {"t": "86400"}).content.decode()


BAD_MOMENTS = ["inf", "-inf", "Infinity", "1e309", "nan", "NaN", "1e3", "-4", "86401", "9" * 400, "soon", "12s", " 5"]


@pytest.mark.parametrize("moment", BAD_MOMENTS)
def test_a_moment_that_is_not_a_number_of_seconds_is_a_400(employee_client, db, moment):
    response = employee_client.get(StoryFactory(video=True).get_absolute_url(), {"t": moment})
    assert response.status_code == 400
    assert "We can't read that link" in response.content.decode()


@pytest.mark.parametrize("previews", [False, True])
def test_a_bad_moment_sends_an_anonymous_visitor_on_as_usual(client, db, settings, previews):
    """Logging in (or the preview card) comes first; the page checks the moment after log-in, and says 400."""
    settings.PORTAL_PUBLIC_PREVIEWS = previews
    url = StoryFactory(video=True).get_absolute_url()
    response = client.get(url, {"t": "inf"})
    if previews:
        assert response.status_code == 200 and "data-start" not in response.content.decode()
    else:
        assert response.status_code == 302 and response["Location"].endswith("%3Ft%3Dinf")


def test_career_moves_show_as_a_timeline(employee_client, library):
    content = employee_client.get(library["finance_text"].get_absolute_url()).content.decode()
    assert 'class="timeline"' in content
    assert "Lateral move" in content and "Account Manager" in content and "Financial Analyst" in content


def test_employee_gets_404_for_unpublished_story_and_its_media(employee_client, library):
    draft = StoryFactory(status=Story.Status.DRAFT, video=True)
    assert employee_client.get(draft.get_absolute_url()).status_code == 404
    assert employee_client.get(reverse("stories:media", args=[draft.slug])).status_code == 404
    assert employee_client.get(reverse("stories:captions", args=[draft.slug])).status_code == 404


def test_curator_previews_an_unpublished_story(curator_client, library):
    response = curator_client.get(library["draft"].get_absolute_url())
    assert response.status_code == 200
    assert "only curators can see it" in response.content.decode()


def test_storyteller_page_lists_their_published_stories(employee_client, library):
    storyteller = library["sales_podcast"].storyteller
    response = employee_client.get(storyteller.get_absolute_url())
    assert [story.title for story in response.context["stories"]] == ["Sales abroad"]


def test_storyteller_without_consent_is_hidden_from_employees(employee_client, db):
    storyteller = StorytellerFactory(consent_given_on=None)
    assert employee_client.get(storyteller.get_absolute_url()).status_code == 404


def test_curator_sees_storyteller_without_consent(curator_client, db):
    storyteller = StorytellerFactory(consent_given_on=None)
    assert curator_client.get(storyteller.get_absolute_url()).status_code == 200


def test_story_media_answers_range_requests(employee_client, library):
    url = reverse("stories:media", args=[library["finance_video"].slug])
    response = employee_client.get(url, headers={"range": "bytes=0-11"})
    assert response.status_code == 206
    assert response["Content-Range"].startswith("bytes 0-11/")
    assert b"".join(response.streaming_content) == b"\x00\x00\x00\x18ftypmp42"
    assert employee_client.get(url, headers={"range": "bytes=999999-"}).status_code == 416


def test_story_media_are_served_as_the_type_stored_at_upload_whatever_the_file_is_named(employee_client, db):
    story = StoryFactory(video=True)
    Story.objects.filter(pk=story.pk).update(media="stories/media/welcome.html", media_type="video/webm")
    story.media.storage.save("stories/media/welcome.html", ContentFile(b"<meta http-equiv=refresh content=0>"))

    response = employee_client.get(reverse("stories:media", args=[story.slug]))

    assert response["Content-Type"] == "video/webm"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_story_media_without_a_stored_type_are_served_as_plain_bytes(employee_client, db):
    story = StoryFactory(video=True, media_type="")

    response = employee_client.get(reverse("stories:media", args=[story.slug]))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_captions_are_served_as_webvtt(employee_client, library):
    response = employee_client.get(reverse("stories:captions", args=[library["finance_video"].slug]))
    assert response["Content-Type"].startswith("text/vtt")
    assert b"".join(response.streaming_content).startswith(b"WEBVTT")


def test_home_shows_featured_stories_and_ways_in_by_skill(employee_client, library):
    Story.objects.filter(pk=library["finance_text"].pk).update(featured=True)
    response = employee_client.get("/")
    assert [story.title for story in response.context["stories"]["featured"]] == ["Into finance"]
    assert library["negotiation"] in list(response.context["skills"])
    assert "Not yet" not in response.content.decode()


def test_home_shows_each_story_once_in_the_highest_section(employee_client, employee, library):
    Story.objects.filter(pk=library["finance_text"].pk).update(featured=True)
    self_assess(user=employee, skill=library["resilience"], level=None, is_strength=False, wants_to_develop=True)

    response = employee_client.get("/")

    content = response.content.decode()
    for_you = content.split("For you</h2>")[1].split("</section>")[0]
    assert "Into finance" in for_you and "Sales abroad" in for_you  # suggested, though featured and recent
    assert [content.count(f">{title}</a>") for title in ("Into finance", "Sales abroad", "Numbers on camera")] == [
        1
    ] * 3
    assert response.context["stories"]["featured"] == []
    assert [story.title for story in response.context["stories"]["latest"]] == ["Numbers on camera"]


def test_a_story_cards_skills_are_words_not_links_or_chips(employee_client, library):
    content = employee_client.get("/stories/").content.decode()

    skills = re.findall(r'<ul class="card__skills" aria-label="Skills">(.*?)</ul>', content, flags=re.DOTALL)
    assert len(skills) == 3 and any("Negotiation" in card for card in skills)
    assert not any("<a " in card or "chip" in card for card in skills)  # the card's one link is its title


def test_a_story_page_lists_its_skills_then_strengths_and_the_stories_sharing_most_skills(employee_client, db):
    resilience = SkillFactory(name="Resilience", kind=Skill.Kind.STRENGTH)
    budgeting, accounting = SkillFactory(name="budgeting"), SkillFactory(name="Accounting")
    story = StoryFactory(title="Into finance", skills=[resilience, budgeting, accounting])
    StoryFactory(title="One in common", skills=[budgeting])
    StoryFactory(title="Two in common", skills=[budgeting, resilience, SkillFactory(name="Forecasting")])
    StoryFactory(title="Nothing in common", skills=[SkillFactory(name="Coaching")])

    response = employee_client.get(story.get_absolute_url())

    details = response.context["details"]
    assert [skill.name for skill in details["skills"]] == ["Accounting", "budgeting", "Resilience"]
    assert [related.title for related in details["related"]] == ["Two in common", "One in common"]
    similar = response.content.decode().split("Stories with similar skills")[1]
    assert "Forecasting" in similar  # each related story's card shows its own skills


def test_a_retired_skill_stays_on_its_stories_but_leaves_browsing(employee_client, library):
    negotiation = library["negotiation"]
    assert employee_client.get(negotiation.get_absolute_url()).status_code == 200
    negotiation.is_retired = True
    negotiation.save(update_fields=["is_retired"])
    story_page = employee_client.get(library["finance_text"].get_absolute_url()).content.decode()
    assert "Negotiation" in story_page
    assert f'href="{negotiation.get_absolute_url()}"' not in story_page
    assert negotiation.slug not in facet(employee_client.get("/stories/"), "skill")
    assert employee_client.get(negotiation.get_absolute_url()).status_code == 404


# Watching and reading a story


def _og_image(content: str) -> str:
    match = re.search(r'<meta property="og:image" content="([^"]+)">', content)
    assert match, "the page sends no og:image"
    return match.group(1)


def test_the_player_comes_right_after_the_title_and_before_the_actions(employee_client, db):
    content = employee_client.get(StoryFactory(video=True).get_absolute_url()).content.decode()
    assert re.search(r'</h1>\s*</header>\s*<figure class="player"', content)  # nothing between title and player
    assert content.index('<figure class="player"') < content.index('aria-label="My toolkit"')


def test_a_shared_moment_says_where_the_player_starts(employee_client, db):
    url = StoryFactory(video=True, duration_seconds=60).get_absolute_url()
    assert "Starts at 0:09" in employee_client.get(url, {"t": "9"}).content.decode()
    assert "Starts at 0:00" in employee_client.get(url, {"t": "0"}).content.decode()
    assert "Starts at" not in employee_client.get(url).content.decode()


def test_transcript_lines_carry_their_times_for_the_player_to_follow(employee_client, db):
    story = StoryFactory(video=True, transcript_cues=[[0.2, 4.0, "Hello."], [4.0, 9.5, "This is my story."]])
    content = employee_client.get(story.get_absolute_url()).content.decode()
    assert '<ol class="transcript__cues" data-transcript>' in content
    assert '<li data-from="0.2"><a href="?t=0" data-seek="0.2">' in content
    assert '<li data-from="4.0"><a href="?t=4" data-seek="4.0">' in content
    assert 'aria-current="true"' not in content  # the player marks the line it is at, one at a time


def test_cue_markup_renders_as_speaker_and_emphasis_and_everything_else_is_escaped(employee_client, db):
    text = "<v Nadia Haddad>I <b>chose</b> it, <i>twice</i> &amp; <img src=x onerror=alert(1)> 3 < 4"
    story = StoryFactory(video=True, transcript_cues=[[0.0, 4.0, text]])
    content = employee_client.get(story.get_absolute_url()).content.decode()
    assert '<span class="cue__speaker">Nadia Haddad:</span> I <b>chose</b> it, <i>twice</i> &amp;  3 &lt; 4' in content
    assert "&lt;v" not in content and "<img src=x" not in content and "onerror" not in content


def test_a_text_story_without_a_poster_has_a_link_preview_picture(employee_client, db):
    story = StoryFactory(title="Choosing the specialist track")
    assert not story.poster_renditions
    content = employee_client.get(story.get_absolute_url()).content.decode()
    image = _og_image(content)
    assert image == f"http://testserver{reverse('stories:card', args=[story.slug])}"
    assert '<meta name="twitter:card" content="summary_large_image">' in content

    response = employee_client.get(image)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    with Image.open(BytesIO(b"".join(response.streaming_content))) as card:
        assert card.format == "WEBP" and card.size == (1200, 630)


def test_the_link_preview_card_answers_chat_tools_only_for_published_stories_with_previews_on(client, db, settings):
    published, draft = StoryFactory(), StoryFactory(status=Story.Status.DRAFT)
    card = reverse("stories:card", args=[published.slug])
    assert client.get(card).status_code == 302  # previews off: log in first
    settings.PORTAL_PUBLIC_PREVIEWS = True
    assert client.get(card).status_code == 200
    assert client.get(reverse("stories:card", args=[draft.slug])).status_code == 404
    assert _og_image(client.get(published.get_absolute_url()).content.decode()).endswith(card)


def test_employees_get_no_card_of_an_unpublished_story(employee_client, db):
    draft = StoryFactory(status=Story.Status.DRAFT)
    assert employee_client.get(reverse("stories:card", args=[draft.slug])).status_code == 404


def test_a_collection_of_text_stories_has_a_link_preview_picture(employee_client, employee, db):
    story = StoryFactory()
    collection = Collection.objects.create(owner=employee, title="Into legal")
    CollectionItem.objects.create(collection=collection, story=story)
    content = employee_client.get(collection.get_absolute_url()).content.decode()
    assert _og_image(content).endswith(reverse("stories:card", args=[story.slug]))


def test_related_stories_sharing_as_many_skills_come_newest_first(employee_client, db):
    budgeting, forecasting = SkillFactory(name="Budgeting"), SkillFactory(name="Forecasting")
    story = StoryFactory(title="Into finance", skills=[budgeting, forecasting])
    now = timezone.now()
    others = [
        ("Older, one", 1, [budgeting]),
        ("Newest, one", 0, [forecasting]),
        ("Oldest, two", 9, [budgeting, forecasting]),
        ("Oldest, one", 5, [budgeting]),
    ]
    for title, days_ago, skills in others:
        StoryFactory(title=title, skills=skills, published_at=now - datetime.timedelta(days=days_ago))

    response = employee_client.get(story.get_absolute_url())

    assert [related.title for related in response.context["details"]["related"]] == [
        "Oldest, two",
        "Newest, one",
        "Older, one",
    ]
