from django import template
from django.urls import reverse
from django.utils.html import format_html

from stories.text import clock

register = template.Library()


def _rendition_urls(url_name: str, slug: str, widths: list[int]) -> dict[int, str]:
    """Each width's URL from one reverse(): the renditions' URLs differ only in the width, the path's last number
    ("…/poster-640.webp"). Cards show several pictures a page, each in several widths."""
    head, _zero, tail = reverse(url_name, args=[slug, 0]).rpartition("0")
    return {width: f"{head}{width}{tail}" for width in widths}


def _img(*, renditions: dict, url_name: str, slug: str, alt: str, sizes: str, css_class: str, eager: bool) -> str:
    widths = sorted(int(width) for width in renditions)
    if not widths:
        return format_html('<div class="{} {}--empty" aria-hidden="true"></div>', css_class, css_class)
    urls = _rendition_urls(url_name, slug, widths)
    srcset = ", ".join(f"{url} {width}w" for width, url in urls.items())
    default = next((width for width in widths if width >= 320), widths[-1])
    return format_html(
        '<img class="{}" src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" loading="{}"'
        ' decoding="async">',
        css_class,
        urls[default],
        srcset,
        sizes,
        renditions[str(default)]["width"],
        renditions[str(default)]["height"],
        alt,
        "eager" if eager else "lazy",
    )


@register.simple_tag
def story_picture(story, sizes: str = "100vw", css_class: str = "card__picture", eager: bool = False) -> str:
    """The story's poster, or its storyteller's portrait, as a responsive WebP <img> (decorative on cards)."""
    source, renditions = story.image_renditions
    if source == "poster":
        return _img(renditions=renditions, url_name="stories:poster", slug=story.slug, alt="",
                    sizes=sizes, css_class=css_class, eager=eager)  # fmt: skip
    return _img(renditions=renditions, url_name="stories:portrait", slug=story.storyteller.slug, alt="",
                sizes=sizes, css_class=css_class, eager=eager)  # fmt: skip


@register.simple_tag
def portrait(storyteller, sizes: str = "8rem", css_class: str = "portrait", alt: str | None = None) -> str:
    return _img(
        renditions=storyteller.portrait_renditions,
        url_name="stories:portrait",
        slug=storyteller.slug,
        alt=f"Portrait of {storyteller.name}" if alt is None else alt,
        sizes=sizes,
        css_class=css_class,
        eager=True,
    )


@register.filter
def duration(seconds: int | None) -> str:
    """125 → "2:05"."""
    return clock(seconds)


@register.simple_tag
def poster_srcset(story) -> str:
    """The poster's renditions as a srcset, from which the player picks the one as wide as it shows it."""
    urls = _rendition_urls("stories:poster", story.slug, sorted(int(width) for width in story.poster_renditions))
    return ", ".join(f"{url} {width}w" for width, url in urls.items())


@register.simple_tag(takes_context=True)
def og_image_url(context, story) -> str:
    """An absolute URL of the story's picture for link previews: its poster (640 wide), else its generated card."""
    widths = sorted(int(width) for width in story.poster_renditions)
    if widths:
        width = next((w for w in widths if w >= 640), widths[-1])
        url = reverse("stories:poster", args=[story.slug, width])
    else:
        url = reverse("stories:card", args=[story.slug])
    return context["request"].build_absolute_uri(url)
