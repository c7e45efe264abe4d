"""Login, two-factor (TOTP) enrolment and verification, re-authentication and the lock-out page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import django_otp
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from chatarchief.access import authn, otp
from chatarchief.access.ratelimit import rate_limit
from chatarchief.audit import log
from chatarchief.web.security import otp_exempt, safe_next


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code uit uw authenticator-app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "utrecht-textbox",
                "autofocus": True,
            }
        ),
    )


class ReauthForm(CodeForm):
    password = forms.CharField(
        label=gettext_lazy("Wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "utrecht-textbox"}),
    )
    field_order = ["password", "token"]


class LoginView(auth_views.LoginView):
    template_name = "login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.OIDC_ENABLED
        return context


def _next_url(request: HttpRequest) -> str:
    """Where to go after a login step: the asked-for page if it is ours, else the start page."""
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), settings.LOGIN_REDIRECT_URL)


def _actor(request: HttpRequest) -> str:
    return f"web:{request.user.get_username()}"


def _count_failure(request: HttpRequest, stage: str) -> HttpResponse | None:
    """A wrong code counts as a failed login (django-axes); at the limit the session ends."""
    user_login_failed.send(
        sender=__name__, credentials={"username": request.user.get_username(), "stage": stage}, request=request
    )
    if getattr(request, "axes_locked_out", False):  # audited by access.authn (axes' user_locked_out)
        logout(request)
        return locked_out(request)
    return None


def _verified(request: HttpRequest, device: Any) -> HttpResponseRedirect:
    django_otp.login(request, device)
    request.session.cycle_key()
    authn.mark_authenticated(request)
    log.second_factor_passed(_actor(request), "totp")
    return redirect(_next_url(request))


@otp_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if authn.second_factor_done(request):
        return redirect(next_url)
    device = otp.confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('otp_setup')}?{urlencode({'next': next_url})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.verify(device, form.cleaned_data["token"]):
            return _verified(request, device)
        form.add_error("token", _("Deze code klopt niet of is verlopen. Probeer de volgende code."))
        failure = _count_failure(request, "totp")
        if failure is not None:
            return failure
    return render(request, "otp_verify.html", {"form": form, "next": next_url})


@otp_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if authn.second_factor_done(request):
        return redirect(next_url)
    if otp.is_enrolled(request.user):  # re-enrolment only after an administrator's reset
        return redirect(f"{reverse('otp_verify')}?{urlencode({'next': next_url})}")
    device = otp.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.confirm(device, form.cleaned_data["token"], actor=_actor(request)):
            return _verified(request, device)
        form.add_error(
            "token", _("Deze code klopt niet. Controleer de tijd op uw telefoon en probeer de volgende code.")
        )
        failure = _count_failure(request, "totp_setup")
        if failure is not None:
            return failure
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": otp.qr_svg(device.config_url),
        "secret": otp.secret_text(device),
    }
    return render(request, "otp_setup.html", context)


@never_cache
@rate_limit("reauth", limit=10, window=300)
@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponse:
    """Confirm identity again before a destructive action: password + TOTP (SSO users sign on again)."""
    next_url = _next_url(request)
    if authn.is_sso_session(request):
        return render(request, "reauth.html", {"sso": True, "next": next_url})
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp.confirmed_device(request.user)
        user = authenticate(request, username=request.user.get_username(), password=form.cleaned_data["password"])
        if (
            user is not None
            and user.pk == request.user.pk
            and device is not None
            and otp.verify(device, form.cleaned_data["token"])
        ):
            authn.mark_authenticated(request)
            log.reauthenticated(_actor(request))
            return redirect(next_url)
        form.add_error(None, _("Wachtwoord of code onjuist."))
        if user is not None:  # the password was right, the code was not: count that too
            failure = _count_failure(request, "reauth")
            if failure is not None:
                return failure
        elif getattr(request, "axes_locked_out", False):
            logout(request)
            return locked_out(request)
    return render(request, "reauth.html", {"form": form, "next": next_url, "sso": False})


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes lock-out page (AXES_LOCKOUT_CALLABLE): a clear Dutch message, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "locked_out.html", {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT}, status=429)


logout_view = otp_exempt(auth_views.LogoutView.as_view())
login_view = login_not_required(LoginView.as_view())
