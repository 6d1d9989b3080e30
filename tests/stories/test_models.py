from django.core.files.base import ContentFile

from stories.services import story_update_cues
from tests.factories import StoryFactory


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
