from django.urls import path

from . import report_views, views

app_name = "training"

urlpatterns = [
    path("training/", views.CatalogueView.as_view(), name="catalogue"),
    path("training/mine/", views.MyTrainingView.as_view(), name="mine"),
    path("training/mine/details/", views.ProfileView.as_view(), name="profile"),
    path("training/register/", views.RegisterView.as_view(), name="register"),
    path("training/register/sent/", views.RegisterSentView.as_view(), name="register_sent"),
    path("training/approval/<str:token>/", views.ApprovalView.as_view(), name="approval"),
    path("training/courses/", views.CourseListView.as_view(), name="course_list"),
    path("training/courses/new/", views.CourseFormView.as_view(), name="course_create"),
    path("training/courses/<int:pk>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("training/courses/<int:pk>/edit/", views.CourseFormView.as_view(), name="course_edit"),
    path(
        "training/courses/<int:course_pk>/sessions/new/",
        views.SessionCreateView.as_view(),
        name="session_create",
    ),
    path("training/series/", views.SeriesListView.as_view(), name="series_list"),
    path("training/series/new/", views.SeriesFormView.as_view(), name="series_create"),
    path("training/series/<int:pk>/", views.SeriesDetailView.as_view(), name="series_detail"),
    path("training/series/<int:pk>/edit/", views.SeriesFormView.as_view(), name="series_edit"),
    path("training/sessions/", views.SessionListView.as_view(), name="session_list"),
    path("training/sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session_detail"),
    path("training/sessions/<int:pk>/edit/", views.SessionEditView.as_view(), name="session_edit"),
    path(
        "training/sessions/<int:pk>/cancel/",
        views.SessionCancelView.as_view(),
        name="session_cancel",
    ),
    path("training/sessions/<int:pk>/book/", views.BookView.as_view(), name="book"),
    path(
        "training/sessions/<int:pk>/register/",
        views.RegisterMarkView.as_view(),
        name="register_mark",
    ),
    path(
        "training/sessions/<int:pk>/evaluations/",
        views.SessionEvaluationView.as_view(),
        name="session_evaluations",
    ),
    path("training/bookings/<int:pk>/", views.BookingDetailView.as_view(), name="booking_detail"),
    path(
        "training/bookings/<int:pk>/cancel/",
        views.BookingCancelView.as_view(),
        name="booking_cancel",
    ),
    path("training/bookings/<int:pk>/evaluate/", views.EvaluateView.as_view(), name="evaluate"),
    path("training/bookings/<int:pk>/impact/", views.ImpactView.as_view(), name="impact"),
    path(
        "training/bookings/<int:pk>/certificate.pdf",
        views.CertificateView.as_view(),
        name="certificate",
    ),
    path("training/report/", report_views.ReportView.as_view(), name="report"),
    path(
        "training/report/export.<str:fmt>",
        report_views.ReportExportView.as_view(),
        name="report_export",
    ),
    path("training/learning-loop/", report_views.LearningLoopView.as_view(), name="learning_loop"),
    path("training/workforce/", report_views.WorkforceView.as_view(), name="workforce"),
]
