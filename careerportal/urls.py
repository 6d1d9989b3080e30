from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from careerportal import auth, scim, views
from reflection import urls as reflection_urls
from stories import urls as story_urls
from stories import views as story_views

urlpatterns = [
    path("", story_views.home, name="home"),
    path("", include(story_urls)),
    path("skills/", include((story_urls.skill_urlpatterns, "skills"))),
    path("me/inbox/", views.inbox, name="inbox"),
    path("me/inbox/<int:pk>/", views.inbox_open, name="inbox_open"),
    path("me/inbox/read/", views.inbox_read_all, name="inbox_read_all"),
    path("me/inbox/email/", views.inbox_email, name="inbox_email"),
    path("me/", include("reflection.urls")),
    path("insights/", include((reflection_urls.insight_urlpatterns, "insights"))),
    path("accounts/login/", auth.too_many_requests_when_locked_out(auth.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("oidc/authenticate/", views.oidc_authenticate, name="oidc_authentication_init"),
    path("oidc/callback/", views.oidc_callback, name="oidc_authentication_callback"),
    path("colleagues/", views.colleagues, name="colleagues"),
    path("people/<int:pk>/", views.person, name="person"),
    path("scim/v2/", include((scim.urlpatterns, "scim"))),
    path("healthz", views.healthz, name="healthz"),
]
