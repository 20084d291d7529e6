"""The fictional demo partnership (no ORM here: plain data the seed command loads)."""

from sightline.core.roles import Role

from .models import Sector

BUSINESS_UNIT = "Northshire Safeguarding Partnership Business Unit"

AGENCIES: list[tuple[str, str]] = [
    (BUSINESS_UNIT, Sector.OTHER),
    ("Northshire County Council Children's Services", Sector.CHILDRENS_SERVICES),
    ("Northshire County Council Adult Social Care", Sector.ADULT_SOCIAL_CARE),
    ("Northshire Constabulary", Sector.POLICE),
    ("Northshire and Wealdbridge Integrated Care Board", Sector.HEALTH),
    ("Wealdbridge Hospitals NHS Foundation Trust", Sector.HEALTH),
    ("Northshire Community and Mental Health NHS Trust", Sector.HEALTH),
    ("Northshire Schools Safeguarding Network", Sector.EDUCATION),
    ("Fenmoor College", Sector.EDUCATION),
    ("Probation Service, Northshire Delivery Unit", Sector.PROBATION),
    ("Kestrel Homes Housing Association", Sector.HOUSING),
    ("Northshire Domestic Abuse Service", Sector.VOLUNTARY),
    ("Brightwater Carers' Centre", Sector.VOLUNTARY),
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

DEMO_DOMAIN = "demo.sightline.test"
DEFAULT_PASSWORD = "sightline-demo"


def demo_email(role: Role) -> str:
    return f"{role.slug}@{DEMO_DOMAIN}"
