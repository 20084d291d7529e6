"""The business unit's pages for the hub: drafting, publishing, withdrawing, documents, and
the administrators' usage figures. Reviews, resources and news share the pages, told apart
by the ``kind`` in the address."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from sightline.core.once import submit_once
from sightline.core.views import ConfirmActionView, Confirmation, PolicyView, apply_errors

from ..forms.publishing import (
    ApproveForm,
    DocumentForm,
    NewsForm,
    ResourceForm,
    ReviewForm,
    ReviewFromCaseForm,
    WithdrawForm,
)
from ..models import Publishable, PublishedReview
from ..selectors import publishing as selectors
from ..selectors import usage as usage_selectors
from ..services import publishing as services
from ..vocabulary import State


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str  # in a sentence: "the review"
    form: type[Form]
    get: Any
    save: Any
    approve: Any
    withdraw: Any
    item_argument: str
    has_documents: bool


KINDS = {
    "review": Kind(
        "review",
        "review",
        ReviewForm,
        selectors.review_for_staff,
        services.review_save,
        services.review_approve,
        services.review_withdraw,
        "review",
        True,
    ),
    "resource": Kind(
        "resource",
        "resource",
        ResourceForm,
        selectors.resource_for_staff,
        services.resource_save,
        services.resource_approve,
        services.resource_withdraw,
        "resource",
        True,
    ),
    "news": Kind(
        "news",
        "news item",
        NewsForm,
        selectors.news_for_staff,
        services.news_save,
        services.news_approve,
        services.news_withdraw,
        "news",
        False,
    ),
}


def _kind(slug: str) -> Kind:
    if slug not in KINDS:
        raise Http404("No such kind of item.")
    return KINDS[slug]


def _item_url(kind: Kind, item: Publishable) -> str:
    return reverse("hub:manage_item", kwargs={"kind": kind.slug, "pk": item.pk})


class ManageListView(PolicyView):
    permission = "hub.manage"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "hub/manage/list.html",
            {
                "lists": selectors.manage_list(on=timezone.localdate()),
                "may_edit": request.user.has_perm("hub.edit"),
                "sees_usage": request.user.has_perm("hub.view_usage"),
            },
        )


class ItemMixin:
    request: HttpRequest
    kwargs: dict[str, Any]

    @property
    def kind(self) -> Kind:
        return _kind(self.kwargs["kind"])

    def get_permission_object(self) -> Any:
        return self.kind.get(pk=self.kwargs["pk"])


class ItemView(ItemMixin, PolicyView):
    """One item as staff see it: where it is in publishing, and what may be done next."""

    permission = "hub.manage"

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        item = self.object
        today = timezone.localdate()
        return render(
            request,
            "hub/manage/item.html",
            {
                "item": item,
                "kind": self.kind,
                "is_public": item.is_public(on=today),
                "today_date": today,
                "public_url": item.get_absolute_url(),
                "may_edit": request.user.has_perm("hub.edit") and item.state != State.WITHDRAWN,
                "may_publish": request.user.has_perm("hub.publish")
                and item.state != State.WITHDRAWN,
            },
        )


class _FormPage(PolicyView):
    template_name = "core/form_page.html"
    heading = ""
    button = "Save"

    def page_context(self) -> dict[str, Any]:
        return {}

    def cancel_url(self) -> str:
        return reverse("hub:manage")

    def _render(self, form: Form, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "heading": self.heading,
                "caption": "Learning hub",
                "cancel_url": self.cancel_url(),
                "button": self.button,
                **self.page_context(),
            },
            status=status,
        )


def _values(form: Form) -> tuple[dict[str, Any], Any]:
    values = {
        name: value
        for name, value in form.cleaned_data.items()
        if name not in ("themes", "recommendations")
    }
    return values, form.cleaned_data.get("themes")


class ItemCreateView(_FormPage):
    permission = "hub.edit"
    button = "Save as draft"

    @property
    def kind(self) -> Kind:
        return _kind(self.kwargs["kind"])

    @property
    def heading(self) -> str:  # type: ignore[override]
        return f"New {self.kind.label}"

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self._render(self.kind.form())

    @submit_once
    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        kind = self.kind
        form = kind.form(request.POST)
        if form.is_valid():
            values, themes = _values(form)
            extra: dict[str, Any] = {}
            if isinstance(form, ReviewForm):
                extra["recommendations"] = form.recommendation_texts()
            try:
                item = kind.save(actor=request.user, values=values, themes=themes, **extra)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"The {kind.label} is saved as a draft.")
                return redirect(_item_url(kind, item))
        return self._render(form, status=400)


class ReviewFromCaseView(_FormPage):
    """A draft review started from a case: only what may be public is copied."""

    permission = "hub.edit"
    heading = "Draft a review from a case"
    button = "Start the draft"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(ReviewFromCaseForm())

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReviewFromCaseForm(request.POST)
        if form.is_valid():
            case = selectors.case_by_reference(reference=form.cleaned_data["reference"])
            if case is None:
                form.add_error("reference", "No case has this reference: check it and try again")
            else:
                try:
                    review = services.review_save(
                        actor=request.user,
                        values={},
                        case=case,
                        partners_agreed=form.cleaned_data["partners_agreed"],
                    )
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    messages.success(
                        request,
                        "The draft has the case's pseudonym, themes and recommendations: "
                        "write the summary for the public before it is approved.",
                    )
                    return redirect(_item_url(KINDS["review"], review))
        return self._render(form, status=400)


class ItemEditView(ItemMixin, _FormPage):
    permission = "hub.edit"

    @property
    def heading(self) -> str:  # type: ignore[override]
        return f"Edit the {self.kind.label}"

    def cancel_url(self) -> str:
        return _item_url(self.kind, self.object)

    def page_context(self) -> dict[str, Any]:
        if self.object.state == State.APPROVED:
            return {"back_link": self.cancel_url()}
        return {}

    def _initial(self) -> dict[str, Any]:
        item = self.object
        if isinstance(item, PublishedReview):
            return ReviewForm.initial_for(item)
        form = self.kind.form()
        initial = {name: getattr(item, name) for name in form.fields if name != "themes"}
        return {**initial, "themes": list(item.themes.all())}

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if self.object.state == State.WITHDRAWN:
            raise Http404("A withdrawn item is not edited.")
        return self._render(self.kind.form(initial=self._initial()))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        kind = self.kind
        form = kind.form(request.POST)
        if form.is_valid():
            values, themes = _values(form)
            extra: dict[str, Any] = {kind.item_argument: self.object}
            if isinstance(form, ReviewForm):
                extra["recommendations"] = form.recommendation_texts()
            try:
                kind.save(actor=request.user, values=values, themes=themes, **extra)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"The {kind.label} is saved.")
                return redirect(self.cancel_url())
        return self._render(form, status=400)


class ApproveView(ItemMixin, _FormPage):
    """The decision to publish: from which day, and until when."""

    permission = "hub.publish"
    button = "Approve for publication"

    @property
    def heading(self) -> str:  # type: ignore[override]
        return f"Approve the {self.kind.label} for publication"

    def cancel_url(self) -> str:
        return _item_url(self.kind, self.object)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        item = self.object
        initial = {"live_on": item.live_on or timezone.localdate(), "remove_on": item.remove_on}
        return self._render(ApproveForm(initial=initial))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = ApproveForm(request.POST)
        if form.is_valid():
            live_on, remove_on = form.cleaned_data["live_on"], form.cleaned_data["remove_on"]
            try:
                self.kind.approve(
                    actor=request.user, item=self.object, live_on=live_on, remove_on=remove_on
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                when = (
                    "It is public now."
                    if live_on <= timezone.localdate()
                    else f"It goes live on {live_on.day} {live_on:%B %Y}."
                )
                messages.success(request, f"The {self.kind.label} is approved. {when}")
                return redirect(self.cancel_url())
        return self._render(form, status=400)


class WithdrawView(ItemMixin, _FormPage):
    permission = "hub.publish"
    button = "Withdraw it"

    @property
    def heading(self) -> str:  # type: ignore[override]
        return f"Withdraw the {self.kind.label}"

    def cancel_url(self) -> str:
        return _item_url(self.kind, self.object)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self._render(WithdrawForm())

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                self.kind.withdraw(
                    actor=request.user, item=self.object, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, f"The {self.kind.label} is withdrawn: it is no longer on the hub."
                )
                return redirect(self.cancel_url())
        return self._render(form, status=400)


class DocumentUploadView(ItemMixin, _FormPage):
    permission = "hub.edit"
    template_name = "hub/manage/upload.html"
    heading = "Add a document"
    button = "Upload"

    def get_permission_object(self) -> Any:
        if not self.kind.has_documents:
            raise Http404("This kind of item has no documents.")
        return super().get_permission_object()

    def cancel_url(self) -> str:
        return _item_url(self.kind, self.object)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self._render(DocumentForm())

    @submit_once
    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                document = services.document_upload(
                    actor=request.user,
                    item=self.object,
                    title=form.cleaned_data["title"],
                    name=upload.name,
                    content=upload.read(services.MAX_UPLOAD_BYTES + 1),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                removed = "; ".join(document.removed) or "nothing hidden was found"
                messages.success(
                    request, f"{document.file_name} is added. Removed from it: {removed}."
                )
                return redirect(self.cancel_url())
        return self._render(form, status=400)


class DocumentRemoveView(ConfirmActionView):
    permission = "hub.edit"

    def get_permission_object(self) -> Any:
        return selectors.document_for_staff(pk=self.kwargs["pk"])

    def _owner_url(self) -> str:
        document = self.object
        if document.review_id:
            return reverse("hub:manage_item", kwargs={"kind": "review", "pk": document.review_id})
        return reverse("hub:manage_item", kwargs={"kind": "resource", "pk": document.resource_id})

    def confirmation(self) -> Confirmation:
        return Confirmation(
            caption="Learning hub",
            heading=f"Remove {self.object.title}?",
            facts=[("File", self.object.file_name)],
            happens=["Readers will no longer be able to download it."],
            button="Remove the document",
            keep="Keep it",
        )

    def act(self) -> str:
        services.document_remove(actor=self.request.user, document=self.object)
        return f"{self.object.title} is removed."

    def done_url(self) -> str:
        return self._owner_url()


class UsageView(PolicyView):
    """Which published learning is read and which is not: counted per page per month."""

    permission = "hub.view_usage"

    def get(self, request: HttpRequest) -> HttpResponse:
        least = request.GET.get("order") == "least"
        rows = usage_selectors.usage_rows(on=timezone.localdate(), least_read_first=least)
        return render(request, "hub/manage/usage.html", {"rows": rows, "least": least})


urlpatterns = [
    path("manage/", ManageListView.as_view(), name="manage"),
    path("manage/usage/", UsageView.as_view(), name="usage"),
    path("manage/review/from-case/", ReviewFromCaseView.as_view(), name="manage_from_case"),
    path("manage/<str:kind>/new/", ItemCreateView.as_view(), name="manage_new"),
    path("manage/<str:kind>/<int:pk>/", ItemView.as_view(), name="manage_item"),
    path("manage/<str:kind>/<int:pk>/edit/", ItemEditView.as_view(), name="manage_edit"),
    path("manage/<str:kind>/<int:pk>/approve/", ApproveView.as_view(), name="manage_approve"),
    path("manage/<str:kind>/<int:pk>/withdraw/", WithdrawView.as_view(), name="manage_withdraw"),
    path(
        "manage/<str:kind>/<int:pk>/documents/",
        DocumentUploadView.as_view(),
        name="manage_document",
    ),
    path(
        "manage/documents/<int:pk>/remove/",
        DocumentRemoveView.as_view(),
        name="manage_document_remove",
    ),
]
