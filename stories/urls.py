from django.urls import path

from stories import views

app_name = "stories"

urlpatterns = [
    path("stories/", views.story_list, name="list"),
    path("stories/<slug:slug>/", views.story_detail, name="detail"),
    path("stories/<slug:slug>/media", views.story_media, name="media"),
    path("stories/<slug:slug>/captions.vtt", views.story_captions, name="captions"),
    path("stories/<slug:slug>/poster-<int:width>.webp", views.story_poster, name="poster"),
    path("stories/<slug:slug>/card.webp", views.story_card, name="card"),
    path("storytellers/<slug:slug>/", views.storyteller_detail, name="storyteller"),
    path("storytellers/<slug:slug>/portrait-<int:width>.webp", views.storyteller_portrait, name="portrait"),
    path("stories/<slug:slug>/add-to-collection", views.collection_add, name="collection_add"),
    path("collections/", views.collection_list, name="collections"),
    path("collections/new/", views.collection_edit, name="collection_new"),
    path("collections/<int:pk>/", views.collection_detail, name="collection"),
    path("collections/<int:pk>/edit/", views.collection_edit, name="collection_edit"),
    path("collections/<int:pk>/notes/", views.collection_notes, name="collection_notes"),
    path("collections/<int:pk>/share", views.collection_share, name="collection_share"),
    path("collections/<int:pk>/link", views.collection_link_sharing, name="collection_link_sharing"),
    path("collections/<int:pk>/delete/", views.collection_delete, name="collection_delete"),
    path("collections/items/<int:pk>/move", views.collection_item_move, name="collection_item_move"),
    path("collections/items/<int:pk>/remove", views.collection_item_remove, name="collection_item_remove"),
    path("guide/", views.conversation_guide, name="guide"),
    path("search/", views.search_results, name="search"),
    path("opportunities/", views.opportunity_list, name="opportunities"),
    path("opportunities/new/", views.opportunity_edit, name="opportunity_new"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/state", views.opportunity_state, name="opportunity_state"),
]

# /skills/ pages show stories, so their views live here (skills knows nothing of stories); the project
# mounts them under the "skills" namespace.
skill_urlpatterns = [
    path("", views.skill_index, name="index"),
    path("suggest", views.skill_suggest, name="suggest"),
    path("<str:slug>/", views.skill_detail, name="detail"),
]
