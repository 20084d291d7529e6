from django.urls import path

from . import sso_views, views
from .mfa import views as mfa_views

app_name = "accounts"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    # Single sign-on (OpenID Connect): see sso_views.
    path("sign-in/sso/<slug:key>/", sso_views.SsoStartView.as_view(), name="sso_start"),
    path(
        "sign-in/sso/<slug:key>/callback/",
        sso_views.SsoCallbackView.as_view(),
        name="sso_callback",
    ),
    path("single-sign-on/", sso_views.SsoLinkListView.as_view(), name="sso_link_list"),
    path("single-sign-on/<int:pk>/", sso_views.SsoLinkDecideView.as_view(), name="sso_link_decide"),
    path(
        "users/<int:pk>/single-sign-on/<int:identity_pk>/unlink/",
        sso_views.ExternalIdentityRemoveView.as_view(),
        name="external_identity_remove",
    ),
    path("sign-out/", views.SignOutView.as_view(), name="sign_out"),
    path("account/", views.AccountView.as_view(), name="account"),
    path(
        "account/sign-out-everywhere/",
        views.SignOutEverywhereView.as_view(),
        name="sign_out_everywhere",
    ),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("users/<int:pk>/deactivate/", views.UserDeactivateView.as_view(), name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.UserReactivateView.as_view(), name="user_reactivate"),
    path(
        "users/<int:pk>/password-link/",
        views.UserSendPasswordLinkView.as_view(),
        name="user_password_link",
    ),
    path(
        "users/<int:pk>/lift-suspension/",
        views.UserSuspensionLiftView.as_view(),
        name="user_suspension_lift",
    ),
    path("users/<int:pk>/roles/new/", views.MembershipAddView.as_view(), name="membership_add"),
    path(
        "users/<int:pk>/roles/<int:membership_pk>/remove/",
        views.MembershipRemoveView.as_view(),
        name="membership_remove",
    ),
    path("agencies/", views.AgencyListView.as_view(), name="agency_list"),
    path("agencies/new/", views.AgencyCreateView.as_view(), name="agency_create"),
    path("agencies/<int:pk>/", views.AgencyDetailView.as_view(), name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.AgencyEditView.as_view(), name="agency_edit"),
    path("access-reviews/", views.AccessReviewListView.as_view(), name="access_review_list"),
    path(
        "access-reviews/<int:pk>/",
        views.AccessReviewDetailView.as_view(),
        name="access_review_detail",
    ),
    path(
        "access-reviews/<int:pk>/items/<int:item_pk>/",
        views.AccessReviewDecideView.as_view(),
        name="access_review_decide",
    ),
    path(
        "access-reviews/<int:pk>/items/<int:item_pk>/remove/",
        views.AccessReviewRemoveView.as_view(),
        name="access_review_remove",
    ),
    path(
        "access-reviews/<int:pk>/done/",
        views.AccessReviewCompleteView.as_view(),
        name="access_review_complete",
    ),
    # mfa: second factors
    path("second-factor/", mfa_views.VerifyView.as_view(), name="mfa_verify"),
    path("second-factor/recovery/", mfa_views.RecoveryView.as_view(), name="mfa_recovery"),
    path("account/second-factor/", mfa_views.SetUpView.as_view(), name="mfa_setup"),
    path("account/second-factor/app/", mfa_views.TotpSetUpView.as_view(), name="mfa_totp_setup"),
    path(
        "account/second-factor/passkey/",
        mfa_views.PasskeySetUpView.as_view(),
        name="mfa_passkey_setup",
    ),
    path(
        "account/second-factor/recovery-codes/",
        mfa_views.RecoveryCodesView.as_view(),
        name="mfa_recovery_codes",
    ),
    path(
        "account/second-factor/<str:kind>/<int:pk>/remove/",
        mfa_views.FactorRemoveView.as_view(),
        name="mfa_remove",
    ),
    path(
        "users/<int:pk>/second-factor/reset/",
        mfa_views.UserSecondFactorResetView.as_view(),
        name="user_mfa_reset",
    ),
]
