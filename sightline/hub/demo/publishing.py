"""The demo partnership's living hub: reviews published from its cases (one domestic homicide
review cleared by the Home Office, one held back, one withdrawn, one still a draft), resources
with transcripts and news. Every name is fictional; the cases give pseudonyms only."""

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from sightline.accounts.demo import demo_email
from sightline.accounts.models import User
from sightline.core.roles import Role
from sightline.reviews.models import Case, PracticeTheme
from sightline.reviews.vocabulary import Route

from ..models import PublishedReview
from ..services import publishing as services
from ..vocabulary import Audience, ResourceKind, ReviewKind

DAY = datetime.timedelta(days=1)

SUMMARIES = {
    Route.CHILD: (
        "This review looked at how agencies worked together in the year before a young child "
        "was seriously harmed at home. Practitioners saw the family often, but each agency "
        "held part of the picture.\n\nThe review found that a man living in the household was "
        "not known to most agencies, that health visiting contacts were missed without "
        "follow-up, and that concerns raised by nursery staff were not brought together."
    ),
    Route.ADULT: (
        "This safeguarding adult review considered the care of an older woman who lived alone "
        "and declined support several times before she died from self-neglect.\n\nThe review "
        "found that her capacity to make decisions about her care was assumed rather than "
        "assessed, and that no agency took the lead when she stopped answering the door."
    ),
    Route.DHR: (
        "This domestic homicide review examined the contact agencies had with a woman and her "
        "partner in the three years before she was killed.\n\nThe review found that risk "
        "assessments were completed but not shared, that the woman's employer noticed "
        "changes that no one asked about, and that routine enquiry in health settings did not "
        "happen when her partner attended appointments with her."
    ),
}

RECOMMENDATIONS = {
    Route.CHILD: [
        "Agencies should ask about every adult living in or visiting a household, and record "
        "what they learn.",
        "Health visiting services should follow up every missed contact within five working days.",
    ],
    Route.ADULT: [
        "Practitioners should assess and record mental capacity for each significant "
        "decision, rather than assume it.",
        "The partnership should agree who leads when an adult who declines care cannot be reached.",
    ],
    Route.DHR: [
        "Risk assessments should be shared with every agency working with the victim.",
        "Health settings should make routine enquiry about domestic abuse when the patient is "
        "seen alone.",
    ],
}

TRANSCRIPT = (
    "Presenter: Welcome, everyone. Today we are talking about professional curiosity and what "
    "it looks like in a busy working day.\n\nGuest: The reviews keep telling us the same "
    "thing. Practitioners saw something that worried them, but did not feel able to ask the "
    "next question.\n\nPresenter: What helps?\n\nGuest: Supervision that makes room for "
    "doubt, and knowing who to call in the other agencies."
)


def _admin() -> Any:
    return User.objects.filter(email__iexact=demo_email(Role.ADMINISTRATOR)).first()


def _case(route: str, *, published: bool, exclude: list[int]) -> Case | None:
    cases = Case.objects.filter(route=route).exclude(pk__in=exclude)
    if published:
        # A domestic homicide review is finished once it goes to the Home Office.
        cases = cases.filter(
            Q(published_date__isnull=False) | Q(home_office_sent_date__isnull=False)
        )
    else:
        cases = cases.filter(
            published_date__isnull=True,
            final_report_sent_date__isnull=True,
            home_office_sent_date__isnull=True,
        ).filter(~Q(pseudonym=""))
    return cases.order_by("-opened_on", "reference").first()


def _review_from_case(
    actor: Any, route: str, *, exclude: list[int], published: bool = True
) -> PublishedReview | None:
    case = _case(route, published=published, exclude=exclude)
    if case is None:
        return None
    exclude.append(case.pk)
    review = services.review_save(
        actor=actor,
        case=case,
        values={
            "summary": SUMMARIES.get(Route(route), SUMMARIES[Route.CHILD]),
            "audience": Audience.ADULTS if route == Route.ADULT else Audience.BOTH,
            "author": "Dr Morwenna Tresize, independent reviewer",
            "home_office_cleared_on": _cleared_on(case) if route == Route.DHR else None,
        },
    )
    if not review.recommendations.exists():
        services.review_save(
            actor=actor, review=review, values={}, recommendations=RECOMMENDATIONS[Route(route)]
        )
    return review


def _cleared_on(case: Case) -> datetime.date:
    """The Home Office panel's clearance: some weeks after the report went to it."""
    sent = case.home_office_sent_date or case.published_date or timezone.localdate()
    return min(sent + 42 * DAY, case.published_date or timezone.localdate())


def _live_on(review: PublishedReview, today: datetime.date) -> datetime.date:
    case = review.case
    if case and case.published_date:
        return min(case.published_date, today)
    if review.home_office_cleared_on:
        return min(review.home_office_cleared_on + 14 * DAY, today)
    return today - 60 * DAY


def _dhr_without_case(actor: Any, today: datetime.date) -> PublishedReview:
    """When the demo's cases hold no finished domestic homicide review: one the partnership
    published before it used Sightline."""
    return services.review_save(
        actor=actor,
        values={
            "title": "Eva: a domestic homicide review",
            "kind": ReviewKind.DHR,
            "summary": SUMMARIES[Route.DHR],
            "author": "Dr Morwenna Tresize, independent chair",
            "home_office_cleared_on": today - 120 * DAY,
        },
        recommendations=RECOMMENDATIONS[Route.DHR],
    )


def seed(*, password: str, stdout: Any) -> None:
    if PublishedReview.objects.exists():
        stdout.write("Hub: published learning exists already, none added.")
        return
    actor = _admin()
    if actor is None:
        stdout.write("Hub: no demo administrator, nothing published.")
        return
    today = timezone.localdate()
    themes = list(PracticeTheme.objects.filter(is_active=True).order_by("name")[:4])
    used: list[int] = []
    published: list[PublishedReview] = []

    for route in (Route.CHILD, Route.ADULT, Route.DHR):
        review = _review_from_case(actor, route, exclude=used)
        if review is None and route == Route.DHR:
            review = _dhr_without_case(actor, today)
        if review is None:
            continue
        # The adult review reaches the end of its agreed time on the hub next month.
        remove_on = today + 20 * DAY if route == Route.ADULT else None
        services.review_approve(
            actor=actor, item=review, live_on=_live_on(review, today), remove_on=remove_on
        )
        published.append(review)

    thematic = services.review_save(
        actor=actor,
        values={
            "title": "Neglect in families with younger children: a thematic review",
            "kind": ReviewKind.THEMATIC,
            "audience": Audience.CHILDREN,
            "summary": "A review of six rapid reviews of neglect, looking for what they had in "
            "common.\n\nIn each, practitioners were optimistic about change that did not last, "
            "and chronologies were not kept.",
            "author": "Ifeoma Achterberg, independent reviewer",
        },
        themes=themes[:2],
        recommendations=[
            "Every agency should keep a chronology for children on a child in need or child "
            "protection plan for neglect.",
            "Supervision should test whether change in a family has lasted.",
        ],
    )
    services.review_approve(actor=actor, item=thematic, live_on=today - 200 * DAY)
    published.append(thematic)

    # Held back past the anniversary of the death, at the family's request.
    held = _review_from_case(actor, Route.CHILD, exclude=used)
    if held is not None:
        services.review_approve(actor=actor, item=held, live_on=today + 45 * DAY)

    withdrawn = services.review_save(
        actor=actor,
        values={
            "title": "Young people missing from care: a thematic review",
            "kind": ReviewKind.THEMATIC,
            "summary": "A review of how agencies respond when young people in care go missing.",
        },
        themes=themes[2:3],
    )
    services.review_approve(actor=actor, item=withdrawn, live_on=today - 100 * DAY)
    services.review_withdraw(
        actor=actor,
        item=withdrawn,
        reason="A young person's family recognised details in the report; withdrawn while it "
        "is rewritten (fictional demo).",
    )

    draft = _review_from_case(actor, Route.ADULT, exclude=used, published=False)
    if draft is None:
        services.review_save(
            actor=actor,
            values={
                "title": "Transitions to adult services: a thematic review",
                "kind": ReviewKind.THEMATIC,
                "summary": "Draft: being written.",
            },
        )

    first = published[0] if published else None
    if first is not None:
        _report(actor, first)
    _resources(actor, today, themes, first)
    _news(actor, today, themes)
    stdout.write(
        f"Hub: {len(published)} reviews published, one held back, one withdrawn, one draft; "
        "resources and news."
    )


def _report(actor: Any, review: PublishedReview) -> None:
    """A short report as a PDF, uploaded as the business unit would: cleaned on the way in."""
    from sightline.core.pdf import render_pdf

    paragraphs = "".join(f"<p>{part}</p>" for part in review.summary.split("\n\n"))
    html = (
        f'<!DOCTYPE html><html lang="en-GB"><head><title>{review.title}</title></head>'
        f"<body><h1>{review.title}</h1>{paragraphs}"
        "<p>Fictional demo report: the names are pseudonyms.</p></body></html>"
    )
    services.document_upload(
        actor=actor,
        item=review,
        title="Full report",
        name="full-report.pdf",
        content=render_pdf(html),
    )


def _resources(actor: Any, today: datetime.date, themes: list[PracticeTheme], review: Any) -> None:
    resources = [
        {
            "title": "Professional curiosity in practice",
            "kind": ResourceKind.WEBINAR,
            "summary": "A recorded lunchtime webinar on asking the next question.",
            "link": "https://video.example.org/professional-curiosity",
            "duration_minutes": 45,
            "transcript": TRANSCRIPT,
        },
        {
            "title": "Learning from reviews: the podcast, episode 1",
            "kind": ResourceKind.PODCAST,
            "summary": "Two practitioners talk about what changed in their teams after a review.",
            "link": "https://audio.example.org/learning-from-reviews-1",
            "duration_minutes": 28,
            "transcript": TRANSCRIPT,
        },
        {
            "title": "In conversation with the reviewer",
            "kind": ResourceKind.INTERVIEW,
            "summary": "The independent reviewer explains what the review found and why.",
            "duration_minutes": 20,
            "transcript": TRANSCRIPT,
            "review": review,
        },
        {
            "title": "Guidance on unseen adults in the household",
            "kind": ResourceKind.GUIDANCE,
            "summary": "What to ask, what to record and who to tell about adults you do not see.",
        },
        {
            "title": "Neglect screening tool",
            "kind": ResourceKind.TOOL,
            "summary": "A one-page tool to help practitioners recognise and describe neglect.",
            "link": "https://tools.example.org/neglect-screening",
        },
        {
            "title": "Guidance on escalating professional disagreements",
            "kind": ResourceKind.GUIDANCE,
            "summary": "How to resolve a disagreement between agencies about a child or adult.",
        },
    ]
    for number, values in enumerate(resources):
        resource = services.resource_save(
            actor=actor,
            values={"audience": Audience.BOTH, **values},
            themes=themes[number % max(len(themes), 1) :][:1],
        )
        services.resource_approve(
            actor=actor, item=resource, live_on=today - (30 + 20 * number) * DAY
        )


def _news(actor: Any, today: datetime.date, themes: list[PracticeTheme]) -> None:
    items = [
        ("Safeguarding Week: book your place", "Sessions for every agency, all week."),
        ("New multi-agency neglect strategy agreed", "The partners agreed the strategy."),
        ("Training dates for the spring", "New dates for the core multi-agency courses."),
        ("The yearly report is published", "What the partnership did last year."),
        ("Changes to the referral form for reviews", "Partners can now refer online."),
    ]
    for number, (title, summary) in enumerate(items):
        news = services.news_save(
            actor=actor,
            values={
                "title": title,
                "summary": summary,
                "body": f"{summary} Read more on the partnership's pages (fictional demo).",
                "audience": Audience.BOTH,
            },
            themes=themes[:1] if number == 1 else [],
        )
        services.news_approve(actor=actor, item=news, live_on=today - (5 + 25 * number) * DAY)
