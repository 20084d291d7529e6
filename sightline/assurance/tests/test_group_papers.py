"""The groups' members' areas: who sees them, uploads cleaned on the way in, downloads
logged, papers replaced and removed with an audit trail, and flat query counts."""

import io

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory, UserFactory
from sightline.assurance.models import GroupPaper
from sightline.assurance.selectors import papers as selectors
from sightline.assurance.services import papers as services
from sightline.assurance.views import papers as views
from sightline.core.cleaning import document_clean
from sightline.core.models import AccessLogEntry, AuditEvent
from sightline.core.roles import Role
from sightline.core.tests.pages import client_for, page_text

from .factories import GroupFactory, GroupMemberFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def word_file(text: str = "The group meets quarterly.", author: str = "Robin Quill") -> bytes:
    document = docx.Document()
    document.core_properties.author = author
    paragraph = document.add_paragraph(text)
    document.add_comment(paragraph.runs, text="Is this right?", author=author)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(name: str = "Terms (draft).docx", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, word_file() if content is None else content)


@pytest.fixture
def chair(make_user):
    return make_user(Role.AGENCY_LEAD, full_name="Casey Chair")


@pytest.fixture
def member(make_user):
    return make_user(Role.PRACTITIONER, full_name="Morgan Member")


@pytest.fixture
def group(chair, member):
    item = GroupFactory.create(
        name="Quarry review group", chair=chair, terms_of_reference="We decide on reviews."
    )
    GroupMemberFactory.create(
        group=item, user=member, agency=AgencyFactory(name="Northshire Police"), role="Vice chair"
    )
    return item


@pytest.fixture
def paper(group, admin_user):
    return services.group_paper_add(
        actor=admin_user,
        group=group,
        title="Induction guide",
        kind="induction",
        cleaned=document_clean(name="guide.docx", content=word_file("Welcome to the group.")),
    )


def area(group) -> str:
    return reverse("assurance:group_members_area", kwargs={"pk": group.pk})


def add_url(group) -> str:
    return reverse("assurance:group_paper_add", kwargs={"pk": group.pk})


def paper_url(name: str, paper) -> str:
    return reverse(f"assurance:group_paper_{name}", kwargs={"pk": paper.pk})


# --- Who sees the members' area ---------------------------------------------------------


def test_members_see_the_area_with_the_induction_pack_first(group, member, paper):
    response = client_for(member).get(area(group))

    assert response.status_code == 200
    text = page_text(response)
    assert "New to this group? Start here" in text
    assert text.index("Start here") < text.index("Induction guide") < text.index("Meetings and")
    assert "We decide on reviews." in text
    assert "Morgan Member, Vice chair" in text
    assert "Northshire Police" in text
    assert "Add a paper" not in text  # only the chair and the business unit add papers


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.REVIEW_OFFICER, Role.PRACTITIONER])
def test_people_not_on_the_group_are_told_it_does_not_exist(group, paper, make_user, role):
    outsider = client_for(make_user(role))

    assert outsider.get(area(group)).status_code == 404
    assert outsider.get(paper_url("download", paper)).status_code == 404
    assert outsider.get(paper_url("detail", paper)).status_code == 404
    assert outsider.get(add_url(group)).status_code == 404


def test_the_existing_group_page_links_members_to_their_area(group, chair, make_user):
    assert "members' area" in page_text(client_for(chair).get(group.get_absolute_url()))
    executive = client_for(make_user(Role.EXECUTIVE))
    assert "members' area" not in page_text(executive.get(group.get_absolute_url()))


def test_a_member_may_read_but_not_change_the_papers(group, member, paper):
    client = client_for(member)

    assert client.get(add_url(group)).status_code == 403
    assert client.get(paper_url("replace", paper)).status_code == 403
    assert client.post(paper_url("delete", paper)).status_code == 403
    assert GroupPaper.objects.filter(pk=paper.pk).exists()


def test_your_groups_lists_only_the_groups_the_person_sits_on(group, member, chair, make_user):
    GroupFactory.create(name="Another group")
    GroupFactory.create(name="Stood down group", is_active=False).members.create(
        agency=AgencyFactory.create(), user=member
    )

    text = page_text(client_for(member).get(reverse("assurance:your_groups")))
    assert "Quarry review group" in text
    assert "Member for Vice chair, Northshire Police" in text
    assert "Another group" not in text
    assert "Stood down group" not in text
    assert "You chair this group" in page_text(
        client_for(chair).get(reverse("assurance:your_groups"))
    )
    nobody = page_text(client_for(make_user(Role.EXECUTIVE)).get(reverse("assurance:your_groups")))
    assert "You do not sit on any of the partnership's groups" in nobody


def test_the_home_page_shows_your_groups(group, member, make_user):
    assert "Your groups" in page_text(client_for(member).get(reverse("accounts:home")))
    outsider = client_for(make_user(Role.EXECUTIVE))
    assert "Your groups" not in page_text(outsider.get(reverse("accounts:home")))


# --- Uploading ----------------------------------------------------------------------------


def test_the_chair_uploads_a_paper_and_sees_what_was_removed(group, chair):
    meeting = MeetingFactory.create(group=group)
    client = client_for(chair)

    response = client.post(
        add_url(group),
        {"title": "Terms of reference", "kind": "terms", "meeting": meeting.pk, "file": upload()},
    )

    paper = GroupPaper.objects.get()
    assert response.status_code == 302
    assert response["Location"] == paper_url("detail", paper)
    text = page_text(client.get(response["Location"]))
    assert "What Sightline removed from the file" in text
    assert "Author: Robin Quill" in text
    assert "1 comment (by Robin Quill)" in text
    assert paper.file_name == "terms-draft.docx"
    assert paper.meeting == meeting
    assert paper.uploaded_by == chair
    assert paper.storage_name.startswith("group-papers/")
    assert len(paper.storage_name.split("/")[1]) == 32
    with default_storage.open(paper.storage_name) as handle:
        kept = docx.Document(io.BytesIO(handle.read()))
    assert kept.core_properties.author == ""
    assert kept.paragraphs[0].text == "The group meets quarterly."
    event = AuditEvent.objects.get(object_type="assurance.grouppaper")
    assert event.kind == AuditEvent.Kind.CREATE
    assert event.actor == chair


def test_a_double_submit_keeps_one_paper(group, chair):
    client = client_for(chair)
    content = word_file()
    for _ in range(2):
        response = client.post(
            add_url(group),
            {"title": "Minutes", "kind": "minutes", "file": upload(content=content)},
        )
        assert response.status_code == 302
    assert GroupPaper.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("minutes.pdf", b"MZ\x90\x00" + b"\0" * 100, "The selected file must be a PDF"),
        ("minutes.docx", b"", "The selected file is empty"),
    ],
)
def test_a_refused_file_says_what_to_do(group, admin_user, name, content, message):
    response = client_for(admin_user).post(
        add_url(group),
        {"title": "Minutes", "kind": "minutes", "file": SimpleUploadedFile(name, content)},
    )

    assert response.status_code == 400
    assert message in page_text(response)
    assert not GroupPaper.objects.exists()


def test_the_form_asks_for_what_is_missing(group, admin_user):
    other_meeting = MeetingFactory.create()
    response = client_for(admin_user).post(
        add_url(group), {"title": "", "kind": "memo", "meeting": other_meeting.pk}
    )

    assert response.status_code == 400
    text = page_text(response)
    assert "Enter the paper's title" in text
    assert "Choose what kind of paper it is" in text
    assert "Choose one of the group's meetings" in text
    assert "Choose a file to upload" in text


def test_a_request_declaring_more_than_the_limit_is_refused_unread(group, admin_user):
    client = client_for(admin_user)
    response = client.generic(
        "POST",
        add_url(group),
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(views.REQUEST_LIMIT + 1),
    )

    assert response.status_code == 413
    assert "The selected file must be smaller than 20 MB" in page_text(response)


def test_an_upload_longer_than_it_said_is_cut_off(group, admin_user, monkeypatch):
    monkeypatch.setattr(views, "MAX_DOCUMENT_BYTES", 1000)
    response = client_for(admin_user).post(
        add_url(group),
        {"title": "Minutes", "kind": "minutes", "file": upload(content=b"x" * 5000)},
    )

    assert response.status_code == 413
    assert "must be smaller than" in page_text(response)
    assert not GroupPaper.objects.exists()


def test_an_upload_without_the_forgery_token_is_refused(group, admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(
        add_url(group), {"title": "Minutes", "kind": "minutes", "file": upload()}
    )

    assert response.status_code == 403
    assert not GroupPaper.objects.exists()


def test_a_paper_cannot_belong_to_another_groups_meeting(group, admin_user):
    with pytest.raises(ValidationError, match="this group's meetings"):
        services.group_paper_add(
            actor=admin_user,
            group=group,
            title="Minutes",
            kind="minutes",
            meeting=MeetingFactory.create(),
            cleaned=document_clean(name="m.docx", content=word_file()),
        )
    assert (
        not default_storage.exists("group-papers") or not default_storage.listdir("group-papers")[1]
    )


# --- Downloading, replacing, removing --------------------------------------------------


def test_a_member_downloads_a_paper_and_the_read_is_logged(paper, member):
    response = client_for(member).get(paper_url("download", paper))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="guide.docx"'
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == paper.content_type
    content = response.getvalue()
    assert docx.Document(io.BytesIO(content)).paragraphs[0].text == "Welcome to the group."
    entry = AccessLogEntry.objects.get(object_type="assurance.grouppaper")
    assert entry.user == member
    assert entry.action == AccessLogEntry.Action.VIEW
    assert entry.object_id == str(paper.pk)


def test_a_paper_whose_file_is_gone_is_not_found(paper, member):
    default_storage.delete(paper.storage_name)
    assert client_for(member).get(paper_url("download", paper)).status_code == 404


def test_the_chair_replaces_a_papers_file(paper, chair, django_capture_on_commit_callbacks):
    old_name = paper.storage_name
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(chair).post(
            paper_url("replace", paper),
            {"file": upload("Guide v2.docx", word_file("Welcome, members.", author="Ash Vale"))},
        )

    paper.refresh_from_db()
    assert response.status_code == 302
    assert paper.file_name == "guide-v2.docx"
    assert "Author: Ash Vale" in paper.removed
    assert not default_storage.exists(old_name)
    assert default_storage.exists(paper.storage_name)
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.UPDATE).get()
    assert event.changes["file_name"] == {"from": "guide.docx", "to": "guide-v2.docx"}


def test_the_chair_removes_a_paper_after_confirming(
    paper, chair, group, django_capture_on_commit_callbacks
):
    client = client_for(chair)
    assert "Are you sure you want to remove Induction guide?" in page_text(
        client.get(paper_url("delete", paper))
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(paper_url("delete", paper))

    assert response.status_code == 302
    assert response["Location"] == area(group)
    assert not GroupPaper.objects.exists()
    assert not default_storage.exists(paper.storage_name)
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.DELETE, object_type="assurance.grouppaper"
    ).exists()
    assert client.post(paper_url("delete", paper)).status_code == 404


# --- Query counts -------------------------------------------------------------------------


def test_the_members_area_takes_as_many_queries_with_ten_times_the_papers(
    group, member, admin_user, django_assert_num_queries
):
    client = client_for(member)
    counter = iter(range(1000))

    def grow(times: int) -> None:
        for _ in range(times):
            meeting = MeetingFactory.create(group=group)
            GroupMemberFactory.create(group=group)
            for kind in ("agenda", "induction", "paper"):
                services.group_paper_add(
                    actor=admin_user,
                    group=group,
                    title=f"Paper {next(counter)}",
                    kind=kind,
                    meeting=meeting if kind != "induction" else None,
                    cleaned=document_clean(name="p.docx", content=word_file(f"{next(counter)}")),
                )

    grow(1)
    with django_assert_num_queries(9):
        assert client.get(area(group)).status_code == 200
    grow(9)
    with django_assert_num_queries(9):
        assert client.get(area(group)).status_code == 200


def test_your_groups_takes_as_many_queries_with_ten_times_the_groups(
    member, django_assert_num_queries
):
    client = client_for(member)
    url = reverse("assurance:your_groups")

    def grow(times: int) -> None:
        for _ in range(times * 3):
            GroupMemberFactory.create(group=GroupFactory.create(chair=UserFactory()), user=member)

    # groups_for_member: the groups, their seats, their papers counted (three queries).
    grow(1)
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
    grow(9)
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200


def test_selectors_refuse_what_the_user_may_not_see(group, paper, make_user):
    outsider = make_user(Role.EXECUTIVE)
    with pytest.raises(Exception, match="No such"):
        selectors.paper_get_for(user=outsider, pk=paper.pk)
    with pytest.raises(Exception, match="No such"):
        selectors.group_get_for_papers(user=outsider, pk=group.pk)
