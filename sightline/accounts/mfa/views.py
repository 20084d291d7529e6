"""Setting up, using and removing second factors, and an administrator's reset. Thin: forms
in, services and selectors called, templates out."""

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.core.views import ConfirmActionView, Confirmation, PolicyView, next_url

from .. import services as account_services
from .. import throttle
from ..models import SignInMethod, User
from ..views import SESSION_HINT_COOKIE, UserObjectView
from . import (
    MAX_WRONG_CODES,
    METHOD_APP,
    METHOD_PASSKEY,
    METHOD_RECOVERY,
    SECOND_FACTOR_SESSION_KEY,
    WRONG_CODES_SESSION_KEY,
    second_factor_done,
    second_factor_required,
    selectors,
    services,
)
from .forms import CodeForm, NewPasskeyForm, PasskeyForm, RecoveryCodeForm
from .passkeys import (
    PasskeyRefused,
    authentication_options,
    authentication_verify,
    credential_key,
    registration_options,
    registration_verify,
)

NEW_CODES_SESSION_KEY = "sightline_new_recovery_codes"
PENDING_TOTP_SESSION_KEY = "sightline_totp_pending"
SIGN_IN_METHODS = {
    METHOD_APP: SignInMethod.PASSWORD_AND_APP,
    METHOD_PASSKEY: SignInMethod.PASSWORD_AND_PASSKEY,
    METHOD_RECOVERY: SignInMethod.PASSWORD_AND_RECOVERY_CODE,
}


def _complete(request: HttpRequest, method: str) -> None:
    """The session has passed its second factor: a new session key (so a key known before
    the second step is worth nothing), marked done, the sign-in's method recorded."""
    old_key = request.session.session_key
    request.session.cycle_key()
    new_key = request.session.session_key or ""
    if old_key:
        services.session_key_changed(old_key=old_key, new_key=new_key)
    request.session[SECOND_FACTOR_SESSION_KEY] = method
    request.session.pop(WRONG_CODES_SESSION_KEY, None)
    account_services.session_method_set(session_key=new_key, method=SIGN_IN_METHODS[method])


def _after_set_up(request: HttpRequest, method: str) -> HttpResponse:
    """A factor was added: the session counts as verified; the first factor brings the
    person's recovery codes, shown once."""
    user: Any = request.user
    if not second_factor_done(request.session):
        _complete(request, method)
    if selectors.recovery_codes_left(user=user) == 0:
        request.session[NEW_CODES_SESSION_KEY] = services.recovery_codes_generate(user=user)
        return redirect("accounts:mfa_recovery_codes")
    messages.success(request, "Your second factor has been added.")
    return redirect("accounts:account")


def _wrong(request: HttpRequest, method: str) -> HttpResponse | None:
    """Count a wrong code or key; after MAX_WRONG_CODES the session is signed out."""
    user: Any = request.user
    count = int(request.session.get(WRONG_CODES_SESSION_KEY, 0)) + 1
    request.session[WRONG_CODES_SESSION_KEY] = count
    services.second_factor_failed(user=user, method=method, count=count)
    # A wrong code counts against the sign-in limits as a wrong password does, so someone
    # holding the password cannot sign in again and again for more guesses at the code.
    throttle.sign_in_attempt(request, email=user.email).settle(user=None)
    if count < MAX_WRONG_CODES:
        return None
    request.sightline_sign_out_reason = (  # type: ignore[attr-defined]
        f"{MAX_WRONG_CODES} wrong second-factor attempts."
    )
    logout(request)
    messages.error(
        request,
        f"You were signed out because a wrong code or key was given {MAX_WRONG_CODES} times. "
        "Sign in again to try once more. If you have lost your authenticator app or key, use "
        "a recovery code, or ask your partnership administrator to reset your second factor.",
    )
    response = redirect("accounts:sign_in")
    response.delete_cookie(SESSION_HINT_COOKIE, samesite="Lax")
    return response


class FactorView(PolicyView):
    permission = "accounts.manage_own_factors"


class SetUpView(FactorView):
    """Choose how to confirm it is you: an authenticator app, or a passkey or security key."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "accounts/mfa/set_up.html",
            {
                "required": second_factor_required(request.user),
                "has_factor": selectors.has_second_factor(user=request.user),
                "next": next_url(request, ""),
            },
        )


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(
        scale=4, title="QR code for your authenticator app", svgclass="sightline-qr"
    )


def _secret(device: TOTPDevice) -> str:
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


class TotpSetUpView(FactorView):
    def _render(self, request: HttpRequest, form: CodeForm, status: int = 200) -> HttpResponse:
        key = request.session.get(PENDING_TOTP_SESSION_KEY)
        if not key:
            key = request.session[PENDING_TOTP_SESSION_KEY] = services.totp_secret_new()
        device = TOTPDevice(user=request.user, key=key, name="Authenticator app")
        return render(
            request,
            "accounts/mfa/totp_set_up.html",
            {"form": form, "qr": _qr_svg(device.config_url), "secret": _secret(device)},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, CodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        form = CodeForm(request.POST)
        key = request.session.get(PENDING_TOTP_SESSION_KEY)
        if form.is_valid():
            if key and services.totp_device_confirm(
                user=user, key=key, token=form.cleaned_data["code"]
            ):
                request.session.pop(PENDING_TOTP_SESSION_KEY, None)
                return _after_set_up(request, METHOD_APP)
            form.add_error(
                "code",
                "The code is not right. Check the app shows Sightline and enter the code it "
                "shows now. If you scanned the QR code before, scan it again.",
            )
        return self._render(request, form, status=400)


class PasskeySetUpView(FactorView):
    def _render(self, request: HttpRequest, form: PasskeyForm, status: int = 200) -> HttpResponse:
        options = registration_options(user=request.user, session=request.session)  # type: ignore[arg-type]
        return render(
            request,
            "accounts/mfa/passkey_set_up.html",
            {"form": form, "options": options},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, NewPasskeyForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        form = NewPasskeyForm(request.POST)
        if form.is_valid():
            try:
                credential_id, public_key, sign_count = registration_verify(
                    session=request.session, credential=form.cleaned_data["credential"]
                )
            except PasskeyRefused as error:
                form.add_error("credential", str(error))
            else:
                services.passkey_add(
                    user=user,
                    name=form.cleaned_data["name"].strip() or "Passkey",
                    credential_id=credential_id,
                    credential_key=credential_key(credential_id),
                    public_key=public_key,
                    sign_count=sign_count,
                )
                return _after_set_up(request, METHOD_PASSKEY)
        return self._render(request, form, status=400)


class VerifyView(FactorView):
    """The second step of signing in: a code from the app, or the passkey, or (a link away)
    a recovery code."""

    def _done_url(self, request: HttpRequest) -> str:
        return next_url(request, reverse(settings.LOGIN_REDIRECT_URL))

    def _render(
        self,
        request: HttpRequest,
        form: CodeForm,
        passkey_form: PasskeyForm,
        status: int = 200,
    ) -> HttpResponse:
        user: Any = request.user
        has_app = selectors.has_app(user=user)
        return render(
            request,
            "accounts/mfa/verify.html",
            {
                "form": form,
                "passkey_form": passkey_form,
                "has_app": has_app,
                "options": authentication_options(user=user, session=request.session),
                "next": next_url(request, ""),
                "has_recovery": selectors.recovery_codes_left(user=user) > 0,
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        if second_factor_done(request.session):
            return redirect(self._done_url(request))
        if not selectors.has_second_factor(user=request.user):
            return redirect("accounts:mfa_setup")
        return self._render(request, CodeForm(), PasskeyForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if second_factor_done(request.session):
            return redirect(self._done_url(request))
        form, passkey_form = CodeForm(), PasskeyForm()
        if request.POST.get("method") == METHOD_PASSKEY:
            passkey_form = PasskeyForm(request.POST)
            if passkey_form.is_valid():
                try:
                    passkey = authentication_verify(
                        user=user,
                        session=request.session,
                        credential=passkey_form.cleaned_data["credential"],
                    )
                except PasskeyRefused as error:
                    passkey_form.add_error("credential", str(error))
                    if signed_out := _wrong(request, METHOD_PASSKEY):
                        return signed_out
                else:
                    services.passkey_used(passkey=passkey, sign_count=passkey.sign_count)
                    _complete(request, METHOD_PASSKEY)
                    return redirect(self._done_url(request))
        else:
            form = CodeForm(request.POST)
            if form.is_valid():
                throttled = services.totp_throttled(user=user)
                if services.totp_verify(user=user, token=form.cleaned_data["code"]):
                    _complete(request, METHOD_APP)
                    return redirect(self._done_url(request))
                if throttled:
                    message = (
                        "The code is not right. Wait a few seconds, then enter the code your "
                        "app shows now."
                    )
                else:
                    message = (
                        "The code is not right, or has been used already. Enter the code "
                        "your app shows now."
                    )
                form.add_error("code", message)
                if signed_out := _wrong(request, METHOD_APP):
                    return signed_out
        return self._render(request, form, passkey_form, status=400)


class RecoveryView(FactorView):
    def _render(
        self, request: HttpRequest, form: RecoveryCodeForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "accounts/mfa/recovery.html",
            {"form": form, "next": next_url(request, "")},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        if second_factor_done(request.session):
            return redirect("accounts:home")
        return self._render(request, RecoveryCodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if second_factor_done(request.session):
            return redirect("accounts:home")
        form = RecoveryCodeForm(request.POST)
        if form.is_valid():
            if services.recovery_code_use(user=user, code=form.cleaned_data["code"]):
                _complete(request, METHOD_RECOVERY)
                left = selectors.recovery_codes_left(user=user)
                messages.success(
                    request,
                    f"You have {left} recovery code{'s' if left != 1 else ''} left. If you "
                    "have lost your authenticator app or key, set up a new one from your "
                    "account page and make new recovery codes.",
                )
                return redirect(next_url(request, reverse("accounts:account")))
            form.add_error(
                "code", "The recovery code is not right, or has been used. Check it and try again."
            )
            if signed_out := _wrong(request, METHOD_RECOVERY):
                return signed_out
        return self._render(request, form, status=400)


class RecoveryCodesView(FactorView):
    """New recovery codes, shown once; and the way to make new ones (the old stop working)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "accounts/mfa/recovery_codes.html",
            {
                "codes": request.session.pop(NEW_CODES_SESSION_KEY, None),
                "left": selectors.recovery_codes_left(user=request.user),
                "has_factor": selectors.has_second_factor(user=request.user),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if not selectors.has_second_factor(user=user):
            messages.error(request, "Set up a second factor first: recovery codes come with it.")
            return redirect("accounts:mfa_setup")
        request.session[NEW_CODES_SESSION_KEY] = services.recovery_codes_generate(user=user)
        return redirect("accounts:mfa_recovery_codes")


class FactorRemoveView(FactorView, ConfirmActionView):
    @property
    def factor(self) -> selectors.Factor:
        return selectors.factor_get(
            user=self.request.user, kind=self.kwargs["kind"], pk=self.kwargs["pk"]
        )

    def confirmation(self) -> Confirmation:
        factor = self.factor
        what = "authenticator app" if factor.kind == "app" else "passkey or security key"
        return Confirmation(
            caption="Your account",
            heading=f"Are you sure you want to remove this {what}?",
            facts=[("Name", factor.name), ("Added", f"{factor.added:%d %B %Y}")],
            happens=[
                f"Sightline will no longer accept this {what} when you sign in.",
                "If it is your last second factor, your recovery codes stop working too.",
            ],
            button=f"Remove the {what}",
            keep=f"Keep the {what}",
        )

    def act(self) -> str:
        factor, user = self.factor, self.request.user
        if second_factor_required(user) and len(selectors.factors_for(user=user)) <= 1:
            raise ValidationError(
                "You cannot remove your only second factor: your role needs one. Add another "
                "first, then remove this one."
            )
        services.factor_remove(user=user, kind=factor.kind, pk=factor.pk)  # type: ignore[arg-type]
        return "The second factor has been removed."

    def done_url(self) -> str:
        return reverse("accounts:account")


class UserSecondFactorResetView(UserObjectView, ConfirmActionView):
    """An administrator resets a person's lost second factor."""

    def confirmation(self) -> Confirmation:
        user: User = self.object
        name = user.full_name or user.email
        return Confirmation(
            caption=name,
            heading=f"Are you sure you want to reset {name}’s second factor?",
            facts=[
                ("Email address", user.email),
                ("Second factors", str(len(selectors.factors_for(user=user)))),
            ],
            happens=[
                f"Every authenticator app, passkey and recovery code of {name} is removed, "
                "and they are signed out everywhere.",
                "When they next sign in with their password, they must set up a new second "
                "factor. Check first that it is really them asking: anyone who has their "
                "password could then set one up.",
                f"{name} is sent an email saying it was done and by whom, and the reset is "
                "recorded in the audit trail.",
            ],
            button="Reset the second factor",
            keep="Keep their second factor",
        )

    def act(self) -> str:
        user: User = self.object
        if user.pk == self.request.user.pk:
            raise ValidationError(
                "You cannot reset your own second factor. Ask another administrator."
            )
        services.second_factor_reset(actor=self.request.user, user=user)
        return f"{user.full_name or user.email}’s second factor has been reset."

    def done_url(self) -> str:
        return str(self.object.get_absolute_url())
