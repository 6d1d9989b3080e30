"""Events that skills emits for apps that build on it (skills itself imports none of them).

skills_renamed: sent when an import or a merge changes what skills are called (names, alternative labels) or
    whether they are retired (both ways), after the change is written and inside its transaction.
    Arguments: skill_ids (a set of Skill primary keys). Stories refreshes the search text of the stories they tag.
"""

from django.dispatch import Signal

skills_renamed = Signal()
