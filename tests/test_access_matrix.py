"""Every URL the project defines, tried by each role and signed out.

A new view with no entry in RULES fails ``test_every_url_has_a_rule``: decide who may use it.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.core import checks
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.accounts.models import (
    AccessReview,
    AccessReviewItem,
    ExternalIdentity,
    LinkRequest,
)
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.models import Priority
from sightline.assurance.services.papers import group_paper_add
from sightline.assurance.tests.factories import (
    AuditFactory,
    AuditReturnFactory,
    GroupFactory,
    GroupMemberFactory,
    InspectionFactory,
    MeasureFactory,
    MeetingFactory,
    RiskFactory,
)
from sightline.core.checks import iter_patterns
from sightline.core.cleaning import document_clean
from sightline.core.models import (
    BackgroundJob,
    ClosureDay,
    LegalHold,
    OutboxMessage,
    RetentionReview,
)
from sightline.core.roles import Role
from sightline.hub.models import HubDocument, NewsletterIssue
from sightline.hub.services.newsletter import unsubscribe_token
from sightline.hub.tests.factories import (
    BriefingFactory,
    NewsItemFactory,
    NewsletterIssueFactory,
    PublishedReviewFactory,
    ResourceFactory,
    SubscriberFactory,
)
from sightline.learning.models import Action, DisseminationReturn, Recommendation
from sightline.reports.models import (
    ChapterVersion,
    ContentException,
    ReportChapter,
    ReportStatus,
    YearlyReport,
)
from sightline.reviews.models import CalendarFeed, CaseAssignment, PracticeTheme, TimelinessStandard
from sightline.reviews.tests.factories import CaseFactory, PauseFactory, ReferralFactory
from sightline.training.tests.factories import BookingFactory, SeriesFactory, SessionFactory
from sightline.training.tokens import approval_token
from sightline.training.vocabulary import Attendance

# The smallest valid PNG (one grey pixel): a group paper that takes no time to make.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
    "0000000a49444154789c636800000082008177cd72b60000000049454e44ae426082"
)
ANONYMOUS = "anonymous"
EVERYONE = frozenset(Role)
ADMIN = frozenset({Role.ADMINISTRATOR})
RUNS_REVIEWS = frozenset({Role.ADMINISTRATOR, Role.REVIEW_OFFICER})
SEES_EVERY_CASE = RUNS_REVIEWS | {Role.EXECUTIVE}
SEES_CASES = SEES_EVERY_CASE | {Role.REVIEW_GROUP_MEMBER, Role.AGENCY_LEAD}
NOT_ON_CASE = frozenset({Role.TRAINER, Role.PRACTITIONER})
CASE = ("pk:case",)
SEES_REFERRAL = RUNS_REVIEWS | {Role.AGENCY_LEAD}
REFERRAL = ("pk:referral",)
RUNS_TRAINING = frozenset({Role.ADMINISTRATOR, Role.TRAINER})
SEES_ASSURANCE = SEES_CASES
STEERS = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE})
YEARLY_REPORT = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.REVIEW_OFFICER})
RISK = ("pk:risk",)
JOB = ("pk:job",)
SEES_TRAINING_REPORTS = RUNS_TRAINING | {Role.EXECUTIVE}
SEES_REPORT_DRAFTS = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.REVIEW_OFFICER})
DRAFT_YEAR = {"year": "2023-24"}
PUBLISHED_YEAR = {"year": "2022-23"}
CHAPTER = {**DRAFT_YEAR, "chapter": "introduction"}
HUB_MANAGE = frozenset({Role.ADMINISTRATOR, Role.REVIEW_OFFICER, Role.EXECUTIVE})
HUB_REVIEW = {"kind": "review"}
OK = frozenset({200})


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[Role] | None  # None: public
    method: str = "get"
    kwargs: tuple[str, ...] = ()  # names of objects in the world fixture
    extra: dict = field(default_factory=dict)
    hidden_from: frozenset[Role] = frozenset()  # roles that may not know the object exists: 404
    form: tuple[str, ...] = ()  # posted fields, each "field:object" naming a world object
    data: dict = field(default_factory=dict)  # posted fields with literal values
    public_status: frozenset[int] = frozenset({200, 302})  # what a public URL answers
    redirects: bool = False  # a GET that starts a background job sends you to its page


RULES: dict[str, Rule] = {
    "health": Rule(allowed=None),
    # The public learning hub: anyone, signed in or not.
    "hub:index": Rule(allowed=None),
    "hub:reviews": Rule(allowed=None),
    "hub:review": Rule(allowed=None, extra={"slug": "a-review"}),
    "hub:resources": Rule(allowed=None),
    "hub:resource": Rule(allowed=None, extra={"slug": "a-resource"}),
    "hub:news": Rule(allowed=None),
    "hub:news_item": Rule(allowed=None, extra={"slug": "a-news-item"}),
    "hub:theme": Rule(allowed=None, kwargs=("pk:theme",)),
    "hub:document": Rule(allowed=None, kwargs=("pk:hub_document",), public_status=OK),
    "hub:yearly_reports": Rule(allowed=None, public_status=OK),
    # The world's published report has no frozen layout, so its year is a page not found.
    "hub:yearly_report": Rule(allowed=None, extra=PUBLISHED_YEAR, public_status=frozenset({404})),
    # The business unit's hub pages: one set for reviews, resources and news alike.
    "hub:manage": Rule(allowed=HUB_MANAGE),
    "hub:usage": Rule(allowed=ADMIN),
    "hub:manage_from_case": Rule(allowed=RUNS_REVIEWS),
    "hub:manage_new": Rule(allowed=RUNS_REVIEWS, extra={"kind": "resource"}),
    "hub:manage_item": Rule(allowed=HUB_MANAGE, extra=HUB_REVIEW, kwargs=("pk:hub_review",)),
    "hub:manage_edit": Rule(allowed=RUNS_REVIEWS, extra=HUB_REVIEW, kwargs=("pk:hub_review",)),
    "hub:manage_approve": Rule(allowed=STEERS, extra=HUB_REVIEW, kwargs=("pk:hub_review",)),
    "hub:manage_withdraw": Rule(allowed=STEERS, extra=HUB_REVIEW, kwargs=("pk:hub_review",)),
    "hub:manage_document": Rule(allowed=RUNS_REVIEWS, extra=HUB_REVIEW, kwargs=("pk:hub_review",)),
    "hub:manage_document_remove": Rule(allowed=RUNS_REVIEWS, kwargs=("pk:hub_document",)),
    "hub:accessibility": Rule(allowed=None),
    "hub:privacy": Rule(allowed=None),
    "hub:cookies": Rule(allowed=None),
    "hub:briefings": Rule(allowed=None),
    "hub:briefing": Rule(allowed=None, extra={"slug": "a-briefing"}),
    "hub:briefing_docx": Rule(allowed=None, extra={"slug": "a-briefing"}),
    "hub:briefing_pptx": Rule(allowed=None, extra={"slug": "a-briefing"}),
    # Briefings: the business unit drafts and finishes; the partners approve and withdraw.
    "hub:briefing_manage": Rule(allowed=HUB_MANAGE),
    "hub:briefing_from_review": Rule(allowed=RUNS_REVIEWS, method="post"),
    "hub:briefing_new": Rule(allowed=RUNS_REVIEWS),
    "hub:briefing_edit": Rule(allowed=HUB_MANAGE, kwargs=("pk:briefing",)),
    "hub:briefing_finish": Rule(allowed=RUNS_REVIEWS, method="post", kwargs=("pk:briefing",)),
    "hub:briefing_approve": Rule(allowed=STEERS, kwargs=("pk:briefing",)),
    "hub:briefing_withdraw": Rule(allowed=STEERS, kwargs=("pk:briefing",)),
    "hub:search": Rule(allowed=None),
    "hub:signed_in_search": Rule(allowed=EVERYONE),
    "hub:subscribe": Rule(allowed=None),
    "hub:subscribe_sent": Rule(allowed=None),
    "hub:newsletter_confirm": Rule(allowed=None, extra={"token": "world-confirm-token"}),
    "hub:newsletter_unsubscribe": Rule(allowed=None, kwargs=("token:unsubscribe",)),
    "hub:newsletter_archive": Rule(allowed=None),
    "hub:newsletter_issue": Rule(allowed=None, kwargs=("number:sent_issue",)),
    # The business unit composes and sends the newsletter.
    "hub:newsletter_manage": Rule(allowed=RUNS_REVIEWS),
    "hub:newsletter_compose": Rule(allowed=RUNS_REVIEWS),
    "hub:newsletter_preview": Rule(allowed=RUNS_REVIEWS, kwargs=("pk:draft_issue",)),
    "hub:newsletter_send": Rule(allowed=RUNS_REVIEWS, kwargs=("pk:draft_issue",)),
    # Public, but only with the monitoring token, which no test caller has.
    "health_queue": Rule(allowed=None, public_status=frozenset({403})),
    "accounts:sign_in": Rule(allowed=None),
    "accounts:password_reset": Rule(allowed=None),
    "accounts:password_reset_done": Rule(allowed=None),
    "accounts:password_reset_confirm": Rule(allowed=None, extra={"uidb64": "MQ", "token": "x-y"}),
    "accounts:password_reset_complete": Rule(allowed=None),
    # Single sign-on: the test settings' provider is unreachable (502); a callback without a
    # provider's answer is refused (400). Confirming links is the administrators'.
    "accounts:sso_start": Rule(
        allowed=None, extra={"key": "testsso"}, public_status=frozenset({502})
    ),
    "accounts:sso_callback": Rule(
        allowed=None, extra={"key": "testsso"}, public_status=frozenset({400})
    ),
    "accounts:sso_link_list": Rule(allowed=ADMIN),
    "accounts:sso_link_decide": Rule(allowed=ADMIN, kwargs=("pk:link_request",)),
    "accounts:external_identity_remove": Rule(
        allowed=ADMIN, method="post", kwargs=("pk:target", "identity_pk:external_identity")
    ),
    "accounts:home": Rule(allowed=EVERYONE),
    "accounts:sign_out": Rule(allowed=EVERYONE, method="post"),
    "accounts:account": Rule(allowed=EVERYONE),
    "accounts:password_change": Rule(allowed=EVERYONE),
    # Asks first (GET); the POST ends every session of the caller, this one included.
    "accounts:sign_out_everywhere": Rule(allowed=EVERYONE),
    # An administrator, or a lead of one of the person's agencies (the world's target is in
    # the caller's agency); other roles may not.
    "accounts:user_suspension_lift": Rule(
        allowed=frozenset({Role.ADMINISTRATOR, Role.AGENCY_LEAD}), kwargs=("pk:target",)
    ),
    # Access reviews: every agency's for administrators, their own agency's for its leads;
    # other roles may not know a review exists.
    "accounts:access_review_list": Rule(allowed=frozenset({Role.ADMINISTRATOR, Role.AGENCY_LEAD})),
    "accounts:access_review_detail": Rule(
        allowed=frozenset({Role.ADMINISTRATOR, Role.AGENCY_LEAD}),
        kwargs=("pk:access_review",),
        hidden_from=EVERYONE - {Role.ADMINISTRATOR, Role.AGENCY_LEAD},
    ),
    "accounts:access_review_decide": Rule(
        allowed=frozenset({Role.ADMINISTRATOR, Role.AGENCY_LEAD}),
        method="post",
        kwargs=("pk:access_review", "item_pk:access_review_item"),
        data={"decision": "keep"},
        hidden_from=EVERYONE - {Role.ADMINISTRATOR, Role.AGENCY_LEAD},
    ),
    # Removing asks first (GET), then acts (POST).
    "accounts:access_review_remove": Rule(
        allowed=frozenset({Role.ADMINISTRATOR, Role.AGENCY_LEAD}),
        kwargs=("pk:access_review", "item_pk:access_review_item"),
        hidden_from=EVERYONE - {Role.ADMINISTRATOR, Role.AGENCY_LEAD},
    ),
    "accounts:access_review_complete": Rule(
        allowed=frozenset({Role.ADMINISTRATOR, Role.AGENCY_LEAD}),
        method="post",
        kwargs=("pk:access_review",),
        hidden_from=EVERYONE - {Role.ADMINISTRATOR, Role.AGENCY_LEAD},
    ),
    "accounts:user_list": Rule(allowed=ADMIN),
    "accounts:user_create": Rule(allowed=ADMIN),
    "accounts:user_detail": Rule(allowed=ADMIN, kwargs=("pk:target",)),
    "accounts:user_edit": Rule(allowed=ADMIN, kwargs=("pk:target",)),
    "accounts:user_deactivate": Rule(allowed=ADMIN, kwargs=("pk:target",)),
    "accounts:user_reactivate": Rule(allowed=ADMIN, method="post", kwargs=("pk:target",)),
    "accounts:user_password_link": Rule(allowed=ADMIN, method="post", kwargs=("pk:target",)),
    "accounts:membership_add": Rule(allowed=ADMIN, kwargs=("pk:target",)),
    # Removing asks first (GET), then acts (POST): both are the administrator's alone.
    "accounts:membership_remove": Rule(
        allowed=ADMIN, kwargs=("pk:target", "membership_pk:target_membership")
    ),
    # mfa: second factors. The verify page sends someone with no factor to set one up; a
    # factor's remove page is only ever the person's own (the world's is the target's).
    "accounts:mfa_verify": Rule(allowed=EVERYONE, redirects=True),
    "accounts:mfa_recovery": Rule(allowed=EVERYONE),
    "accounts:mfa_setup": Rule(allowed=EVERYONE),
    "accounts:mfa_totp_setup": Rule(allowed=EVERYONE),
    "accounts:mfa_passkey_setup": Rule(allowed=EVERYONE),
    "accounts:mfa_recovery_codes": Rule(allowed=EVERYONE),
    "accounts:mfa_remove": Rule(
        allowed=frozenset(), kwargs=("pk:totp_device",), extra={"kind": "app"}, hidden_from=EVERYONE
    ),
    "accounts:user_mfa_reset": Rule(allowed=ADMIN, kwargs=("pk:target",)),
    "accounts:agency_list": Rule(allowed=ADMIN),
    "accounts:agency_create": Rule(allowed=ADMIN),
    # Every caller's own agency: its lead may see it, other roles may know of it but not see it.
    "accounts:agency_detail": Rule(
        allowed=frozenset({Role.ADMINISTRATOR, Role.AGENCY_LEAD}), kwargs=("pk:home_agency",)
    ),
    "accounts:agency_edit": Rule(allowed=ADMIN, kwargs=("pk:home_agency",)),
    "core:audit_trail": Rule(allowed=ADMIN),
    "core:audit_trail_export": Rule(allowed=ADMIN),
    "core:access_log": Rule(allowed=ADMIN),
    "core:settings": Rule(allowed=ADMIN),
    "core:help": Rule(allowed=EVERYONE),
    "core:help_role": Rule(allowed=EVERYONE, extra={"role": "agency-lead"}),
    # A background job is seen by whoever asked for it (the world's target) and by
    # administrators; its file goes only to whoever asked.
    "core:job": Rule(allowed=ADMIN, kwargs=JOB, hidden_from=EVERYONE - ADMIN),
    "core:job_status": Rule(allowed=ADMIN, kwargs=JOB, hidden_from=EVERYONE - ADMIN),
    "core:job_download": Rule(allowed=frozenset(), kwargs=JOB, hidden_from=EVERYONE - ADMIN),
    "core:closure_days": Rule(allowed=ADMIN),
    "core:background_work": Rule(allowed=ADMIN),
    "core:schedule_setting": Rule(
        allowed=ADMIN,
        method="post",
        extra={"schedule": "learning.digest"},
        data={"learning-digest-run_at": "08:00", "learning-digest-is_enabled": "on"},
    ),
    "core:outbox_resend": Rule(allowed=ADMIN, method="post", kwargs=("pk:dead_email",)),
    "core:closure_day_remove": Rule(allowed=ADMIN, method="post", kwargs=("pk:closure_day",)),
    # retain: Settings → Retention, the administrators' alone
    "core:retention": Rule(allowed=ADMIN),
    "core:retention_period": Rule(allowed=ADMIN, extra={"kind": "cases"}),
    "core:legal_holds": Rule(allowed=ADMIN),
    "core:legal_hold_release": Rule(allowed=ADMIN, kwargs=("pk:legal_hold",)),
    "core:retention_reviews": Rule(allowed=ADMIN),
    "core:retention_review": Rule(allowed=ADMIN, kwargs=("pk:retention_review",)),
    "core:subject_access": Rule(allowed=ADMIN),
    # A visit by address goes to the search; the download itself is posted.
    "core:subject_access_export": Rule(allowed=ADMIN, redirects=True),
    "reviews:case_list": Rule(allowed=SEES_CASES),
    "reviews:case_export": Rule(allowed=SEES_EVERY_CASE, extra={"fmt": "csv"}),
    "reviews:case_create": Rule(allowed=RUNS_REVIEWS),
    "reviews:import": Rule(allowed=RUNS_REVIEWS),
    "reviews:case_detail": Rule(allowed=SEES_CASES, kwargs=CASE, hidden_from=NOT_ON_CASE),
    "reviews:case_edit": Rule(allowed=RUNS_REVIEWS, kwargs=CASE, hidden_from=NOT_ON_CASE),
    "reviews:case_restricted": Rule(allowed=RUNS_REVIEWS, kwargs=CASE, hidden_from=NOT_ON_CASE),
    "reviews:decision_create": Rule(allowed=RUNS_REVIEWS, kwargs=CASE, hidden_from=NOT_ON_CASE),
    "reviews:pause_create": Rule(allowed=RUNS_REVIEWS, kwargs=CASE, hidden_from=NOT_ON_CASE),
    "reviews:pause_end": Rule(
        allowed=RUNS_REVIEWS,
        method="post",
        kwargs=(*CASE, "pause_pk:pause"),
        hidden_from=NOT_ON_CASE,
    ),
    "reviews:assignment_add": Rule(allowed=RUNS_REVIEWS, kwargs=CASE, hidden_from=NOT_ON_CASE),
    "reviews:assignment_remove": Rule(
        allowed=RUNS_REVIEWS,
        kwargs=(*CASE, "assignment_pk:assignment"),
        hidden_from=NOT_ON_CASE,
    ),
    "reviews:related_add": Rule(allowed=RUNS_REVIEWS, kwargs=CASE, hidden_from=NOT_ON_CASE),
    "reviews:deadlines": Rule(allowed=SEES_CASES - {Role.EXECUTIVE}),
    "reviews:calendar_reset": Rule(allowed=SEES_CASES - {Role.EXECUTIVE}, method="post"),
    "reviews:calendar_feed": Rule(allowed=None, extra={"token": "world-feed-token"}),
    "reviews:timeliness": Rule(allowed=SEES_EVERY_CASE | {Role.REVIEW_GROUP_MEMBER}),
    "reviews:timeliness_cases": Rule(
        allowed=SEES_EVERY_CASE | {Role.REVIEW_GROUP_MEMBER}, extra={"code": "child.notification"}
    ),
    "reviews:timeliness_export": Rule(allowed=SEES_EVERY_CASE, extra={"fmt": "xlsx"}),
    "reviews:standard_list": Rule(allowed=ADMIN),
    "reviews:standard_create": Rule(allowed=ADMIN),
    "reviews:standard_edit": Rule(allowed=ADMIN, kwargs=("pk:standard",)),
    # Referrals: anyone in a partner agency refers and sees their own; review officers and
    # administrators triage and decide; the referring agency's lead sees a referral (not its
    # narrative) but may not decide it. The world's referral was made by its target.
    "reviews:referral_create": Rule(allowed=EVERYONE),
    "reviews:referral_mine": Rule(allowed=EVERYONE),
    "reviews:referral_list": Rule(allowed=RUNS_REVIEWS),
    "reviews:referral_detail": Rule(
        allowed=SEES_REFERRAL, kwargs=REFERRAL, hidden_from=EVERYONE - SEES_REFERRAL
    ),
    "reviews:referral_done": Rule(
        allowed=SEES_REFERRAL, kwargs=REFERRAL, hidden_from=EVERYONE - SEES_REFERRAL
    ),
    "reviews:referral_consider": Rule(
        allowed=RUNS_REVIEWS, method="post", kwargs=REFERRAL, hidden_from=EVERYONE - SEES_REFERRAL
    ),
    "reviews:referral_convert": Rule(
        allowed=RUNS_REVIEWS, kwargs=REFERRAL, hidden_from=EVERYONE - SEES_REFERRAL
    ),
    "reviews:referral_close": Rule(
        allowed=RUNS_REVIEWS, kwargs=REFERRAL, hidden_from=EVERYONE - SEES_REFERRAL
    ),
    "reviews:theme_list": Rule(allowed=ADMIN),
    "reviews:theme_edit": Rule(allowed=ADMIN, kwargs=("pk:theme",)),
    "learning:report": Rule(allowed=SEES_EVERY_CASE | {Role.REVIEW_GROUP_MEMBER}),
    "learning:import": Rule(allowed=RUNS_REVIEWS),
    "learning:export": Rule(
        allowed=SEES_EVERY_CASE | {Role.REVIEW_GROUP_MEMBER}, extra={"fmt": "csv"}
    ),
    "learning:recommendation_list": Rule(allowed=SEES_CASES),
    "learning:themes": Rule(allowed=SEES_CASES),
    "learning:action_list": Rule(allowed=SEES_CASES),
    "learning:recommendation_create": Rule(allowed=RUNS_REVIEWS),
    "learning:recommendation_detail": Rule(allowed=SEES_CASES, kwargs=("pk:recommendation",)),
    "learning:recommendation_edit": Rule(allowed=RUNS_REVIEWS, kwargs=("pk:recommendation",)),
    "learning:action_create": Rule(allowed=RUNS_REVIEWS, kwargs=("pk:recommendation",)),
    "learning:action_detail": Rule(allowed=SEES_CASES, kwargs=("pk:action",)),
    "learning:action_edit": Rule(allowed=RUNS_REVIEWS, kwargs=("pk:action",)),
    # The action belongs to every caller's own agency: its agency lead updates it.
    "learning:progress": Rule(allowed=RUNS_REVIEWS | {Role.AGENCY_LEAD}, kwargs=("pk:action",)),
    "learning:evidence": Rule(allowed=RUNS_REVIEWS | {Role.AGENCY_LEAD}, kwargs=("pk:action",)),
    # Only someone who may sign the closure off: an administrator (or the recommendation's
    # lead, not the caller here), never the action's owner.
    "learning:close": Rule(allowed=ADMIN, kwargs=("pk:action",)),
    "learning:returns": Rule(allowed=SEES_CASES),
    # The return is from every caller's own agency: its lead makes it. It names the case, so
    # those who may not see the case may not know the return exists (decision 0013).
    "learning:return_submit": Rule(
        allowed=RUNS_REVIEWS | {Role.AGENCY_LEAD},
        kwargs=("pk:dissemination_return",),
        hidden_from=NOT_ON_CASE,
    ),
    "learning:return_request": Rule(allowed=RUNS_REVIEWS, method="post", kwargs=("case_pk:case",)),
    # Training: anyone signed in browses and books; trainers and administrators run the
    # offer; a session's own trainer (not the caller here) or an administrator runs it; only
    # the delegate (not the caller here) answers for their own place.
    "training:catalogue": Rule(allowed=EVERYONE),
    "training:mine": Rule(allowed=EVERYONE),
    "training:profile": Rule(allowed=EVERYONE),
    "training:register": Rule(allowed=None),
    "training:register_sent": Rule(allowed=None),
    "training:approval": Rule(allowed=None, kwargs=("token:approval",)),
    "training:course_list": Rule(allowed=EVERYONE),
    "training:course_create": Rule(allowed=RUNS_TRAINING),
    "training:course_detail": Rule(allowed=EVERYONE, kwargs=("pk:course",)),
    "training:course_edit": Rule(allowed=RUNS_TRAINING, kwargs=("pk:course",)),
    "training:session_create": Rule(allowed=RUNS_TRAINING, kwargs=("course_pk:course",)),
    "training:series_list": Rule(allowed=EVERYONE),
    "training:series_create": Rule(allowed=RUNS_TRAINING),
    "training:series_detail": Rule(allowed=EVERYONE, kwargs=("pk:series",)),
    "training:series_edit": Rule(allowed=RUNS_TRAINING, kwargs=("pk:series",)),
    "training:session_list": Rule(allowed=RUNS_TRAINING),
    "training:session_detail": Rule(allowed=EVERYONE, kwargs=("pk:session",)),
    "training:session_edit": Rule(allowed=ADMIN, kwargs=("pk:session",)),
    "training:session_cancel": Rule(allowed=ADMIN, kwargs=("pk:session",)),
    "training:book": Rule(allowed=EVERYONE, method="post", kwargs=("pk:session",)),
    "training:register_mark": Rule(allowed=ADMIN, kwargs=("pk:session",)),
    "training:session_evaluations": Rule(allowed=ADMIN, kwargs=("pk:session",)),
    "training:booking_detail": Rule(allowed=ADMIN, kwargs=("pk:booking",)),
    "training:booking_cancel": Rule(allowed=ADMIN, kwargs=("pk:booking",)),
    "training:evaluate": Rule(allowed=frozenset(), kwargs=("pk:booking",)),
    "training:impact": Rule(allowed=frozenset(), kwargs=("pk:booking",)),
    "training:certificate": Rule(allowed=ADMIN, kwargs=("pk:booking",)),
    "training:report": Rule(allowed=SEES_TRAINING_REPORTS),
    "training:report_export": Rule(allowed=SEES_TRAINING_REPORTS, extra={"fmt": "csv"}),
    "training:learning_loop": Rule(allowed=SEES_TRAINING_REPORTS),
    "training:workforce": Rule(allowed=ADMIN),
    # System assurance: partnership staff see it; the risk register and the pack are the
    # Executive's; administrators keep the records. The world's risk belongs to another
    # executive, its group has other members, and its audit return is the home agency's.
    "assurance:overview": Rule(allowed=SEES_ASSURANCE),
    "assurance:risk_list": Rule(allowed=STEERS),
    "assurance:risk_heatmap": Rule(allowed=STEERS),
    "assurance:risk_export": Rule(allowed=STEERS, extra={"fmt": "csv"}),
    "assurance:risk_create": Rule(allowed=ADMIN),
    "assurance:risk_settings": Rule(allowed=ADMIN),
    "assurance:risk_detail": Rule(allowed=STEERS, kwargs=RISK),
    "assurance:risk_accept": Rule(allowed=STEERS, kwargs=RISK),
    "assurance:risk_edit": Rule(allowed=ADMIN, kwargs=RISK),
    "assurance:risk_close": Rule(allowed=ADMIN, kwargs=RISK),
    "assurance:risk_review": Rule(allowed=ADMIN, kwargs=RISK),
    "assurance:risk_actions": Rule(allowed=ADMIN, kwargs=RISK),
    "assurance:inspection_list": Rule(allowed=SEES_ASSURANCE),
    "assurance:inspection_create": Rule(allowed=ADMIN),
    "assurance:inspection_detail": Rule(allowed=SEES_ASSURANCE, kwargs=("pk:inspection",)),
    "assurance:inspection_edit": Rule(allowed=ADMIN, kwargs=("pk:inspection",)),
    "assurance:inspection_recommendation_create": Rule(allowed=ADMIN, kwargs=("pk:inspection",)),
    "assurance:inspection_update": Rule(allowed=SEES_ASSURANCE),
    "assurance:inspection_update_export": Rule(allowed=SEES_ASSURANCE),
    "assurance:audit_list": Rule(allowed=SEES_ASSURANCE),
    "assurance:audit_create": Rule(allowed=ADMIN),
    "assurance:audit_detail": Rule(allowed=SEES_ASSURANCE, kwargs=("pk:audit",)),
    "assurance:audit_edit": Rule(allowed=ADMIN, kwargs=("pk:audit",)),
    "assurance:audit_request_returns": Rule(
        allowed=ADMIN, method="post", kwargs=("pk:audit",), form=("agencies:other_agency",)
    ),
    "assurance:audit_finding_create": Rule(allowed=ADMIN, kwargs=("pk:audit",)),
    "assurance:audit_return_submit": Rule(
        allowed=frozenset({Role.ADMINISTRATOR, Role.AGENCY_LEAD}), kwargs=("pk:audit_return",)
    ),
    "assurance:group_list": Rule(allowed=SEES_ASSURANCE),
    "assurance:group_create": Rule(allowed=ADMIN),
    "assurance:group_detail": Rule(allowed=SEES_ASSURANCE, kwargs=("pk:group",)),
    "assurance:group_edit": Rule(allowed=ADMIN, kwargs=("pk:group",)),
    "assurance:group_member_add": Rule(allowed=ADMIN, kwargs=("pk:group",)),
    "assurance:group_member_remove": Rule(
        allowed=ADMIN, kwargs=("pk:group", "member_pk:group_member")
    ),
    # A group's members' area: its members and chair, and administrators; nobody else may
    # know its papers exist, whatever their role (the world's group has another member).
    "assurance:your_groups": Rule(allowed=EVERYONE),
    "assurance:group_members_area": Rule(
        allowed=ADMIN, kwargs=("pk:group",), hidden_from=EVERYONE - ADMIN
    ),
    "assurance:group_paper_add": Rule(
        allowed=ADMIN, kwargs=("pk:group",), hidden_from=EVERYONE - ADMIN
    ),
    "assurance:group_paper_detail": Rule(
        allowed=ADMIN, kwargs=("pk:group_paper",), hidden_from=EVERYONE - ADMIN
    ),
    "assurance:group_paper_download": Rule(
        allowed=ADMIN, kwargs=("pk:group_paper",), hidden_from=EVERYONE - ADMIN
    ),
    "assurance:group_paper_replace": Rule(
        allowed=ADMIN, kwargs=("pk:group_paper",), hidden_from=EVERYONE - ADMIN
    ),
    "assurance:group_paper_delete": Rule(
        allowed=ADMIN, kwargs=("pk:group_paper",), hidden_from=EVERYONE - ADMIN
    ),
    "assurance:meeting_create": Rule(allowed=ADMIN, kwargs=("pk:group",)),
    "assurance:meeting_detail": Rule(allowed=SEES_ASSURANCE, kwargs=("pk:meeting",)),
    "assurance:meeting_edit": Rule(allowed=ADMIN, kwargs=("pk:meeting",)),
    "assurance:assurance_return_submit": Rule(
        allowed=ADMIN, kwargs=("pk:group",), extra={"quarter": "2024-25-Q1"}
    ),
    "assurance:assurance_rollup": Rule(allowed=SEES_ASSURANCE),
    "assurance:measure_list": Rule(allowed=SEES_ASSURANCE),
    "assurance:measure_create": Rule(allowed=ADMIN),
    "assurance:measure_detail": Rule(allowed=SEES_ASSURANCE, kwargs=("pk:measure",)),
    "assurance:measure_edit": Rule(allowed=ADMIN, kwargs=("pk:measure",)),
    "assurance:data_point_enter": Rule(allowed=ADMIN, kwargs=("pk:measure",)),
    "assurance:data_import": Rule(allowed=ADMIN),
    "assurance:data_template": Rule(allowed=ADMIN),
    "assurance:plan": Rule(allowed=SEES_ASSURANCE),
    "assurance:priority_create": Rule(allowed=ADMIN),
    "assurance:priority_detail": Rule(allowed=SEES_ASSURANCE, kwargs=("pk:priority",)),
    "assurance:priority_edit": Rule(allowed=ADMIN, kwargs=("pk:priority",)),
    "assurance:priority_update": Rule(allowed=STEERS, kwargs=("pk:priority",)),
    "assurance:priority_actions": Rule(allowed=ADMIN, kwargs=("pk:priority",)),
    "assurance:priority_measure_add": Rule(allowed=ADMIN, kwargs=("pk:priority",)),
    "assurance:scrutiny_finding_add": Rule(allowed=ADMIN, kwargs=("pk:priority",)),
    # Reports: the Executive pack and the executive member's dashboard steer the partnership.
    "reports:pack": Rule(allowed=STEERS),
    "reports:pack_pdf": Rule(allowed=STEERS, redirects=True),
    # The pack's addresses before it moved to reports: a permanent redirect for anyone, since
    # the new address decides who may see it.
    "reports:pack_moved": Rule(allowed=None, public_status=frozenset({301})),
    "reports:pack_pdf_moved": Rule(allowed=None, public_status=frozenset({301})),
    "reports:executive_dashboard": Rule(allowed=STEERS),
    # The yearly report's drafts: administrators, executive members and review officers see
    # them (and a chapter's owner their chapter: never the caller here). The world's chapter
    # was written by someone else, so the caller may approve it if their role approves.
    "reports:yearly_list": Rule(allowed=SEES_REPORT_DRAFTS),
    "reports:yearly_start": Rule(allowed=ADMIN, method="post", data={"year": "2021-22"}),
    "reports:yearly_settings": Rule(allowed=ADMIN),
    "reports:yearly_overview": Rule(allowed=SEES_REPORT_DRAFTS, extra=DRAFT_YEAR),
    "reports:yearly_chapter": Rule(allowed=SEES_REPORT_DRAFTS, extra=CHAPTER),
    "reports:yearly_chapter_approve": Rule(
        allowed=STEERS, method="post", extra=CHAPTER, data={"version": 1}
    ),
    "reports:yearly_chapter_withdraw": Rule(allowed=STEERS, extra=CHAPTER),
    "reports:yearly_chapter_history": Rule(allowed=SEES_REPORT_DRAFTS, extra=CHAPTER),
    "reports:yearly_chapter_owner": Rule(allowed=ADMIN, extra=CHAPTER),
    "reports:yearly_checklist": Rule(allowed=SEES_REPORT_DRAFTS, extra=DRAFT_YEAR),
    "reports:yearly_exception": Rule(allowed=ADMIN, extra={**DRAFT_YEAR, "content": "wt.voice"}),
    "reports:yearly_exception_withdraw": Rule(
        allowed=ADMIN, extra={**DRAFT_YEAR, "content": "wt.voice"}
    ),
    "reports:yearly_ready": Rule(allowed=ADMIN, method="post", extra=DRAFT_YEAR),
    "reports:yearly_ready_withdraw": Rule(allowed=ADMIN, extra=DRAFT_YEAR),
    "reports:yearly_publish": Rule(allowed=ADMIN, extra=DRAFT_YEAR),
    "reports:yearly_panel": Rule(allowed=ADMIN, extra=PUBLISHED_YEAR),
    "reports:yearly_circulation": Rule(allowed=ADMIN, extra=PUBLISHED_YEAR),
    "reports:yearly_report": Rule(allowed=YEARLY_REPORT, extra={"year": "2023-24"}),
    "reports:yearly_pdf": Rule(allowed=YEARLY_REPORT, extra={"year": "2023-24"}, redirects=True),
    "reports:yearly_docx": Rule(allowed=YEARLY_REPORT, extra={"year": "2023-24"}, redirects=True),
    # Dashboards: "Dashboard" sends everyone to their main role's; the business unit's for
    # administrators and review officers; an agency's scorecard (the caller's own agency
    # here) for its lead and administrators, and every agency compared for administrators.
    "reports:dashboard": Rule(allowed=EVERYONE, redirects=True),
    "reports:business_unit_dashboard": Rule(allowed=RUNS_REVIEWS),
    "reports:agency_dashboard": Rule(
        allowed=frozenset({Role.ADMINISTRATOR, Role.AGENCY_LEAD}), kwargs=("pk:home_agency",)
    ),
    "reports:agency_comparison": Rule(allowed=ADMIN),
    "reports:review_group_dashboard": Rule(
        allowed=frozenset({Role.ADMINISTRATOR, Role.REVIEW_GROUP_MEMBER})
    ),
    "reports:trainer_dashboard": Rule(allowed=RUNS_TRAINING),
    "reports:practitioner_dashboard": Rule(allowed=EVERYONE),
    # redact: the restricted details' own history, for those who need to know them (no
    # caller is on the world's case: review officers and administrators); roles that may not
    # know of the case get a page not found.
    "reviews:case_restricted_history": Rule(
        allowed=RUNS_REVIEWS, kwargs=CASE, hidden_from=NOT_ON_CASE
    ),
}

CALLERS = [ANONYMOUS, *Role]


def test_every_url_has_a_rule():
    names = {name for _, name, _ in iter_patterns(get_resolver())}
    assert "" not in names, "Every URL pattern needs a name so that it can have a rule."
    assert names - RULES.keys() == set(), "Add these URLs to RULES with who may use them."
    assert RULES.keys() - names == set(), "These RULES name URLs that no longer exist."


def test_system_check_finds_every_view_guarded(db):
    errors = [m for m in checks.run_checks() if m.id == "sightline.E001"]
    assert errors == []


@pytest.fixture
def world(db):
    home_agency = AgencyFactory.create(name="Home Agency")
    target = UserFactory.create(full_name="Target Person")
    target_membership = MembershipFactory(user=target, agency=home_agency, role=Role.PRACTITIONER)
    officer = UserFactory.create()
    MembershipFactory(user=officer, agency=home_agency, role=Role.REVIEW_OFFICER)
    CalendarFeed.objects.create(user=officer, token="world-feed-token")
    case = CaseFactory.create(officer=officer)
    case.agencies.add(home_agency)
    recommendation = Recommendation.objects.create(
        reference="R-1",
        source_type="other",
        source_title="An audit",
        text="Improve it",
        made_date=datetime.date(2024, 1, 1),
    )
    group = GroupFactory.create()
    audit = AuditFactory.create()
    session = SessionFactory.create()
    booking = BookingFactory.create(session=session, attendance=Attendance.ATTENDED)
    hub_review = PublishedReviewFactory.create(slug="a-review")
    ResourceFactory.create(slug="a-resource", review=hub_review)
    NewsItemFactory.create(slug="a-news-item")
    subscriber = SubscriberFactory.create(
        confirm_token_hash=hashlib.sha256(b"world-confirm-token").hexdigest(),
        confirm_sent_at=timezone.now(),
    )
    access_review = AccessReview.objects.create(
        agency=home_agency, period_start=datetime.date(2026, 4, 1), due_on=datetime.date(2026, 5, 1)
    )
    return {
        "access_review": access_review,
        "access_review_item": AccessReviewItem.objects.create(
            review=access_review, member=target, label="Practitioner"
        ),
        "unsubscribe": SimpleNamespace(pk=unsubscribe_token(subscriber.pk)),
        "sent_issue": SimpleNamespace(pk=NewsletterIssueFactory.create(composed_by=officer).number),
        "draft_issue": NewsletterIssueFactory.create(
            composed_by=officer, status=NewsletterIssue.Status.DRAFT, sent_at=None
        ),
        "hub_review": hub_review,
        "hub_document": HubDocument.objects.create(
            review=hub_review,
            title="Full report",
            stored_as=default_storage.save("hub/documents/world/report.pdf", ContentFile(b"%PDF")),
            file_name="report.pdf",
            content_type="application/pdf",
            size=4,
            uploaded_by=officer,
            uploaded_at=timezone.now(),
        ),
        **yearly_reports(officer),
        "other_agency": AgencyFactory.create(name="Other Agency"),
        "risk": RiskFactory.create(),
        "inspection": InspectionFactory.create(),
        "audit": audit,
        "audit_return": AuditReturnFactory.create(audit=audit, agency=home_agency),
        "group": group,
        "group_member": GroupMemberFactory.create(group=group),
        "group_paper": group_paper_add(
            actor=target,
            group=group,
            title="Minutes",
            kind="minutes",
            cleaned=document_clean(name="minutes.png", content=PNG),
        ),
        "meeting": MeetingFactory.create(group=group),
        "measure": MeasureFactory.create(group=group),
        "priority": Priority.objects.order_by("position").first(),
        "course": session.course,
        "series": SeriesFactory.create(),
        "session": session,
        "booking": booking,
        "approval": SimpleNamespace(pk=approval_token(booking.pk)),
        "home_agency": home_agency,
        "target": target,
        "totp_device": TOTPDevice.objects.create(user=target, name="App", confirmed=True),
        "target_membership": target_membership,
        "link_request": LinkRequest.objects.create(
            provider_key="testsso", issuer="http://127.0.0.1:9", subject="world-subject"
        ),
        "external_identity": ExternalIdentity.objects.create(
            provider_key="testsso", issuer="http://127.0.0.1:9", subject="target", user=target
        ),
        "case": case,
        "referral": ReferralFactory.create(referrer=target, referring_agency=home_agency),
        "pause": PauseFactory.create(case=case, recorded_by=officer),
        "assignment": CaseAssignment.objects.create(case=case, user=officer),
        "dead_email": OutboxMessage.objects.create(
            key="test:dead", kind="test", recipient="gone@example.test", subject="S", status="dead"
        ),
        "job": BackgroundJob.objects.create(
            user=target,
            kind="reports.pack_pdf",
            label="A file",
            status=BackgroundJob.Status.DONE,
            result_file=default_storage.save("jobs/world.pdf", ContentFile(b"%PDF")),
            result_name="world.pdf",
            expires_at=timezone.now() + datetime.timedelta(hours=1),
        ),
        "closure_day": ClosureDay.objects.create(
            date=datetime.date(2030, 1, 2), description="Test"
        ),
        # retain
        "legal_hold": LegalHold.objects.create(
            covers=LegalHold.Covers.CASE,
            case_reference="CR-HOLD",
            reason="A claim",
            placed_by=target,
        ),
        "retention_review": RetentionReview.objects.create(month="2030-01"),
        "standard": TimelinessStandard.objects.get(code="child.notification"),
        "theme": PracticeTheme.objects.order_by("pk").first(),
        "briefing": BriefingFactory.create(slug="a-briefing"),
        "recommendation": recommendation,
        "dissemination_return": DisseminationReturn.objects.create(
            case=case, agency=home_agency, requested_on=datetime.date(2024, 7, 1)
        ),
        "action": Action.objects.create(
            reference="R-1/A1",
            recommendation=recommendation,
            agency=home_agency,
            description="Do it",
            due_date=datetime.date(2024, 6, 1),
        ),
    }


def yearly_reports(writer) -> dict:
    """A draft yearly report for 2023-24 with a chapter written by ``writer`` and a reason
    recorded for a missing content, and a published one for 2022-23."""
    admin = UserFactory.create()
    MembershipFactory(user=admin, role=Role.ADMINISTRATOR)
    draft = YearlyReport.objects.create(start_year=2023)
    chapter = ReportChapter.objects.create(report=draft, chapter="introduction")
    ChapterVersion.objects.create(chapter=chapter, number=1, text="Words.", written_by=writer)
    ContentException.objects.create(report=draft, content="wt.voice", reason="Not this year.")
    published = YearlyReport.objects.create(
        start_year=2022,
        status=ReportStatus.PUBLISHED,
        published_at=timezone.now(),
        published_by=admin,
        published_figures={},
        published_narratives={},
        panel_due_on=timezone.localdate(),
    )
    return {"yearly_report": draft, "published_yearly_report": published}


def _url(name: str, rule: Rule, world: dict) -> str:
    kwargs = dict(rule.extra)
    for spec in rule.kwargs:
        key, _, obj = spec.partition(":")
        kwargs[key] = world[obj].pk
    return reverse(name, kwargs=kwargs or None)


@pytest.mark.parametrize("caller", CALLERS, ids=str)
@pytest.mark.parametrize("name", sorted(RULES))
def test_access(client, world, name, caller):
    rule = RULES[name]
    if caller != ANONYMOUS:
        user = UserFactory()
        MembershipFactory(user=user, agency=world["home_agency"], role=caller)
        # Keep an administrator besides the caller so no "last administrator" rule interferes.
        MembershipFactory(agency=world["home_agency"], role=Role.ADMINISTRATOR)
        client.force_login(user)
    form = {key: world[obj].pk for key, _, obj in (spec.partition(":") for spec in rule.form)}
    form |= rule.data
    response = getattr(client, rule.method)(_url(name, rule, world), form)

    if rule.allowed is None:
        assert response.status_code in rule.public_status, response.status_code
        assert "/sign-in/?next=" not in response.get("Location", "")
    elif caller == ANONYMOUS:
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=")
    elif caller in rule.allowed:
        expected = 302 if rule.method == "post" or rule.redirects else 200
        assert response.status_code == expected, response.content[:500]
    elif caller in rule.hidden_from:
        assert response.status_code == 404
    else:
        assert response.status_code == 403
