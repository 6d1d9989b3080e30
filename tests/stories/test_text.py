import pytest

from stories.text import cue_plain_text, render_cue, render_transcript


@pytest.mark.parametrize(
    "text, html",
    [
        ("<v Nadia Haddad>Hello", '<span class="cue__speaker">Nadia Haddad:</span> Hello'),
        (
            "<v.first Jo>Hi</v> <v Sam>there",
            '<span class="cue__speaker">Jo:</span> Hi <span class="cue__speaker">Sam:</span> there',
        ),
        ("<b>bold</b>, <i>italic</i>, <u>under</u>", "<b>bold</b>, <i>italic</i>, <u>under</u>"),
        ("<b><i>unclosed", "<b><i>unclosed</i></b>"),
        ("<b><i>crossed</b> after", "<b><i>crossed</i></b> after"),
        ("</i>stray closer", "stray closer"),
        ("<c.loud>classed</c> <lang en>spoken</lang> <00:00:01.500>timed", "classed spoken timed"),
        ("<script>alert(1)</script>", "alert(1)"),
        ('<img src=x onerror="alert(1)">', ""),
        ("<v <b>x</b>>y", '<span class="cue__speaker">&lt;b:</span> x&gt;y'),
        ("fish &amp; chips, 3 < 4 > 2, &lt;b&gt;", "fish &amp; chips, 3 &lt; 4 &gt; 2, &lt;b&gt;"),
    ],
)
def test_cue_markup_renders_as_speaker_and_emphasis_and_nothing_else_becomes_a_tag(text, html):
    assert render_cue(text) == html


def test_a_cue_as_plain_text_names_its_speaker_and_drops_its_markup():
    assert cue_plain_text("<v Nadia>I <b>chose</b> it &amp; stayed</v>") == "Nadia: I chose it & stayed"


def test_a_timed_transcript_is_a_list_of_cues_each_playing_from_its_start():
    html = render_transcript(transcript="Hi", cues=[[0.0, 4.0, "<v Jo>Hi"], [61.25, 70.0, "<b>There</b> & <i>back"]])

    assert html == (
        '<ol class="transcript__cues" data-transcript>'
        '<li data-from="0.0"><a href="?t=0" data-seek="0.0"><span class="visually-hidden">Play from </span>0:00</a> '
        '<span><span class="cue__speaker">Jo:</span> Hi</span></li>'
        '<li data-from="61.25"><a href="?t=61" data-seek="61.25"><span class="visually-hidden">Play from </span>1:01'
        "</a> <span><b>There</b> &amp; <i>back</i></span></li></ol>"
    )


def test_an_untimed_transcript_is_its_paragraphs_with_everything_escaped():
    html = render_transcript(transcript="First <script>\nline two\n\n\n\n  Second  \n\n", cues=[])

    assert html == '<div class="transcript__text"><p>First &lt;script&gt;<br>line two</p><p>Second</p></div>'


def test_no_transcript_renders_nothing():
    assert render_transcript(transcript="", cues=[[0.0, 1.0, "ignored"]]) == ""
