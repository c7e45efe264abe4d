from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from chatarchief.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("custodians/<slug:slug>/", views.custodian_detail, name="custodian"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation"),
    path("attachments/<int:pk>/", views.attachment_content, name="attachment"),
    path("upload/", views.upload, name="upload"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
]
