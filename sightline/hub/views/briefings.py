"""Seven-minute briefings: the public list and page and their Word and slide downloads, and
the business unit's drafting, finishing, approval and withdrawal pages. Thin: forms in,
services and selectors out."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from sightline.core.once import submit_once
from sightline.core.pagination import paginate
from sightline.core.views import PolicyView, apply_errors

from ..briefing_files import DOCX_TYPE, PPTX_TYPE, BriefingText, briefing_docx, briefing_pptx
from ..drafting import blocks
from ..forms.briefings import (
    ApproveForm,
    BriefingEditForm,
    BriefingFilterForm,
    BriefingFromReviewForm,
    BriefingNewForm,
    WithdrawForm,
)
from ..models import Briefing
from ..selectors import briefings as selectors
from ..services import briefings as services
from ..vocabulary import BRIEFING_SECTIONS, Audience, State
from .base import PublicView


class BriefingListView(PublicView):
    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        themes = selectors.briefing_public_themes(on=today)
        form = BriefingFilterForm(request.GET, themes=themes)
        valid = form.is_valid()
        filters = (
            selectors.BriefingFilters(
                theme=form.cleaned_data["theme"], audience=form.cleaned_data["audience"]
            )
            if valid
            else selectors.BriefingFilters()
        )
        results = paginate(request, selectors.briefing_public_list(on=today, filters=filters))
        return render(
            request,
            "hub/briefings/list.html",
            {
                "form": form,
                "briefings": results.items,
                "pagination": results.pagination,
                "count": results.page.paginator.count,
                "filtered": valid and bool(filters.theme or filters.audience),
            },
            status=200 if valid else 400,
        )


def _numbered(briefing: Briefing) -> list[tuple[int, str, Any]]:
    return [
        (number, heading, blocks(text))
        for number, (heading, text) in enumerate(briefing.sections(), start=1)
    ]


class BriefingView(PublicView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        page = selectors.briefing_public_get(slug=slug, on=timezone.localdate())
        return render(
            request,
            "hub/briefings/detail.html",
            {
                "briefing": page.briefing,
                "themes": page.themes,
                "review": page.review,
                "sections": _numbered(page.briefing),
            },
        )


class BriefingFileView(PublicView):
    """The briefing as a Word document or as slides, built in the request (they are small).
    Public for a public briefing; the business unit may also download a draft to check it."""

    kind = ""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        today = timezone.localdate()
        try:
            page = selectors.briefing_public_get(slug=slug, on=today)
        except Http404:
            if not request.user.has_perm("hub.manage"):
                raise
            page = selectors.briefing_preview_get(slug=slug, on=today)
        briefing = page.briefing
        text = BriefingText(
            title=briefing.title,
            partnership=settings.SIGHTLINE_PARTNERSHIP_NAME,
            audience=briefing.get_audience_display(),
            sections=briefing.sections(),
            themes=tuple(theme.name for theme in page.themes),
            review_title=page.review.title if page.review else "",
        )
        if self.kind == "docx":
            response = HttpResponse(briefing_docx(text), content_type=DOCX_TYPE)
            name = f"{briefing.slug}.docx"
        else:
            response = HttpResponse(briefing_pptx(text), content_type=PPTX_TYPE)
            name = f"{briefing.slug}-slides.pptx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# The business unit's pages.


class BriefingManageListView(PolicyView):
    permission = "hub.manage"

    def get(self, request: HttpRequest) -> HttpResponse:
        results = paginate(request, selectors.briefing_staff_list())
        can_edit = request.user.has_perm("hub.edit")
        reviews = selectors.reviews_to_brief() if can_edit else []
        return render(
            request,
            "hub/briefings/manage_list.html",
            {
                "briefings": results.items,
                "pagination": results.pagination,
                "review_form": BriefingFromReviewForm(reviews=reviews),
                "can_edit": can_edit,
            },
        )


class BriefingFromReviewView(PolicyView):
    permission = "hub.edit"
    http_method_names = ["post"]

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        form = BriefingFromReviewForm(request.POST, reviews=selectors.reviews_to_brief())
        if not form.is_valid():
            messages.error(request, str(form.errors["review"][0]))
            return redirect("hub:briefing_manage")
        review = form.cleaned_data["review"]
        existing = selectors.draft_for_review(review=review)
        try:
            briefing = services.briefing_draft(actor=request.user, review=review)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("hub:briefing_manage")
        messages.success(
            request,
            "A draft briefing on this review exists already: here it is."
            if existing is not None and existing.pk == briefing.pk
            else "The briefing has been drafted from the review. Check every section.",
        )
        return redirect("hub:briefing_edit", pk=briefing.pk)


class BriefingNewView(PolicyView):
    permission = "hub.edit"

    def _render(self, form: Form, status: int = 200) -> HttpResponse:
        return render(self.request, "hub/briefings/new.html", {"form": form}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(BriefingNewForm(initial={"audience": Audience.BOTH}))

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        form = BriefingNewForm(request.POST)
        if form.is_valid():
            try:
                briefing = services.briefing_create(
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    audience=form.cleaned_data["audience"],
                    themes=form.cleaned_data["themes"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "The briefing has been started. Write each section.")
                return redirect("hub:briefing_edit", pk=briefing.pk)
        return self._render(form, status=400)


class BriefingMixin:
    kwargs: dict[str, Any]

    def get_permission_object(self) -> Any:
        self.briefing = selectors.briefing_get(pk=self.kwargs["pk"])
        return self.briefing

    @property
    def edit_url(self) -> str:
        return reverse("hub:briefing_edit", kwargs={"pk": self.briefing.pk})


class BriefingEditView(BriefingMixin, PolicyView):
    """A briefing for the business unit: its seven sections to edit while it is a draft,
    the "finished" mark, and for the partners the approval or withdrawal."""

    permission = "hub.manage"

    def _initial(self) -> dict[str, Any]:
        briefing = self.briefing
        return {
            "title": briefing.title,
            "audience": briefing.audience,
            "themes": [theme.pk for theme in briefing.themes.all()],
            **{name: getattr(briefing, name) for name, _ in BRIEFING_SECTIONS},
        }

    def _render(self, form: Form, status: int = 200) -> HttpResponse:
        user, briefing = self.request.user, self.briefing
        return render(
            self.request,
            "hub/briefings/edit.html",
            {
                "briefing": briefing,
                "themes": list(briefing.themes.all()),
                "form": form,
                "section_names": [name for name, _ in BRIEFING_SECTIONS],
                "sections": _numbered(briefing),
                "can_edit": user.has_perm("hub.edit") and briefing.state == State.DRAFT,
                "can_finish": user.has_perm("hub.edit")
                and briefing.state == State.DRAFT
                and briefing.finished_at is None,
                "can_approve": user.has_perm("hub.publish")
                and briefing.state == State.DRAFT
                and briefing.finished_at is not None,
                "can_withdraw": user.has_perm("hub.publish") and briefing.state != State.WITHDRAWN,
                "is_public": briefing.is_public(on=timezone.localdate()),
            },
            status=status,
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self._render(BriefingEditForm(initial=self._initial()))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("hub.edit"):
            raise PermissionDenied
        form = BriefingEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            values = {
                name: data[name]
                for name in ("title", "audience", *(n for n, _ in BRIEFING_SECTIONS))
            }
            try:
                changed = services.briefing_update(
                    actor=request.user, briefing=self.briefing, values=values, themes=data["themes"]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    "The briefing has been saved." if changed else "Nothing had changed.",
                )
                return redirect(self.edit_url)
        return self._render(form, status=400)


class BriefingFinishView(BriefingMixin, PolicyView):
    permission = "hub.edit"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            services.briefing_finish(actor=request.user, briefing=self.briefing)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "The briefing is marked as finished, ready for approval.")
        return redirect(self.edit_url)


class _DecisionView(BriefingMixin, PolicyView):
    permission = "hub.publish"
    template = ""
    form_class: type[Form] = Form

    def _render(self, form: Form, status: int = 200) -> HttpResponse:
        return render(
            self.request, self.template, {"briefing": self.briefing, "form": form}, status=status
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self._render(self.form_class(initial=self.initial()))

    def initial(self) -> dict[str, Any]:
        return {}

    def act(self, data: dict[str, Any]) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                message = self.act(form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(self.edit_url)
        return self._render(form, status=400)


class BriefingApproveView(_DecisionView):
    template = "hub/briefings/approve.html"
    form_class = ApproveForm

    def initial(self) -> dict[str, Any]:
        return {"live_on": timezone.localdate()}

    def act(self, data: dict[str, Any]) -> str:
        briefing = services.briefing_approve(
            actor=self.request.user,
            briefing=self.briefing,
            live_on=data["live_on"],
            remove_on=data["remove_on"],
        )
        return f"The briefing has been approved. It goes live on {briefing.live_on:%-d %B %Y}."


class BriefingWithdrawView(_DecisionView):
    template = "hub/briefings/withdraw.html"
    form_class = WithdrawForm

    def act(self, data: dict[str, Any]) -> str:
        services.briefing_withdraw(
            actor=self.request.user, briefing=self.briefing, reason=data["reason"]
        )
        return "The briefing has been withdrawn. It is no longer public."


urlpatterns = [
    path("briefings/", BriefingListView.as_view(), name="briefings"),
    path("briefings/<slug:slug>/", BriefingView.as_view(), name="briefing"),
    path(
        "briefings/<slug:slug>/briefing.docx",
        BriefingFileView.as_view(kind="docx"),
        name="briefing_docx",
    ),
    path(
        "briefings/<slug:slug>/slides.pptx",
        BriefingFileView.as_view(kind="pptx"),
        name="briefing_pptx",
    ),
    path("manage/briefings/", BriefingManageListView.as_view(), name="briefing_manage"),
    path(
        "manage/briefings/from-review/",
        BriefingFromReviewView.as_view(),
        name="briefing_from_review",
    ),
    path("manage/briefings/new/", BriefingNewView.as_view(), name="briefing_new"),
    path("manage/briefings/<int:pk>/", BriefingEditView.as_view(), name="briefing_edit"),
    path("manage/briefings/<int:pk>/finish/", BriefingFinishView.as_view(), name="briefing_finish"),
    path(
        "manage/briefings/<int:pk>/approve/",
        BriefingApproveView.as_view(),
        name="briefing_approve",
    ),
    path(
        "manage/briefings/<int:pk>/withdraw/",
        BriefingWithdrawView.as_view(),
        name="briefing_withdraw",
    ),
]
