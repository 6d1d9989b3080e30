from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from careerportal.people import colleague_find, manager_of, manager_suggest
from careerportal.roles import is_curator, may_post_opportunities
from skills.models import Skill
from skills.selectors import framework_tree, frameworks_in_use, skills_named
from stories import images, search, selectors, services
from stories.forms import (
    AddToCollectionForm,
    ColleagueForm,
    CollectionForm,
    CollectionNotesFormSet,
    LinkSharingForm,
    OpportunityFilterForm,
    OpportunityForm,
    OpportunityStateForm,
    StoryFilterForm,
    moment_seconds,
)
from stories.guide import guide_steps
from stories.media import file_response
from stories.models import Collection, CollectionItem, Function, Opportunity, Story, Storyteller
from stories.signals import home_suggestions, story_viewed

# Counting each filter option over a search's matches costs index lookups per match: up to this many, about 6 ms.
SEARCH_FACETS_COUNTED_UP_TO = 300
STORIES_PER_PAGE = 12


def _get_story_for_user(request: HttpRequest, slug: str, *, for_page: bool = False) -> Story:
    """A published story, or any story for a curator; otherwise 404 (never a hint that it exists). `for_page`: with
    the lists its page shows beside it (stories.selectors.with_page_lists)."""
    stories = Story.objects.visible_to(request.user).select_related("storyteller__function", "storyteller__level")
    if for_page:
        stories = selectors.with_page_lists(stories, user=request.user)
    return get_object_or_404(stories, slug=slug)


def _get_storyteller_for_user(request: HttpRequest, slug: str) -> Storyteller:
    storytellers = Storyteller.objects.select_related("function", "level")
    if not is_curator(request.user):
        storytellers = storytellers.consenting()
    return get_object_or_404(storytellers, slug=slug)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    suggested, opportunities = [], []
    for _, (stories, their_opportunities) in home_suggestions.send(sender=Story, user=request.user):
        suggested += stories
        opportunities += their_opportunities
    return render(
        request,
        "stories/home.html",
        {
            "suggested": suggested,
            "opportunities": opportunities,
            "stories": selectors.home_stories(excluding=[story.pk for story in suggested]),
            "skills": selectors.popular_skills(limit=16),
            "moves": selectors.move_kind_counts(),
            "collections": selectors.featured_collections(limit=4),
        },
    )


@require_safe
def story_list(request: HttpRequest) -> HttpResponse:
    form = StoryFilterForm(request.GET)
    filters = form.filters()
    facets = selectors.story_facets(filters)
    stories = selectors.filter_stories(Story.objects.published(), filters)
    total = selectors.facets_total(facets)  # counted with the facets: no COUNT query of its own
    page = selectors.cards_page(stories, request.GET.get("page"), per_page=STORIES_PER_PAGE, count=total)
    return render(
        request,
        "stories/story_list.html",
        {
            "form": form,
            "filters": filters,
            "active": form.active(request.GET),
            "problems": form.problems(),
            "facets": facets,
            "page": page,
        },
    )


def _preview(request: HttpRequest, *, title: str, summary: str, poster_story: Story | None) -> HttpResponse:
    """What an anonymous request gets when link previews are on: a card for chat tools, nothing more."""
    return render(request, "stories/preview.html", {"title": title, "summary": summary, "poster_story": poster_story})


@login_not_required
@require_safe
def story_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        story = Story.objects.published().filter(slug=slug).first() if settings.PORTAL_PUBLIC_PREVIEWS else None
        if story is None:  # unknown and unpublished stories look the same as any other: log in first
            return redirect_to_login(request.get_full_path())
        return _preview(request, title=story.title, summary=story.summary, poster_story=story)
    story = _get_story_for_user(request, slug, for_page=True)
    try:
        start_time = moment_seconds(request.GET.get("t"), story=story)
    except ValueError as error:
        raise BadRequest(error) from None
    if story.is_published:
        story_viewed.send(sender=Story, story=story, user=request.user)
    details = selectors.story_details(story)
    return render(
        request,
        "stories/story_detail.html",
        {
            "story": story,
            "details": details,
            "start_time": start_time,
            "share_url": request.build_absolute_uri(story.get_absolute_url()),
            "collections": selectors.page_collections(story),
            "opportunities": selectors.story_opportunities(details["skills"]) if story.is_published else [],
        },
    )


@require_safe
def storyteller_detail(request: HttpRequest, slug: str) -> HttpResponse:
    storyteller = _get_storyteller_for_user(request, slug)
    stories = storyteller.stories.visible_to(request.user).for_cards()
    return render(request, "stories/storyteller_detail.html", {"storyteller": storyteller, "stories": stories})


@require_safe
def skill_index(request: HttpRequest) -> HttpResponse:
    frameworks = [(framework, framework_tree(framework)) for framework in frameworks_in_use()]
    return render(request, "skills/skill_index.html", {"frameworks": frameworks})


@require_safe
def skill_detail(request: HttpRequest, slug: str) -> HttpResponse:
    skill = get_object_or_404(Skill.objects.filter(is_retired=False).select_related("framework", "parent"), slug=slug)
    stories, count = selectors.skill_stories(skill)
    page = selectors.cards_page(stories, request.GET.get("page"), per_page=STORIES_PER_PAGE, count=count)
    return render(
        request,
        "skills/skill_detail.html",
        {
            "skill": skill,
            "children": skill.children.filter(is_retired=False),
            "levels": skill.levels_with_descriptors(skill.framework.levels.all()),
            "page": page,
            "related": selectors.related_skills(skill),
            "opportunities": selectors.skill_opportunities(skill),
        },
    )


# Media: every byte goes through the same access check as the page it belongs to.


@require_safe
def story_media(request: HttpRequest, slug: str) -> HttpResponseBase:
    story = _get_story_for_user(request, slug)
    if not story.media:
        raise Http404("This story has no media.")
    # The type found in the file's content at upload, never one guessed from its name. A story without one (saved by
    # the previous release during an upgrade, or named for no video or audio format before) gets plain bytes.
    return file_response(request, field_file=story.media, content_type=story.media_type or "application/octet-stream")


@require_safe
def story_captions(request: HttpRequest, slug: str) -> HttpResponseBase:
    story = _get_story_for_user(request, slug)
    if not story.captions:
        raise Http404("This story has no captions.")
    # A <track> loads only from the page's own origin, so captions in object storage are passed through.
    return file_response(request, field_file=story.captions, content_type="text/vtt; charset=utf-8", same_origin=True)


def _rendition_response(request: HttpRequest, field_file: FieldFile, renditions: dict, width: int):
    rendition = images.pick_rendition(renditions, width)
    if rendition is None:
        raise Http404("No picture of that width.")
    rendition_file = FieldFile(field_file.instance, field_file.field, rendition["name"])
    return file_response(request, field_file=rendition_file, content_type="image/webp")  # stories.images makes WebP


def _get_story_for_picture(request: HttpRequest, slug: str) -> Story | None:
    """The story whose link-preview picture is asked for: as for its page, or, with previews on, any published story
    for anonymous chat tools. None when an anonymous request must log in first."""
    if request.user.is_authenticated:
        return _get_story_for_user(request, slug)
    if not settings.PORTAL_PUBLIC_PREVIEWS:
        return None
    return get_object_or_404(Story.objects.published().select_related("storyteller"), slug=slug)


@login_not_required
@require_safe
def story_poster(request: HttpRequest, slug: str, width: int) -> HttpResponseBase:
    story = _get_story_for_picture(request, slug)
    if story is None:
        return redirect_to_login(request.get_full_path())
    return _rendition_response(request, story.poster, story.poster_renditions, width)


@login_not_required
@require_safe
def story_card(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The link-preview card of a story (stories.images.story_card), for chat tools when it has no poster."""
    story = _get_story_for_picture(request, slug)
    if story is None:
        return redirect_to_login(request.get_full_path())
    card = FieldFile(story, story.poster.field, images.story_card(story))
    return file_response(request, field_file=card, content_type="image/webp")


@require_safe
def storyteller_portrait(request: HttpRequest, slug: str, width: int) -> HttpResponseBase:
    storyteller = _get_storyteller_for_user(request, slug)
    return _rendition_response(request, storyteller.portrait, storyteller.portrait_renditions, width)


# Collections: their owner, the colleagues it is shared with, and (while link sharing is on) anyone logged in with its
# link open one; only its owner changes it.


def _get_collection_for_reader(request: HttpRequest, pk: int) -> Collection:
    """A collection the user may read (CollectionQuerySet.visible_to), given the link's ?key=; otherwise 404."""
    readable = Collection.objects.visible_to(request.user, key=request.GET.get("key", ""))
    return get_object_or_404(readable.select_related("owner"), pk=pk)


def _get_collection_for_owner(request: HttpRequest, pk: int) -> Collection:
    return get_object_or_404(Collection.objects.filter(owner=request.user), pk=pk)


def _get_item_for_owner(request: HttpRequest, pk: int) -> CollectionItem:
    return get_object_or_404(CollectionItem.objects.filter(collection__owner=request.user), pk=pk)


def _collection_items(collection: Collection) -> QuerySet:
    """The collection's published stories in order, with what their cards show."""
    published = collection.items.filter(story__status=Story.Status.PUBLISHED)
    return published.prefetch_related(Prefetch("story", queryset=Story.cards()))


def _poster_story(items: list[CollectionItem]) -> Story | None:
    """The story whose picture previews the collection: the first with a poster, else the first (with its card)."""
    first = items[0].story if items else None
    return next((item.story for item in items if item.story.poster_renditions), first)


@require_safe
def collection_list(request: HttpRequest) -> HttpResponse:
    counted = (
        Collection.objects.visible_to(request.user)
        .select_related("owner")
        .annotate(stories=Count("items", filter=Q(items__story__status=Story.Status.PUBLISHED)))
    )
    return render(
        request,
        "stories/collection_list.html",
        {"mine": counted.filter(owner=request.user), "shared": counted.filter(shares__user=request.user)},
    )


def collection_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    collection = _get_collection_for_owner(request, pk) if pk else Collection(owner=request.user)
    form = CollectionForm(request.POST or None, instance=collection)
    story = Story.objects.published().filter(slug=request.GET.get("story", "")).first()
    if request.method == "POST" and form.is_valid():
        collection = form.save()
        if story:
            services.collection_add_story(collection=collection, story=story)
        messages.success(request, "Collection saved.")
        return redirect(collection)
    return render(request, "stories/collection_form.html", {"form": form, "collection": collection, "story": story})


@login_not_required
@require_safe
def collection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        readable = Collection.objects.visible_to(request.user, key=request.GET.get("key", ""))
        collection = readable.filter(pk=pk).first() if settings.PORTAL_PUBLIC_PREVIEWS else None
        if collection is None:  # unknown, private and wrongly keyed collections look the same: log in first
            return redirect_to_login(request.get_full_path())
        poster_story = _poster_story(list(_collection_items(collection)))
        return _preview(request, title=collection.title, summary=collection.introduction, poster_story=poster_story)
    collection = _get_collection_for_reader(request, pk)
    items = list(_collection_items(collection))
    is_owner = collection.owner_id == request.user.pk
    share_form, shares = None, []
    if is_owner:
        share_form, shares = ColleagueForm(), list(collection.shares.select_related("user"))
        manager = manager_of(request.user)
        if manager is not None and manager.pk not in {share.user_id for share in shares}:
            manager_suggest(share_form, manager)
    return render(
        request,
        "stories/collection_detail.html",
        {
            "collection": collection,
            "items": items,
            "is_owner": is_owner,
            "share_form": share_form,
            "shares": shares,
            "poster_story": _poster_story(items),
            "share_url": request.build_absolute_uri(collection.get_link_url()),
        },
    )


def collection_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner edits the note of each story in one form: all notes are saved, or none."""
    collection = _get_collection_for_owner(request, pk)
    formset = CollectionNotesFormSet(request.POST or None, queryset=_collection_items(collection))
    if request.method == "POST" and formset.is_valid():
        formset.save()
        messages.success(request, "Notes saved.")
        return redirect(collection)
    return render(request, "stories/collection_notes.html", {"collection": collection, "formset": formset})


@require_POST
def collection_add(request: HttpRequest, slug: str) -> HttpResponse:
    story = get_object_or_404(Story.objects.published(), slug=slug)
    form = AddToCollectionForm(request.POST, user=request.user)
    if form.is_valid():
        collection = form.cleaned_data["collection"]
        services.collection_add_story(collection=collection, story=story, note=form.cleaned_data["note"])
        messages.success(request, f"Added to “{collection}”.")
    else:
        messages.error(request, "Choose one of your collections.")
    return redirect(story)


@require_POST
def collection_item_move(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get_item_for_owner(request, pk)
    services.collection_move_item(item=item, by=-1 if request.POST.get("direction") == "up" else 1)
    return redirect(f"{item.collection.get_absolute_url()}#item-{item.pk}")


@require_POST
def collection_item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get_item_for_owner(request, pk)
    item.delete()
    messages.success(request, f"Removed “{item.story}” from the collection.")
    return redirect(item.collection)


@require_POST
def collection_link_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner turns link sharing on (or makes a new link, so the old one stops working) or off."""
    collection = _get_collection_for_owner(request, pk)
    form = LinkSharingForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose to turn link sharing on or off.")
    was_shared, was_featured = collection.link_key is not None, collection.is_featured
    on = form.cleaned_data["sharing"] == "on"
    services.collection_link_sharing(collection=collection, on=on)
    if on:
        messages.success(
            request,
            "There is a new link: the old one no longer opens this collection."
            if was_shared
            else "Link sharing is on: anyone logged in who has the link can open this collection.",
        )
    else:
        messages.success(
            request,
            "Link sharing is off: only you and the colleagues you shared it with can open this collection."
            + (" It is no longer featured on the home page." if was_featured else ""),
        )
    return redirect(f"{collection.get_absolute_url()}#share")


@require_POST
def collection_share(request: HttpRequest, pk: int) -> HttpResponse:
    collection = _get_collection_for_owner(request, pk)
    form = ColleagueForm(request.POST)
    if form.is_valid():
        try:
            colleague = colleague_find(owner=request.user, who=form.cleaned_data["colleague"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            services.collection_share(collection=collection, user=colleague, by=request.user)
            messages.success(request, f"Shared with {colleague.get_full_name() or colleague}.")
    return redirect(collection)


def collection_delete(request: HttpRequest, pk: int) -> HttpResponse:
    collection = _get_collection_for_owner(request, pk)
    if request.method == "POST":
        collection.delete()
        messages.success(request, "Collection deleted.")
        return redirect("stories:collections")
    return render(request, "stories/collection_delete.html", {"collection": collection})


@require_safe
def conversation_guide(request: HttpRequest) -> HttpResponse:
    return render(request, "stories/guide.html", {"steps": guide_steps()})


@require_safe
def search_results(request: HttpRequest) -> HttpResponse:
    """/search/?q=: published stories ranked by the database's full-text engine, narrowed by the usual filters."""
    query = search.parse(request.GET.get("q", ""))
    context = {"query": query, "q": query.text}
    if query:
        form = StoryFilterForm(request.GET)
        context["form"] = form
        context["found"] = _search_found(request, query, form)
        context["opportunities"] = search.opportunities(query)
    return render(request, "stories/search.html", context)


def _search_found(request: HttpRequest, query: search.Query, form: StoryFilterForm) -> dict:
    """The results page of a search: ranked cards with extracts and moments, facets, and help when nothing matched.

    The matches (published stories: only they have a search document) are found and ranked once; the facets, the
    count and the page are read from their ids. Their options are counted when there are few enough matches to count
    cheaply; a broader search lists them uncounted."""
    filters = form.filters()
    ranked = search.search(query)
    matches = search.story_ids(ranked)
    counted = len(ranked) <= SEARCH_FACETS_COUNTED_UP_TO
    facets = selectors.story_facets(filters, within=matches) if counted else selectors.facet_options(filters)
    if filters:
        stories = selectors.filter_stories(Story.objects.published().filter(pk__in=matches), filters, reading_all=True)
        kept = set(stories.order_by().values_list("pk", flat=True))
        ranked = [pk for pk in ranked if pk in kept]
    page = Paginator(ranked, STORIES_PER_PAGE).get_page(request.GET.get("page"))
    # A card shows neither the text nor the transcript (20 KB a story); the moment reads the captions' cues.
    cards = Story.cards("transcript_cues").published().filter(pk__in=page.object_list).in_bulk()
    extracts = search.snippets(query, list(page.object_list))
    results = [
        (cards[pk], extracts.get(pk, search.Extract()), search.moment(cards[pk], query))
        for pk in page.object_list
        if pk in cards
    ]
    found = {"filters": filters, "page": page, "results": results}
    if not results:
        found["suggested_skills"] = search.suggest_skills(query.text)
        found["popular"] = Story.cards().published().filter(featured=True)[:3]
    found["facets"] = facets
    found["active"] = form.active(request.GET)
    found["problems"] = form.problems()
    return found


@require_safe
def skill_suggest(request: HttpRequest) -> JsonResponse:
    """Live skills matching what is typed, by name or alternative label (for search and filter boxes).

    Each comes with the alternative label that matched, when the name itself does not, so the list can show why.
    """
    text = request.GET.get("q", "").strip()[:100]
    if len(text) < 2:
        return JsonResponse({"skills": []})
    rows = skills_named(text).order_by("name").values_list("name", "alternative_labels")[:10]
    typed = text.lower()
    suggestions: dict[str, str] = {}
    for name, alternatives in rows:
        also = "" if typed in name.lower() else next((a for a in alternatives.splitlines() if typed in a.lower()), "")
        suggestions.setdefault(name, also.strip())
    return JsonResponse({"skills": [{"name": name, "also": also} for name, also in suggestions.items()]})


# Opportunities: everyone reads the visible ones; their poster (and curators) also the others. Managers and curators
# post them, and their poster edits, fills and withdraws them.

OPPORTUNITIES_PER_PAGE = 20


def _get_opportunity_for_user(request: HttpRequest, pk: int) -> Opportunity:
    """A visible opportunity; also the user's own in any state, and any for a curator; otherwise 404."""
    opportunities = Opportunity.objects.select_related("function", "poster")
    if not is_curator(request.user):
        opportunities = opportunities.visible() | opportunities.posted_by(request.user)
    return get_object_or_404(opportunities, pk=pk)


def _get_opportunity_for_poster(request: HttpRequest, pk: int) -> Opportunity:
    return get_object_or_404(Opportunity.objects.posted_by(request.user), pk=pk)


@require_safe
def opportunity_list(request: HttpRequest) -> HttpResponse:
    form = OpportunityFilterForm(request.GET)
    filters = form.filters()
    opportunities = selectors.filter_opportunities(Opportunity.objects.visible(), filters)
    page = Paginator(opportunities.for_cards(), OPPORTUNITIES_PER_PAGE).get_page(request.GET.get("page"))
    may_post = may_post_opportunities(request.user)
    return render(
        request,
        "stories/opportunity_list.html",
        {
            "form": form,
            "filters": filters,
            "active": form.active(request.GET),
            "problems": form.problems(),
            "page": page,
            "may_post": may_post,
            "mine": Opportunity.objects.posted_by(request.user).only("title", "state", "closes_on") if may_post else [],
            "functions": Function.objects.values_list("slug", "name"),
        },
    )


@require_safe
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _get_opportunity_for_user(request, pk)
    return render(
        request,
        "stories/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "skills": opportunity.skills.all(),
            "is_poster": opportunity.poster_id == request.user.pk,
        },
    )


def opportunity_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A manager or curator posts an opportunity; its poster edits it."""
    if pk:
        opportunity = _get_opportunity_for_poster(request, pk)
    elif may_post_opportunities(request.user):
        opportunity = Opportunity(poster=request.user)
    else:
        raise PermissionDenied("Managers and curators post opportunities.")
    form = OpportunityForm(request.POST or None, instance=opportunity)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.opportunity_save(
                opportunity=form.save(commit=False),
                skills=form.cleaned_data["skills"],
                by=request.user,
                changed_fields=form.changed_data if pk else (),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if opportunity.state == Opportunity.State.PENDING_REVIEW:
                messages.success(request, "Saved. A curator reviews it before it is shown to others.")
            else:
                messages.success(request, "Saved.")
            return redirect(opportunity)
    return render(request, "stories/opportunity_form.html", {"form": form, "opportunity": opportunity})


@require_POST
def opportunity_state(request: HttpRequest, pk: int) -> HttpResponse:
    """Its poster marks it filled or withdraws it."""
    opportunity = _get_opportunity_for_poster(request, pk)
    form = OpportunityStateForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose filled or withdraw.")
    try:
        services.opportunity_set_state(opportunity=opportunity, state=form.cleaned_data["state"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"It is now {opportunity.get_state_display().lower()}: it no longer shows to others.")
    return redirect(opportunity)
