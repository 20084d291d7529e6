from typing import Any

from django.contrib.auth.backends import ModelBackend

from .models import User


class PasswordBackend(ModelBackend):
    """Checks email and password, and grants no permissions: those come from the policies.

    A suspended account cannot sign in, and a session it still had is no longer signed in
    (``get_user`` asks ``user_can_authenticate``). When the password was right the request is
    marked, so the sign-in page can say why (a wrong password says nothing of the account)."""

    def authenticate(
        self, request: Any, username: Any = None, password: Any = None, **kw: Any
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kw)
        if user is None and request is not None and username and password:
            found = User.objects.filter(email__iexact=username, suspended_at__isnull=False).first()
            if found is not None and found.is_active and found.check_password(password):
                request.sightline_suspended_user = found
        return user

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "suspended_at", None) is None

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False
