"""Sign-in, the home page, and the administration of users and agencies. Thin: forms in,
services and selectors called, templates out."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View

from sightline.core.home import panels_for
from sightline.core.once import submit_once
from sightline.core.pagination import paginate
from sightline.core.roles import Role
from sightline.core.selectors import history_for_object
from sightline.core.views import (
    ConfirmActionView,
    Confirmation,
    PolicyView,
    apply_errors,
    next_url,
)

from . import selectors, services
from .forms import (
    AgencyForm,
    MembershipForm,
    NewUserForm,
    PasswordResetForm,
    SignInForm,
    UserFilterForm,
    UserForm,
)
from .models import Agency, User


def mfa_account_context(user: Any) -> dict[str, Any]:
    from .mfa.selectors import factors_for, recovery_codes_left

    return {
        "factors": factors_for(user=user),
        "recovery_codes_left": recovery_codes_left(user=user),
    }


SESSION_HINT_COOKIE = "sightline_had_session"


@method_decorator(login_not_required, name="dispatch")
class SignInView(View):
    template_name = "accounts/sign_in.html"

    def _next(self, request: HttpRequest) -> str:
        return next_url(request, reverse(settings.LOGIN_REDIRECT_URL))

    def _render(self, request: HttpRequest, form: SignInForm, status: int = 200) -> HttpResponse:
        expired = bool(request.COOKIES.get(SESSION_HINT_COOKIE)) and request.method == "GET"
        response = render(
            request,
            self.template_name,
            {"form": form, "next": self._next(request), "session_expired": expired},
            status=status,
        )
        response.delete_cookie(SESSION_HINT_COOKIE, samesite="Lax")
        return response

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect(self._next(request))
        return self._render(request, SignInForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SignInForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        email = form.cleaned_data["email"]
        window = timezone.now() - datetime.timedelta(
            minutes=settings.SIGHTLINE_SIGN_IN_LOCKOUT_MINUTES
        )
        if (
            selectors.failed_sign_ins_since(email=email, since=window)
            >= settings.SIGHTLINE_SIGN_IN_ATTEMPTS
        ):
            services.sign_in_refused(email=email)
            form.add_error(
                None,
                "There have been too many failed attempts to sign in with this email address. "
                f"Wait {settings.SIGHTLINE_SIGN_IN_LOCKOUT_MINUTES} minutes and try again, or "
                "reset your password, which lets you sign in at once.",
            )
            return self._render(request, form, status=429)
        user = authenticate(request, username=email, password=form.cleaned_data["password"])
        if user is None:
            form.add_error(
                None, "The email address or password is not right. Check them and try again."
            )
            return self._render(request, form, status=400)
        login(request, user)
        response = HttpResponseRedirect(self._next(request))
        response.set_cookie(
            SESSION_HINT_COOKIE,
            "1",
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        return response


class SignOutView(PolicyView):
    permission = "accounts.sign_out"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        logout(request)
        messages.success(request, "You have signed out.")
        response = redirect("accounts:sign_in")
        response.delete_cookie(SESSION_HINT_COOKIE, samesite="Lax")
        return response


class HomeView(PolicyView):
    permission = "accounts.view_home"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        memberships = selectors.user_memberships(user=user)  # type: ignore[arg-type]
        roles = user.role_set  # type: ignore[union-attr]
        context: dict[str, Any] = {
            "memberships": memberships,
            "roles": roles,
            "Role": Role,
            "led_agencies": [m.agency for m in memberships if m.role == Role.AGENCY_LEAD],
            "own_roles": [role for role in Role if role in roles],
            "admin_summary": selectors.administrator_summary()
            if Role.ADMINISTRATOR in roles
            else None,
            "panels": panels_for(user),
        }
        return render(request, "accounts/home.html", context)


class AccountView(PolicyView):
    permission = "accounts.view_account"

    def get(self, request: HttpRequest) -> HttpResponse:
        memberships = selectors.user_memberships(user=request.user)  # type: ignore[arg-type]
        context = {"memberships": memberships, **mfa_account_context(request.user)}
        return render(request, "accounts/account.html", context)


class PasswordChangeView(PolicyView, auth_views.PasswordChangeView):
    permission = "accounts.change_own_password"
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=self.request.user, actor=self.request.user)  # type: ignore[arg-type]
        messages.success(self.request, "Your password has been changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        services.password_reset_requested(email=form.cleaned_data["email"])
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user, actor=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Users -------------------------------------------------------------------


class UserListView(PolicyView):
    permission = "accounts.manage_users"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = UserFilterForm(request.GET or None)
        filters = selectors.UserFilters()
        if form.is_bound and form.is_valid():
            filters = selectors.UserFilters(**form.cleaned_data)
        results = paginate(request, selectors.user_list(filters=filters))
        return render(
            request,
            "accounts/user_list.html",
            {
                "form": form,
                "users": results.items,
                "page": results.page,
                "pagination": results.pagination,
            },
        )


class UserCreateView(PolicyView):
    permission = "accounts.manage_users"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "accounts/user_form.html", {"form": NewUserForm(), "creating": True})

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        form = NewUserForm(request.POST)
        if form.is_valid():
            try:
                user = services.user_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{user.full_name} has been added and sent a link to set their password.",
                )
                return redirect(user)
        return render(
            request, "accounts/user_form.html", {"form": form, "creating": True}, status=400
        )


class UserObjectView(PolicyView):
    permission = "accounts.manage_users"

    def get_permission_object(self) -> User:
        if not self.request.user.has_perm(self.permission):
            return None  # type: ignore[return-value]
        return selectors.user_get(pk=self.kwargs["pk"])


class UserDetailView(UserObjectView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user: User = self.object
        history = history_for_object(object_type="accounts.user", object_id=str(user.pk), limit=20)
        return render(
            request,
            "accounts/user_detail.html",
            {"person": user, "memberships": list(user.memberships.all()), "history": history},
        )


class UserEditView(UserObjectView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user: User = self.object
        form = UserForm(
            initial={"full_name": user.full_name, "email": user.email, "job_title": user.job_title}
        )
        context = {"form": form, "person": user, "creating": False}
        return render(request, "accounts/user_form.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user: User = self.object
        form = UserForm(request.POST)
        if form.is_valid():
            try:
                services.user_update(actor=request.user, user=user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "The user's details have been saved.")
                return redirect(user)
        return render(
            request,
            "accounts/user_form.html",
            {"form": form, "person": user, "creating": False},
            status=400,
        )


class UserDeactivateView(UserObjectView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(
            request, "accounts/user_deactivate.html", {"person": self.object, "form": Form()}
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user: User = self.object
        try:
            services.user_deactivate(actor=request.user, user=user)
        except ValidationError as error:
            form = Form()
            apply_errors(form, error)
            return render(
                request, "accounts/user_deactivate.html", {"person": user, "form": form}, status=400
            )
        messages.success(
            request, f"{user.full_name} has been deactivated and signed out everywhere."
        )
        return redirect(user)


class UserReactivateView(UserObjectView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user: User = self.object
        try:
            services.user_reactivate(actor=request.user, user=user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"{user.full_name} can sign in again.")
        return redirect(user)


class UserSendPasswordLinkView(UserObjectView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user: User = self.object
        services.password_link_send(user=user)
        messages.success(request, f"A link to set their password has been sent to {user.email}.")
        return redirect(user)


class MembershipAddView(UserObjectView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(
            request,
            "accounts/membership_form.html",
            {"person": self.object, "form": MembershipForm()},
        )

    @submit_once
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user: User = self.object
        form = MembershipForm(request.POST)
        if form.is_valid():
            try:
                services.membership_add(actor=request.user, user=user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "The role has been added.")
                return redirect(user)
        return render(
            request, "accounts/membership_form.html", {"person": user, "form": form}, status=400
        )


class MembershipRemoveView(UserObjectView, ConfirmActionView):
    """Removing a role asks first, and says what the person will no longer be able to do."""

    @property
    def membership(self) -> Any:
        return selectors.membership_get(user=self.object, pk=self.kwargs["membership_pk"])

    def confirmation(self) -> Confirmation:
        membership, user = self.membership, self.object
        name = user.full_name or user.email
        role = membership.get_role_display()
        return Confirmation(
            caption=name,
            heading=f"Are you sure you want to remove this role from {name}?",
            facts=[("Role", role), ("Agency", str(membership.agency))],
            happens=[
                f"{name} will no longer have what the {role.lower()} role gives in "
                f"{membership.agency}: the pages, cases and emails that come with it. Their "
                "other roles stay as they are.",
                "The change is recorded in the audit trail. You can add the role again later.",
            ],
            button="Remove the role",
            keep="Keep the role",
        )

    def act(self) -> str:
        membership = self.membership
        services.membership_remove(actor=self.request.user, membership=membership)
        return f"{membership.get_role_display()} in {membership.agency} has been removed."

    def done_url(self) -> str:
        return str(self.object.get_absolute_url())


# --- Agencies ----------------------------------------------------------------


class AgencyListView(PolicyView):
    permission = "accounts.view_agency_list"

    def get(self, request: HttpRequest) -> HttpResponse:
        results = paginate(request, selectors.agency_list(), per_page=50)
        return render(
            request,
            "accounts/agency_list.html",
            {"agencies": results.items, "page": results.page, "pagination": results.pagination},
        )


class AgencyCreateView(PolicyView):
    permission = "accounts.manage_agencies"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "accounts/agency_form.html", {"form": AgencyForm(), "agency": None})

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        form = AgencyForm(request.POST)
        if form.is_valid():
            try:
                agency = services.agency_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"{agency.name} has been added.")
                return redirect(agency)
        return render(
            request, "accounts/agency_form.html", {"form": form, "agency": None}, status=400
        )


class AgencyDetailView(PolicyView):
    permission = "accounts.view_agency"

    def get_permission_object(self) -> Agency:
        return selectors.agency_get_for(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        agency: Agency = self.object
        return render(
            request,
            "accounts/agency_detail.html",
            {
                "agency": agency,
                "members": selectors.agency_members(agency=agency),
                "can_edit": request.user.has_perm("accounts.manage_agencies"),
            },
        )


class AgencyEditView(PolicyView):
    permission = "accounts.manage_agencies"

    def get_permission_object(self) -> Agency:
        return selectors.agency_get_for(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        agency: Agency = self.object
        form = AgencyForm(
            initial={
                "name": agency.name,
                "sector": agency.sector,
                "is_active": agency.is_active,
                "workforce": agency.workforce,
            }
        )
        return render(request, "accounts/agency_form.html", {"form": form, "agency": agency})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        agency: Agency = self.object
        form = AgencyForm(request.POST)
        if form.is_valid():
            try:
                services.agency_update(actor=request.user, agency=agency, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "The agency has been saved.")
                return redirect(agency)
        return render(
            request, "accounts/agency_form.html", {"form": form, "agency": agency}, status=400
        )
