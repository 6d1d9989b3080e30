from django.urls import path

from stories import views

app_name = "stories"

urlpatterns = [
    path("stories/", views.story_list, name="list"),
    path("stories/<slug:slug>/", views.story_detail, name="detail"),
    path("stories/<slug:slug>/media", views.story_media, name="media"),
    path("stories/<slug:slug>/captions.vtt", views.story_captions, name="captions"),
    path("stories/<slug:slug>/poster-<int:width>.webp", views.story_poster, name="poster"),
    path("storytellers/<slug:slug>/", views.storyteller_detail, name="storyteller"),
    path("storytellers/<slug:slug>/portrait-<int:width>.webp", views.storyteller_portrait, name="portrait"),
]

# /skills/ pages show stories, so their views live here (skills knows nothing of stories); the project
# mounts them under the "skills" namespace.
skill_urlpatterns = [
    path("", views.skill_index, name="index"),
    path("<str:slug>/", views.skill_detail, name="detail"),
]
