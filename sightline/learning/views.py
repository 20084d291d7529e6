"""The learning tracker's pages so far: its report, and the import of existing trackers."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sightline.core.views import PolicyView
from sightline.reviews import uploads
from sightline.reviews.importing import FileProblem
from sightline.reviews.selectors import today
from sightline.reviews.services import ImportRejected

from . import selectors, services
from .forms import ReportDateForm, TrackerFileForm
from .reporting import ACTION_FIGURES


class LearningReportView(PolicyView):
    permission = "learning.view_report"

    def get(self, request: HttpRequest) -> HttpResponse:
        as_at = today()
        form = ReportDateForm(request.GET or None, initial={"as_at": as_at})
        if form.is_bound and form.is_valid():
            as_at = form.cleaned_data["as_at"] or as_at
        return render(
            request,
            "learning/report.html",
            {
                "form": form,
                "as_at": as_at,
                "report": selectors.learning_report(as_at=as_at),
                "action_figures": ACTION_FIGURES,
                "can_import": request.user.has_perm("learning.import"),
            },
        )


def _refused(request: HttpRequest, error: Exception) -> HttpResponse:
    problems = getattr(error, "problems", [str(error)])
    return render(
        request,
        "learning/import.html",
        {"form": TrackerFileForm(), "problems": problems},
        status=400,
    )


class LearningImportView(PolicyView):
    permission = "learning.import"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "learning/import.html", {"form": TrackerFileForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        create_agencies = request.POST.get("create_agencies") == "on"
        token = request.POST.get("token", "")
        user_id = int(request.user.pk or 0)
        if token:
            name = request.session.pop(f"learning-import-{token}", None)
            content = uploads.take(user_id=user_id, token=token)
            if name is None or content is None:
                messages.error(request, "That upload has expired. Upload the file again.")
                return redirect("learning:import")
            try:
                result = services.import_learning(
                    actor=request.user, name=name, content=content, create_agencies=create_agencies
                )
            except (FileProblem, ImportRejected) as error:
                return _refused(request, error)
            messages.success(request, f"Import finished: {result.summary()}")
            return redirect("learning:report")
        form = TrackerFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "learning/import.html", {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            result = services.import_learning(
                actor=request.user,
                name=upload.name,
                content=content,
                dry_run=True,
                create_agencies=create_agencies,
            )
        except (FileProblem, ImportRejected) as error:
            return _refused(request, error)
        token = uploads.hold(user_id=user_id, content=content)
        request.session[f"learning-import-{token}"] = upload.name
        return render(
            request,
            "learning/import_preview.html",
            {"result": result, "token": token, "create_agencies": create_agencies},
        )
