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
    history_labels = {"is_active": "Active partner", "workforce": "Workforce"}

    name = models.CharField(max_length=150)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    is_active = models.BooleanField(default=True)
    # How many people the agency employs in the partnership's area, when the partnership knows:
    # the agency's scorecard gives its training reach against it.
    workforce = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_WORKFORCE)]
    )

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

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.email})" if self.full_name else self.email

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", kwargs={"pk": self.pk})

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        """Asks the policies. Unlike Django's default, being a superuser grants nothing extra."""
        return self.is_active and any(
            backend.has_perm(self, perm, obj)
            for backend in auth.get_backends()
            if hasattr(backend, "has_perm")
        )

    def _memberships(self) -> list[tuple[str, int]]:
        cache = self.__dict__.get("_membership_cache")
        if cache is None:
            cache = list(self.memberships.values_list("role", "agency_id")) if self.pk else []
            self.__dict__["_membership_cache"] = cache
        return cache

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
        for name in ("_membership_cache", "role_set", "agency_ids"):
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
        max_length=20, choices=SignInMethod.choices, default=SignInMethod.PASSWORD
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


# --- mfa: second factors besides django-otp's authenticator apps (TOTPDevice) ---------------


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
