"""Sign-in, the home page, and the administration of users and agencies. Thin: forms in,
services and selectors called, templates out."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views import View

from sightline.core.formats import local_datetime
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

from . import selectors, services, sso, sso_selectors, sso_services, sso_views, tasks, throttle
from .forms import (
    AccessDecisionForm,
    AgencyForm,
    MembershipForm,
    NewUserForm,
    PasswordResetForm,
    SignInForm,
    UserFilterForm,
    UserForm,
)
from .mfa.selectors import factors_for, recovery_codes_left
from .models import AccessReview, Agency, User


def mfa_account_context(user: Any) -> dict[str, Any]:
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
            {
                "form": form,
                "next": self._next(request),
                "session_expired": expired,
                "sso_buttons": sso_views.sign_in_buttons(),
            },
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
        attempt = throttle.sign_in_attempt(request, email=email)
        if attempt.refused:
            form.add_error(None, attempt.message)
            return attempt.refuse(self._render(request, form, status=429))
        user = authenticate(request, username=email, password=form.cleaned_data["password"])
        attempt.settle(user=user)
        suspended = getattr(request, "sightline_suspended_user", None)
        if user is None and suspended is not None:
            form.add_error(None, suspension_message(suspended))
            return self._render(request, form, status=403)
        if user is None:
            form.add_error(
                None, "The email address or password is not right. Check them and try again."
            )
            return self._render(request, form, status=400)
        if sso_selectors.user_single_sign_on_only(user=user):
            sso_services.password_sign_in_refused(user=user)
            form.add_error(
                None,
                "Your organisation signs in to Sightline with its own sign-in, not a password. "
                "Use your organisation's sign-in button below.",
            )
            return self._render(request, form, status=403)
        login(request, user)
        response = HttpResponseRedirect(self._next(request))
        response.set_cookie(
            SESSION_HINT_COOKIE,
            "1",
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        attempt.remember(response, request=request)
        return response


def suspension_message(person: User) -> str:
    leads = [lead.full_name or lead.email for lead in selectors.suspension_contacts(user=person)]
    ask = f"your agency lead ({', '.join(leads)}) or " if leads else ""
    return (
        "Your account was suspended because it was not used for "
        f"{settings.SIGHTLINE_INACTIVE_DAYS} days. Ask {ask}your partnership administrator to "
        "lift the suspension, then sign in again."
    )


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
        return render(
            request,
            "accounts/account.html",
            {
                "memberships": memberships,
                "recent_sign_ins": selectors.recent_sign_ins(user=request.user),  # type: ignore[arg-type]
                **mfa_account_context(request.user),
            },
        )


class SignOutEverywhereView(ConfirmActionView):
    """Ends every session of the person, this one included, and sends them to sign in."""

    permission = "accounts.sign_out_everywhere"

    def confirmation(self) -> Confirmation:
        return Confirmation(
            heading="Are you sure you want to sign out everywhere?",
            happens=[
                "Every session you have open ends: on this device and on any other computer, "
                "phone or browser where you are signed in to Sightline.",
                "You will need to sign in again here too. Do this if you signed in somewhere "
                "you no longer use, or you think someone else may be using your account.",
            ],
            button="Sign out everywhere",
            keep="Stay signed in",
        )

    def done_url(self) -> str:
        return reverse("accounts:account")

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        ended = services.sessions_end_all(user=request.user, actor=request.user)  # type: ignore[arg-type]
        request.session.flush()
        request.user = AnonymousUser()
        messages.success(
            request,
            f"You have signed out everywhere: {ended} session{'s' if ended != 1 else ''} "
            "ended. Sign in again to carry on.",
        )
        response = redirect("accounts:sign_in")
        response.delete_cookie(SESSION_HINT_COOKIE, samesite="Lax")
        return response


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
        """Counts and hands the rest to the worker: the same work and the same page whether
        or not the address has an account, or has had its fill of emails."""
        email = form.cleaned_data["email"]
        allowance = throttle.email_allowance(purpose="reset", email=email)
        if allowance.refused:
            return throttle.refused_page(
                self.request, allowance, back=reverse("accounts:password_reset")
            )
        services.password_reset_requested(email=email, sent=allowance.send)
        if allowance.send:
            tasks.password_reset_send.enqueue(email=email)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user, actor=form.user)
        # Whoever reset the password holds the mailbox: this browser is not held up by
        # the limits a stranger's failed attempts may have reached.
        throttle.known_device_remember(response, request=self.request, email=form.user.email)
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
            {
                "person": user,
                "memberships": list(user.memberships.all()),
                "history": history,
                "external_identities": sso_selectors.external_identities_for(user=user),
                "sso_names": {provider.key: provider.name for provider in sso.providers()},
            },
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
                "single_sign_on_only": agency.single_sign_on_only,
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


# --- Suspension and access reviews --------------------------------------------------------


class UserSuspensionLiftView(ConfirmActionView):
    """An administrator, or a lead of one of the person's agencies, lets a suspended person
    sign in again."""

    permission = "accounts.lift_suspension"

    def get_permission_object(self) -> User:
        return selectors.person_get_for_lifting(user=self.request.user, pk=self.kwargs["pk"])

    def confirmation(self) -> Confirmation:
        person: User = self.object
        name = person.full_name or person.email
        return Confirmation(
            caption=name,
            heading=f"Are you sure you want to lift the suspension of {name}?",
            facts=[
                ("Email address", person.email),
                (
                    "Suspended",
                    local_datetime(person.suspended_at) if person.suspended_at else "No",
                ),
            ],
            happens=[
                f"{name} can sign in again with the roles they hold now. If they do not "
                f"sign in within {settings.SIGHTLINE_INACTIVE_DAYS} days, their account is "
                "suspended again.",
                "The change is recorded in the audit trail.",
            ],
            button="Lift the suspension",
            keep="Keep it suspended",
        )

    def act(self) -> str:
        person = services.user_suspension_lift(actor=self.request.user, user=self.object)
        return f"{person.full_name or person.email} can sign in again."

    def done_url(self) -> str:
        if self.request.user.has_perm("accounts.manage_users"):
            return str(self.object.get_absolute_url())
        led = self.request.user.agency_ids_with_role(Role.AGENCY_LEAD) & self.object.agency_ids  # type: ignore[union-attr]
        return reverse("accounts:agency_detail", kwargs={"pk": min(led)}) if led else "/"


class AccessReviewListView(PolicyView):
    permission = "accounts.view_access_reviews"

    def get(self, request: HttpRequest) -> HttpResponse:
        results = paginate(request, selectors.access_review_list_for(user=request.user))
        return render(
            request,
            "accounts/access_review_list.html",
            {
                "reviews": results.items,
                "page": results.page,
                "pagination": results.pagination,
                "sees_all": request.user.has_perm("accounts.view_all_access_reviews"),
            },
        )


class AccessReviewObjectView(PolicyView):
    permission = "accounts.view_access_review"

    def get_permission_object(self) -> AccessReview:
        return selectors.access_review_get_for(user=self.request.user, pk=self.kwargs["pk"])


class AccessReviewDetailView(AccessReviewObjectView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        review: AccessReview = self.object
        people = selectors.access_review_people(review=review)
        undecided = sum(1 for person in people for item in person.items if not item.decision)
        return render(
            request,
            "accounts/access_review_detail.html",
            {
                "review": review,
                "people": people,
                "undecided": undecided,
                "can_decide": review.status == "open"
                and request.user.has_perm("accounts.decide_access_review", review),
                "sees_all": request.user.has_perm("accounts.view_all_access_reviews"),
            },
        )


class AccessReviewDecideView(AccessReviewObjectView):
    permission = "accounts.decide_access_review"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
        review: AccessReview = self.object
        item = selectors.access_review_item_get(review=review, pk=item_pk)
        form = AccessDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose keep or remove.")
            return redirect(review)
        try:
            services.access_review_decide(
                actor=request.user, item=item, decision=form.cleaned_data["decision"]
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            name = item.member.full_name or item.member.email
            if form.cleaned_data["decision"] == "remove":
                messages.success(request, f"Removed: {item.label} for {name}.")
            else:
                messages.success(request, f"Kept: {item.label} for {name}.")
        return redirect(f"{review.get_absolute_url()}#person-{item.member_id}")


class AccessReviewRemoveView(AccessReviewObjectView, ConfirmActionView):
    """Removing asks first, and says what the person will lose."""

    permission = "accounts.decide_access_review"

    @property
    def item(self) -> Any:
        return selectors.access_review_item_get(review=self.object, pk=self.kwargs["item_pk"])

    def confirmation(self) -> Confirmation:
        item, review = self.item, self.object
        name = item.member.full_name or item.member.email
        roles = item.source == "roles"
        return Confirmation(
            caption=f"Access review of {review.agency.name}",
            heading=f"Are you sure you want to remove this from {name}?",
            facts=[("Person", name), ("Roles" if roles else "Access", item.label)],
            happens=[
                f"{name} loses their roles in {review.agency.name} at once, and with them "
                "the pages, cases and emails those roles give."
                if roles
                else f"{name} is taken off the list at once and can no longer see the "
                "case's restricted details.",
                "The change is recorded in the audit trail. An administrator can give it "
                "back later.",
            ],
            button="Remove",
            keep="Go back to the review",
        )

    def act(self) -> str:
        item = self.item
        services.access_review_decide(actor=self.request.user, item=item, decision="remove")
        return f"Removed: {item.label} for {item.member.full_name or item.member.email}."

    def done_url(self) -> str:
        return f"{self.object.get_absolute_url()}#person-{self.item.member_id}"


class AccessReviewCompleteView(AccessReviewObjectView):
    permission = "accounts.decide_access_review"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review: AccessReview = self.object
        try:
            services.access_review_complete(actor=request.user, review=review)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"The access review of {review.agency.name} is done.")
        return redirect(review)
