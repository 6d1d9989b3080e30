"""Factories for the reflection toolkit's private models (tests/factories.py holds the shared ones)."""

import datetime

import factory
from django.utils import timezone

from reflection.models import (
    Action,
    Aspiration,
    ConversationRequest,
    Objective,
    ObjectiveComment,
    Openness,
    PlanShare,
    Reflection,
    SavedStory,
    SelfAssessment,
    StoryVisit,
)
from tests.factories import SkillFactory, StoryFactory, UserFactory


class StoryVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoryVisit

    owner = factory.SubFactory(UserFactory)
    story = factory.SubFactory(StoryFactory)


class SavedStoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavedStory

    owner = factory.SubFactory(UserFactory)
    story = factory.SubFactory(StoryFactory)


class ReflectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reflection

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Reflection {n}")
    what_they_did = "They asked for a secondment."


class SelfAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfAssessment

    owner = factory.SubFactory(UserFactory)
    skill = factory.SubFactory(SkillFactory)
    level = 2


class AspirationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Aspiration
        django_get_or_create = ["owner"]

    owner = factory.SubFactory(UserFactory)
    long_term_goals = "Lead a finance team abroad."


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    why = "It matters to me."
    target_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))
    status = Objective.Status.ON_TRACK

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)

    @factory.post_generation
    def stories(self, create, extracted, **kwargs):
        if create and extracted:
            self.stories.set(extracted)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    objective = factory.SubFactory(ObjectiveFactory)
    kind = Action.Kind.COURSE
    title = factory.Sequence(lambda n: f"Action {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))


class ObjectiveCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObjectiveComment

    objective = factory.SubFactory(ObjectiveFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment {n}")


class PlanShareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanShare

    owner = factory.SubFactory(UserFactory)
    shared_with = factory.SubFactory(UserFactory)


class ConversationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConversationRequest
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    colleague = factory.SubFactory(UserFactory)
    message = "Could we talk about my next move?"

    @factory.post_generation
    def objectives(self, create, extracted, **kwargs):
        if create and extracted:
            self.objectives.set(extracted)

    @factory.post_generation
    def stories(self, create, extracted, **kwargs):
        if create and extracted:
            self.stories.set(extracted)


class OpennessFactory(factory.django.DjangoModelFactory):
    """A storyteller's account open to conversations, three a month."""

    class Meta:
        model = Openness
        django_get_or_create = ["owner"]

    owner = factory.SubFactory(UserFactory)
    conversation = True
    monthly_limit = 3
