"""The data scrutiny pages: the partnership's measures by dataset, each measure's chart and
table over quarters, entering a figure, and uploading a dataset file. Thin: forms in,
services and selectors out."""

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
from sightline.core.pagination import paginate
from sightline.core.services import access_log_record
from sightline.core.views import ObjectFormView, PolicyView, PreviewedImportView, apply_errors

from ..charts import format_value, threshold_text
from ..data_import import COLUMNS
from ..forms.data import DataPointForm, DatasetUploadForm, MeasureFilterForm, MeasureForm
from ..quarters import Quarter
from ..selectors import data as selectors
from ..services import data as services

PER_PAGE = 50  # measures a page: a partnership may watch hundreds


class MeasureListView(PolicyView):
    permission = "assurance.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        can_manage = request.user.has_perm("assurance.manage_data")
        form = MeasureFilterForm(
            request.GET or None,
            datasets=selectors.dataset_names(),
            groups=selectors.groups_with_measures(),
        )
        filters = selectors.MeasureFilters(include_inactive=can_manage)
        status = 200
        if form.is_bound:
            if form.is_valid():
                filters = selectors.MeasureFilters(**form.cleaned_data, include_inactive=can_manage)
            else:
                status = 400
        results = paginate(request, selectors.measure_list(filters=filters), per_page=PER_PAGE)
        return render(
            request,
            "assurance/data/measure_list.html",
            {
                "form": form,
                "datasets": selectors.by_dataset(results.items),
                "page": results.page,
                "pagination": results.pagination,
                "filtered": filters != selectors.MeasureFilters(include_inactive=can_manage),
                "exception_count": selectors.exception_count(),
                "can_manage": can_manage,
            },
            status=status,
        )


class MeasureView(PolicyView):
    def get_permission_object(self) -> Any:
        return selectors.measure_get(pk=self.kwargs["pk"])


class MeasureDetailView(MeasureView):
    permission = "assurance.view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        measure = self.object
        return render(
            request,
            "assurance/data/measure_detail.html",
            {
                "measure": measure,
                **selectors.measure_page(measure=measure),
                "can_manage": request.user.has_perm("assurance.manage_data"),
                "can_enter": request.user.has_perm("assurance.enter_data", measure),
            },
        )


class MeasureFormView(ObjectFormView):
    permission = "assurance.manage_data"

    def get_permission_object(self) -> Any:
        pk = self.kwargs.get("pk")
        return selectors.measure_get(pk=pk) if pk else None

    @property
    def heading(self) -> str:  # type: ignore[override]
        return f"Change {self.object.name}" if self.object else "Add a measure"

    def caption(self) -> str:
        return "Data scrutiny"

    def object_url(self) -> str:
        if self.object is not None:
            return str(self.object.get_absolute_url())
        return reverse("assurance:measure_list")

    def make_form(self, data: Any = None) -> Form:
        initial = MeasureForm.initial_for(self.object) if self.object else None
        return MeasureForm(data, initial=initial, editing=self.object is not None)

    def save(self, form: Any) -> None:
        if self.object is None:
            self.object = services.measure_create(actor=self.request.user, **form.cleaned_data)
        else:
            self.object = services.measure_update(
                actor=self.request.user, measure=self.object, **form.cleaned_data
            )
        self.success = f"{self.object.name} has been saved."


class DataPointEnterView(MeasureView):
    """One figure for one quarter; a figure already there is replaced (and audited)."""

    permission = "assurance.enter_data"

    def _render(self, form: DataPointForm, status: int = 200) -> HttpResponse:
        quarter = form["quarter"].value()
        try:
            existing = selectors.data_point_for(
                measure=self.object, quarter=Quarter.parse(str(quarter or ""))
            )
        except ValueError:
            existing = None
        return render(
            self.request,
            "assurance/data/data_point_form.html",
            {
                "form": form,
                "measure": self.object,
                "existing": existing,
                "existing_text": format_value(existing.value, self.object.unit) if existing else "",
                "threshold_text": threshold_text(
                    self.object.threshold, self.object.direction, self.object.unit
                ),
                "heading": "Enter a figure",
                "caption": self.object.name,
                "cancel_url": self.object.get_absolute_url(),
                "button": "Save the figure",
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        today = timezone.localdate()
        initial: dict[str, Any] = {"quarter": Quarter.containing(today).previous().label}
        asked = request.GET.get("quarter", "")
        if asked:
            try:
                quarter = Quarter.parse(asked)
            except ValueError:
                quarter = None
            if quarter is not None:
                initial["quarter"] = quarter.label
                point = selectors.data_point_for(measure=self.object, quarter=quarter)
                if point is not None:
                    initial |= {"value": point.value, "note": point.note}
        return self._render(DataPointForm(initial=initial, today=today))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = DataPointForm(request.POST, today=timezone.localdate())
        if form.is_valid():
            try:
                point = services.data_point_enter(
                    actor=request.user, measure=self.object, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                quarter = form.cleaned_data["quarter"]
                figure = format_value(point.value, self.object.unit)
                messages.success(
                    request, f"The figure for {quarter.label} has been saved: {figure}."
                )
                return redirect(self.object.get_absolute_url())
        return self._render(form, status=400)


class DataImportView(PreviewedImportView):
    permission = "assurance.manage_data"
    template_name = "assurance/data/import.html"
    preview_template = "assurance/data/import_preview.html"
    form_class = DatasetUploadForm
    done_url = "assurance:measure_list"

    @staticmethod
    def do_import(*, actor: Any, name: str, content: bytes, dry_run: bool, **options: Any) -> Any:
        return services.data_points_import(actor=actor, name=name, content=content, dry_run=dry_run)


class DataTemplateView(PolicyView):
    """The upload template: the columns, and a row for each measure collected now."""

    permission = "assurance.manage_data"

    def get(self, request: HttpRequest) -> HttpResponse:
        quarter = Quarter.containing(timezone.localdate()).previous()
        access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.EXPORT,
            object_type="assurance.measure",
            object_repr="Dataset upload template (CSV)",
        )
        return table_download(
            fmt="csv",
            name="sightline-dataset-template",
            title="Dataset",
            header=COLUMNS,
            rows=selectors.template_rows(quarter=quarter),
        )


urlpatterns = [
    path("assurance/data/", MeasureListView.as_view(), name="measure_list"),
    path("assurance/data/measures/new/", MeasureFormView.as_view(), name="measure_create"),
    path("assurance/data/measures/<int:pk>/", MeasureDetailView.as_view(), name="measure_detail"),
    path("assurance/data/measures/<int:pk>/edit/", MeasureFormView.as_view(), name="measure_edit"),
    path(
        "assurance/data/measures/<int:pk>/enter/",
        DataPointEnterView.as_view(),
        name="data_point_enter",
    ),
    path("assurance/data/upload/", DataImportView.as_view(), name="data_import"),
    path("assurance/data/template.csv", DataTemplateView.as_view(), name="data_template"),
]
