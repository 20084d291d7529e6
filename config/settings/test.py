"""Settings for the test suite: fast hashing, local memory email, static files from finders."""

from sightline.accounts.sso_config import providers_from_environ

from .local import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Jobs run at once, in the test's own thread and transaction.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test process its own cache, emptied before each test (conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
SIGHTLINE_PARTNERSHIP_NAME = "Northshire Safeguarding Partnership"
SIGHTLINE_STRICT_TEMPLATES = True
# One single sign-on provider, unreachable (nothing listens on the discard port): the access
# matrix and the fuzz test reach its pages; the real flow's tests start a provider of their own.
SIGHTLINE_OIDC_PROVIDERS = providers_from_environ(
    {
        "SIGHTLINE_OIDC_PROVIDERS": "testsso",
        "SIGHTLINE_OIDC_TESTSSO_NAME": "Test single sign-on",
        "SIGHTLINE_OIDC_TESTSSO_ISSUER": "http://127.0.0.1:9",
        "SIGHTLINE_OIDC_TESTSSO_CLIENT_ID": "sightline",
        "SIGHTLINE_OIDC_TESTSSO_CLIENT_SECRET": "not-a-secret",
        "SIGHTLINE_OIDC_TESTSSO_AGENCIES": "Home Agency",
    }
)
# The second factor is not enforced unless a test turns it on (override_settings): the tests
# that sign in with force_login stand for a session that has completed it.
SIGHTLINE_MFA_ENFORCED = False
SIGHTLINE_DEMO = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # The audit trail's tables refuse TRUNCATE (core 0008) unless this is on: the test
    # database is emptied with TRUNCATE between tests that commit.
    _test_options = DATABASES["default"]["OPTIONS"]  # noqa: F405
    _test_options["options"] = f"{_test_options['options']} -c sightline.allow_truncate=on"
