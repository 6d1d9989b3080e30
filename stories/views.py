from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from skills.models import Skill
from skills.selectors import framework_tree, frameworks_in_use
from stories import selectors
from stories.forms import StoryFilterForm
from stories.images import pick_rendition
from stories.media import file_response
from stories.models import Story, Storyteller, TaggedStory
from stories.signals import story_viewed

STORIES_PER_PAGE = 12


def _get_story_for_user(request: HttpRequest, slug: str) -> Story:
    """A published story, or any story for a curator; otherwise 404 (never a hint that it exists)."""
    stories = Story.objects.visible_to(request.user).select_related("storyteller__function", "storyteller__level")
    return get_object_or_404(stories, slug=slug)


def _get_storyteller_for_user(request: HttpRequest, slug: str) -> Storyteller:
    storytellers = Storyteller.objects.select_related("function", "level")
    if not request.user.has_perm("stories.view_storyteller"):
        storytellers = storytellers.consenting()
    return get_object_or_404(storytellers, slug=slug)


def _start_time(request: HttpRequest) -> int | None:
    """?t=SECONDS (a shared moment): whole seconds, or None when absent or not a number."""
    try:
        seconds = int(float(request.GET.get("t", "")))
    except ValueError:
        return None
    return seconds if 0 <= seconds < 24 * 3600 else None


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    published = Story.objects.published().for_cards()
    return render(
        request,
        "stories/home.html",
        {
            "featured": published.filter(featured=True)[:6],
            "latest": published.filter(featured=False)[:6],
            "skills": selectors.popular_skills(limit=16),
            "moves": selectors.move_kind_counts(),
        },
    )


@require_safe
def story_list(request: HttpRequest) -> HttpResponse:
    form = StoryFilterForm(request.GET)
    filters = form.filters()
    published = Story.objects.published()
    stories = selectors.filter_stories(published, filters)
    page = Paginator(stories.for_cards(), STORIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "stories/story_list.html",
        {
            "form": form,
            "filters": filters,
            "active": form.active(request.GET),
            "problems": form.problems(),
            "facets": selectors.story_facets(published, filters),
            "page": page,
        },
    )


@require_safe
def story_detail(request: HttpRequest, slug: str) -> HttpResponse:
    story = _get_story_for_user(request, slug)
    if story.is_published:
        story_viewed.send(sender=Story, story=story, user=request.user)
    moves = story.moves.select_related("from_function", "to_function")
    skills = story.skills.order_by("kind", "name")
    return render(
        request,
        "stories/story_detail.html",
        {
            "story": story,
            "moves": moves,
            "skills": skills,
            "start_time": _start_time(request),
            "related": selectors.related_stories(story),
        },
    )


@require_safe
def storyteller_detail(request: HttpRequest, slug: str) -> HttpResponse:
    storyteller = _get_storyteller_for_user(request, slug)
    stories = storyteller.stories.visible_to(request.user).for_cards()
    return render(request, "stories/storyteller_detail.html", {"storyteller": storyteller, "stories": stories})


@require_safe
def skill_index(request: HttpRequest) -> HttpResponse:
    counts = selectors.skill_story_counts()
    frameworks = [(framework, framework_tree(framework, counts=counts)) for framework in frameworks_in_use()]
    return render(request, "skills/skill_index.html", {"frameworks": frameworks})


@require_safe
def skill_detail(request: HttpRequest, slug: str) -> HttpResponse:
    skill = get_object_or_404(Skill.objects.filter(is_retired=False).select_related("framework", "parent"), slug=slug)
    children = skill.children.filter(is_retired=False)
    tags = Skill.objects.filter(Q(pk=skill.pk) | Q(parent=skill))
    stories = (
        Story.objects.published()
        .filter(Exists(TaggedStory.objects.filter(content_object=OuterRef("pk"), tag__in=tags)))
        .for_cards()
    )
    page = Paginator(stories, STORIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "skills/skill_detail.html",
        {
            "skill": skill,
            "children": children,
            "levels": skill.levels_with_descriptors(skill.framework.levels.all()),
            "page": page,
            "related": selectors.related_skills(skill),
        },
    )


# Media: every byte goes through the same access check as the page it belongs to.


@require_safe
def story_media(request: HttpRequest, slug: str) -> HttpResponseBase:
    story = _get_story_for_user(request, slug)
    if not story.media:
        raise Http404("This story has no media.")
    return file_response(request, field_file=story.media)


@require_safe
def story_captions(request: HttpRequest, slug: str) -> HttpResponseBase:
    story = _get_story_for_user(request, slug)
    if not story.captions:
        raise Http404("This story has no captions.")
    return file_response(request, field_file=story.captions, content_type="text/vtt; charset=utf-8")


def _rendition_response(request: HttpRequest, field_file: FieldFile, renditions: dict, width: int):
    rendition = pick_rendition(renditions, width)
    if rendition is None:
        raise Http404("No picture of that width.")
    return file_response(request, field_file=FieldFile(field_file.instance, field_file.field, rendition["name"]))


@require_safe
def story_poster(request: HttpRequest, slug: str, width: int) -> HttpResponseBase:
    story = _get_story_for_user(request, slug)
    return _rendition_response(request, story.poster, story.poster_renditions, width)


@require_safe
def storyteller_portrait(request: HttpRequest, slug: str, width: int) -> HttpResponseBase:
    storyteller = _get_storyteller_for_user(request, slug)
    return _rendition_response(request, storyteller.portrait, storyteller.portrait_renditions, width)
