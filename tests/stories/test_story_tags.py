import re

import pytest
from django.urls import resolve

from stories.templatetags.story_tags import poster_srcset, story_picture
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db

RENDITIONS = {str(width): {"width": width, "height": width // 2} for width in (160, 320, 640, 1280)}


def test_a_cards_picture_names_each_rendition_by_its_own_width():
    story = StoryFactory(slug="moved-in-2010-to-sales-100", poster_renditions=RENDITIONS)

    html = story_picture(story)
    srcset = re.search(r'srcset="([^"]+)"', html)[1]
    src = re.search(r' src="([^"]+)"', html)[1]

    urls = dict(reversed(entry.split()) for entry in srcset.split(", "))
    assert list(urls) == ["160w", "320w", "640w", "1280w"]
    for width, url in urls.items():
        match = resolve(url)
        assert (match.url_name, match.kwargs) == ("poster", {"slug": story.slug, "width": int(width[:-1])})
    assert src == urls["320w"]
    assert poster_srcset(story) == srcset
