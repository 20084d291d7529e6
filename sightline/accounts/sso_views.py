"""Single sign-on: off to the provider, back from it, and the administrators' confirmation of
first sign-ins. Thin: the protocol is in ``sso`` (Authlib), the writes in ``sso_services``."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View

from sightline.core.pagination import paginate
from sightline.core.views import PolicyView, apply_errors, next_url

from . import selectors, services, sso, sso_selectors, sso_services
from .mfa import SECOND_FACTOR_SESSION_KEY
from .models import ExternalIdentity, LinkRequest, SignInMethod, User
from .sso_config import OidcProvider

# Read by the multi-factor middleware: the provider's own MFA counts as the second factor.
NEXT_SESSION_KEY = "sightline_sso_next"
BACKEND = "sightline.accounts.backends.PasswordBackend"
PROBLEM_TEMPLATE = "accounts/sso_problem.html"


def sign_in_buttons() -> list[dict[str, str]]:
    """The sign-in page's "Sign in with ..." buttons, one per configured provider."""
    return [
        {
            "text": f"Sign in with {provider.name}",
            "href": reverse("accounts:sso_start", kwargs={"key": provider.key}),
        }
        for provider in sso.providers()
    ]


def _provider(key: str) -> OidcProvider:
    provider = sso.provider_get(key=key)
    if provider is None:
        raise Http404("No such single sign-on provider")
    return provider


def _problem(
    request: HttpRequest, *, heading: str, text: str, status: int, provider: OidcProvider
) -> HttpResponse:
    return render(
        request,
        PROBLEM_TEMPLATE,
        {"heading": heading, "text": text, "provider": provider},
        status=status,
    )


def _unavailable(request: HttpRequest, provider: OidcProvider) -> HttpResponse:
    return _problem(
        request,
        heading=f"{provider.name} cannot be reached",
        text=f"Sightline could not reach {provider.name} to sign you in. Try again in a few "
        "minutes. If it keeps happening, tell your organisation's IT service desk.",
        status=502,
        provider=provider,
    )


@method_decorator(login_not_required, name="dispatch")
class SsoStartView(View):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        provider = _provider(key)
        request.session[NEXT_SESSION_KEY] = next_url(request, reverse(settings.LOGIN_REDIRECT_URL))
        try:
            return sso.authorization_redirect(request=request, provider=provider)
        except sso.ProviderUnavailable:
            return _unavailable(request, provider)


@method_decorator(login_not_required, name="dispatch")
class SsoCallbackView(View):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        provider = _provider(key)
        try:
            identity = sso.identity_from_callback(request=request, provider=provider)
        except sso.SignInProblem as problem:
            return _problem(
                request,
                heading="The sign-in could not be completed",
                text=f"{problem} Go back to the sign-in page and try again.",
                status=400,
                provider=provider,
            )
        except sso.ProviderUnavailable:
            return _unavailable(request, provider)
        linked = sso_selectors.external_identity_find(
            provider_key=provider.key, subject=identity.subject
        )
        if linked is None:
            sso_services.link_request_open(provider=provider, identity=identity)
            return render(
                request, "accounts/sso_pending.html", {"provider": provider, "identity": identity}
            )
        user = linked.user
        refusal = ""
        if not user.is_active:
            refusal = "the account is deactivated."
        elif user.suspended_at is not None:
            refusal = (
                "the account is suspended because it was not used for a long time. Your agency "
                "lead or partnership administrator can lift the suspension."
            )
        elif not sso_selectors.user_in_provider_agencies(user=user, provider=provider):
            refusal = f"the person has no role in an agency that signs in with {provider.name}."
        if refusal:
            sso_services.sso_sign_in_refused(
                provider=provider, user=user, email=identity.email, reason=refusal
            )
            return _problem(
                request,
                heading="You cannot sign in to Sightline",
                text=f"Your {provider.name} account is linked to a Sightline account that cannot "
                f"sign in through {provider.name}: {refusal[0].upper()}{refusal[1:]} Ask your "
                "partnership administrator.",
                status=403,
                provider=provider,
            )
        target = request.session.pop(NEXT_SESSION_KEY, "") or reverse(settings.LOGIN_REDIRECT_URL)
        login(request, user, backend=BACKEND)
        sso_services.external_identity_used(identity=linked)
        services.session_method_set(
            session_key=request.session.session_key or "",
            method=SignInMethod.SINGLE_SIGN_ON,
            detail=provider.name,
        )
        if provider.trust_mfa:
            request.session[SECOND_FACTOR_SESSION_KEY] = "sso"
        return redirect(target)


# --- Administrators ------------------------------------------------------------


class SsoLinkListView(PolicyView):
    permission = "accounts.manage_sso_links"

    def get(self, request: HttpRequest) -> HttpResponse:
        results = paginate(request, sso_selectors.link_requests_pending())
        names = {provider.key: provider.name for provider in sso.providers()}
        rows = [(link, names.get(link.provider_key, link.provider_key)) for link in results.items]
        return render(
            request,
            "accounts/sso_link_list.html",
            {"rows": rows, "providers": sso.providers(), "pagination": results.pagination},
        )


class LinkDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Is this the right person?",
        choices=[
            ("confirm", "Yes, link this sign-in to the account chosen"),
            ("refuse", "No, refuse it"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to link this sign-in or refuse it"},
    )
    user = forms.TypedChoiceField(
        label="Sightline account",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of the accounts listed"},
    )

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["user"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [("", "Choose an account")] + [
            (person.pk, f"{person.full_name} ({person.email})") for person in people
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "confirm" and not cleaned.get("user"):
            self.add_error("user", "Choose the account this sign-in belongs to")
        return cleaned


class SsoLinkDecideView(PolicyView):
    permission = "accounts.manage_sso_links"

    def get_permission_object(self) -> Any:
        if not self.request.user.has_perm(self.permission):
            return None
        try:
            return sso_selectors.link_request_get(pk=self.kwargs["pk"])
        except LinkRequest.DoesNotExist as error:
            raise Http404("No such request") from error

    def _people(self, link: LinkRequest) -> list[User]:
        provider = sso_selectors.provider_for(key=link.provider_key)
        return list(sso_selectors.users_for_provider(provider=provider)[:500]) if provider else []

    def _render(self, request: HttpRequest, form: LinkDecisionForm, status: int = 200) -> Any:
        link: LinkRequest = self.object
        return render(
            request,
            "accounts/sso_link_decide.html",
            {
                "link": link,
                "form": form,
                "provider": sso_selectors.provider_for(key=link.provider_key),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        link: LinkRequest = self.object
        initial = {"user": link.suggested_user_id} if link.suggested_user_id else {}
        return self._render(request, LinkDecisionForm(initial=initial, people=self._people(link)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        link: LinkRequest = self.object
        people = self._people(link)
        form = LinkDecisionForm(request.POST, people=people)
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "confirm":
                    user = next(p for p in people if p.pk == form.cleaned_data["user"])
                    sso_services.link_request_confirm(actor=request.user, link=link, user=user)
                    messages.success(
                        request,
                        f"The sign-in is linked to {user.full_name}, who has been emailed.",
                    )
                else:
                    sso_services.link_request_refuse(actor=request.user, link=link)
                    messages.success(request, "The request has been refused.")
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return redirect("accounts:sso_link_list")
        return self._render(request, form, status=400)


class ExternalIdentityRemoveView(PolicyView):
    permission = "accounts.manage_users"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, identity_pk: int) -> HttpResponse:
        person = selectors.user_get(pk=pk)
        try:
            identity = sso_selectors.external_identity_get(user=person, pk=identity_pk)
        except ExternalIdentity.DoesNotExist as error:
            raise Http404("No such linked sign-in") from error
        sso_services.external_identity_remove(actor=request.user, identity=identity)
        messages.success(request, "The single sign-on link has been removed.")
        return redirect(person)
