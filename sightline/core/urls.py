from django.urls import path

from . import background_views, job_views, retention_views, views

app_name = "core"

urlpatterns = [
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("help/", views.HelpView.as_view(), name="help"),
    path("help/<slug:role>/", views.HelpRoleView.as_view(), name="help_role"),
    path("audit/", views.AuditTrailView.as_view(), name="audit_trail"),
    path("audit/export.csv", views.AuditTrailExportView.as_view(), name="audit_trail_export"),
    path("jobs/<uuid:pk>/", job_views.JobView.as_view(), name="job"),
    path("jobs/<uuid:pk>/status/", job_views.JobStatusView.as_view(), name="job_status"),
    path("jobs/<uuid:pk>/download/", job_views.JobDownloadView.as_view(), name="job_download"),
    path("access-log/", views.AccessLogView.as_view(), name="access_log"),
    path("working-days/", views.ClosureDayListView.as_view(), name="closure_days"),
    path("background/", background_views.BackgroundWorkView.as_view(), name="background_work"),
    path(
        "background/schedules/<str:schedule>/",
        background_views.ScheduleSettingView.as_view(),
        name="schedule_setting",
    ),
    path(
        "background/emails/<int:pk>/send-again/",
        background_views.OutboxResendView.as_view(),
        name="outbox_resend",
    ),
    path(
        "working-days/<int:pk>/remove/",
        views.ClosureDayRemoveView.as_view(),
        name="closure_day_remove",
    ),
    # retain: Settings → Retention
    path("settings/retention/", retention_views.RetentionView.as_view(), name="retention"),
    path(
        "settings/retention/periods/<slug:kind>/",
        retention_views.RetentionPeriodView.as_view(),
        name="retention_period",
    ),
    path(
        "settings/retention/holds/", retention_views.LegalHoldListView.as_view(), name="legal_holds"
    ),
    path(
        "settings/retention/holds/<int:pk>/release/",
        retention_views.LegalHoldReleaseView.as_view(),
        name="legal_hold_release",
    ),
    path(
        "settings/retention/reviews/",
        retention_views.RetentionReviewListView.as_view(),
        name="retention_reviews",
    ),
    path(
        "settings/retention/reviews/<int:pk>/",
        retention_views.RetentionReviewView.as_view(),
        name="retention_review",
    ),
    path(
        "settings/retention/subject-access/",
        retention_views.SubjectAccessView.as_view(),
        name="subject_access",
    ),
    path(
        "settings/retention/subject-access/export.csv",
        retention_views.SubjectAccessExportView.as_view(),
        name="subject_access_export",
    ),
]
