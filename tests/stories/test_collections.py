import pytest
from django.core import mail
from django.urls import reverse

from stories.models import Collection, CollectionItem, Story
from tests.factories import StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection(employee):
    collection = Collection.objects.create(owner=employee, title="Moving into data roles", introduction="Three moves.")
    for position, title in enumerate(["First", "Second", "Third"], start=1):
        CollectionItem.objects.create(collection=collection, story=StoryFactory(title=title), position=position)
    return collection


def titles(response) -> list[str]:
    return [item.story.title for item in response.context["items"]]


def test_employee_starts_a_collection_from_a_story_and_adds_another(employee_client):
    first, second = StoryFactory(), StoryFactory()
    response = employee_client.post(f"{reverse('stories:collection_new')}?story={first.slug}", {"title": "For Sam"})
    collection = Collection.objects.get(title="For Sam")
    assert response["Location"] == collection.get_absolute_url()
    employee_client.post(
        reverse("stories:collection_add", args=[second.slug]), {"collection": collection.pk, "note": "From 2:10"}
    )
    assert [(i.story, i.note) for i in collection.items.all()] == [(first, ""), (second, "From 2:10")]


def test_reordering_works_with_plain_form_posts(employee_client, collection):
    third = collection.items.get(story__title="Third")
    employee_client.post(reverse("stories:collection_item_move", args=[third.pk]), {"direction": "up"})
    employee_client.post(reverse("stories:collection_item_move", args=[third.pk]), {"direction": "up"})
    employee_client.post(reverse("stories:collection_item_move", args=[third.pk]), {"direction": "up"})  # stays first
    assert titles(employee_client.get(collection.get_absolute_url())) == ["Third", "First", "Second"]


def test_any_logged_in_colleague_opens_a_collection_by_its_link(client, collection, other_employee):
    client.force_login(other_employee)
    response = client.get(collection.get_absolute_url())
    assert response.status_code == 200
    assert titles(response) == ["First", "Second", "Third"]
    assert not response.context["is_owner"]
    assert "Move up" not in response.content.decode()


def test_only_the_owner_changes_a_collection(client, collection, other_employee):
    client.force_login(other_employee)
    item = collection.items.first()
    for url in [
        reverse("stories:collection_edit", args=[collection.pk]),
        reverse("stories:collection_notes", args=[collection.pk]),
        reverse("stories:collection_delete", args=[collection.pk]),
    ]:
        assert client.post(url, {"title": "Mine now"}).status_code == 404
    assert (
        client.post(reverse("stories:collection_item_move", args=[item.pk]), {"direction": "down"}).status_code == 404
    )
    assert client.post(reverse("stories:collection_item_remove", args=[item.pk])).status_code == 404
    other = StoryFactory()
    client.post(reverse("stories:collection_add", args=[other.slug]), {"collection": collection.pk})
    collection.refresh_from_db()
    assert collection.title == "Moving into data roles" and collection.items.count() == 3


def test_unpublished_stories_drop_out_of_a_collection(employee_client, collection):
    Story.objects.filter(title="Second").update(status=Story.Status.ARCHIVED)
    assert titles(employee_client.get(collection.get_absolute_url())) == ["First", "Third"]


def test_sharing_a_collection_with_a_colleague_emails_them_and_lists_it(
    employee_client, collection, other_employee, tasks_run
):
    employee_client.post(reverse("stories:collection_share", args=[collection.pk]), {"colleague": "olu"})
    tasks_run()
    assert [message.to for message in mail.outbox] == [[other_employee.email]]
    assert collection.get_absolute_url() in mail.outbox[0].body
    employee_client.force_login(other_employee)
    assert "Moving into data roles" in employee_client.get(reverse("reflection:shared_with_me")).content.decode()


def test_notes_are_edited_together(employee_client, collection):
    items = list(collection.items.all())
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "3"}
    for i, item in enumerate(items):
        data |= {f"form-{i}-id": item.pk, f"form-{i}-note": f"note {i}"}
    employee_client.post(reverse("stories:collection_notes", args=[collection.pk]), data)
    assert list(collection.items.values_list("note", flat=True)) == ["note 0", "note 1", "note 2"]


def test_featured_collections_show_on_the_home_page(employee_client, collection):
    assert "Moving into data roles" not in employee_client.get("/").content.decode()
    collection.is_featured = True
    collection.save(update_fields=["is_featured"])  # as the admin does
    assert "Moving into data roles" in employee_client.get("/").content.decode()


def test_anonymous_gets_nothing_of_a_story_or_collection_by_default(client, collection):
    story = collection.items.first().story
    for url in [
        story.get_absolute_url(),
        collection.get_absolute_url(),
        reverse("stories:poster", args=[story.slug, 320]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_with_previews_on_anonymous_gets_only_the_card(client, collection, settings):
    settings.PORTAL_PUBLIC_PREVIEWS = True
    story = StoryFactory(title="Into finance", summary="How I moved.", body="The secret middle part.")
    content = client.get(story.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Into finance">' in content
    assert '<meta property="og:description" content="How I moved.">' in content
    assert "The secret middle part." not in content and "<video" not in content
    draft = StoryFactory(status=Story.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 302
    assert client.get(reverse("stories:media", args=[story.slug])).status_code == 302
    assert "og:title" in client.get(collection.get_absolute_url()).content.decode()


def test_story_page_has_share_control_and_link_preview_tags(employee_client):
    story = StoryFactory(title="Into finance", video=True)
    content = employee_client.get(story.get_absolute_url()).content.decode()
    assert f'value="http://testserver{story.get_absolute_url()}" data-share-input' in content
    assert "data-copy-moment" in content
    assert '<meta property="og:title" content="Into finance">' in content
    assert '<meta name="twitter:card"' in content


def test_conversation_guide_points_to_stories_and_skills(employee_client):
    from tests.factories import CareerMoveFactory

    story = StoryFactory(title="My secondment")
    CareerMoveFactory(story=story, kind="secondment")
    response = employee_client.get(reverse("stories:guide"))
    content = response.content.decode()
    assert "Align aspirations with business needs" in content
    assert "My secondment" in content
    assert 'class="checklist"' in content


def test_collection_owner_cannot_share_with_an_unknown_colleague(employee_client, collection):
    response = employee_client.post(
        reverse("stories:collection_share", args=[collection.pk]), {"colleague": "nobody"}, follow=True
    )
    assert "No colleague has the username or email" in response.content.decode()
    assert not collection.shares.exists()


def test_collection_pages_keep_their_query_counts(employee_client, django_assert_num_queries, employee):
    small = Collection.objects.create(owner=employee, title="Small")
    large = Collection.objects.create(owner=employee, title="Large")
    for story in StoryFactory.create_batch(2):
        CollectionItem.objects.create(collection=small, story=story)
    for story in StoryFactory.create_batch(30):
        CollectionItem.objects.create(collection=large, story=story)
    UserFactory()
    for collection in (small, large):
        with django_assert_num_queries(6):
            employee_client.get(collection.get_absolute_url())
    with django_assert_num_queries(5):
        employee_client.get(reverse("stories:collections"))
