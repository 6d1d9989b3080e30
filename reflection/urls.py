from django.urls import path

from reflection import views

app_name = "reflection"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("explored/", views.explored, name="explored"),
    path("stories/<slug:slug>/save", views.story_save, name="story_save"),
    path("stories/<slug:slug>/progress", views.story_progress, name="story_progress"),
    path("stories/<slug:slug>/ask/", views.story_ask, name="story_ask"),
    path("openness/", views.openness, name="openness"),
    path("reflections/", views.reflection_list, name="reflections"),
    path("reflections/new/", views.reflection_new, name="reflection_new"),
    path("reflections/<int:pk>/", views.reflection_edit, name="reflection_edit"),
    path("reflections/<int:pk>/delete/", views.reflection_delete, name="reflection_delete"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/<str:slug>/", views.assess_skill, name="assess_skill"),
    path("aspirations/", views.aspirations, name="aspirations"),
    path("plan/", views.plan, name="plan"),
    path("plan/print/", views.plan_print, name="plan_print"),
    path("plan/new/", views.objective_edit, name="objective_new"),
    path("plan/<int:pk>/", views.objective_detail, name="objective"),
    path("plan/<int:pk>/edit/", views.objective_edit, name="objective_edit"),
    path("plan/<int:pk>/delete/", views.objective_delete, name="objective_delete"),
    path("plan/<int:pk>/actions/", views.action_add, name="action_add"),
    path("plan/<int:pk>/actions/restore", views.action_restore, name="action_restore"),
    path("actions/<int:pk>/done", views.action_done, name="action_done"),
    path("actions/<int:pk>/delete", views.action_delete, name="action_delete"),
    path("sharing/", views.sharing, name="sharing"),
    path("sharing/<int:pk>/stop", views.share_stop, name="share_stop"),
    path("requests/<int:pk>/", views.conversation, name="request"),
    path("requests/<int:pk>/accept", views.conversation_accept, name="request_accept"),
    path("requests/<int:pk>/decline", views.conversation_decline, name="request_decline"),
    path("requests/<int:pk>/held", views.conversation_hold, name="request_held"),
    path("requests/<int:pk>/withdraw", views.conversation_withdraw, name="request_withdraw"),
    path("requests/<int:pk>/notes", views.conversation_note, name="request_note"),
    path("requests/<int:pk>/adopt", views.conversation_adopt, name="request_adopt"),
    path("shared-with-me/", views.shared_with_me, name="shared_with_me"),
    path("shared-with-me/<int:owner_id>/", views.shared_plan, name="shared_plan"),
    path("team/", views.team, name="team"),
    path("opportunities/", views.interests, name="interests"),
    path("opportunities/<int:pk>/interested", views.interest_add, name="interest_add"),
    path("opportunities/interest/<int:pk>/answer", views.interest_answer, name="interest_answer"),
    path("export.json", views.export, {"fmt": "json"}, name="export_json"),
    path("export.md", views.export, {"fmt": "md"}, name="export_md"),
    path("delete/", views.delete_all, name="delete_all"),
]

# Mounted at /insights/ under the "insights" namespace: curators' aggregate pages.
insight_urlpatterns = [
    path("", views.insights_coverage, name="coverage"),
    path("engagement/", views.insights_engagement, name="engagement"),
]
