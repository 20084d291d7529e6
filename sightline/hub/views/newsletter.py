"""The newsletter: subscribing with double opt-in, one-click unsubscribing, the archive,
and the business unit's composing and sending.

The subscribing, confirming and unsubscribing pages hold forms (and the last two a secret
link), so no cache keeps them: ``no-store`` for everyone. The archive is public content.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from sightline.core.once import submit_once
from sightline.core.views import ConfirmActionView, Confirmation, PolicyView, apply_errors

from ..forms.newsletter import IssueForm, SubscribeForm
from ..models import NewsletterIssue, Subscriber
from ..selectors import newsletter as selectors
from ..services import newsletter as services
from .base import PublicView

EDIT = "hub.edit"
# The preview shows this where each subscriber's own unsubscribe link goes.
PREVIEW_UNSUBSCRIBE = "(each subscriber's own unsubscribe link)"


@method_decorator(login_not_required, name="dispatch")
class _PrivateView(View):
    """A public page that no cache may keep: it holds a form, or answers a secret link."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    def refused(self, error: ValidationError) -> HttpResponse:
        return render(
            self.request,
            "hub/newsletter/link_refused.html",
            {"message": error.messages[0]},
            status=400,
        )


class SubscribeView(_PrivateView):
    def _render(self, form: SubscribeForm, status: int = 200) -> HttpResponse:
        return render(self.request, "hub/newsletter/subscribe.html", {"form": form}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(SubscribeForm())

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        form = SubscribeForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        services.subscriber_subscribe(**form.cleaned_data)
        return redirect("hub:subscribe_sent")


class SubscribeSentView(PublicView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "hub/newsletter/subscribe_sent.html")


class ConfirmView(_PrivateView):
    """GET only shows a button, since mail scanners open links; the POST confirms."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            subscriber = services.subscriber_by_confirm_token(token)
        except ValidationError as error:
            return self.refused(error)
        return render(
            request,
            "hub/newsletter/confirm.html",
            {"confirmed": subscriber.status == Subscriber.Status.CONFIRMED},
        )

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            services.subscriber_confirm(token=token)
        except ValidationError as error:
            return self.refused(error)
        return render(request, "hub/newsletter/confirmed.html")


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(_PrivateView):
    """One click (RFC 8058): a mail client POSTs here with no CSRF token, so the view is
    exempt; the secret token in the address is what lets it act, and acting twice is
    harmless. GET shows a one-button form, since mail scanners open links."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            subscriber = services.subscriber_by_unsubscribe_token(token)
        except ValidationError as error:
            return self.refused(error)
        gone = subscriber is None or subscriber.status == Subscriber.Status.UNSUBSCRIBED
        return render(request, "hub/newsletter/unsubscribe.html", {"already": gone})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            services.subscriber_unsubscribe(token=token)
        except ValidationError as error:
            return self.refused(error)
        return render(request, "hub/newsletter/unsubscribed.html")


class ArchiveView(PublicView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "hub/newsletter/archive.html", {"issues": selectors.issues_sent()})


class IssueView(PublicView):
    def get(self, request: HttpRequest, number: int) -> HttpResponse:
        issue = selectors.issue_sent_get(number=number)
        return render(
            request,
            "hub/newsletter/issue.html",
            {"issue": issue, "items": selectors.issue_items(issue)},
        )


# --- The business unit ----------------------------------------------------------------------


class ManageView(PolicyView):
    permission = EDIT

    def get(self, request: HttpRequest) -> HttpResponse:
        issues = selectors.issue_list()
        return render(
            request,
            "hub/newsletter/manage.html",
            {
                "issues": issues,
                "draft": next(
                    (i for i in issues if i.status == NewsletterIssue.Status.DRAFT), None
                ),
                "subscribers": selectors.confirmed_subscriber_count(),
            },
        )


class ComposeView(PolicyView):
    """The next issue's draft, started from what was published since the last issue."""

    permission = EDIT

    def _candidates(self, draft: NewsletterIssue | None) -> list[selectors.IssueItem]:
        candidates = selectors.newsletter_candidates(on=timezone.localdate())
        if draft is not None:
            # Keep what the draft chose, even from before the last issue was sent.
            chosen = selectors.issue_items(draft)
            known = {item.key for item in candidates}
            candidates += [item for item in chosen if item.key not in known]
        return candidates

    def _render(self, form: IssueForm, draft: NewsletterIssue | None, status: int = 200) -> Any:
        return render(
            self.request,
            "hub/newsletter/compose.html",
            {"form": form, "draft": draft},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        draft = selectors.issue_draft()
        candidates = self._candidates(draft)
        if draft is not None:
            initial = {
                "subject": draft.subject,
                "introduction": draft.introduction,
                "items": [item.key for item in selectors.issue_items(draft)],
            }
        else:
            number = (selectors.last_issue_number() or 0) + 1
            initial = {
                "subject": f"Learning hub newsletter, issue {number}",
                "items": [item.key for item in candidates],
            }
        return self._render(IssueForm(initial=initial, candidates=candidates), draft)

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        draft = selectors.issue_draft()
        form = IssueForm(request.POST, candidates=self._candidates(draft))
        if not form.is_valid():
            return self._render(form, draft, status=400)
        try:
            issue = services.issue_draft_save(
                actor=request.user,
                subject=form.cleaned_data["subject"],
                introduction=form.cleaned_data["introduction"],
                item_keys=form.cleaned_data["items"],
            )
        except ValidationError as error:
            apply_errors(form, error)
            return self._render(form, draft, status=400)
        messages.success(request, f"Issue {issue.number} saved. Check it before you send it.")
        return redirect("hub:newsletter_preview", pk=issue.pk)


class PreviewView(PolicyView):
    """The issue's email exactly as a subscriber gets it, but for their own unsubscribe
    link."""

    permission = EDIT

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = selectors.issue_get(pk=pk)
        items = selectors.issue_items(issue)
        return render(
            request,
            "hub/newsletter/preview.html",
            {
                "issue": issue,
                "body": services.issue_email_body(
                    issue=issue, items=items, unsubscribe=PREVIEW_UNSUBSCRIBE
                ),
                "subscribers": selectors.confirmed_subscriber_count(),
            },
        )


class SendView(ConfirmActionView):
    permission = EDIT

    @property
    def issue(self) -> NewsletterIssue:
        return selectors.issue_get(pk=self.kwargs["pk"])

    def confirmation(self) -> Confirmation:
        issue = self.issue
        count = selectors.confirmed_subscriber_count()
        if issue.status == NewsletterIssue.Status.SENDING:
            return Confirmation(
                caption="Newsletter",
                heading=f"Start sending issue {issue.number} again?",
                facts=[("Subject", issue.subject), ("Subscribers", str(count))],
                happens=[
                    "Sending this issue stopped before it finished. Sightline carries on "
                    "from where it stopped: nobody gets the issue twice.",
                ],
                button="Start sending again",
                keep="Not now",
            )
        return Confirmation(
            caption="Newsletter",
            heading=f"Send issue {issue.number} to {count} subscribers?",
            facts=[
                ("Subject", issue.subject),
                ("Items", str(len(issue.items))),
                ("Subscribers", str(count)),
            ],
            happens=[
                "Sightline emails the issue to everyone subscribed, in the background: it "
                "can take a few minutes. Once it starts it cannot be stopped or changed.",
                "The issue then appears in the public newsletter archive.",
            ],
            button="Send the issue",
            keep="Do not send it yet",
        )

    def keep_url(self) -> str:
        return reverse("hub:newsletter_preview", kwargs={"pk": self.kwargs["pk"]})

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        issue = self.issue
        if issue.status == NewsletterIssue.Status.SENT:
            messages.info(request, f"Issue {issue.number} has already been sent.")
            return redirect(self.keep_url())
        job = issue.send_job
        if job is not None and job.status != job.Status.FAILED:
            # Already on its way: show how far it has got.
            return redirect(job.get_absolute_url())
        return super().get(request, **kwargs)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            job = services.issue_send(actor=request.user, issue=self.issue)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(self.keep_url())
        return redirect(job.get_absolute_url())


urlpatterns = [
    path("newsletter/", SubscribeView.as_view(), name="subscribe"),
    path("newsletter/check-your-email/", SubscribeSentView.as_view(), name="subscribe_sent"),
    path("newsletter/confirm/<str:token>/", ConfirmView.as_view(), name="newsletter_confirm"),
    path(
        "newsletter/unsubscribe/<str:token>/",
        UnsubscribeView.as_view(),
        name="newsletter_unsubscribe",
    ),
    path("newsletter/archive/", ArchiveView.as_view(), name="newsletter_archive"),
    path("newsletter/archive/<int:number>/", IssueView.as_view(), name="newsletter_issue"),
    path("newsletter/manage/", ManageView.as_view(), name="newsletter_manage"),
    path("newsletter/manage/compose/", ComposeView.as_view(), name="newsletter_compose"),
    path("newsletter/manage/<int:pk>/preview/", PreviewView.as_view(), name="newsletter_preview"),
    path("newsletter/manage/<int:pk>/send/", SendView.as_view(), name="newsletter_send"),
]
