import pytest
from django.core.management import CommandError, call_command

from sightline.accounts import demo
from sightline.accounts.models import Agency, Membership, User
from sightline.core.models import AuditEvent
from sightline.core.roles import Role


def test_seed_demo_creates_one_user_per_role_and_is_idempotent(db):
    call_command("seed_demo", "--password", "demo-secret-123")
    counts = (
        Agency.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )
    assert counts[0] >= 12
    assert {m.role for m in Membership.objects.all()} == set(Role.values)
    assert set(Agency.objects.values_list("sector", flat=True)) >= {
        "childrens_services",
        "adult_social_care",
        "police",
        "health",
        "education",
        "probation",
        "housing",
        "voluntary",
        "other",
    }
    user = User.objects.get(email=demo.demo_email(Role.REVIEW_OFFICER))
    assert user.email == "review-officer@demo.sightline.test"
    assert user.check_password("demo-secret-123")

    call_command("seed_demo")
    assert counts == (
        Agency.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )


def test_seed_demo_if_empty_leaves_a_real_partnership_alone(make_user):
    make_user()
    call_command("seed_demo", "--if-empty")
    assert User.objects.count() == 1


def test_seed_demo_if_empty_reruns_harmlessly_on_demo_data(db, capsys):
    call_command("seed_demo", "--if-empty")
    users = User.objects.count()
    call_command("seed_demo", "--if-empty")
    assert User.objects.count() == users
    assert "partnership-administrator@demo.sightline.test" in capsys.readouterr().out


def test_create_administrator(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_administrator", email="Boss@Example.test", name="Boss", agency="Business Unit"
        )
    user = User.objects.get(email="boss@example.test")
    assert user.role_set == {Role.ADMINISTRATOR}
    assert len(mailoutbox) == 1
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "create_administrator", email="boss@example.test", name="Boss", agency="Business Unit"
        )
