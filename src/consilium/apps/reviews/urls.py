from django.urls import path

from consilium.apps.reviews import views

app_name = "reviews"
urlpatterns = [
    path("expert/", views.workspace, name="workspace"),
    path("cases/<int:pk>/opinion/", views.opinion, name="opinion"),
    path("cases/<int:pk>/opinion/sign/", views.sign, name="sign"),
    path("cases/<int:pk>/opinion/addendum/", views.addendum, name="addendum"),
]
