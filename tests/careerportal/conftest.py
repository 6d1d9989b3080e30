import pytest

from tests.factories import UserFactory


@pytest.fixture
def erin(db):
    return UserFactory(username="erin", first_name="Erin", last_name="Walsh")


@pytest.fixture
def mona(db):
    return UserFactory(username="mona", first_name="Mona", last_name="Manager")
