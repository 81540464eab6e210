from django.urls import path

from consilium.apps.accounts import views

app_name = "accounts"
urlpatterns = [
    path("admin/users/", views.users, name="users"),
    path("admin/users/new/", views.user_new, name="user_new"),
    path("admin/users/<int:pk>/", views.user_edit, name="user_edit"),
    path("admin/settings/", views.program_settings, name="settings"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
