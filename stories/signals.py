"""Events that stories emits for apps that build on it (stories itself imports none of them).

story_viewed: sent by the story page each time a logged-in user opens a published story.
    Arguments: story (stories.Story), user (the request's user). The reflection toolkit records explored stories.
"""

from django.dispatch import Signal

story_viewed = Signal()
