"""Inspections' pages: the list, an inspection with its recommendations and their actions,
adding a recommendation to the learning tracker, and the quarterly inspection update for
the Executive (printable, and as a CSV file). Thin: forms in, services and selectors out."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from sightline.core.downloads import table_download
from sightline.core.models import AccessLogEntry
from sightline.core.once import submit_once
from sightline.core.pagination import paginate
from sightline.core.services import access_log_record
from sightline.core.views import PolicyView, apply_errors

from ..forms.inspections import (
    JUDGEMENTS,
    InspectionFilterForm,
    InspectionForm,
    QuarterForm,
    SourceRecommendationForm,
)
from ..models import Inspection
from ..quarters import Quarter
from ..selectors import inspections as selectors
from ..services import inspections as services


class InspectionListView(PolicyView):
    permission = "assurance.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = InspectionFilterForm(request.GET)
        valid = form.is_valid()
        inspectorate = form.cleaned_data["inspectorate"] if valid else ""
        results = paginate(request, selectors.inspection_list(inspectorate=inspectorate))
        return render(
            request,
            "assurance/inspections/list.html",
            {
                "form": form,
                "inspections": results.items,
                "total": results.page.paginator.count,
                "pagination": results.pagination,
                "can_manage": request.user.has_perm("assurance.manage_inspections"),
            },
            status=200 if valid else 400,
        )


class InspectionFormView(PolicyView):
    """Record an inspection, or change one."""

    permission = "assurance.manage_inspections"

    def get_permission_object(self) -> Any:
        pk = self.kwargs.get("pk")
        return selectors.inspection_get(pk=pk) if pk else None

    def _render(self, form: InspectionForm, status: int = 200) -> HttpResponse:
        inspection = self.object
        return render(
            self.request,
            "assurance/inspections/form.html",
            {
                "form": form,
                "heading": "Change the inspection" if inspection else "Add an inspection",
                "caption": inspection.title if inspection else "",
                "cancel_url": inspection.get_absolute_url()
                if inspection
                else reverse("assurance:inspection_list"),
                "judgements": JUDGEMENTS,
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        inspection = self.object
        initial = (
            {name: getattr(inspection, name) for name in services.INSPECTION_FIELDS}
            if inspection
            else None
        )
        return self._render(InspectionForm(initial=initial))

    @submit_once
    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        form = InspectionForm(request.POST)
        if form.is_valid():
            try:
                if self.object:
                    inspection = services.inspection_edit(
                        actor=request.user, inspection=self.object, data=form.cleaned_data
                    )
                else:
                    inspection = services.inspection_create(
                        actor=request.user, data=form.cleaned_data
                    )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"{inspection.title} has been saved.")
                return redirect(inspection.get_absolute_url())
        return self._render(form, status=400)


class InspectionDetailView(PolicyView):
    permission = "assurance.view"

    def get_permission_object(self) -> Inspection:
        return selectors.inspection_get(pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(
            request,
            "assurance/inspections/detail.html",
            {
                "inspection": self.object,
                **selectors.inspection_page(inspection=self.object),
                "can_manage": request.user.has_perm("assurance.manage_inspections"),
                "can_add_actions": request.user.has_perm("learning.manage_recommendations"),
            },
        )


class SourceRecommendationView(PolicyView):
    """Add a recommendation to the learning tracker from an inspection (or a finding from an
    audit), then go to it in the learning tracker to add its actions."""

    noun = "recommendation"
    prefix = ""

    def add(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _form(self, data: Any = None) -> SourceRecommendationForm:
        initial = {
            "reference": selectors.suggested_reference(prefix=f"{self.prefix}{self.object.pk}"),
            "made_date": timezone.localdate(),
        }
        return SourceRecommendationForm(
            data,
            initial=initial,
            options=selectors.recommendation_form_options(),
            noun=self.noun,
        )

    def _render(self, form: Form, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "core/form_page.html",
            {
                "form": form,
                "heading": f"Add a {self.noun}",
                "caption": str(self.object),
                "cancel_url": self.object.get_absolute_url(),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(self._form())

    @submit_once
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            try:
                rec = self.add(dict(form.cleaned_data))
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{rec.reference} has been added to the learning tracker. "
                    "Add the actions agencies will take on it here.",
                )
                return redirect("learning:recommendation_detail", pk=rec.pk)
        return self._render(form, status=400)


class InspectionRecommendationCreateView(SourceRecommendationView):
    permission = "assurance.manage_inspections"
    prefix = "INS"

    def get_permission_object(self) -> Inspection:
        return selectors.inspection_get(pk=self.kwargs["pk"])

    def add(self, data: dict[str, Any]) -> Any:
        return services.inspection_recommendation_add(
            actor=self.request.user, inspection=self.object, data=data
        )


def _quarter(request: HttpRequest) -> tuple[QuarterForm, Quarter | None]:
    """The quarter asked for (the current one when none is), or None when it is not one."""
    form = QuarterForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, form.cleaned_data["quarter"] or Quarter.containing(timezone.localdate())


class InspectionUpdateView(PolicyView):
    """The quarterly inspection update for the Executive."""

    permission = "assurance.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        form, quarter = _quarter(request)
        if quarter is None:
            return render(
                request,
                "assurance/inspections/update.html",
                {"form": form, "update": None},
                status=400,
            )
        form = QuarterForm(initial={"quarter": quarter.label})
        return render(
            request,
            "assurance/inspections/update.html",
            {
                "form": form,
                "update": selectors.inspection_update_for_quarter(quarter=quarter),
                "previous": quarter.previous().label,
                "next": quarter.next().label,
            },
        )


class InspectionUpdateExportView(PolicyView):
    permission = "assurance.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        form, quarter = _quarter(request)
        if quarter is None:
            return render(
                request,
                "assurance/inspections/update.html",
                {"form": form, "update": None},
                status=400,
            )
        access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.EXPORT,
            object_type="assurance.inspection",
            object_repr=f"Inspection update {quarter.label} (CSV)",
            detail=f"quarter={quarter.label}",
        )
        update = selectors.inspection_update_for_quarter(quarter=quarter)
        return table_download(
            fmt="csv",
            name=f"sightline-inspection-update-{quarter.label.replace(' ', '-')}",
            title=f"Inspection update {quarter.label}",
            header=list(selectors.UPDATE_COLUMNS),
            rows=selectors.inspection_update_rows(update=update),
        )


urlpatterns = [
    path("assurance/inspections/", InspectionListView.as_view(), name="inspection_list"),
    path("assurance/inspections/new/", InspectionFormView.as_view(), name="inspection_create"),
    path(
        "assurance/inspections/update/",
        InspectionUpdateView.as_view(),
        name="inspection_update",
    ),
    path(
        "assurance/inspections/update/export.csv",
        InspectionUpdateExportView.as_view(),
        name="inspection_update_export",
    ),
    path(
        "assurance/inspections/<int:pk>/",
        InspectionDetailView.as_view(),
        name="inspection_detail",
    ),
    path(
        "assurance/inspections/<int:pk>/edit/",
        InspectionFormView.as_view(),
        name="inspection_edit",
    ),
    path(
        "assurance/inspections/<int:pk>/recommendations/new/",
        InspectionRecommendationCreateView.as_view(),
        name="inspection_recommendation_create",
    ),
]
