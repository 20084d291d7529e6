"""The fictional demo partnership: its agencies and one user per role."""

import datetime
from typing import Any

from django.utils import timezone

from sightline.core.management.commands.seed_demo import DEMO_DOMAIN
from sightline.core.roles import Role

from . import services
from .models import AccessReview, AccessReviewStatus, Agency, Membership, Sector, User

BUSINESS_UNIT = "Northshire Safeguarding Partnership Business Unit"

# (name, sector, workforce in the partnership's area: the scorecards' training reach).
AGENCIES: list[tuple[str, str, int | None]] = [
    (BUSINESS_UNIT, Sector.OTHER, 9),
    ("Northshire County Council Children's Services", Sector.CHILDRENS_SERVICES, 420),
    ("Northshire County Council Adult Social Care", Sector.ADULT_SOCIAL_CARE, 310),
    ("Northshire Constabulary", Sector.POLICE, 650),
    ("Northshire and Wealdbridge Integrated Care Board", Sector.HEALTH, 120),
    ("Wealdbridge Hospitals NHS Foundation Trust", Sector.HEALTH, 900),
    ("Northshire Community and Mental Health NHS Trust", Sector.HEALTH, 540),
    ("Northshire Schools Safeguarding Network", Sector.EDUCATION, 1200),
    ("Fenmoor College", Sector.EDUCATION, 180),
    ("Probation Service, Northshire Delivery Unit", Sector.PROBATION, 140),
    ("Kestrel Homes Housing Association", Sector.HOUSING, 90),
    # A small charity that has not told the partnership its headcount.
    ("Northshire Domestic Abuse Service", Sector.VOLUNTARY, None),
    ("Brightwater Carers' Centre", Sector.VOLUNTARY, 20),
]

# One demo user per role: (role, full name, job title, agency).
USERS: list[tuple[Role, str, str, str]] = [
    (Role.ADMINISTRATOR, "Priya Okafor", "Partnership business manager", BUSINESS_UNIT),
    (Role.REVIEW_OFFICER, "Tom Ashworth", "Case review officer", BUSINESS_UNIT),
    (
        Role.REVIEW_GROUP_MEMBER,
        "Dr Helen Marsh",
        "Designated doctor for safeguarding",
        "Northshire and Wealdbridge Integrated Care Board",
    ),
    (Role.AGENCY_LEAD, "Sergeant Dan Whitfield", "Safeguarding lead", "Northshire Constabulary"),
    (
        Role.EXECUTIVE,
        "Margaret Ellery",
        "Director of children's services",
        "Northshire County Council Children's Services",
    ),
    (Role.TRAINER, "Kwame Mensah", "Multi-agency training lead", BUSINESS_UNIT),
    (
        Role.PRACTITIONER,
        "Sophie Lin",
        "Health visitor",
        "Northshire Community and Mental Health NHS Trust",
    ),
]


def demo_email(role: Role) -> str:
    return f"{role.slug}@{DEMO_DOMAIN}"


def seed(*, password: str, stdout: Any) -> None:
    """Create what is missing; leave what exists alone (running twice changes nothing)."""
    agencies = {agency.name: agency for agency in Agency.objects.all()}
    for name, sector, workforce in AGENCIES:
        if name not in agencies:
            agencies[name] = services.agency_create(
                actor=None, name=name, sector=sector, workforce=workforce
            )
    for role, full_name, job_title, agency_name in USERS:
        email = demo_email(role)
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = services.user_create(
                actor=None,
                email=email,
                full_name=full_name,
                job_title=job_title,
                password=password,
                send_password_link=False,
            )
        agency = agencies[agency_name]
        if not Membership.objects.filter(user=user, agency=agency, role=role).exists():
            services.membership_add(actor=None, user=user, agency=agency, role=role)
    _seed_suspended(password=password, agency=agencies["Northshire Constabulary"])
    _seed_access_reviews(agencies=agencies)
    stdout.write("Sign in at http://127.0.0.1:8000 as any of:")
    for role, _, _, _ in USERS:
        stdout.write(f"  {role.label:<32} {demo_email(role)}")
    stdout.write("with the password sightline-demo, or the one given to seed_demo --password.")


# Not one of the role accounts above: a constable who stopped using Sightline, so their
# agency lead (Dan Whitfield) and the administrator can see a suspension and lift it.
SUSPENDED = ("Owen Pryce", "Police constable", f"owen.pryce@{DEMO_DOMAIN}")


def _seed_suspended(*, password: str, agency: Agency) -> None:
    full_name, job_title, email = SUSPENDED
    if User.objects.filter(email__iexact=email).exists():
        return
    user = services.user_create(
        actor=None,
        email=email,
        full_name=full_name,
        job_title=job_title,
        agency=agency,
        role=Role.PRACTITIONER,
        password=password,
        send_password_link=False,
    )
    long_ago = timezone.now() - datetime.timedelta(days=120)
    User.objects.filter(pk=user.pk).update(date_joined=long_ago, last_login=long_ago)
    user.refresh_from_db()
    services.user_suspend(user=user)


def _seed_access_reviews(*, agencies: dict[str, Agency]) -> None:
    """The Constabulary's review of this half-year open for its lead, the business unit's
    done by the administrator."""
    period = services.access_review_period(on=timezone.localdate())
    services.access_review_open(agency=agencies["Northshire Constabulary"], period_start=period)
    unit = agencies[BUSINESS_UNIT]
    review = services.access_review_open(agency=unit, period_start=period)
    if review is None or review.status != AccessReviewStatus.OPEN:
        return
    admin = User.objects.get(email__iexact=demo_email(Role.ADMINISTRATOR))
    for item in review.items.all():
        services.access_review_decide(actor=admin, item=item, decision="keep")
    services.access_review_complete(actor=admin, review=AccessReview.objects.get(pk=review.pk))
