import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from stories import services
from stories.models import Collection, CollectionItem, CollectionShare, Story
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


def link_sharing(client, collection: Collection, sharing: str) -> str:
    """Posts the owner's link-sharing button and returns the collection's link with its key ("" when off)."""
    response = client.post(reverse("stories:collection_link_sharing", args=[collection.pk]), {"sharing": sharing})
    assert response.status_code == 302
    collection.refresh_from_db()
    return collection.get_link_url() if collection.link_key else ""


def page_text(response) -> str:
    """A page without what differs on every response (CSRF tokens, CSP nonces), to compare two pages."""
    return re.sub(r'(value|nonce)="[^"]*"', "", response.content.decode())


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


def test_another_employee_gets_404_for_every_collection_they_were_not_given(client, collection, other_employee):
    CollectionShare.objects.create(collection=collection, user=UserFactory())  # shared, but not with them
    Collection.objects.create(owner=UserFactory(), title="Someone else's")
    services.collection_link_sharing(
        collection=Collection.objects.create(owner=UserFactory(), title="Shared by link"), on=True
    )
    client.force_login(other_employee)
    last = Collection.objects.latest("pk").pk
    nowhere = page_text(client.get(reverse("stories:collection", args=[last + 1])))
    for pk in range(1, last + 3):
        response = client.get(reverse("stories:collection", args=[pk]))
        assert response.status_code == 404, pk
        assert page_text(response) == nowhere, pk  # the same page whether the id exists or not
        for wrong_key in ["guess", "", "x" * 32]:
            assert client.get(reverse("stories:collection", args=[pk]), {"key": wrong_key}).status_code == 404
    assert "Someone else" not in client.get(reverse("stories:collections")).content.decode()


def test_a_colleague_it_is_shared_with_opens_it_without_a_key(client, collection, other_employee):
    CollectionShare.objects.create(collection=collection, user=other_employee)
    client.force_login(other_employee)
    response = client.get(collection.get_absolute_url())
    assert response.status_code == 200
    assert titles(response) == ["First", "Second", "Third"]
    assert not response.context["is_owner"]
    content = response.content.decode()
    assert "Move up" not in content and "Turn on link sharing" not in content
    assert client.get(collection.get_absolute_url(), {"key": "stale"}).status_code == 200  # the share lets them in


def test_a_shared_link_works_only_with_its_current_key(client, employee, collection, other_employee):
    client.force_login(employee)
    content = client.get(collection.get_absolute_url()).content.decode()
    assert "Link sharing is off" in content and "Turn on link sharing" in content
    first_link = link_sharing(client, collection, "on")
    key = parse_qs(urlsplit(first_link).query)["key"][0]
    assert len(key) >= 32  # 24 random bytes: 192 bits
    content = client.get(collection.get_absolute_url()).content.decode()
    assert f'value="http://testserver{first_link}" data-share-input' in content
    assert "Make a new link" in content and "Turn off link sharing" in content

    client.force_login(other_employee)
    assert client.get(first_link).status_code == 200
    assert client.get(collection.get_absolute_url()).status_code == 404
    assert client.get(collection.get_absolute_url(), {"key": key[:-1]}).status_code == 404
    assert client.get(reverse("stories:collection", args=[collection.pk + 1]), {"key": key}).status_code == 404

    client.force_login(employee)
    second_link = link_sharing(client, collection, "on")  # a new link: the old one stops working
    assert second_link != first_link
    client.force_login(other_employee)
    assert client.get(first_link).status_code == 404
    assert client.get(second_link).status_code == 200

    client.force_login(employee)
    assert link_sharing(client, collection, "off") == ""
    client.force_login(other_employee)
    assert client.get(second_link).status_code == 404


def test_only_the_owner_turns_link_sharing_on_or_off(client, collection, other_employee):
    client.force_login(other_employee)
    url = reverse("stories:collection_link_sharing", args=[collection.pk])
    assert client.post(url, {"sharing": "on"}).status_code == 404
    assert client.get(url).status_code == 405
    client.force_login(collection.owner)
    assert client.post(url, {"sharing": "everyone"}).status_code == 400
    collection.refresh_from_db()
    assert collection.link_key is None


def test_only_the_owner_changes_a_collection(client, collection, other_employee):
    client.force_login(other_employee)
    item = collection.items.first()
    for url in [
        reverse("stories:collection_edit", args=[collection.pk]),
        reverse("stories:collection_notes", args=[collection.pk]),
        reverse("stories:collection_delete", args=[collection.pk]),
        reverse("stories:collection_link_sharing", args=[collection.pk]),
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
    link = re.search(r"http://\S+", mail.outbox[0].body)[0]
    assert link.endswith(collection.get_absolute_url())
    employee_client.force_login(other_employee)
    assert "Moving into data roles" in employee_client.get(reverse("reflection:shared_with_me")).content.decode()
    assert "Moving into data roles" in employee_client.get(reverse("stories:collections")).content.decode()
    assert employee_client.get(link).status_code == 200


def test_notes_are_edited_together(employee_client, collection):
    response = employee_client.post(reverse("stories:collection_notes", args=[collection.pk]), notes_post(collection))
    assert response.status_code == 302
    assert list(collection.items.values_list("note", flat=True)) == ["note 0", "note 1", "note 2"]


def notes_post(collection: Collection, **changes) -> dict:
    """The notes form as the page offers it, each note filled in, with `changes` on top."""
    items = list(collection.items.all())
    data = {"form-TOTAL_FORMS": str(len(items)), "form-INITIAL_FORMS": str(len(items))}
    for i, item in enumerate(items):
        data |= {f"form-{i}-id": str(item.pk), f"form-{i}-note": f"note {i}"}
    return data | changes


@pytest.mark.parametrize(
    "tampering",
    [
        {"form-TOTAL_FORMS": "4", "form-3-note": "one more"},
        {"form-TOTAL_FORMS": "4", "form-INITIAL_FORMS": "4", "form-3-note": "one more"},
        {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2"},
        {"form-TOTAL_FORMS": "50", "form-INITIAL_FORMS": "0"},
    ],
)
def test_a_notes_form_with_forms_it_did_not_offer_changes_nothing(employee_client, collection, tampering):
    response = employee_client.post(
        reverse("stories:collection_notes", args=[collection.pk]), notes_post(collection, **tampering)
    )
    assert response.status_code == 200
    assert "This list changed after the page was opened, so nothing was saved." in response.content.decode()
    assert list(collection.items.values_list("note", flat=True)) == ["", "", ""]
    assert CollectionItem.objects.count() == 3


def test_notes_are_saved_all_or_none(employee_client, collection, monkeypatch):
    save = CollectionItem.save

    def fails_on_the_second(item, *args, **kwargs):
        if item.note == "note 1":
            raise IntegrityError("the disk is full")
        save(item, *args, **kwargs)

    monkeypatch.setattr(CollectionItem, "save", fails_on_the_second)
    with pytest.raises(IntegrityError):
        employee_client.post(reverse("stories:collection_notes", args=[collection.pk]), notes_post(collection))
    assert list(collection.items.values_list("note", flat=True)) == ["", "", ""]


def test_a_notes_form_refuses_an_item_of_another_collection(employee_client, collection, other_employee):
    theirs = Collection.objects.create(owner=other_employee, title="Theirs")
    their_item = CollectionItem.objects.create(collection=theirs, story=StoryFactory(), note="Their note")
    for forged in [{"form-0-id": str(their_item.pk)}, {"form-1-id": collection.items.first().pk}]:
        response = employee_client.post(
            reverse("stories:collection_notes", args=[collection.pk]), notes_post(collection, **forged)
        )
        assert "nothing was saved" in response.content.decode()
    their_item.refresh_from_db()
    assert their_item.note == "Their note"
    assert list(collection.items.values_list("note", flat=True)) == ["", "", ""]


def test_featured_collections_show_on_the_home_page_with_their_link(client, collection, other_employee):
    client.force_login(other_employee)
    assert "Moving into data roles" not in client.get("/").content.decode()
    services.collection_link_sharing(collection=collection, on=True)
    collection.is_featured = True
    collection.save(update_fields=["is_featured"])  # as the admin does
    content = client.get("/").content.decode()
    assert f'href="{collection.get_link_url()}"' in content
    assert client.get(collection.get_link_url()).status_code == 200


def test_only_a_collection_shared_by_link_can_be_featured(collection):
    collection.is_featured = True
    with pytest.raises(IntegrityError):
        collection.save(update_fields=["is_featured"])


def test_turning_link_sharing_off_takes_a_collection_off_the_home_page(employee_client, collection):
    services.collection_link_sharing(collection=collection, on=True)
    Collection.objects.filter(pk=collection.pk).update(is_featured=True)
    assert "Moving into data roles" in employee_client.get("/").content.decode()
    response = employee_client.post(
        reverse("stories:collection_link_sharing", args=[collection.pk]), {"sharing": "off"}, follow=True
    )
    assert "It is no longer featured on the home page." in response.content.decode()
    collection.refresh_from_db()
    assert not collection.is_featured and collection.link_key is None
    assert "Moving into data roles" not in employee_client.get("/").content.decode()


def test_my_collections_list_only_mine_and_those_shared_with_me(employee_client, employee, other_employee):
    services.collection_link_sharing(
        collection=Collection.objects.create(owner=other_employee, title="Featured elsewhere", is_featured=False),
        on=True,
    )
    Collection.objects.filter(title="Featured elsewhere").update(is_featured=True)
    Collection.objects.create(owner=other_employee, title="Private elsewhere")
    shared = Collection.objects.create(owner=other_employee, title="Shared with me")
    CollectionShare.objects.create(collection=shared, user=employee)
    Collection.objects.create(owner=employee, title="My own")
    response = employee_client.get(reverse("stories:collections"))
    assert [c.title for c in response.context["mine"]] == ["My own"]
    assert [c.title for c in response.context["shared"]] == ["Shared with me"]
    content = response.content.decode()
    assert "Featured elsewhere" not in content and "Private elsewhere" not in content


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
    services.collection_link_sharing(collection=collection, on=True)
    assert "og:title" in client.get(collection.get_link_url()).content.decode()


def test_with_previews_on_anonymous_cannot_tell_which_collections_exist(client, collection, settings):
    settings.PORTAL_PUBLIC_PREVIEWS = True
    services.collection_link_sharing(collection=collection, on=True)
    nowhere = collection.pk + 1

    def answer(pk: int, **query) -> tuple[int, str, str]:
        response = client.get(reverse("stories:collection", args=[pk]), query)
        location = response.get("Location", "").replace(f"/collections/{pk}/", "/collections/ID/")
        return response.status_code, location, response.content.decode()

    assert answer(collection.pk) == answer(nowhere)
    assert answer(collection.pk, key="guessed") == answer(nowhere, key="guessed")
    assert answer(collection.pk)[0] == 302
    assert "og:title" in answer(collection.pk, key=collection.link_key)[2]
    stale = collection.link_key
    services.collection_link_sharing(collection=collection, on=True)
    assert answer(collection.pk, key=stale) == answer(nowhere, key=stale)


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
    assert "No colleague has the name, username or email" in response.content.decode()
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
        with django_assert_num_queries(7):  # + the owner's manager, offered first to share with
            employee_client.get(collection.get_absolute_url())
    # Mine and shared with me (no longer others' featured collections: those are on the home page).
    with django_assert_num_queries(4):
        employee_client.get(reverse("stories:collections"))
    employee_client.force_login(UserFactory())
    for collection in (small, large):
        services.collection_link_sharing(collection=collection, on=True)
        with django_assert_num_queries(5):  # no list of shares: only the owner sees it
            assert employee_client.get(collection.get_link_url()).status_code == 200
