"""Text that curators and storytellers supply, made safe for a page: Markdown for text stories (rendered once and
sanitised with nh3 so no curator's HTML reaches a page raw), the markup of WebVTT cues, and the transcript as the story
page shows it (rendered once when the story is saved)."""

import html
import re

import markdown
import nh3
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "blockquote", "ul", "ol", "li", "a", "code", "pre", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> str:
    if not text.strip():
        return ""
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


# WebVTT cue text: <v Speaker>, <b>, <i>, <u>, <c.class>, <lang xx>, <ruby>/<rt> and <00:01.000> timestamps.
_CUE_TAG = re.compile(r"<(/?)([a-z]+|[0-9])[^\s>]*(?:[ \t]+([^>]*))?>")
_CUE_EMPHASIS = {"b": "b", "i": "i", "u": "u", "ruby": "ruby", "rt": "rt"}  # the rest only spans text: dropped


def render_cue(text: str) -> SafeString:
    """A cue's text as HTML: a voice becomes its speaker's name, emphasis stays emphasis; all else is escaped text.

    Unknown and unclosed tags never reach the page as tags: the first are dropped, the second closed.
    """
    parts, open_tags, position = [], [], 0
    for match in _CUE_TAG.finditer(text):
        parts.append(escape(html.unescape(text[position : match.start()])))
        position = match.end()
        closing, name, annotation = match.group(1), match.group(2), (match.group(3) or "").strip()
        if closing:
            if _CUE_EMPHASIS.get(name) in open_tags:
                while (tag := open_tags.pop()) != _CUE_EMPHASIS[name]:
                    parts.append(f"</{tag}>")
                parts.append(f"</{tag}>")
        elif name == "v" and annotation:
            parts.append(format_html('<span class="cue__speaker">{}:</span> ', html.unescape(annotation)))
        elif name in _CUE_EMPHASIS:
            open_tags.append(_CUE_EMPHASIS[name])
            parts.append(f"<{_CUE_EMPHASIS[name]}>")
    parts.append(escape(html.unescape(text[position:])))
    parts.extend(f"</{tag}>" for tag in reversed(open_tags))
    # Safe: every piece of text above is escaped; the only tags are the ones written here.
    return mark_safe("".join(parts))  # noqa: S308


def cue_plain_text(text: str) -> str:
    """A cue's words without its markup, as a speaker would be quoted in plain text."""

    def speaker(match: re.Match) -> str:
        opening_voice = not match.group(1) and match.group(2) == "v" and (match.group(3) or "").strip()
        return f"{match.group(3).strip()}: " if opening_voice else ""

    return html.unescape(_CUE_TAG.sub(speaker, text))


def clock(seconds: float | None) -> str:
    """125 → "2:05"; nothing for no time."""
    if not seconds:
        return ""
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}"


def render_transcript(*, transcript: str, cues: list) -> str:
    """The story page's transcript, rendered when the story is saved (Story.transcript_html), never per request.

    With the captions' cues, a list the player follows: each cue a link that plays from its start (`?t=` without
    JavaScript), then its words with their speaker and emphasis. Without cues, the transcript's paragraphs.
    """
    if not transcript:
        return ""
    if cues:
        items = format_html_join(
            "",
            '<li data-from="{}"><a href="?t={}" data-seek="{}"><span class="visually-hidden">Play from </span>{}</a> '
            "<span>{}</span></li>",
            ((start, int(start), start, clock(start) or "0:00", render_cue(text)) for start, _end, text in cues),
        )
        return format_html('<ol class="transcript__cues" data-transcript>{}</ol>', items)
    paragraphs = (paragraph.strip() for paragraph in transcript.split("\n\n"))
    return format_html(
        '<div class="transcript__text">{}</div>',
        format_html_join("", "<p>{}</p>", ((linebreaksbr(p, autoescape=True),) for p in paragraphs if p)),
    )
