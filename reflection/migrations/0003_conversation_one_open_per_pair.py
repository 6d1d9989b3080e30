# The constraints of 0002's states, in a migration of their own: 0002's data step has run (and committed) first.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reflection", "0002_conversation_request_states"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='conversationrequest',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['requested', 'accepted', 'declined', 'held', 'withdrawn'])), name='conversation_state_known'),
        ),
        migrations.AddConstraint(
            model_name='conversationrequest',
            constraint=models.UniqueConstraint(condition=models.Q(('state__in', ['requested', 'accepted'])), fields=('owner', 'colleague'), name='conversation_one_open_per_pair'),
        ),
    ]
