from .views import audits, data, groups, inspections, plan, risks

app_name = "assurance"

urlpatterns = [
    *risks.urlpatterns,
    *inspections.urlpatterns,
    *audits.urlpatterns,
    *groups.urlpatterns,
    *data.urlpatterns,
    *plan.urlpatterns,
]
