"""People, the partner agencies they work for, and the roles they hold there."""

from functools import cached_property
from typing import Any

from django.contrib import auth
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from sightline.core.models import TimeStampedModel
from sightline.core.roles import Role

# The largest workforce an agency can record (a small integer column holds it).
MAX_WORKFORCE = 32_000


class Sector(models.TextChoices):
    CHILDRENS_SERVICES = "childrens_services", "Local authority children's services"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    POLICE = "police", "Police"
    HEALTH = "health", "Health or integrated care board"
    EDUCATION = "education", "Education"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    VOLUNTARY = "voluntary", "Voluntary sector"
    OTHER = "other", "Other"


class Agency(TimeStampedModel):
    history_labels = {
        "is_active": "Active partner",
        "workforce": "Workforce",
        "single_sign_on_only": "Single sign-on only",
    }

    name = models.CharField(max_length=150)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    is_active = models.BooleanField(default=True)
    # How many people the agency employs in the partnership's area, when the partnership knows:
    # the agency's scorecard gives its training reach against it.
    workforce = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_WORKFORCE)]
    )
    # Its staff sign in only through their organisation's single sign-on: no password sign-in
    # and no password reset, so someone disabled in the directory cannot fall back to one.
    single_sign_on_only = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="agency_name_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(sector__in=Sector.values), name="agency_sector_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(workforce__isnull=True)
                | models.Q(workforce__gte=1, workforce__lte=MAX_WORKFORCE),
                name="agency_workforce_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:agency_detail", kwargs={"pk": self.pk})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("Every user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


class SuspensionReason(models.TextChoices):
    INACTIVE = "inactive", "Not used for a long time"


class User(AbstractBaseUser, PermissionsMixin):
    # How histories name the fields (sightline.core.history); the training profile's fields
    # are recorded against the user too.
    history_labels = {
        "email": "Email address",
        "is_active": "Can sign in",
        "manager_email": "Manager's email address",
        "organisation": "Team, school or practice",
    }

    email = models.EmailField(max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Suspended: still an account (not deactivated) but unable to sign in until an
    # administrator or one of the person's agency leads lifts the suspension.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_reason = models.CharField(
        max_length=20, choices=SuspensionReason.choices, blank=True, db_default=""
    )
    # Inactivity counts from the latest of the last sign-in, joining and the last lifting.
    suspension_lifted_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(suspended_at__isnull=True, suspended_reason="")
                | models.Q(
                    suspended_at__isnull=False, suspended_reason__in=SuspensionReason.values
                ),
                name="user_suspension_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.email})" if self.full_name else self.email

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", kwargs={"pk": self.pk})

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        """Asks the policies. Unlike Django's default, being a superuser grants nothing extra.

        A permission without an object is asked many times a page (the navigation, the
        dashboards' links, the views): its answer is kept on this instance, as its roles are
        (``role_set``), and so holds for one request."""
        if obj is not None:
            return self._asks_policies(perm, obj)
        answers = self.__dict__.setdefault("_permission_cache", {})
        if perm not in answers:
            answers[perm] = self._asks_policies(perm, None)
        return answers[perm]

    def _asks_policies(self, perm: str, obj: Any) -> bool:
        return self.is_active and any(
            backend.has_perm(self, perm, obj)
            for backend in auth.get_backends()
            if hasattr(backend, "has_perm")
        )

    def _memberships(self) -> list[tuple[str, int]]:
        cache = self.__dict__.get("_membership_cache")
        if cache is None:
            # Unordered: a membership's default order (by agency name) would join the
            # agencies on every request, and roles are asked of as a set.
            memberships = self.memberships.order_by().values_list("role", "agency_id")
            cache = list(memberships) if self.pk else []
            self.__dict__["_membership_cache"] = cache
        return cache

    def remember_memberships(self, memberships: list["Membership"]) -> None:
        """Take this user's roles from ``memberships``, every one of theirs already read (the
        home page lists them), so that ``role_set`` needs no query of its own."""
        self.__dict__.setdefault(
            "_membership_cache", [(each.role, each.agency_id) for each in memberships]
        )

    @cached_property
    def role_set(self) -> frozenset[str]:
        """The roles this user holds in any agency, loaded once per request."""
        return frozenset(role for role, _ in self._memberships())

    @cached_property
    def agency_ids(self) -> frozenset[int]:
        """The agencies this user belongs to, loaded once per request."""
        return frozenset(agency_id for _, agency_id in self._memberships())

    def agency_ids_with_role(self, role: Role) -> frozenset[int]:
        return frozenset(agency for held, agency in self._memberships() if held == role)

    def forget_memberships(self) -> None:
        for name in ("_membership_cache", "role_set", "agency_ids", "_permission_cache"):
            self.__dict__.pop(name, None)


class Membership(models.Model):
    """A user's role in one partner agency."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["agency__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_role_in_agency"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}, {self.agency}"


class SignInMethod(models.TextChoices):
    PASSWORD = "password", "Password"
    PASSWORD_AND_APP = "password_app", "Password and authenticator app"
    PASSWORD_AND_PASSKEY = "password_passkey", "Password and passkey or security key"
    PASSWORD_AND_RECOVERY_CODE = "password_recovery", "Password and recovery code"
    PASSKEY = "passkey", "Passkey"
    SINGLE_SIGN_ON = "sso", "Single sign-on"


class UserSession(models.Model):
    """Which sessions belong to whom, so that deactivating someone (or "sign out everywhere")
    ends them all, and how and from where each began (the account page's recent sign-ins)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    method = models.CharField(
        max_length=20,
        choices=SignInMethod.choices,
        default=SignInMethod.PASSWORD,
        db_default=SignInMethod.PASSWORD,
    )
    # The provider's name when the method is single sign-on ("Northshire Council").
    method_detail = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method__in=SignInMethod.values), name="usersession_method_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Session of {self.user_id} from {self.created_at:%Y-%m-%d %H:%M}"


class SignInRecord(models.Model):
    """One sign-in, kept after its session ends (``UserSession`` rows go with their
    sessions): the account page's recent sign-ins. Kept for the retention registry's period."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_records")
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    method = models.CharField(
        max_length=20, choices=SignInMethod.choices, default=SignInMethod.PASSWORD
    )
    method_detail = models.CharField(max_length=100, blank=True)
    # Ties the record to its session while the session lasts (to say which are still open).
    session_key = models.CharField(max_length=40, blank=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method__in=SignInMethod.values),
                name="signinrecord_method_valid",
            ),
        ]
        indexes = [models.Index(fields=["user", "-at"], name="signinrecord_user_at_idx")]

    def __str__(self) -> str:
        return f"Sign-in of {self.user_id} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def method_label(self) -> str:
        label = SignInMethod(self.method).label
        if self.method == SignInMethod.SINGLE_SIGN_ON and self.method_detail:
            return f"Single sign-on via {self.method_detail}"
        return str(label)


class AccessReviewStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class AccessReview(models.Model):
    """Every six months an agency's leads confirm who in the agency still needs access."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="access_reviews")
    # The first day of the half-year the review is for (the day it opened, by the schedule).
    period_start = models.DateField()
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=AccessReviewStatus.choices, default=AccessReviewStatus.OPEN
    )
    opened_at = models.DateTimeField(default=timezone.now)
    completed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "period_start"], name="accessreview_one_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AccessReviewStatus.values),
                name="accessreview_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status=AccessReviewStatus.OPEN, completed_at__isnull=True)
                | models.Q(status=AccessReviewStatus.DONE, completed_at__isnull=False),
                name="accessreview_completed_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"Access review of {self.agency} from {self.period_start:%B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:access_review_detail", kwargs={"pk": self.pk})

    @property
    def period_label(self) -> str:
        return f"{self.period_start:%B %Y}"


class AccessDecision(models.TextChoices):
    KEEP = "keep", "Keep"
    REMOVE = "remove", "Remove"


class AccessReviewItem(models.Model):
    """One thing a person holds through the agency: their roles in it, or a place on a
    need-to-know list (``source`` names the registered source, ``ref`` the grant in it)."""

    ROLES = "roles"

    review = models.ForeignKey(AccessReview, on_delete=models.CASCADE, related_name="items")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=40, default=ROLES)
    ref = models.CharField(max_length=64, blank=True)
    # What is held, as it stood when the review opened ("Practitioner, Agency lead").
    label = models.CharField(max_length=300)
    decision = models.CharField(max_length=10, choices=AccessDecision.choices, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["member__full_name", "source", "label", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "member", "source", "ref"], name="accessreviewitem_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(decision="") | models.Q(decision__in=AccessDecision.values),
                name="accessreviewitem_decision_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.label}"


class ExternalIdentity(models.Model):
    """A confirmed link between a provider's stable subject and a Sightline account: single
    sign-on signs in only through one of these, never by matching an email address."""

    provider_key = models.CharField(max_length=32)
    issuer = models.CharField(max_length=300)
    # "standard": the provider's sub; "entra": tenant id and object id, "<tid>:<oid>".
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["provider_key", "created_at"]
        verbose_name_plural = "external identities"
        constraints = [
            models.UniqueConstraint(
                fields=["provider_key", "subject"], name="externalidentity_unique_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_key} sign-in of {self.user_id}"


class LinkRequest(models.Model):
    """A first single sign-on by someone Sightline does not know yet: an administrator
    confirms which account it is (or refuses) before it can sign anyone in."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an administrator"
        CONFIRMED = "confirmed", "Confirmed"
        REFUSED = "refused", "Refused"

    provider_key = models.CharField(max_length=32)
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    # As the provider showed them: unverified, shown to the administrator only as a hint.
    claimed_email = models.CharField(max_length=254, blank=True)
    claimed_name = models.CharField(max_length=150, blank=True)
    suggested_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "confirmed", "refused"]),
                name="linkrequest_status_valid",
            ),
            models.UniqueConstraint(
                fields=["provider_key", "subject"],
                condition=models.Q(status="pending"),
                name="linkrequest_one_pending_per_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"Link request {self.pk} ({self.provider_key})"


class RecoveryCode(models.Model):
    """One of the single-use codes shown once after a second factor is set up: only a hash of
    the code is kept (the codes are random, so a plain SHA-256 suffices)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recovery code of {self.user_id}"


class Passkey(models.Model):
    """A passkey or security key registered through WebAuthn: its credential's id and public
    key, and the signature counter the authenticator last reported."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(max_length=60)
    credential_id = models.BinaryField(max_length=1023)
    # The credential id as base64url: unique, and what a sign-in's assertion names.
    credential_key = models.CharField(max_length=1400, unique=True)
    public_key = models.BinaryField(max_length=2048)
    sign_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


from .throttle_models import ThrottleHit as ThrottleHit  # noqa: E402
