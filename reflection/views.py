"""The employee's toolkit under /me/. Every object comes from a queryset scoped to the requesting user: a wrong id
is a 404, never a hint that it exists."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from careerportal.people import AmbiguousColleague, colleague_find, colleague_offer, manager_of, manager_suggest
from careerportal.roles import is_curator
from reflection import insights, selectors, services
from reflection.forms import (
    AcceptForm,
    ActionForm,
    AdoptForm,
    AspirationForm,
    AssessmentForm,
    CommentForm,
    ConversationForm,
    DeclineForm,
    DeleteAllForm,
    HeldForm,
    NoteForm,
    ObjectiveForm,
    OpennessForm,
    OpportunityAnswerForm,
    OpportunityInterestForm,
    ReflectionForm,
    RemovedActionForm,
    ShareForm,
    StoryAskForm,
)
from reflection.models import (
    Action,
    Aspiration,
    ConversationRequest,
    Objective,
    Openness,
    OpportunityInterest,
    PlanShare,
    Reflection,
    SavedStory,
    SelfAssessment,
)
from skills.exporters import neutralise
from skills.models import Skill
from skills.selectors import skills_named
from stories.forms import MOMENT_MAX_SECONDS, moment_seconds
from stories.models import Collection, Opportunity, Story, Storyteller

PER_PAGE = 20


# Access: one helper per private model, scoped by the user.


def _get_reflection_for_owner(request: HttpRequest, pk: int) -> Reflection:
    return get_object_or_404(Reflection.objects.for_owner(request.user).select_related("story"), pk=pk)


def _get_objective_for_owner(request: HttpRequest, pk: int) -> Objective:
    return get_object_or_404(Objective.objects.for_owner(request.user), pk=pk)


def _get_objective_for_reader(request: HttpRequest, pk: int) -> Objective:
    """The owner's objective, or one of a colleague who shares their plan with the user now (read and comment)."""
    sharing = PlanShare.objects.active().filter(owner=OuterRef("owner"), shared_with=request.user)
    readable = Objective.objects.filter(Q(owner=request.user) | Q(Exists(sharing))).select_related("owner")
    return get_object_or_404(readable, pk=pk)


def _get_action_for_owner(request: HttpRequest, pk: int) -> Action:
    return get_object_or_404(Action.objects.filter(objective__owner=request.user), pk=pk)


def _get_share_for_owner(request: HttpRequest, pk: int) -> PlanShare:
    return get_object_or_404(PlanShare.objects.active().filter(owner=request.user), pk=pk)


def _get_conversation_for_party(request: HttpRequest, pk: int) -> ConversationRequest:
    """A conversation request the user asked for or was asked: both sides open it, nobody else."""
    return get_object_or_404(
        ConversationRequest.objects.for_party(request.user).select_related("owner", "colleague"), pk=pk
    )


def _get_sharing_owner(request: HttpRequest, owner_id: int):
    shares = PlanShare.objects.active().filter(shared_with=request.user)
    return get_object_or_404(get_user_model().objects.filter(pk__in=shares.values("owner")), pk=owner_id)


def _published_story(slug: str) -> Story:
    return get_object_or_404(Story.objects.published(), slug=slug)


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if ok else fallback


# Dashboard, explored and saved stories.


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "reflection/dashboard.html", selectors.dashboard(request.user))


@require_safe
def explored(request: HttpRequest) -> HttpResponse:
    saved_only = request.GET.get("saved") == "1"
    skill = Skill.objects.filter(slug=request.GET.get("skill", "")).first()
    rows = selectors.explored(request.user, saved_only=saved_only, skill=skill)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reflection/explored.html",
        {
            "page": page,
            "saved_only": saved_only,
            "skill": skill,
            "skills": selectors.explored_skills(request.user, saved_only=saved_only, chosen=skill),
        },
    )


@require_POST
def story_save(request: HttpRequest, slug: str) -> HttpResponse:
    story = _published_story(slug)
    saved = request.POST.get("saved") == "1"
    services.story_save(user=request.user, story=story, saved=saved)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"saved": saved})
    messages.success(request, "Saved for later." if saved else "Removed from your saved stories.")
    return redirect(_back(request, story.get_absolute_url()))


@require_http_methods(["GET", "POST"])
def story_ask(request: HttpRequest, slug: str) -> HttpResponse:
    """Asking a story's storyteller (the story page shows the same form): sent, or the form again with the reason."""
    story = get_object_or_404(Story.objects.published().select_related("storyteller"), slug=slug)
    offer = selectors.story_ask(request.user, story)
    if offer is None or (request.method == "GET" and (offer["full"] or offer["openness"].asked is not None)):
        messages.info(request, f"{story.storyteller.name} cannot take a request from you now.")
        return redirect(story.get_absolute_url())
    kinds = offer["openness"].kinds
    form = StoryAskForm(request.POST or None, kinds=kinds, objectives=offer["objectives"])
    if request.method == "POST" and form.is_valid():
        try:
            ask = services.storyteller_ask(
                owner=request.user,
                story=story,
                kind=form.cleaned_data["kind"],
                message=form.cleaned_data["message"],
                objective=form.cleaned_data["objective"],
            )
        except ValidationError as error:  # full (StorytellerFull), asked already: the form again, with the reason
            form.add_error(None, error)
        else:
            messages.success(
                request, f"{story.storyteller.name} has your request for {ask.what}: you will hear back in your inbox."
            )
            return redirect(ask)
    ask = selectors.ask_label(story.storyteller, kinds)
    return render(request, "reflection/story_ask.html", {"story": story, "form": form, "ask": ask})


@require_http_methods(["GET", "POST"])
def openness(request: HttpRequest) -> HttpResponse:
    """The storyteller's own choice of what colleagues may ask them from their stories. Only for an account that
    curators linked to a storyteller; nobody else (curators included) can open it for them."""
    storyteller = get_object_or_404(Storyteller.objects.select_related("function", "level"), account=request.user)
    current = Openness.objects.filter(owner=request.user).first() or Openness(owner=request.user)
    form = OpennessForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved: what colleagues may ask you.")
        return redirect("reflection:openness")
    return render(
        request,
        "reflection/openness.html",
        {
            "storyteller": storyteller,
            "form": form,
            "taken": selectors.asks_this_month(request.user).count(),
            "limit": current.monthly_limit,
        },
    )


@require_POST
def story_progress(request: HttpRequest, slug: str) -> HttpResponse:
    story = _published_story(slug)
    try:
        seconds = moment_seconds(request.POST.get("seconds"), story=story)
    except ValueError:
        seconds = None
    if seconds is None:
        return JsonResponse({"error": f"seconds must be a number from 0 to {MOMENT_MAX_SECONDS}"}, status=400)
    services.story_progress_record(user=request.user, story=story, seconds=seconds)
    return HttpResponse(status=204)


# Reflections.


@require_safe
def reflection_list(request: HttpRequest) -> HttpResponse:
    reflections = Reflection.objects.for_owner(request.user).select_related("story")
    page = Paginator(reflections, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reflection/reflection_list.html", {"page": page})


def reflection_new(request: HttpRequest) -> HttpResponse:
    story = Story.objects.published().filter(slug=request.GET.get("story", "")).first()
    form = ReflectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reflection = form.save(commit=False)
        reflection.owner, reflection.story = request.user, story
        reflection.save()
        messages.success(request, "Reflection saved.")
        return redirect("reflection:reflections")
    return render(request, "reflection/reflection_form.html", {"form": form, "story": story})


def reflection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = _get_reflection_for_owner(request, pk)
    form = ReflectionForm(request.POST or None, instance=reflection)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Reflection saved.")
        return redirect("reflection:reflections")
    return render(
        request, "reflection/reflection_form.html", {"form": form, "story": reflection.story, "reflection": reflection}
    )


def reflection_delete(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = _get_reflection_for_owner(request, pk)
    if request.method == "POST":
        reflection.delete()
        messages.success(request, "Reflection deleted.")
        return redirect("reflection:reflections")
    return render(
        request,
        "reflection/confirm_delete.html",
        {"object": reflection, "kind": "reflection", "cancel": reflection.get_absolute_url()},
    )


# Self-assessment.


@require_safe
def assessment(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    latest = (
        selectors.latest_assessments(request.user)
        .select_related("skill__framework")
        .prefetch_related("skill__framework__levels")
        .order_by("skill__name")
    )
    return render(
        request,
        "reflection/assessment.html",
        {
            "latest": latest,
            "query": query,
            "found": skills_named(query).order_by("name")[:20] if query else [],
            "explored_skills": selectors.skills_to_assess(request.user),
        },
    )


def assess_skill(request: HttpRequest, slug: str) -> HttpResponse:
    skill = get_object_or_404(Skill.objects.taggable().select_related("framework"), slug=slug)
    history = list(SelfAssessment.objects.for_owner(request.user).filter(skill=skill))
    initial = {}
    if history:
        last = history[0]
        initial = {"level": last.level, "is_strength": last.is_strength, "wants_to_develop": last.wants_to_develop}
    form = AssessmentForm(request.POST or None, skill=skill, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.self_assess(user=request.user, skill=skill, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Your assessment of {skill} is saved.")
            return redirect("reflection:assessment")
    levels = {level.level: level.name for level in skill.framework.levels.all()}
    return render(
        request,
        "reflection/assess_skill.html",
        {"skill": skill, "form": form, "history": history, "levels": levels, "max_level": max(levels, default=0)},
    )


# Aspirations.


def aspirations(request: HttpRequest) -> HttpResponse:
    aspiration = Aspiration.objects.filter(owner=request.user).first() or Aspiration(owner=request.user)
    form = AspirationForm(request.POST or None, instance=aspiration)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your aspirations are saved.")
        return redirect("reflection:dashboard")
    return render(request, "reflection/aspirations.html", {"form": form})


# The plan: objectives and actions.


@require_safe
def plan(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reflection/plan.html",
        {"objectives": selectors.objectives_for_plan(request.user), "progress": selectors.plan_progress(request.user)},
    )


@require_safe
def plan_print(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reflection/plan_print.html",
        {
            "objectives": selectors.objectives_for_plan(request.user),
            "aspiration": Aspiration.objects.filter(owner=request.user).first(),
            "strengths": selectors.latest_assessments(request.user).filter(is_strength=True),
            "to_develop": selectors.latest_assessments(request.user).filter(wants_to_develop=True),
        },
    )


def objective_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    objective = _get_objective_for_owner(request, pk) if pk else Objective(owner=request.user)
    if pk is None and request.GET.get("story"):
        story = Story.objects.published().filter(slug=request.GET["story"]).first()
        initial = {"stories": [story] if story else []}
    else:
        initial = {}
    skills, stories = selectors.objective_choices(request.user, objective)
    form = ObjectiveForm(request.POST or None, instance=objective, skills=skills, stories=stories, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_save(
                objective=form.save(commit=False),
                version=form.cleaned_data.get("version"),
                skills=form.cleaned_data["skills"],
                stories=form.cleaned_data["stories"],
            )
        except services.EditConflict as error:
            conflict = error.current
            # Keep everything typed; the next save, made knowingly, goes over the newer version.
            data = request.POST.copy()
            data["version"] = conflict.version
            form = ObjectiveForm(data, instance=objective, skills=skills, stories=stories)
            form.is_valid()
        else:
            messages.success(request, "Objective saved.")
            return redirect(objective)
    return render(
        request, "reflection/objective_form.html", {"form": form, "objective": objective, "conflict": conflict}
    )


def objective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _get_objective_for_reader(request, pk)
    is_owner = objective.owner_id == request.user.pk
    comment_form = CommentForm(request.POST or None)
    if request.method == "POST":
        if comment_form.is_valid():
            services.objective_comment(objective=objective, author=request.user, body=comment_form.cleaned_data["body"])
            messages.success(request, "Comment added.")
            return redirect(objective)
    objective = selectors.objectives_for_plan(objective.owner).get(pk=objective.pk)
    removed = request.session.pop(_REMOVED_ACTION, None) if is_owner else None
    return render(
        request,
        "reflection/objective_detail.html",
        {
            "objective": objective,
            "is_owner": is_owner,
            "comment_form": comment_form,
            "action_form": ActionForm() if is_owner else None,
            # The action removed just before, with an "Undo" button that brings it back.
            "removed": RemovedActionForm(initial=removed, auto_id=False) if removed else None,
        },
    )


def objective_delete(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _get_objective_for_owner(request, pk)
    if request.method == "POST":
        objective.delete()
        messages.success(request, "Objective deleted.")
        return redirect("reflection:plan")
    return render(
        request,
        "reflection/confirm_delete.html",
        {"object": objective, "kind": "objective", "cancel": objective.get_absolute_url()},
    )


@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _get_objective_for_owner(request, pk)
    form = ActionForm(request.POST)
    if form.is_valid():
        action = form.save(commit=False)
        action.objective = objective
        action.save()
        messages.success(request, "Action added.")
        return redirect(objective)
    objective = selectors.objectives_for_plan(request.user).get(pk=objective.pk)
    return render(
        request,
        "reflection/objective_detail.html",
        {"objective": objective, "is_owner": True, "comment_form": CommentForm(), "action_form": form},
        status=400,
    )


@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action_for_owner(request, pk)
    services.action_set_done(action=action, done=request.POST.get("done") == "1")
    return redirect(_back(request, action.objective.get_absolute_url()))


_REMOVED_ACTION = "reflection:removed_action"  # session key: the values of the action removed last, shown once


@require_POST
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action_for_owner(request, pk)
    objective = action.objective
    request.session[_REMOVED_ACTION] = RemovedActionForm.values(action)
    action.delete()
    return redirect(f"{objective.get_absolute_url()}#removed")


@require_POST
def action_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a removal: the action comes back from the values its "Undo" button carried."""
    objective = _get_objective_for_owner(request, pk)
    form = RemovedActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The action could not be brought back. Add it again below.")
        return redirect(objective)
    action = form.save(commit=False)
    action.objective = objective
    action.save()
    messages.success(request, f"“{action.title}” is back.")
    return redirect(f"{objective.get_absolute_url()}#action-{action.pk}")


# Sharing and conversations.


def sharing(request: HttpRequest) -> HttpResponse:
    user = request.user
    share_form = ShareForm(request.POST if "share" in request.POST else None)
    objectives = Objective.objects.for_owner(user)
    stories = Story.objects.published().filter(pk__in=SavedStory.objects.for_owner(user).values("story"))
    conversation_form = ConversationForm(
        request.POST if "conversation" in request.POST else None, objectives=objectives, stories=stories
    )
    if request.method == "POST":
        form = share_form if "share" in request.POST else conversation_form
        if form.is_valid():
            try:
                colleague = colleague_find(owner=user, who=form.cleaned_data["colleague"])
            except ValidationError as error:
                if isinstance(error, AmbiguousColleague):
                    colleague_offer(form.fields["colleague"], error.matches)
                form.add_error("colleague", error)
            else:
                name = colleague.get_full_name() or colleague.get_username()
                if form is share_form:
                    if PlanShare.objects.active().filter(owner=user, shared_with=colleague).exists():
                        messages.info(request, f"Your plan is already shared with {name}.")
                    else:
                        services.plan_share(owner=user, colleague=colleague)
                        messages.success(request, f"Your plan is now shared with {name}.")
                    return redirect("reflection:sharing")
                else:
                    try:
                        conversation = services.conversation_request(
                            owner=user,
                            colleague=colleague,
                            message=form.cleaned_data["message"],
                            objectives=form.cleaned_data["objectives"],
                            stories=form.cleaned_data["stories"],
                        )
                    except services.RequestRefused as error:
                        form.add_error("colleague", error)
                    else:
                        messages.success(request, f"{name} has your request.")
                        return redirect(conversation)
    shares = list(PlanShare.objects.active().filter(owner=user).select_related("shared_with"))
    manager = manager_of(user)
    if manager is not None and manager.pk not in {share.shared_with_id for share in shares}:
        manager_suggest(share_form, manager)
    manager_suggest(conversation_form, manager)
    return render(
        request,
        "reflection/sharing.html",
        {
            "shares": shares,
            "share_form": share_form,
            "conversation_form": conversation_form,
            "requests": ConversationRequest.objects.for_owner(user)
            .open_first()
            .select_related("colleague", "story")
            .defer("story__body", "story__body_html", "story__transcript", "story__transcript_html")[:10],
        },
    )


@require_POST
def share_stop(request: HttpRequest, pk: int) -> HttpResponse:
    share = _get_share_for_owner(request, pk)
    services.plan_unshare(share=share)
    messages.success(
        request, f"You stopped sharing your plan with {share.shared_with.get_full_name() or share.shared_with}."
    )
    return redirect("reflection:sharing")


@require_safe
def shared_with_me(request: HttpRequest) -> HttpResponse:
    requests = (
        ConversationRequest.objects.filter(colleague=request.user)
        .open_first()
        .select_related("owner", "story")
        .defer("story__body", "story__body_html", "story__transcript", "story__transcript_html")
        .prefetch_related("objectives", "stories")[:20]
    )
    collections = (
        Collection.objects.filter(shares__user=request.user).select_related("owner").order_by("-shares__created_at")
    )
    return render(
        request,
        "reflection/shared_with_me.html",
        {
            "shares": selectors.owners_sharing_with(request.user).annotate(objectives=Count("owner__objectives")),
            "requests": requests,
            "collections": collections,
        },
    )


@require_safe
def shared_plan(request: HttpRequest, owner_id: int) -> HttpResponse:
    owner = _get_sharing_owner(request, owner_id)
    return render(
        request,
        "reflection/shared_plan.html",
        {
            "owner": owner,
            "objectives": selectors.objectives_for_plan(owner),
            "aspiration": Aspiration.objects.filter(owner=owner).first(),
            "comment_form": CommentForm(),
        },
    )


@require_safe
def team(request: HttpRequest) -> HttpResponse:
    """A manager's direct reports, each with only what they chose to share with this manager."""
    reports = selectors.team_for_manager(request.user)
    return render(request, "reflection/team.html", {"reports": reports})


# A conversation request: its page, which both sides open, and each change of its state.


def _conversation_page(request: HttpRequest, conversation: ConversationRequest, status: int = 200, **forms):
    """The request's page with the forms its state offers to this side; `forms` are bound ones sent back with
    their errors."""
    is_owner = conversation.owner_id == request.user.pk
    State = ConversationRequest.State
    notes = list(conversation.notes.select_related("author", "action"))
    to_adopt = [note for note in notes if note.agreed_action and note.action is None]
    context = {"conversation": conversation, "is_owner": is_owner, "notes": notes}
    if not is_owner and conversation.state == State.REQUESTED:
        context["accept_form"] = forms.get("accept_form") or AcceptForm()
        context["decline_form"] = forms.get("decline_form") or DeclineForm()
    if not is_owner and conversation.state == State.ACCEPTED:
        context["held_form"] = forms.get("held_form") or HeldForm()
    if conversation.state == State.HELD:
        context["note_form"] = forms.get("note_form") or NoteForm()
        if is_owner and to_adopt:
            objectives = list(Objective.objects.for_owner(request.user).filter(status__in=Objective.OPEN).only("title"))
            context["adopt_form"] = AdoptForm(objectives=objectives, notes=to_adopt)
            context["to_adopt"] = to_adopt
    prefetch_related_objects([conversation], "objectives", "stories")
    return render(request, "reflection/conversation.html", context, status=status)


@require_safe
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    return _conversation_page(request, _get_conversation_for_party(request, pk))


# What stopped a change (services.RequestRefused.code), as the status of the page that says so.
_REFUSED_STATUS = {"side": 403, "state": 409, "input": 400}


def _conversation_refused(request: HttpRequest, conversation: ConversationRequest, error) -> HttpResponse:
    """The request's page as it is now (another answer may have won), with what stopped the change."""
    messages.error(request, " ".join(error.messages))
    conversation = _get_conversation_for_party(request, conversation.pk)
    return _conversation_page(request, conversation, status=_REFUSED_STATUS[error.code])


def _conversation_change(request: HttpRequest, pk: int, *, form_class, change, done: str) -> HttpResponse:
    """Checks the form, asks the service for the change (which checks the state and the side), and goes back to the
    request's page; invalid input comes back with its errors (400), a refused change with the reason (403, 409)."""
    conversation = _get_conversation_for_party(request, pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        name = {AcceptForm: "accept_form", DeclineForm: "decline_form", HeldForm: "held_form", NoteForm: "note_form"}
        return _conversation_page(request, conversation, status=400, **{name[form_class]: form})
    try:
        change(conversation=conversation, by=request.user, **(form.cleaned_data if form else {}))
    except services.RequestRefused as error:
        return _conversation_refused(request, conversation, error)
    messages.success(request, done)
    return redirect(conversation)


@require_POST
def conversation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _conversation_change(
        request, pk, form_class=AcceptForm, change=services.conversation_accept, done="You accepted the request."
    )


@require_POST
def conversation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _conversation_change(
        request, pk, form_class=DeclineForm, change=services.conversation_decline, done="You declined the request."
    )


@require_POST
def conversation_hold(request: HttpRequest, pk: int) -> HttpResponse:
    return _conversation_change(
        request, pk, form_class=HeldForm, change=services.conversation_hold, done="The conversation is marked as held."
    )


@require_POST
def conversation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _conversation_change(
        request, pk, form_class=None, change=services.conversation_withdraw, done="You withdrew your request."
    )


@require_POST
def conversation_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _conversation_change(
        request, pk, form_class=NoteForm, change=services.conversation_note_add, done="Note added."
    )


@require_POST
def conversation_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """Puts one agreed action on the plan ("Add to my plan"): the owner's open objectives and the request's actions
    not yet on the plan are the choices; anything else (somebody else's objective, another request's note) is
    refused, and only the owner may do it (the service checks)."""
    conversation = _get_conversation_for_party(request, pk)
    objectives = list(Objective.objects.for_owner(conversation.owner).filter(status__in=Objective.OPEN))
    notes = list(conversation.notes.filter(agreed_action=True, action__isnull=True))
    form = AdoptForm(request.POST, objectives=objectives, notes=notes)
    if not form.is_valid():
        error = services.RequestRefused("Choose one of your open objectives, and an action not yet on your plan.")
        return _conversation_refused(request, conversation, error)
    try:
        action = services.conversation_action_adopt(
            note=next(note for note in notes if note.pk == form.cleaned_data["note"]),
            by=request.user,
            objective=next(objective for objective in objectives if objective.pk == form.cleaned_data["objective"]),
            kind=form.cleaned_data["kind"],
        )
    except services.RequestRefused as error:
        return _conversation_refused(request, conversation, error)
    messages.success(request, f"“{action.title}” is on your plan, under “{action.objective.title}”.")
    return redirect(conversation)


# The employee's own data.


@require_safe
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt == "json":
        content, content_type = services.toolkit_export_json(request.user), "application/json"
    else:
        content, content_type = services.toolkit_export_markdown(request.user), "text/markdown; charset=utf-8"
    filename = f"career-plan-{request.user.get_username()}.{fmt}"
    return HttpResponse(
        content, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def delete_all(request: HttpRequest) -> HttpResponse:
    form = DeleteAllForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.toolkit_delete(request.user)
        messages.success(request, "All your reflection data has been deleted.")
        return redirect("reflection:dashboard")
    return render(request, "reflection/delete_all.html", {"form": form})


# HR insights: curators only, aggregates only (reflection/insights.py protects every count of people).


def _require_curator(request: HttpRequest) -> None:
    if not is_curator(request.user):
        raise PermissionDenied


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([neutralise(str(cell)) for cell in row] for row in rows)
    return response


@require_safe
def insights_coverage(request: HttpRequest) -> HttpResponse:
    _require_curator(request)
    data = insights.coverage()
    download = request.GET.get("download")
    if download == "grid":
        rows = [
            [level.name, function.name, tellers, stories]
            for level, cells in data["grid"]
            for function, (tellers, stories) in zip(data["functions"], cells, strict=True)
        ]
        return _csv_response(
            "coverage-by-level-and-function.csv", ["level", "function", "storytellers", "stories"], rows
        )
    if download == "skills":
        rows = [[skill.code, skill.name, skill.get_kind_display(), skill.n] for skill in data["thin_skills"]]
        return _csv_response("skills-with-few-stories.csv", ["code", "name", "kind", "stories"], rows)
    if download in ("formats", "moves"):
        return _csv_response(f"stories-by-{download}.csv", [download[:-1], "stories"], data[download])
    return render(request, "reflection/insights_coverage.html", data)


@require_safe
def insights_engagement(request: HttpRequest) -> HttpResponse:
    _require_curator(request)
    period = request.GET.get("days") if request.GET.get("days") in insights.PERIODS else "90"
    data = insights.engagement(days=int(period))
    download = request.GET.get("download")
    if download == "stories":
        rows = [[title, count] for title, _, count in data["top_stories"]]
        return _csv_response(f"most-explored-stories-{period}-days.csv", ["story", "people"], rows)
    if download == "skills":
        rows = [[skill.name, *counts] for skill, *counts in data["skills"]]
        header = [
            "skill",
            "people who explored",
            "people who saved",
            "people who reflected",
            "people who set objectives",
        ]
        return _csv_response(f"engagement-by-skill-{period}-days.csv", header, rows)
    if download in ("functions", "levels"):
        header = [download[:-1], "people exploring", *(f"people exploring: {kind}" for kind in data["move_kinds"])]
        rows = [[name, *counts] for name, counts in data[f"by_{download[:-1]}"]]
        return _csv_response(f"explorers-by-{download[:-1]}-{period}-days.csv", header, rows)
    if download == "trend":
        rows = [[week.date().isoformat(), count] for week, count in data["trend"]]
        return _csv_response(
            f"explorations-by-week-{period}-days.csv", ["week starting", "people exploring a new story"], rows
        )
    return render(
        request,
        "reflection/insights_engagement.html",
        {
            **data,
            "period": period,
            "period_label": insights.PERIODS[period],
            "periods": insights.PERIODS,
            "threshold": settings.PORTAL_INSIGHT_MIN_COUNT,
            "asks_tables": [
                ("By skill", "Skill or strength", data["asks"]["skills"]),
                ("By the storyteller’s function", "Function", data["asks"]["functions"]),
                ("By month", "Month", data["asks"]["months"]),
            ],
        },
    )


# Interest in opportunities: the employee's own list, their "I'm interested", and the poster's answer.


@require_safe
def interests(request: HttpRequest) -> HttpResponse:
    """The opportunities the user showed interest in, with what they sent and the poster's answer."""
    rows = OpportunityInterest.objects.for_owner(request.user).select_related("opportunity__poster")
    return render(request, "reflection/interests.html", {"interests": rows.order_by("-created_at")})


@require_POST
def interest_add(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(Opportunity.objects.visible().select_related("poster"), pk=pk)
    form = OpportunityInterestForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(opportunity)
    try:
        services.opportunity_interest(
            owner=request.user,
            opportunity=opportunity,
            note=form.cleaned_data["note"],
            share_plan=form.cleaned_data["share_plan"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Sent: the poster can see your interest and will answer in your inbox.")
    return redirect(opportunity)


@require_POST
def interest_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The poster answers one interested person."""
    interest = get_object_or_404(
        OpportunityInterest.objects.filter(opportunity__poster=request.user).select_related("opportunity", "owner"),
        pk=pk,
    )
    form = OpportunityAnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Write an answer first.")
        services.opportunity_interest_answer(interest=interest, answer=form.cleaned_data["answer"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Answer sent.")
    return redirect(f"{interest.opportunity.get_absolute_url()}#interested")
