from django.core.files.base import ContentFile

from stories.models import Story
from stories.services import story_update_cues
from tests.factories import SkillFactory, StoryFactory


def test_a_saved_transcript_is_stored_as_the_page_shows_it(db):
    story = StoryFactory(video=True, transcript="Hello there.", transcript_cues=[])
    assert story.transcript_html == '<div class="transcript__text"><p>Hello there.</p></div>'

    story.transcript = "Goodbye <now>."
    story.save(update_fields=["transcript"])

    story.refresh_from_db()
    assert story.transcript_html == '<div class="transcript__text"><p>Goodbye &lt;now&gt;.</p></div>'


def test_new_captions_give_the_stored_transcript_their_times(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    story = StoryFactory(video=True, transcript="Hello.", transcript_cues=[])
    story.captions.save("c.vtt", ContentFile(b"WEBVTT\n\n00:01:05.000 --> 00:01:09.000\n<v Amara>Hello.\n"))

    story_update_cues(story=story)

    story.refresh_from_db()
    assert 'href="?t=65"' in story.transcript_html
    assert '<span class="cue__speaker">Amara:</span> Hello.' in story.transcript_html


def test_cards_are_read_afresh_at_each_use_of_the_query_built_once(db, django_assert_num_queries):
    """Story.cards() copies a query built once per process: each copy reads the database again, so a story
    published or re-tagged since the last read shows, and the built query itself is never read."""
    negotiation, mentoring = SkillFactory(name="Negotiation"), SkillFactory(name="Mentoring")
    first = StoryFactory(title="First", skills=[negotiation])
    assert [story.title for story in Story.cards()] == ["First"]

    second = StoryFactory(title="Second", skills=[mentoring])
    first.skills.add(mentoring)
    assert [story.title for story in Story.cards()] == ["Second", "First"]
    with django_assert_num_queries(1):  # the stories with their storytellers and skills
        cards = list(Story.cards().filter(pk__in=[first.pk, second.pk]))
    assert [(story.title, [skill.name for skill in story.card_skills]) for story in cards] == [
        ("Second", ["Mentoring"]),
        ("First", ["Mentoring", "Negotiation"]),
    ]
    assert Story.cards("transcript_cues").query.deferred_loading != Story.cards().query.deferred_loading
