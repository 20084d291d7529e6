"""A group's members' area in a real browser, with axe and the 320 pixel reflow check on
every page: the chair adds a Word paper and sees what was removed from it, a refused file
says what to do, and a member finds the induction pack from the home page and downloads the
paper."""

import io

import docx
import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.tests.factories import GroupFactory, GroupMemberFactory, MeetingFactory
from sightline.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


def word_file() -> bytes:
    document = docx.Document()
    document.core_properties.author = "Robin Quill"
    paragraph = document.add_paragraph("New members read the terms of reference first.")
    document.add_comment(paragraph.runs, text="Too short?", author="Robin Quill")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_chair_adds_a_paper_and_a_member_finds_it_in_the_induction_pack(visitor, tmp_path):
    police = AgencyFactory.create(name="Northshire Constabulary")
    chair = UserFactory.create(email="chair@example.test", full_name="Casey Chair")
    MembershipFactory.create(user=chair, agency=police, role=Role.AGENCY_LEAD)
    member = UserFactory.create(email="member@example.test", full_name="Morgan Member")
    MembershipFactory.create(user=member, agency=police, role=Role.PRACTITIONER)
    group = GroupFactory.create(
        name="Missing children group",
        chair=chair,
        terms_of_reference="Meets every two months.\n\nQuorate with three partners.",
    )
    GroupMemberFactory.create(group=group, agency=police, user=member, role="Vice chair")
    MeetingFactory.create(group=group)
    guide = tmp_path / "Induction guide (draft).docx"
    guide.write_bytes(word_file())
    renamed = tmp_path / "minutes.pdf"
    renamed.write_bytes(b"MZ\x90\x00" + b"\0" * 200)
    page = visitor.page
    main = page.locator("main")

    visitor.sign_in("chair@example.test", PASSWORD)
    visitor.click(page.get_by_role("link", name="Missing children group"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Missing children group")
    expect(main).to_contain_text("New to this group? Start here")

    visitor.click(page.get_by_role("button", name="Add a paper"))
    page.get_by_label("Title").fill("Minutes")
    page.get_by_role("group", name="What kind of paper is it?").get_by_label("Minutes").check()
    page.get_by_label("File").set_input_files(str(renamed))
    visitor.click(page.get_by_role("button", name="Upload the file"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The selected file must be a PDF, Word document"
    )

    page.get_by_label("Title").fill("Induction guide")
    page.get_by_role("group", name="What kind of paper is it?").get_by_label(
        "Induction pack"
    ).check()
    page.get_by_label("File").set_input_files(str(guide))
    visitor.click(page.get_by_role("button", name="Upload the file"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Induction guide has been added"
    )
    expect(main).to_contain_text("Author: Robin Quill")
    expect(main).to_contain_text("1 comment (by Robin Quill)")
    expect(main).to_contain_text("induction-guide-draft.docx")
    visitor.click(page.get_by_role("button", name="Remove the paper"))
    visitor.click(page.get_by_role("button", name="Keep the paper"))
    visitor.sign_out()

    visitor.sign_in("member@example.test", PASSWORD)
    expect(main).to_contain_text("Your groups")
    visitor.click(page.get_by_role("link", name="Missing children group"))
    expect(main).to_contain_text("Morgan Member, Vice chair")
    expect(page.get_by_role("button", name="Add a paper")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="Induction guide", exact=True).click()
    assert download.value.suggested_filename == "induction-guide-draft.docx"
    saved = docx.Document(download.value.path())
    assert saved.core_properties.author == ""
    assert saved.paragraphs[0].text == "New members read the terms of reference first."
    visitor.goto("/assurance/your-groups/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your groups")
