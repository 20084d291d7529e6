"""Password strength: zxcvbn with the partnership's, agencies' and person's words, and the
message saying what to do, on every form that sets a password."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from conftest import PASSWORD
from sightline.accounts.password_rules import assess, words_from
from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.roles import Role

WEAK = [
    "aaaaaaaaaaaa",
    "Safeguarding1",
    "northshire12",
    "Northshire Safeguarding 2026",
    "northshire-safeguarding-partnership",
    "Sightline Northshire 2026!",
    "123456789012",
    "password1234",
    "qwertyuiopas",
]
STRONG = [
    "correct horse battery staple lighthouse",
    "a lighthouse keeper's seventh lantern",
    "marmalade tugboat orchestra pebble",
]


@pytest.mark.parametrize("password", WEAK)
def test_easy_passwords_are_refused_with_what_to_do(db, password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    messages = " ".join(refused.value.messages)
    assert "harder to guess" in messages or "too common" in messages or "too short" in messages


@pytest.mark.parametrize("password", STRONG)
def test_long_passphrases_are_welcome(db, password):
    validate_password(password)


def test_the_agencies_and_the_persons_words_count(db, make_user):
    AgencyFactory(name="Eastmoor Community Health Trust")
    with pytest.raises(ValidationError):
        validate_password("Eastmoor Community Trust")
    user = make_user(Role.TRAINER, full_name="Morwenna Trelawney", job_title="Designated nurse")
    with pytest.raises(ValidationError):
        validate_password("morwenna trelawney nurse", user=user)


def test_the_advice_is_zxcvbns_in_british_english():
    message = assess("Safeguarding1", inputs=words_from("Northshire Safeguarding Partnership"))
    assert message.score < 4
    assert "harder to guess" in message.message
    assert "Capitalization" not in message.message
    assert "Use 3 or 4 unrelated words" in message.message
    repeated = assess("aaaaaaaaaaaa", inputs=[]).message
    assert "Repeated letters, like aaa, are easy to guess." in repeated


def test_a_very_long_password_is_judged_without_error():
    assert assess("lantern " * 20, inputs=[]).score >= 0


@given(st.text(max_size=200), st.lists(st.text(max_size=30), max_size=5))
def test_any_text_is_judged_without_error(password, words):
    result = assess(password, inputs=words_from(*words))
    assert 0 <= result.score <= 4
    assert result.message


def test_words_from_splits_names_and_addresses():
    assert words_from("Northshire Safeguarding", "rowan.reviewer@example.test") == [
        "northshire safeguarding",
        "northshire",
        "safeguarding",
        "rowan.reviewer@example.test",
        "rowan",
        "reviewer",
        "example",
        "test",
    ]


def test_the_message_appears_on_the_password_change_form(client, make_user):
    user = make_user(Role.PRACTITIONER)
    client.force_login(user)
    page = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Northshire Safeguarding 2026",
            "new_password2": "Northshire Safeguarding 2026",
        },
    )
    assert page.status_code in (200, 400)
    assert "Choose a password that is harder to guess" in page.content.decode()


def set_password_page(client, user):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    link = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return client.get(link, follow=True).redirect_chain[-1][0]


def test_the_message_appears_on_the_reset_form(client, make_user):
    user = make_user(Role.PRACTITIONER)
    page = client.post(
        set_password_page(client, user),
        {"new_password1": "Safeguarding1", "new_password2": "Safeguarding1"},
    )
    assert "Choose a password that is harder to guess" in page.content.decode()


def test_the_message_appears_when_a_registered_person_sets_their_password(
    client, agency, mailoutbox
):
    """Registration sends a link to set a password: the same check, the same message."""
    from sightline.accounts.models import User
    from sightline.core.once import TOKEN_FIELD, new_token

    client.post(
        reverse("training:register"),
        {
            "full_name": "Nia Newcomer",
            "email": "nia@example.test",
            "agency": agency.pk,
            "manager_email": "boss@example.test",
            TOKEN_FIELD: new_token(),
        },
    )
    user = User.objects.get(email="nia@example.test")
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password-reset/" in line)
    form = client.get(link.replace("http://testserver", ""), follow=True).redirect_chain[-1][0]
    page = client.post(form, {"new_password1": "northshire12", "new_password2": "northshire12"})
    assert "Choose a password that is harder to guess" in page.content.decode()
    good = "marmalade tugboat orchestra pebble"
    client.post(form, {"new_password1": good, "new_password2": good})
    user.refresh_from_db()
    assert user.check_password(good)
