"""The groups' members' areas: the groups a person sits on, each group's terms of
reference, members, meeting papers and induction pack, and the chair's and business unit's
pages to add, replace and remove papers. Thin: forms in, services and selectors out.

An upload is bounded before it is read: a request declaring more than the limit is refused
unread, and one that turns out longer is cut off as it streams. The cut-off must be in
place before anything reads the form, so these views take the forgery check (CSRF) on
themselves, after setting it, instead of leaving it to the middleware."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from sightline.core.cleaning import MAX_DOCUMENT_BYTES
from sightline.core.models import AccessLogEntry
from sightline.core.services import access_log_record
from sightline.core.views import ConfirmActionView, Confirmation, PolicyView, apply_errors

from ..forms.papers import MAX_MEGABYTES, GroupPaperForm, GroupPaperReplaceForm, meeting_label
from ..selectors import papers as selectors
from ..services import papers as services

# The form's other fields and the multipart framing, besides the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024
REQUEST_LIMIT = MAX_DOCUMENT_BYTES + FORM_OVERHEAD_BYTES
TOO_LARGE = f"The selected file must be smaller than {MAX_MEGABYTES} MB"


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the limit, whatever it declared."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.request.upload_too_large = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return REQUEST_LIMIT + 1


class YourGroupsView(PolicyView):
    """The groups the person sits on, each leading to its members' area."""

    permission = "assurance.view_own_groups"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "assurance/papers/your_groups.html",
            {"rows": selectors.groups_for_member(user=request.user)},
        )


class GroupAreaView(PolicyView):
    def get_permission_object(self) -> Any:
        return selectors.group_get_for_papers(user=self.request.user, pk=self.kwargs["pk"])


class MembersAreaView(GroupAreaView):
    permission = "assurance.view_group_papers"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = self.object
        return render(
            request,
            "assurance/papers/members_area.html",
            {
                "group": group,
                **selectors.members_area(group=group),
                "can_manage": request.user.has_perm("assurance.manage_group_papers", group),
                "meeting_label": meeting_label,
            },
        )


@method_decorator(csrf_exempt, name="dispatch")
class BoundedUploadView(PolicyView):
    """A page with a file upload: GET shows the form; POST is refused unread when it
    declares more than the limit, cut off when it streams more, and checked for forgery
    once the cut-off is in place."""

    template_name = "assurance/papers/upload.html"
    heading = ""
    button = "Upload the file"

    def make_form(self, data: Any = None, files: Any = None) -> Form:
        raise NotImplementedError

    def save(self, form: Any) -> Any:
        raise NotImplementedError

    def cancel_url(self) -> str:
        raise NotImplementedError

    def _render(self, form: Form, status: int = 200, problem: str = "") -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "heading": self.heading,
                "caption": str(self.group),
                "cancel_url": self.cancel_url(),
                "button": self.button,
                "problem": problem,
            },
            status=status,
        )

    @property
    def group(self) -> Any:
        return self.object

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self._render(self.make_form())

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if _declared_length(request) > REQUEST_LIMIT:
            return self._render(self.make_form(), status=413, problem=TOO_LARGE)
        request.upload_handlers.insert(0, LimitedUploadHandler(request, MAX_DOCUMENT_BYTES))
        response: HttpResponse = csrf_protect(self._post)(request)
        return response

    def _post(self, request: HttpRequest) -> HttpResponse:
        form = self.make_form(request.POST, request.FILES)
        if getattr(request, "upload_too_large", False):
            return self._render(self.make_form(), status=413, problem=TOO_LARGE)
        if form.is_valid():
            try:
                paper = self.save(form)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return redirect(reverse("assurance:group_paper_detail", kwargs={"pk": paper.pk}))
        return self._render(form, status=400)


class PaperUploadView(GroupAreaView, BoundedUploadView):
    permission = "assurance.manage_group_papers"
    heading = "Add a paper"

    def make_form(self, data: Any = None, files: Any = None) -> Form:
        meetings = selectors.meetings_for_papers(group=self.object)
        return GroupPaperForm(data, files, meetings=meetings)

    def cancel_url(self) -> str:
        return reverse("assurance:group_members_area", kwargs={"pk": self.object.pk})

    def save(self, form: Any) -> Any:
        data = form.cleaned_data
        paper = services.group_paper_add(
            actor=self.request.user,
            group=self.object,
            title=data["title"],
            kind=data["kind"],
            meeting=data["meeting"],
            cleaned=data["document"],
        )
        messages.success(self.request, f"{paper.title} has been added to the members' area.")
        return paper


class PaperView(PolicyView):
    def get_permission_object(self) -> Any:
        return selectors.paper_get_for(user=self.request.user, pk=self.kwargs["pk"])


class PaperDetailView(PaperView):
    """What the business unit (or the chair) sees of a paper: what was removed from it."""

    permission = "assurance.manage_group_papers"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(
            request,
            "assurance/papers/paper_detail.html",
            {"paper": self.object, "group": self.object.group, "meeting_label": meeting_label},
        )


class PaperDownloadView(PaperView):
    permission = "assurance.view_group_papers"

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        paper = self.object
        try:
            handle = selectors.paper_file_open(paper=paper)
        except FileNotFoundError:
            raise Http404("The paper's file is missing.") from None
        access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.VIEW,
            obj=paper,
            detail=f"Group paper downloaded ({paper.file_name})",
        )
        response = FileResponse(
            handle, as_attachment=True, filename=paper.file_name, content_type=paper.content_type
        )
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class PaperReplaceView(PaperView, BoundedUploadView):
    permission = "assurance.manage_group_papers"
    heading = "Replace the file"
    button = "Replace the file"

    @property
    def group(self) -> Any:
        return self.object.group

    def make_form(self, data: Any = None, files: Any = None) -> Form:
        return GroupPaperReplaceForm(data, files)

    def cancel_url(self) -> str:
        return reverse("assurance:group_paper_detail", kwargs={"pk": self.object.pk})

    def save(self, form: Any) -> Any:
        paper = services.group_paper_replace(
            actor=self.request.user, paper=self.object, cleaned=form.cleaned_data["document"]
        )
        messages.success(self.request, f"The file of {paper.title} has been replaced.")
        return paper


class PaperDeleteView(PaperView, ConfirmActionView):
    permission = "assurance.manage_group_papers"

    def confirmation(self) -> Confirmation:
        paper = self.object
        return Confirmation(
            caption=str(paper.group),
            heading=f"Are you sure you want to remove {paper.title}?",
            facts=[("Paper", paper.title), ("File", paper.file_name)],
            happens=[
                "Members will no longer see it or be able to download it, and its file is "
                "deleted. The removal is recorded in the audit trail.",
            ],
            button="Remove the paper",
            keep="Keep the paper",
        )

    def act(self) -> str:
        services.group_paper_delete(actor=self.request.user, paper=self.object)
        return f"{self.object.title} has been removed from the members' area."

    def done_url(self) -> str:
        return reverse("assurance:group_members_area", kwargs={"pk": self.object.group_id})

    def keep_url(self) -> str:
        return reverse("assurance:group_paper_detail", kwargs={"pk": self.object.pk})


urlpatterns = [
    path("assurance/your-groups/", YourGroupsView.as_view(), name="your_groups"),
    path(
        "assurance/groups/<int:pk>/members-area/",
        MembersAreaView.as_view(),
        name="group_members_area",
    ),
    path(
        "assurance/groups/<int:pk>/papers/new/", PaperUploadView.as_view(), name="group_paper_add"
    ),
    path("assurance/papers/<int:pk>/", PaperDetailView.as_view(), name="group_paper_detail"),
    path(
        "assurance/papers/<int:pk>/download/",
        PaperDownloadView.as_view(),
        name="group_paper_download",
    ),
    path(
        "assurance/papers/<int:pk>/replace/",
        PaperReplaceView.as_view(),
        name="group_paper_replace",
    ),
    path("assurance/papers/<int:pk>/remove/", PaperDeleteView.as_view(), name="group_paper_delete"),
]
