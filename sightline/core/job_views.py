"""The progress page of a background job, its status for the page's script, and its file."""

import uuid
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from .job_models import BackgroundJob
from .jobs import background_job_get_for, job_result_deliver, job_result_is_ready
from .views import PolicyView


def _context(request: HttpRequest, job: BackgroundJob) -> dict[str, Any]:
    return {
        "job": job,
        "can_download": job_result_is_ready(job, now=timezone.now())
        and request.user.has_perm("core.download_background_job_result", job),
        "problems": (job.result_data or {}).get("problems", []),
        "next_label": (job.result_data or {}).get("url_label", "Continue"),
    }


class JobView(PolicyView):
    """What is happening to the job, and what to do next. Without JavaScript, the "Check
    progress" link loads the page again; with it, the page asks for the status and updates
    itself."""

    permission = "core.view_background_job"

    def get_permission_object(self) -> BackgroundJob:
        return background_job_get_for(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
        return render(request, "core/job.html", _context(request, self.object))


class JobStatusView(PolicyView):
    """The job's state as JSON, with the page's progress section rendered again."""

    permission = "core.view_background_job"

    def get_permission_object(self) -> BackgroundJob:
        return background_job_get_for(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: uuid.UUID) -> JsonResponse:
        job = self.object
        return JsonResponse(
            {
                "status": job.status,
                "finished": job.is_finished,
                "message": job.message,
                "done": job.progress_done,
                "total": job.progress_total,
                "html": render_to_string(
                    "core/_job_progress.html", _context(request, job), request=request
                ),
            }
        )


class JobDownloadView(PolicyView):
    """The job's file, to the person who asked for it while it is kept; written to the
    access log as an export when it is delivered (not when it was asked for)."""

    permission = "core.download_background_job_result"

    def get_permission_object(self) -> BackgroundJob:
        return background_job_get_for(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: uuid.UUID) -> FileResponse:
        job = self.object
        if not job_result_is_ready(job, now=timezone.now()):
            raise Http404("The file is no longer kept.")
        job_result_deliver(job=job, user=request.user)
        return FileResponse(
            default_storage.open(job.result_file, "rb"),
            as_attachment=True,
            filename=job.result_name,
            content_type=job.result_type or "application/octet-stream",
        )
