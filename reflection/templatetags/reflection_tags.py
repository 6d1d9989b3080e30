"""What a story page shows of the employee's own toolkit: reflection provides it, stories knows nothing of it."""

from django import template

from reflection import selectors
from reflection.forms import OpportunityAnswerForm, OpportunityInterestForm, StoryAskForm
from reflection.models import OpportunityInterest

register = template.Library()


@register.inclusion_tag("reflection/includes/story_toolkit.html", takes_context=True)
def story_toolkit(context, story) -> dict:
    """Save for later, reflect, plan, and the employee's reflections on this story (one query)."""
    saved, reflections = selectors.story_toolkit(context["request"].user, story)
    return {"story": story, "saved": saved, "reflections": reflections, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("reflection/includes/story_ask.html", takes_context=True)
def story_ask(context, story) -> dict:
    """ "Ask Priya for a conversation" while the storyteller is open to it and has a place left this month; a note
    when they are full, or when the story is the user's own. Personal: rendered for each request, never cached."""
    user = context["request"].user
    offer = selectors.story_ask(user, story)
    form = None
    if offer and not offer["full"] and offer["openness"].asked is None:
        form = StoryAskForm(
            kinds=offer["openness"].kinds,
            objectives=offer["objectives"],
            objective_choices=offer["objective_choices"],
        )
    return {
        "story": story,
        "own": user.pk == story.storyteller.account_id,
        "offer": offer,
        "ask": selectors.ask_label(story.storyteller, offer["openness"].kinds) if offer else "",
        "form": form,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("reflection/includes/opportunity_interest.html", takes_context=True)
def opportunity_interest(context, opportunity) -> dict:
    """On an opportunity's page: for its poster, the people interested with what each chose to send (and an answer
    box); for anyone else, their interest or the "I'm interested" form while it is open. One or two queries."""
    user = context["request"].user
    found = {"opportunity": opportunity, "csrf_token": context.get("csrf_token")}
    if opportunity.poster_id == user.pk:
        found["interested"] = selectors.opportunity_interested(opportunity)
        found["answer_form"] = OpportunityAnswerForm()
    else:
        found["mine"] = OpportunityInterest.objects.filter(owner=user, opportunity=opportunity).first()
        found["form"] = OpportunityInterestForm()
    return found
