"""The training offer's pages: the catalogue, booking, the trainer's register, evaluation,
certificates, and signing up. Thin: forms in, services and selectors out."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View

from sightline.accounts import throttle
from sightline.core.models import AccessLogEntry
from sightline.core.once import submit_once
from sightline.core.pagination import paginate
from sightline.core.policies import is_administrator
from sightline.core.services import access_log_record
from sightline.core.views import (
    ConfirmActionView,
    Confirmation,
    ObjectFormView,
    PolicyView,
    apply_errors,
    next_url,
)

from . import certificates, selectors, services, tasks
from .forms import (
    CatalogueFilterForm,
    CourseForm,
    EvaluationForm,
    ImpactForm,
    ProfileForm,
    RegisterForm,
    RegistrationForm,
    SeriesForm,
    SessionCancelForm,
    SessionForm,
)
from .policies import may_see_joining_link
from .vocabulary import Attendance, BookingStatus

# --- Browsing and booking ------------------------------------------------------------


class CatalogueView(PolicyView):
    permission = "training.browse"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = CatalogueFilterForm(request.GET or None)
        filters = selectors.CatalogueFilters()
        if form.is_bound and form.is_valid():
            filters = selectors.CatalogueFilters(**form.cleaned_data)
        return render(
            request,
            "training/catalogue.html",
            {
                "form": form,
                "sessions": selectors.catalogue(filters=filters, user=request.user),
                "filtered": filters != selectors.CatalogueFilters(),
                "can_manage": request.user.has_perm("training.manage_courses"),
                "can_report": request.user.has_perm("training.view_report"),
                "can_manage_workforce": request.user.has_perm("training.manage_workforce"),
            },
        )


class MyTrainingView(PolicyView):
    permission = "training.browse"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "training/mine.html",
            {
                "profile": selectors.profile_of(user=request.user),
                **selectors.bookings_of(user=request.user),
            },
        )


class ProfileView(PolicyView):
    permission = "training.book"

    def _render(self, form: Form, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "training/profile.html",
            {"form": form, "next": next_url(self.request, reverse("training:mine"))},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        profile = selectors.profile_of(user=request.user)
        initial = (
            {
                "agency": profile.agency,
                "organisation": profile.organisation,
                "manager_email": profile.manager_email,
            }
            if profile
            else None
        )
        return self._render(ProfileForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProfileForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            services.profile_save(actor=request.user, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
            return self._render(form, status=400)
        messages.success(request, "Your details have been saved.")
        return redirect(next_url(request, reverse("training:mine")))


class SessionView(PolicyView):
    def get_permission_object(self) -> Any:
        return selectors.session_get(pk=self.kwargs["pk"])


class SessionDetailView(SessionView):
    permission = "training.browse"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        runs = request.user.has_perm("training.run_session", self.object)
        page = selectors.session_page(session=self.object, user=request.user, runs=runs)
        position = selectors.waiting_position(booking=page.mine) if page.mine else None
        return render(
            request,
            "training/session_detail.html",
            {
                "page": page,
                "session": self.object,
                "runs": runs,
                "sees_link": may_see_joining_link(
                    session=self.object, runs=runs, booking=page.mine
                ),
                "position": position,
                "cancel_by": services.cancellation_deadline(self.object),
                "live": page.mine is not None and page.mine.is_live,
                "has_profile": selectors.profile_of(user=request.user) is not None,
                "started": self.object.starts_at <= timezone.now(),
            },
        )


class BookView(SessionView):
    permission = "training.book"

    @submit_once
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = self.object
        if selectors.profile_of(user=request.user) is None:
            messages.info(request, "Tell us where you work, then book your place.")
            return redirect(f"{reverse('training:profile')}?next={session.get_absolute_url()}")
        try:
            booking = services.booking_make(actor=request.user, session=session)
        except ValidationError as error:
            return render(
                request,
                "training/refused.html",
                {"message": error.messages[0], "back": session.get_absolute_url()},
                status=409,
            )
        text = {
            BookingStatus.CONFIRMED: "Your place is booked. We have emailed you the details.",
            BookingStatus.AWAITING_APPROVAL: (
                "We are holding a place for you and have asked your manager to approve it."
            ),
            BookingStatus.WAITING: (
                "The session is full, so you are on the waiting list. We will email you if a "
                "place comes free."
            ),
        }[BookingStatus(booking.status)]
        messages.success(request, text)
        return redirect(booking.get_absolute_url())


class BookingView(PolicyView):
    def get_permission_object(self) -> Any:
        return selectors.booking_get(pk=self.kwargs["pk"])


class BookingDetailView(BookingView):
    permission = "training.view_booking"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        booking = self.object
        return render(
            request,
            "training/booking_detail.html",
            {
                "booking": booking,
                "session": booking.session,
                "position": selectors.waiting_position(booking=booking),
                "sees_link": may_see_joining_link(
                    session=booking.session, runs=False, booking=booking
                ),
                "cancel_by": services.cancellation_deadline(booking.session),
                "is_delegate": booking.delegate_id == request.user.pk,
                "can_cancel": request.user.has_perm("training.cancel_booking", booking)
                and booking.is_live,
                "has_certificate": booking.attendance == Attendance.ATTENDED,
                "started": booking.session.starts_at <= timezone.now(),
            },
        )


class BookingCancelView(BookingView, ConfirmActionView):
    """Cancelling a place (or leaving the waiting list) asks first, naming the session."""

    permission = "training.cancel_booking"

    def confirmation(self) -> Confirmation:
        booking, session = self.object, self.object.session
        mine = booking.delegate_id == self.request.user.pk
        name = booking.delegate.full_name or booking.delegate.email
        facts: list[tuple[str, Any]] = [
            ("Course", session.course.title),
            ("Session", session.starts_at),
        ]
        if session.venue:
            facts.append(("Where", session.venue))
        if not mine:
            facts.insert(0, ("Delegate", name))
        if booking.status == BookingStatus.WAITING:
            return Confirmation(
                caption=session.course.title,
                heading="Are you sure you want to leave the waiting list?"
                if mine
                else f"Are you sure you want to take {name} off the waiting list?",
                facts=facts,
                happens=[
                    "If a place comes free, it will be offered to the next person waiting "
                    f"instead{'' if mine else ' of ' + name}.",
                ],
                button="Leave the waiting list" if mine else "Take them off the waiting list",
                keep="Stay on the waiting list" if mine else "Keep them on the waiting list",
            )
        whose = "your" if mine else f"{name}'s"
        return Confirmation(
            caption=session.course.title,
            heading=f"Are you sure you want to cancel {whose} place?",
            facts=facts,
            happens=[
                "The place will be offered to the next person on the waiting list. "
                + (
                    "To go after all, you will need to book again, if there is a place."
                    if mine
                    else f"{name} would need to book again, if there is a place."
                ),
                f"An email will confirm the cancellation to {'you' if mine else name}.",
            ],
            button="Cancel my place" if mine else "Cancel the place",
            keep="Keep my place" if mine else "Keep the place",
        )

    def act(self) -> str:
        waiting = self.object.status == BookingStatus.WAITING
        services.booking_cancel(actor=self.request.user, booking=self.object)
        if waiting:
            return "You have left the waiting list."
        return "The booking is cancelled and the place offered to the next person waiting."

    def done_url(self) -> str:
        return str(self.object.get_absolute_url())


# --- Signing up and managers' approval ---------------------------------------------------


@method_decorator(login_not_required, name="dispatch")
class RegisterView(View):
    """Practitioners sign themselves up to book training."""

    def _render(self, form: Form, status: int = 200) -> HttpResponse:
        return render(self.request, "training/register.html", {"form": form}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect("training:profile")
        return self._render(RegistrationForm())

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        form = RegistrationForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        # Counted here; the rest (is the address known? make the account or say it has one)
        # is the worker's, so the time and the page are the same for every address.
        data = form.cleaned_data
        allowance = throttle.email_allowance(purpose="register", email=data["email"])
        if allowance.refused:
            return throttle.refused_page(request, allowance, back=reverse("training:register"))
        if allowance.send:
            tasks.delegate_register.enqueue(
                email=data["email"],
                full_name=data["full_name"],
                job_title=data["job_title"],
                agency_id=data["agency"].pk,
                organisation=data["organisation"],
                manager_email=data["manager_email"],
            )
        return redirect("training:register_sent")


@method_decorator(login_not_required, name="dispatch")
class RegisterSentView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "training/register_sent.html")


@method_decorator(login_not_required, name="dispatch")
class ApprovalView(View):
    """A delegate's manager approves or declines a place from the link in their email."""

    def _booking(self, token: str) -> Any:
        try:
            return selectors.booking_by_token(token=token)
        except ValidationError as error:
            self.problem = error.messages[0]
            return None

    def _refused(self, message: str) -> HttpResponse:
        return render(
            self.request, "training/approval_refused.html", {"message": message}, status=400
        )

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        booking = self._booking(token)
        if booking is None:
            return self._refused(self.problem)
        return render(request, "training/approval.html", {"booking": booking, "error": None})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        booking = self._booking(token)
        if booking is None:
            return self._refused(self.problem)
        decision = request.POST.get("decision")
        if decision not in {"approve", "decline"}:
            return render(
                request,
                "training/approval.html",
                {"booking": booking, "error": "Choose whether to approve or decline the place"},
                status=400,
            )
        try:
            services.booking_decide(
                booking=booking, approve=decision == "approve", manager_email=booking.manager_email
            )
        except ValidationError as error:
            return self._refused(error.messages[0])
        return render(
            request,
            "training/approval_done.html",
            {"booking": booking, "approved": decision == "approve"},
        )


# --- Courses and events ------------------------------------------------------------


class CourseListView(PolicyView):
    permission = "training.browse"

    def get(self, request: HttpRequest) -> HttpResponse:
        can_manage = request.user.has_perm("training.manage_courses")
        return render(
            request,
            "training/course_list.html",
            {
                "courses": selectors.course_list(include_retired=can_manage),
                "can_manage": can_manage,
                "today": timezone.localdate(),
            },
        )


class CourseDetailView(PolicyView):
    permission = "training.browse"

    def get_permission_object(self) -> Any:
        return selectors.course_get(pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(
            request,
            "training/course_detail.html",
            {
                "course": self.object,
                "sessions": selectors.course_sessions(course=self.object, user=request.user),
                "can_manage": request.user.has_perm("training.manage_courses"),
                "can_schedule": request.user.has_perm("training.manage_sessions"),
                "today": timezone.localdate(),
            },
        )


class CourseFormView(ObjectFormView):
    permission = "training.manage_courses"
    success = "The course has been saved."

    def get_permission_object(self) -> Any:
        pk = self.kwargs.get("pk")
        return selectors.course_get(pk=pk) if pk else None

    @property
    def heading(self) -> str:  # type: ignore[override]
        return f"Change {self.object.title}" if self.object else "Add a course"

    def caption(self) -> str:
        return "Training"

    def object_url(self) -> str:
        if self.object is not None:
            return str(self.object.get_absolute_url())
        return reverse("training:course_list")

    def make_form(self, data: Any = None) -> Form:
        initial = CourseForm.initial_for(self.object) if self.object else None
        return CourseForm(data, initial=initial, course=self.object)

    def save(self, form: Any) -> None:
        self.object = services.course_save(
            actor=self.request.user, course=self.object, data=dict(form.cleaned_data)
        )


class SeriesListView(PolicyView):
    permission = "training.browse"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "training/series_list.html",
            {
                "series_list": selectors.series_list(),
                "can_manage": request.user.has_perm("training.manage_sessions"),
            },
        )


class SeriesDetailView(PolicyView):
    permission = "training.browse"

    def get_permission_object(self) -> Any:
        return selectors.series_get(pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(
            request,
            "training/series_detail.html",
            {
                "series": self.object,
                "sessions": selectors.series_sessions(series=self.object, user=request.user),
                "can_manage": request.user.has_perm("training.manage_sessions"),
            },
        )


class SeriesFormView(ObjectFormView):
    permission = "training.manage_sessions"
    success = "The event has been saved."

    def get_permission_object(self) -> Any:
        pk = self.kwargs.get("pk")
        return selectors.series_get(pk=pk) if pk else None

    @property
    def heading(self) -> str:  # type: ignore[override]
        return f"Change {self.object.name}" if self.object else "Add an event"

    def caption(self) -> str:
        return "Training"

    def object_url(self) -> str:
        if self.object is not None:
            return str(self.object.get_absolute_url())
        return reverse("training:series_list")

    def make_form(self, data: Any = None) -> Form:
        initial = None
        if self.object:
            initial = {
                name: getattr(self.object, name)
                for name in ("name", "description", "starts_on", "ends_on")
            }
        return SeriesForm(data, initial=initial)

    def save(self, form: Any) -> None:
        self.object = services.series_save(
            actor=self.request.user, series=self.object, data=dict(form.cleaned_data)
        )


# --- Running sessions -------------------------------------------------------------


class SessionListView(PolicyView):
    permission = "training.manage_sessions"

    def get(self, request: HttpRequest) -> HttpResponse:
        unmarked_only = request.GET.get("unmarked") == "1"
        past = unmarked_only or request.GET.get("when") == "past"
        mine_only = request.GET.get("mine") == "1"
        sessions = selectors.session_list_for(
            user=request.user, upcoming=not past, mine_only=mine_only, unmarked_only=unmarked_only
        )
        results = paginate(request, sessions)
        return render(
            request,
            "training/session_list.html",
            {
                "sessions": results.items,
                "page": results.page,
                "pagination": results.pagination,
                "past": past,
                "mine_only": mine_only,
                "unmarked_only": unmarked_only,
                "sees_everyone": is_administrator(request.user),
                "now": timezone.now(),
            },
        )


class SessionFormView(ObjectFormView):
    """Schedule a session of a course, or change one (its trainer or an administrator)."""

    success = "The session has been saved."

    def get_permission_object(self) -> Any:
        if "pk" in self.kwargs:
            return selectors.session_get(pk=self.kwargs["pk"])
        self.course = selectors.course_get(pk=self.kwargs["course_pk"])
        return None

    @property
    def heading(self) -> str:  # type: ignore[override]
        return "Change the session" if self.object else "Schedule a session"

    def caption(self) -> str:
        return (self.object.course if self.object else self.course).title

    def object_url(self) -> str:
        if self.object is not None:
            return str(self.object.get_absolute_url())
        return str(self.course.get_absolute_url())

    def make_form(self, data: Any = None) -> Form:
        initial = SessionForm.initial_for(self.object) if self.object else None
        if initial is None and "trainer" not in (data or {}):
            initial = (
                {"trainer": self.request.user}
                if self.request.user.has_perm("training.manage_sessions")
                else None
            )
        return SessionForm(data, initial=initial, trainers=selectors.trainers())

    def save(self, form: Any) -> None:
        data = dict(form.cleaned_data)
        if self.object is None:
            data["course"] = self.course
        self.object = services.session_save(actor=self.request.user, session=self.object, data=data)


class SessionCreateView(SessionFormView):
    permission = "training.manage_sessions"


class SessionEditView(SessionFormView):
    permission = "training.run_session"


class SessionCancelView(SessionView, ObjectFormView):
    permission = "training.run_session"
    heading = "Cancel the session"
    button = "Cancel the session"
    success = "The session is cancelled and everyone booked or waiting has been told."

    def caption(self) -> str:
        return str(self.object)

    def make_form(self, data: Any = None) -> Form:
        return SessionCancelForm(data)

    def save(self, form: Any) -> None:
        services.session_cancel(
            actor=self.request.user, session=self.object, reason=form.cleaned_data["reason"]
        )


class RegisterMarkView(SessionView):
    """The register: every delegate with a place on one page, marked in one go."""

    permission = "training.run_session"

    def _render(self, form: RegisterForm, bookings: list[Any], status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "training/register_mark.html",
            {
                "form": form,
                "session": self.object,
                "rows": [(booking, form[f"booking_{booking.pk}"]) for booking in bookings],
                "opens": self.object.starts_at,
                "is_open": self.object.starts_at <= timezone.now(),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        bookings = selectors.register_bookings(session=self.object)
        return self._render(RegisterForm(bookings=bookings), bookings)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        bookings = selectors.register_bookings(session=self.object)
        form = RegisterForm(request.POST, bookings=bookings)
        strangers = [
            name for name in request.POST if name.startswith("booking_") and name not in form.fields
        ]
        if strangers:
            form.is_valid()
            form.add_error(
                None,
                "Only people with a confirmed place can be marked. The register has changed "
                "since you opened it: check it and save again.",
            )
            return self._render(form, bookings, status=400)
        if form.is_valid():
            marks = form.marks()
            emailed = services.register_evaluation_requests(bookings=bookings, marks=marks)
            if "change" in request.POST:
                return self._render(form, bookings)
            if emailed and request.POST.get("confirmed") != str(len(emailed)):
                # Say who will be emailed before anything is sent; "confirmed" carries the
                # count seen, so a register that changed meanwhile is shown again.
                return render(
                    request,
                    "training/register_confirm.html",
                    {
                        "session": self.object,
                        "form": form,
                        "emailed": emailed,
                        "marks": [(booking, form[f"booking_{booking.pk}"]) for booking in bookings],
                    },
                )
            try:
                changed = services.register_mark(
                    actor=request.user, session=self.object, marks=marks
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                sent = (
                    f" {len(emailed)} {'delegate has' if len(emailed) == 1 else 'delegates have'}"
                    " been emailed an evaluation form."
                    if emailed
                    else ""
                )
                messages.success(request, f"The register is saved ({len(changed)} changed).{sent}")
                return redirect(self.object.get_absolute_url())
        return self._render(form, bookings, status=400)


class SessionEvaluationView(SessionView):
    permission = "training.run_session"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(
            request,
            "training/session_evaluations.html",
            {"session": self.object, "summary": selectors.evaluation_summary(session=self.object)},
        )


# --- Evaluation, impact and certificates ------------------------------------------------


class AnswerView(BookingView, ObjectFormView):
    permission = "training.evaluate"

    def caption(self) -> str:
        return self.object.session.course.title

    def object_url(self) -> str:
        return reverse("training:mine")


class EvaluateView(AnswerView):
    heading = "Evaluate the session"
    button = "Send my evaluation"
    success = "Thank you: your evaluation has been recorded, without your name."

    def make_form(self, data: Any = None) -> Form:
        return EvaluationForm(data)

    def save(self, form: Any) -> None:
        services.evaluation_submit(
            actor=self.request.user, booking=self.object, data=form.cleaned_data
        )


class ImpactView(AnswerView):
    heading = "Has the training made a difference?"
    button = "Send my answer"
    success = "Thank you: your answer has been recorded, without your name."

    def make_form(self, data: Any = None) -> Form:
        return ImpactForm(data)

    def save(self, form: Any) -> None:
        services.impact_submit(actor=self.request.user, booking=self.object, data=form.cleaned_data)


class CertificateView(BookingView):
    permission = "training.certificate"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        booking = self.object
        if booking.attendance != Attendance.ATTENDED:
            raise Http404("Certificates are only for delegates who attended the whole session")
        access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.EXPORT,
            obj=booking,
            detail="Certificate of attendance (PDF)",
        )
        response = HttpResponse(certificates.render(booking), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="certificate-{booking.session.course.pk}-{booking.pk}.pdf"'
        )
        return response
