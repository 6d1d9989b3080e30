"""The GOV.UK error pattern, rendered once for every portal form (careerportal/templatetags/portal_forms.py and
templates/includes/form_fields.html, error_summary.html): seen here through the toolkit's and the login's forms."""

import re

import pytest

pytestmark = pytest.mark.django_db


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def summary_links(html: str) -> list[tuple[str, str]]:
    """The error summary's links as (text, href), after checking what the summary must be."""
    found = re.search(r'<div class="error-summary"([^>]*)>(.*?)</div>', html, re.S)
    assert found, "no error summary"
    attributes, body = found.groups()
    assert 'role="alert"' in attributes and 'tabindex="-1"' in attributes
    assert ">There is a problem</h2>" in body
    return [(text, href) for href, text in re.findall(r'<a href="([^"]*)">(.*?)</a>', body)]


def tag(html: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    return re.search(rf'<[a-z]+[^>]*\bid="{element_id}"[^>]*>', html).group(0)


def labels(html: str) -> dict[str, str]:
    return {
        target: re.sub(r"<[^>]+>", "", text).strip()
        for target, text in re.findall(r'<label for="([^"]+)">(.*?)</label>', html, re.S)
    }


def test_an_empty_objective_answers_with_a_summary_linking_to_the_title(employee_client):
    response = employee_client.post("/me/plan/new/", {"title": "", "status": "not_started"})
    html = response.content.decode()
    assert response.status_code == 200
    assert title(html).startswith("Error: ")
    assert summary_links(html) == [("This field is required.", "#id_title")]
    assert 'aria-describedby="id_title_error"' in tag(html, "id_title")
    assert (
        '<p class="error" id="id_title_error"><span class="visually-hidden">Error:</span> This field is required.</p>'
        in html
    )


def test_an_empty_reflection_answers_with_a_summary_linking_to_its_first_box(employee_client):
    html = employee_client.post("/me/reflections/new/", {"title": "", "what_they_did": ""}).content.decode()
    assert title(html).startswith("Error: ")
    assert summary_links(html) == [("Write something in at least one of the boxes before saving.", "#id_title")]


def test_an_error_in_a_group_of_radios_links_to_its_first_radio_and_describes_the_group(employee_client):
    html = employee_client.post("/me/aspirations/", {"track": "nonsense"}).content.decode()
    assert ("Select a valid choice. nonsense is not one of the available choices.", "#id_track_0") in summary_links(
        html
    )
    assert 'id="id_track_0"' in html
    assert '<fieldset aria-describedby="id_track_error">' in html


def test_a_page_without_errors_has_no_summary_and_a_plain_title(employee_client):
    html = employee_client.get("/me/plan/new/").content.decode()
    assert "error-summary" not in html
    assert not title(html).startswith("Error")


def test_labels_have_no_colons_and_optional_fields_say_so(employee_client):
    html = employee_client.get("/me/plan/new/").content.decode()
    found = labels(html)
    assert found["id_title"] == "Title"
    assert found["id_why"].endswith("(optional)")
    assert found["id_target_date"].endswith("(optional)")
    assert not [text for text in found.values() if ":" in text]
    legends = [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r"<legend>(.*?)</legend>", html, re.S)]
    assert "Skills (optional)" in legends and "Stories (optional)" in legends


def test_portal_forms_validate_on_the_server_and_keep_required_for_assistive_tech(employee_client):
    html = employee_client.get("/me/plan/new/").content.decode()
    assert '<form method="post" class="form" novalidate>' in html
    assert " required" in tag(html, "id_title")


def test_a_wrong_password_is_summarised_and_titled_as_an_error(client, employee):
    response = client.post("/accounts/login/", {"username": employee.username, "password": "wrong"})
    html = response.content.decode()
    assert title(html).startswith("Error: ")
    [(message, anchor)] = summary_links(html)
    assert "didn’t match" in message and anchor == "#id_username"
    assert labels(html) == {"id_username": "Username", "id_password": "Password"}


def test_a_save_answers_with_a_status_message_that_can_take_focus(employee_client):
    response = employee_client.post("/me/plan/new/", {"title": "Lead a project", "status": "not_started"}, follow=True)
    html = response.content.decode()
    assert '<div role="status" tabindex="-1" class="messages-region" data-status>' in html
    assert "Objective saved." in html


def test_ignored_filters_are_a_warning_beside_the_results_not_an_error_page(employee_client):
    page = employee_client.get("/stories/?skill=no-such-skill").content.decode()

    assert "No skill or strength is called “no-such-skill”" in page
    assert "There is a problem" not in page
    assert "<title>Error:" not in page
