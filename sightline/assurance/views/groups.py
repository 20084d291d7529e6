"""The governance pages: the partnership's groups, their members and meetings, each group's
quarterly assurance return, and the roll-up of returns to the Executive. Thin: forms in,
services and selectors out."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from sightline.core.views import (
    ConfirmActionView,
    Confirmation,
    ObjectFormView,
    PolicyView,
    apply_errors,
)

from ..forms.groups import (
    AssuranceReturnForm,
    GroupForm,
    GroupMemberForm,
    MeetingForm,
    RollupForm,
)
from ..quarters import Quarter
from ..selectors import data as data_selectors
from ..selectors import groups as selectors
from ..services import groups as services
from ..vocabulary import GroupKind


def quarter_from_slug(slug: str) -> Quarter:
    """The quarter an address names as ``2025-26-Q1``; not found for anything else."""
    try:
        return Quarter.parse(" ".join(slug.rsplit("-", 1)))
    except ValueError:
        raise Http404("No such quarter.") from None


def quarter_slug(quarter: Quarter) -> str:
    return quarter.label.replace(" ", "-")


class GroupListView(PolicyView):
    permission = "assurance.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "assurance/groups/group_list.html",
            {
                "rows": selectors.group_list(),
                "can_manage": request.user.has_perm("assurance.manage_groups"),
            },
        )


class GroupView(PolicyView):
    def get_permission_object(self) -> Any:
        return selectors.group_get(pk=self.kwargs["pk"])


class GroupDetailView(GroupView):
    permission = "assurance.view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = self.object
        current = Quarter.containing(timezone.localdate())
        return render(
            request,
            "assurance/groups/group_detail.html",
            {
                "group": group,
                **selectors.group_page(group=group),
                "current_quarter": current,
                "previous_quarter": current.previous(),
                "slug": quarter_slug,
                "can_manage": request.user.has_perm("assurance.manage_groups"),
                "can_submit": request.user.has_perm("assurance.submit_assurance_return", group),
                "sees_papers": request.user.has_perm("assurance.view_group_papers", group),
            },
        )


class GroupFormView(ObjectFormView):
    permission = "assurance.manage_groups"
    success = "The group has been saved."

    def get_permission_object(self) -> Any:
        pk = self.kwargs.get("pk")
        return selectors.group_get(pk=pk) if pk else None

    @property
    def heading(self) -> str:  # type: ignore[override]
        return f"Change {self.object.name}" if self.object else "Add a group"

    def caption(self) -> str:
        return "Groups and governance"

    def object_url(self) -> str:
        if self.object is not None:
            return str(self.object.get_absolute_url())
        return reverse("assurance:group_list")

    def make_form(self, data: Any = None) -> Form:
        initial = GroupForm.initial_for(self.object) if self.object else None
        return GroupForm(data, initial=initial, group=self.object)

    def save(self, form: Any) -> None:
        if self.object is None:
            self.object = services.group_create(actor=self.request.user, **form.cleaned_data)
        else:
            self.object = services.group_update(
                actor=self.request.user, group=self.object, **form.cleaned_data
            )
        self.success = f"{self.object.name} has been saved."


class GroupMemberAddView(GroupView, ObjectFormView):
    permission = "assurance.manage_groups"
    heading = "Add a member"
    button = "Add the member"

    def make_form(self, data: Any = None) -> Form:
        return GroupMemberForm(data)

    def save(self, form: Any) -> None:
        member = services.group_member_add(
            actor=self.request.user, group=self.object, **form.cleaned_data
        )
        self.success = f"{member.agency} now has a seat on {self.object}."


class GroupMemberRemoveView(GroupView, ConfirmActionView):
    """Taking a member off a group asks first."""

    permission = "assurance.manage_groups"

    @property
    def member(self) -> Any:
        return selectors.member_get(group=self.object, pk=self.kwargs["member_pk"])

    def confirmation(self) -> Confirmation:
        member, group = self.member, self.object
        who = (member.user.full_name or member.user.email) if member.user else "the unfilled seat"
        facts = [("Member", who if member.user else "Seat not yet filled")]
        facts += [("Agency", str(member.agency))]
        if member.role:
            facts.append(("Role on the group", member.role))
        return Confirmation(
            caption=str(group),
            heading=f"Are you sure you want to take {who} off {group}?",
            facts=facts,
            happens=[
                "They will no longer be listed as a member of the group. The change is "
                "recorded in the audit trail, and you can add them again later.",
            ],
            button="Take them off the group",
            keep="Keep them on the group",
        )

    def act(self) -> str:
        member = self.member
        services.group_member_remove(actor=self.request.user, member=member)
        who = member.user.full_name if member.user else "The unfilled seat"
        return f"{who} ({member.agency}) is no longer on {self.object}."

    def done_url(self) -> str:
        return str(self.object.get_absolute_url())


class MeetingCreateView(GroupView, ObjectFormView):
    permission = "assurance.manage_groups"
    heading = "Record a meeting"
    button = "Save the meeting"
    success = "The meeting has been recorded."

    def make_form(self, data: Any = None) -> Form:
        return MeetingForm(data)

    meeting = None

    def object_url(self) -> str:
        target = self.meeting or self.object
        return str(target.get_absolute_url())

    def save(self, form: Any) -> None:
        self.meeting = services.meeting_create(
            actor=self.request.user, group=self.object, **form.cleaned_data
        )


class MeetingView(PolicyView):
    def get_permission_object(self) -> Any:
        return selectors.meeting_get(pk=self.kwargs["pk"])


class MeetingDetailView(MeetingView):
    permission = "assurance.view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(
            request,
            "assurance/groups/meeting_detail.html",
            {
                "meeting": self.object,
                "group": self.object.group,
                **selectors.meeting_page(user=request.user, meeting=self.object),
                "can_manage": request.user.has_perm("assurance.manage_groups"),
            },
        )


class MeetingEditView(MeetingView, ObjectFormView):
    permission = "assurance.manage_groups"
    heading = "Change the meeting"
    success = "The meeting has been saved."

    def caption(self) -> str:
        return str(self.object.group)

    def make_form(self, data: Any = None) -> Form:
        if data is not None:
            return MeetingForm(data)
        page = selectors.meeting_page(user=self.request.user, meeting=self.object)
        return MeetingForm(
            initial=MeetingForm.initial_for(self.object, page["decisions"], page["actions"])
        )

    def save(self, form: Any) -> None:
        services.meeting_update(actor=self.request.user, meeting=self.object, **form.cleaned_data)


class AssuranceReturnSubmitView(GroupView):
    """A group's return for one quarter: given once, and changed by giving it again."""

    permission = "assurance.submit_assurance_return"

    def get_permission_object(self) -> Any:
        self.quarter = quarter_from_slug(self.kwargs["quarter"])
        if self.quarter > Quarter.containing(timezone.localdate()):
            raise Http404("That quarter has not begun.")
        group = super().get_permission_object()
        if group.kind == GroupKind.EXECUTIVE:
            raise Http404("The Executive gives no assurance return.")
        return group

    def _render(self, form: Form, existing: Any, status: int = 200) -> HttpResponse:
        exceptions = data_selectors.exceptions_for_quarter(quarter=self.quarter, group=self.object)
        return render(
            self.request,
            "assurance/groups/return_form.html",
            {
                "form": form,
                "group": self.object,
                "quarter": self.quarter,
                "existing": existing,
                "data_exceptions": exceptions,
                "heading": f"Assurance return for {self.quarter.label}",
                "caption": self.object.name,
                "cancel_url": self.object.get_absolute_url(),
                "button": "Save the changes" if existing else "Give the return",
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int, quarter: str) -> HttpResponse:
        existing = selectors.assurance_return_for(group=self.object, quarter=self.quarter)
        initial = None
        if existing is not None:
            initial = {
                "level": existing.level,
                "summary": existing.summary,
                "exceptions": existing.exceptions,
                "escalations": existing.escalations,
            }
        return self._render(AssuranceReturnForm(initial=initial), existing)

    def post(self, request: HttpRequest, pk: int, quarter: str) -> HttpResponse:
        form = AssuranceReturnForm(request.POST)
        if form.is_valid():
            try:
                services.assurance_return_submit(
                    actor=request.user, group=self.object, quarter=self.quarter, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{self.object}'s assurance return for {self.quarter.label} has been saved.",
                )
                return redirect(self.object.get_absolute_url())
        existing = selectors.assurance_return_for(group=self.object, quarter=self.quarter)
        return self._render(form, existing, status=400)


class AssuranceRollupView(PolicyView):
    """Every group's assurance for a quarter, as the Executive receives it."""

    permission = "assurance.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        quarter = Quarter.containing(today).previous()
        form = RollupForm(request.GET or None, today=today, initial={"quarter": quarter.label})
        status = 200
        if form.is_bound:
            if form.is_valid():
                quarter = form.cleaned_data["quarter"]
            else:
                status = 400
        return render(
            request,
            "assurance/groups/rollup.html",
            {
                "form": form,
                "quarter": quarter,
                **selectors.rollup(quarter=quarter),
                "slug": quarter_slug,
                "started": quarter <= Quarter.containing(today),
                # Without a group, only those who may give any group's return.
                "can_submit_any": request.user.has_perm("assurance.submit_assurance_return"),
            },
            status=status,
        )


urlpatterns = [
    path("assurance/groups/", GroupListView.as_view(), name="group_list"),
    path("assurance/groups/new/", GroupFormView.as_view(), name="group_create"),
    path("assurance/groups/<int:pk>/", GroupDetailView.as_view(), name="group_detail"),
    path("assurance/groups/<int:pk>/edit/", GroupFormView.as_view(), name="group_edit"),
    path(
        "assurance/groups/<int:pk>/members/add/",
        GroupMemberAddView.as_view(),
        name="group_member_add",
    ),
    path(
        "assurance/groups/<int:pk>/members/<int:member_pk>/remove/",
        GroupMemberRemoveView.as_view(),
        name="group_member_remove",
    ),
    path(
        "assurance/groups/<int:pk>/meetings/new/",
        MeetingCreateView.as_view(),
        name="meeting_create",
    ),
    path("assurance/meetings/<int:pk>/", MeetingDetailView.as_view(), name="meeting_detail"),
    path("assurance/meetings/<int:pk>/edit/", MeetingEditView.as_view(), name="meeting_edit"),
    path(
        "assurance/groups/<int:pk>/returns/<str:quarter>/",
        AssuranceReturnSubmitView.as_view(),
        name="assurance_return_submit",
    ),
    path("assurance/returns/", AssuranceRollupView.as_view(), name="assurance_rollup"),
]
