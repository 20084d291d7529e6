from django.urls import path

from . import job_views, views

app_name = "core"

urlpatterns = [
    path("audit/", views.AuditTrailView.as_view(), name="audit_trail"),
    path("audit/export.csv", views.AuditTrailExportView.as_view(), name="audit_trail_export"),
    path("jobs/<uuid:pk>/", job_views.JobView.as_view(), name="job"),
    path("jobs/<uuid:pk>/status/", job_views.JobStatusView.as_view(), name="job_status"),
    path("jobs/<uuid:pk>/download/", job_views.JobDownloadView.as_view(), name="job_download"),
    path("access-log/", views.AccessLogView.as_view(), name="access_log"),
    path("working-days/", views.ClosureDayListView.as_view(), name="closure_days"),
    path(
        "working-days/<int:pk>/remove/",
        views.ClosureDayRemoveView.as_view(),
        name="closure_day_remove",
    ),
]
