import datetime

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from careerportal.models import Profile
from skills.models import Framework, ProficiencyLevel, Skill
from stories.models import CareerMove, Function, Level, Opportunity, Story, Storyteller

VTT = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello.\n\n00:00:02.000 --> 00:00:04.500\nThis is my story.\n"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework
        django_get_or_create = ["code"]

    code = "test"
    name = "Test framework"


class ProficiencyLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProficiencyLevel

    framework = factory.SubFactory(FrameworkFactory)
    level = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Level {n + 1}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    framework = factory.SubFactory(FrameworkFactory)
    name = factory.Sequence(lambda n: f"Skill {n:03d}")
    code = factory.Sequence(lambda n: f"S{n:03d}")
    kind = Skill.Kind.SKILL


class FunctionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Function
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Function {n}")
    slug = factory.Sequence(lambda n: f"function-{n}")


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Level {n}")
    slug = factory.Sequence(lambda n: f"level-{n}")
    rank = factory.Sequence(lambda n: n + 1)


class StorytellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Storyteller

    name = factory.Sequence(lambda n: f"Storyteller {n}")
    slug = factory.Sequence(lambda n: f"storyteller-{n}")
    role_title = "Product Analyst"
    function = factory.SubFactory(FunctionFactory)
    level = factory.SubFactory(LevelFactory)
    consent_given_on = datetime.date(2026, 1, 15)


class StoryFactory(factory.django.DjangoModelFactory):
    """A published text story by default; `video=True` or `podcast=True` give media stories with captions."""

    class Meta:
        model = Story
        skip_postgeneration_save = True

    class Params:
        video = factory.Trait(
            format=Story.Format.VIDEO,
            media=factory.django.FileField(filename="story.mp4", data=b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2000),
            media_type="video/mp4",
            captions=factory.django.FileField(filename="story.vtt", data=VTT),
            transcript="Hello.\n\nThis is my story.",
            duration_seconds=12,
        )
        podcast = factory.Trait(
            format=Story.Format.PODCAST,
            media=factory.django.FileField(filename="story.mp3", data=b"ID3\x04\x00" + b"\x00" * 2000),
            media_type="audio/mpeg",
            captions=factory.django.FileField(filename="story.vtt", data=VTT),
            transcript="Hello.\n\nThis is my story.",
            duration_seconds=12,
        )

    title = factory.Sequence(lambda n: f"A career story {n}")
    slug = factory.Sequence(lambda n: f"story-{n}")
    storyteller = factory.SubFactory(StorytellerFactory)
    format = Story.Format.TEXT
    status = Story.Status.PUBLISHED
    summary = "How I moved sideways and found work I love."
    body = "## Why I moved\n\nI wanted to *learn*."
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


class CareerMoveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerMove

    story = factory.SubFactory(StoryFactory)
    kind = CareerMove.Kind.LATERAL
    from_role = "Account Manager"
    to_role = "Financial Analyst"
    year = 2024


class ProfileFactory(factory.django.DjangoModelFactory):
    """An account's place in the company directory (careerportal.models.Profile), with a new account by default."""

    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    employee_id = factory.Sequence(lambda n: f"E{n:05d}")
    job_title = "Account Manager"


class OpportunityFactory(factory.django.DjangoModelFactory):
    """An open opportunity closing in a fortnight by default."""

    class Meta:
        model = Opportunity
        skip_postgeneration_save = True

    kind = Opportunity.Kind.SECONDMENT
    title = factory.Sequence(lambda n: f"A secondment {n}")
    description = "Three months with the treasury team."
    time_commitment = "Two days a week for three months"
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    poster = factory.SubFactory(UserFactory)
    state = Opportunity.State.OPEN

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


def upload(name: str, data: bytes) -> ContentFile:
    return ContentFile(data, name=name)
