from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/export.<str:fmt>", views.CaseExportView.as_view(), name="case_export"),
    path("cases/new/", views.CaseCreateView.as_view(), name="case_create"),
    path("cases/import/", views.ImportView.as_view(), name="import"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/edit/", views.CaseEditView.as_view(), name="case_edit"),
    path("cases/<int:pk>/restricted/", views.RestrictedEditView.as_view(), name="case_restricted"),
    path(
        "cases/<int:pk>/restricted/history/",
        views.RestrictedHistoryView.as_view(),
        name="case_restricted_history",
    ),
    path(
        "cases/<int:pk>/decisions/new/", views.DecisionCreateView.as_view(), name="decision_create"
    ),
    path("cases/<int:pk>/pauses/new/", views.PauseCreateView.as_view(), name="pause_create"),
    path(
        "cases/<int:pk>/pauses/<int:pause_pk>/end/", views.PauseEndView.as_view(), name="pause_end"
    ),
    path("cases/<int:pk>/people/new/", views.AssignmentAddView.as_view(), name="assignment_add"),
    path(
        "cases/<int:pk>/people/<int:assignment_pk>/remove/",
        views.AssignmentRemoveView.as_view(),
        name="assignment_remove",
    ),
    path("cases/<int:pk>/related/new/", views.RelatedCaseAddView.as_view(), name="related_add"),
    path("deadlines/", views.DeadlinesView.as_view(), name="deadlines"),
    path("deadlines/calendar/reset/", views.CalendarFeedResetView.as_view(), name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed_view, name="calendar_feed"),
    path("timeliness/", views.TimelinessView.as_view(), name="timeliness"),
    path(
        "timeliness/export.<str:fmt>",
        views.TimelinessExportView.as_view(),
        name="timeliness_export",
    ),
    path("timeliness/standards/", views.StandardListView.as_view(), name="standard_list"),
    path("timeliness/standards/new/", views.StandardFormView.as_view(), name="standard_create"),
    path("timeliness/standards/<int:pk>/", views.StandardFormView.as_view(), name="standard_edit"),
    path("timeliness/<str:code>/", views.TimelinessCasesView.as_view(), name="timeliness_cases"),
    path("referrals/", views.ReferralTriageView.as_view(), name="referral_list"),
    path("referrals/new/", views.ReferralCreateView.as_view(), name="referral_create"),
    path("referrals/mine/", views.ReferralOwnListView.as_view(), name="referral_mine"),
    path("referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral_detail"),
    path("referrals/<int:pk>/sent/", views.ReferralDoneView.as_view(), name="referral_done"),
    path(
        "referrals/<int:pk>/consider/",
        views.ReferralConsiderView.as_view(),
        name="referral_consider",
    ),
    path("referrals/<int:pk>/case/", views.ReferralConvertView.as_view(), name="referral_convert"),
    path("referrals/<int:pk>/close/", views.ReferralCloseView.as_view(), name="referral_close"),
    path("themes/", views.ThemeListView.as_view(), name="theme_list"),
    path("themes/<int:pk>/", views.ThemeEditView.as_view(), name="theme_edit"),
]
