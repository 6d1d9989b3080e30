"""SCIM 2.0 provisioning as Microsoft Entra ID and Okta send it: real HTTP requests with a bearer token, the SCIM
content type and the bodies these identity providers send (including Entra ID's validator's)."""

import importlib.util
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from careerportal.models import Profile
from tests.factories import FunctionFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
TOKEN = "s3cret-token-for-the-identity-provider-0123456789"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


@pytest.fixture(autouse=True)
def scim_on(settings):
    settings.PORTAL_SCIM_TOKEN = TOKEN


@pytest.fixture
def idp():
    """An identity provider's HTTP client: every request with the bearer token and SCIM's content type."""
    return Provider(TOKEN)


class Provider:
    def __init__(self, token: str | None):
        self.client = Client(enforce_csrf_checks=True)  # as a real client: no CSRF token
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, url: str, body: dict | None = None):
        return getattr(self.client, method)(
            url,
            data=json.dumps(body) if body is not None else None,
            content_type="application/scim+json",
            headers={**self.headers, "Accept": "application/scim+json"},
        )

    def get(self, url):
        return self.client.get(url, headers=self.headers)

    def post(self, url, body):
        return self.request("post", url, body)

    def put(self, url, body):
        return self.request("put", url, body)

    def patch(self, url, body):
        return self.request("patch", url, body)

    def delete(self, url):
        return self.request("delete", url)


def entra_user(user_name="amara.okafor@example.com", **extra) -> dict:
    """A POST body as Microsoft Entra ID sends it."""
    return {
        "schemas": [USER, ENTERPRISE],
        "externalId": "E1001",
        "userName": user_name,
        "active": True,
        "displayName": "Amara Okafor",
        "emails": [{"primary": True, "type": "work", "value": "Amara.Okafor@example.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Amara Okafor", "familyName": "Okafor", "givenName": "Amara"},
        "title": "Financial Analyst",
        ENTERPRISE: {"department": "finance", "employeeNumber": "1001"},
        **extra,
    }


def patch(idp, scim_id: str, operation: dict):
    return idp.patch(f"/scim/v2/Users/{scim_id}", {"schemas": [PATCH], "Operations": [operation]})


def test_a_post_creates_an_account_with_its_profile_and_answers_the_resource(idp):
    finance = FunctionFactory(name="Finance", slug="finance")
    response = idp.post("/scim/v2/Users", entra_user())

    assert response.status_code == 201
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    user = User.objects.get(username="amara.okafor@example.com")
    assert response["Location"] == f"http://testserver/scim/v2/Users/{user.pk}"
    assert (body["id"], body["userName"], body["active"], body["externalId"]) == (
        str(user.pk), "amara.okafor@example.com", True, "E1001"
    )  # fmt: skip
    assert body[ENTERPRISE] == {"department": "Finance"} and body["title"] == "Financial Analyst"
    assert (user.email, user.get_full_name(), user.is_active, user.has_usable_password()) == (
        "Amara.Okafor@example.com", "Amara Okafor", True, False
    )  # fmt: skip
    profile = Profile.objects.get(user=user)
    assert (profile.employee_id, profile.job_title, profile.function, profile.left_on) == (
        "E1001", "Financial Analyst", finance, None
    )  # fmt: skip


def test_get_reads_a_user_and_an_unknown_id_is_a_scim_404(idp):
    user = User.objects.get(pk=idp.post("/scim/v2/Users", entra_user()).json()["id"])
    response = idp.get(f"/scim/v2/Users/{user.pk}")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response.json()["emails"] == [{"value": "Amara.Okafor@example.com", "type": "work", "primary": True}]
    for unknown in ("999999", "d6a8b7f0-5c4e-4b0a-9f5e-1a2b3c4d5e6f"):  # Entra ID's validator asks for a GUID
        response = idp.get(f"/scim/v2/Users/{unknown}")
        assert response.status_code == 404
        assert response.json()["schemas"] == [ERROR] and response.json()["status"] == "404"


def test_filtering_by_username_finds_the_account_in_any_case_and_nothing_else(idp):
    idp.post("/scim/v2/Users", entra_user())
    UserFactory(username="marcus.bell@example.com")
    response = idp.get('/scim/v2/Users?filter=userName+eq+"AMARA.OKAFOR@example.com"')
    assert response.status_code == 200
    body = response.json()
    assert (body["totalResults"], body["itemsPerPage"], body["startIndex"]) == (1, 1, 1)
    assert [user["userName"] for user in body["Resources"]] == ["amara.okafor@example.com"]
    # Entra ID's validator, before creating: a name nobody has is an empty list, not an error
    response = idp.get('/scim/v2/Users?filter=userName eq "6f1f0bd5-5a7f-4b4a-9d43-0e3c5b6a7d88"')
    assert response.json()["totalResults"] == 0 and response.json()["Resources"] == []
    assert idp.get('/scim/v2/Users?filter=externalId eq "E1001"').json()["totalResults"] == 1
    response = idp.get('/scim/v2/Users?filter=displayName co "Amara"')
    assert response.status_code == 400 and response.json()["scimType"] == "invalidFilter"


def test_listing_pages_with_start_index_and_count_in_constant_queries(idp, django_assert_num_queries):
    for number in range(3):
        UserFactory(username=f"person{number}")
    with django_assert_num_queries(2):
        first = idp.get("/scim/v2/Users?startIndex=1&count=2").json()
    finance, boss = FunctionFactory(name="Finance", slug="finance"), UserFactory(username="boss")
    for number in range(3, 10):
        Profile.objects.create(user=UserFactory(username=f"person{number}"), function=finance, manager=boss)
    with django_assert_num_queries(2):
        second = idp.get("/scim/v2/Users?startIndex=3&count=5").json()
    assert (first["totalResults"], first["itemsPerPage"]) == (3, 2)
    assert (second["totalResults"], second["itemsPerPage"]) == (11, 5)
    assert [user["userName"] for user in second["Resources"]] == ["person2", "boss", "person3", "person4", "person5"]
    manager = {"value": str(boss.pk), "displayName": boss.get_full_name()}
    assert second["Resources"][2][ENTERPRISE] == {"department": "Finance", "manager": manager}


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "Replace", "path": "active", "value": "False"},  # Entra ID
        {"op": "replace", "value": {"active": False}},  # Okta
        {"op": "replace", "path": "active", "value": False},
    ],
    ids=["entra", "okta", "path"],
)
def test_patch_active_false_deactivates_marks_as_left_and_ends_the_sessions(idp, operation):
    user = User.objects.get(pk=idp.post("/scim/v2/Users", entra_user()).json()["id"])
    browser, colleague = Client(), Client()
    browser.force_login(user)
    colleague.force_login(UserFactory(username="marcus"))
    assert browser.get("/me/").status_code == 200

    response = patch(idp, str(user.pk), operation)

    assert response.status_code == 200 and response.json()["active"] is False
    user.refresh_from_db()
    assert not user.is_active and Profile.objects.get(user=user).left_on is not None
    assert Session.objects.count() == 1  # the colleague's
    response = browser.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert colleague.get("/me/").status_code == 200


def test_patch_active_true_brings_back_someone_who_left(idp):
    scim_id = idp.post("/scim/v2/Users", entra_user(active=False)).json()["id"]
    assert Profile.objects.get(user_id=scim_id).left_on is not None
    response = patch(idp, scim_id, {"op": "replace", "path": "active", "value": True})
    assert response.json()["active"] is True
    assert User.objects.get(pk=scim_id).is_active and Profile.objects.get(user_id=scim_id).left_on is None


def test_patch_as_entra_id_sends_it_updates_names_email_title_department_and_manager(idp):
    FunctionFactory(name="Sales", slug="sales")
    manager = idp.post("/scim/v2/Users", entra_user("marcus@example.com", externalId="E1")).json()["id"]
    scim_id = idp.post("/scim/v2/Users", entra_user()).json()["id"]
    operations = [
        {"op": "Replace", "path": "displayName", "value": "Amara Okafor-Bell"},
        {"op": "Replace", "path": "name.familyName", "value": "Okafor-Bell"},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "amara.ob@example.com"},
        {"op": "Add", "path": "title", "value": "Account Executive"},
        {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "SALES"},
        {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": manager},
        {"op": "Add", "path": 'phoneNumbers[type eq "work"].value', "value": "+44 20 7946 0000"},  # not kept
    ]
    response = idp.patch(f"/scim/v2/Users/{scim_id}", {"schemas": [PATCH], "Operations": operations})

    assert response.status_code == 200
    user = User.objects.select_related("profile__function").get(pk=scim_id)
    assert (user.last_name, user.email, user.profile.job_title, user.profile.function.name) == (
        "Okafor-Bell", "amara.ob@example.com", "Account Executive", "Sales"
    )  # fmt: skip
    assert response.json()[ENTERPRISE]["manager"]["value"] == manager
    remove = {"schemas": [PATCH], "Operations": [{"op": "Remove", "path": f"{ENTERPRISE}:manager"}]}
    idp.patch(f"/scim/v2/Users/{scim_id}", remove)
    assert Profile.objects.get(user_id=scim_id).manager is None


def test_put_replaces_what_the_representation_holds(idp):
    scim_id = idp.post("/scim/v2/Users", entra_user()).json()["id"]
    body = entra_user(name={"givenName": "Amy", "familyName": "Okafor"}, title="Controller", active=False)
    response = idp.put(f"/scim/v2/Users/{scim_id}", body)
    assert response.status_code == 200
    user = User.objects.select_related("profile").get(pk=scim_id)
    assert (user.first_name, user.profile.job_title, user.is_active) == ("Amy", "Controller", False)


def test_an_unknown_department_is_logged_and_no_function_is_made(idp, caplog):
    response = idp.post("/scim/v2/Users", entra_user())
    assert response.status_code == 201 and ENTERPRISE not in response.json()
    assert "'finance' is not one of the portal's" in caplog.text


def test_a_duplicate_username_in_any_case_or_external_id_is_a_409_with_a_scim_error(idp):
    idp.post("/scim/v2/Users", entra_user())
    for body in (entra_user("AMARA.OKAFOR@example.com", externalId="E2"), entra_user("someone.else@example.com")):
        response = idp.post("/scim/v2/Users", body)
        assert response.status_code == 409
        assert response.json()["schemas"] == [ERROR]
        assert (response.json()["status"], response.json()["scimType"]) == ("409", "uniqueness")
    assert User.objects.count() == 1


def test_bad_input_is_a_400_that_changes_nothing(idp):
    scim_id = idp.post("/scim/v2/Users", entra_user()).json()["id"]
    for body in (
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": "maybe"}]},
        {"schemas": [PATCH], "Operations": [{"op": "move", "path": "title", "value": "x"}]},
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "emails", "value": [{"value": "not-an-email"}]}]},
    ):
        response = idp.patch(f"/scim/v2/Users/{scim_id}", body)
        assert response.status_code == 400 and response.json()["schemas"] == [ERROR]
    assert idp.post("/scim/v2/Users", {"schemas": [USER]}).status_code == 400  # no userName
    response = idp.client.post("/scim/v2/Users", data="{", content_type="application/scim+json", headers=idp.headers)
    assert response.status_code == 400 and response.json()["scimType"] == "invalidSyntax"
    assert User.objects.get(pk=scim_id).is_active


def test_delete_marks_as_left_and_deletes_nothing(idp):
    scim_id = idp.post("/scim/v2/Users", entra_user()).json()["id"]
    assert idp.delete(f"/scim/v2/Users/{scim_id}").status_code == 204
    user = User.objects.get(pk=scim_id)
    assert not user.is_active and Profile.objects.get(user=user).left_on is not None


@pytest.mark.parametrize("token", [None, "wrong-token", TOKEN[:-1]])
def test_a_missing_or_wrong_token_is_a_401_and_changes_nothing(token):
    response = Provider(token).post("/scim/v2/Users", entra_user())
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["schemas"] == [ERROR]
    assert Provider(token).get("/scim/v2/Users").status_code == 401
    assert not User.objects.exists()


def test_a_logged_in_session_is_no_way_in(client):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    assert client.get("/scim/v2/Users").status_code == 401


def test_without_a_token_in_settings_the_whole_endpoint_is_not_found(idp, settings):
    settings.PORTAL_SCIM_TOKEN = ""
    assert idp.get("/scim/v2/Users").status_code == 404
    assert idp.post("/scim/v2/Users", entra_user()).status_code == 404
    assert idp.get("/scim/v2/Users/1").status_code == 404
    assert Provider(None).get("/scim/v2/Users").status_code == 404
    assert not User.objects.exists()


def test_a_short_token_stops_start_up(monkeypatch):
    monkeypatch.setenv("PORTAL_SCIM_TOKEN", "guessable")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    settings_file = Path(__file__).resolve().parents[2] / "careerportal" / "settings.py"
    spec = importlib.util.spec_from_file_location("scim_settings", settings_file)
    with pytest.raises(ImproperlyConfigured, match="PORTAL_SCIM_TOKEN must be at least 32 characters"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


def test_a_patch_value_object_may_name_attributes_by_their_paths_as_okta_and_entra_id_send_them(idp):
    scim_id = idp.post("/scim/v2/Users", entra_user()).json()["id"]
    value = {"name.givenName": "Amy", "title": "Controller", ENTERPRISE: {"department": ""}, "externalId": "E7"}
    response = patch(idp, scim_id, {"op": "replace", "value": value})  # without a path
    assert response.status_code == 200
    assert (response.json()["name"]["givenName"], response.json()["title"], response.json()["externalId"]) == (
        "Amy", "Controller", "E7"
    )  # fmt: skip


def test_a_username_taken_between_the_check_and_the_write_is_still_a_409(idp, monkeypatch):
    idp.post("/scim/v2/Users", entra_user())
    monkeypatch.setattr("careerportal.scim._check_unique", lambda user, values: None)  # as a concurrent request
    response = idp.post("/scim/v2/Users", entra_user("someone.else@example.com"))  # the same externalId
    assert response.status_code == 409 and response.json()["scimType"] == "uniqueness"
    assert User.objects.count() == 1


def _over_http(live_server, method: str, path: str, body: dict | None = None, token: str = TOKEN):
    """One request over a socket to a running server, as the identity provider's SCIM client sends it."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{live_server.url}{path}",
        data=data,
        method=method,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/scim+json; charset=utf-8",
            "Accept": "application/scim+json",
            "User-Agent": "Azure-Provisioning",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.mark.django_db(transaction=True)
def test_over_real_http_an_identity_provider_creates_finds_and_deactivates_an_account(live_server):
    status, created = _over_http(live_server, "POST", "/scim/v2/Users", entra_user())
    assert status == 201 and created["active"] is True
    browser = Client()
    browser.force_login(User.objects.get(pk=created["id"]))

    status, found = _over_http(
        live_server, "GET", f"/scim/v2/Users?filter={urllib.parse.quote('userName eq "Amara.Okafor@example.com"')}"
    )
    assert status == 200 and [user["id"] for user in found["Resources"]] == [created["id"]]
    status, _ = _over_http(live_server, "GET", "/scim/v2/Users", token="wrong-" + TOKEN)
    assert status == 401

    operation = {"op": "Replace", "path": "active", "value": "False"}
    status, patched = _over_http(
        live_server, "PATCH", f"/scim/v2/Users/{created['id']}", {"schemas": [PATCH], "Operations": [operation]}
    )

    assert status == 200 and patched["active"] is False
    assert not User.objects.get(pk=created["id"]).is_active
    assert not Session.objects.exists()  # their session ended
    assert browser.get("/me/").status_code == 302
