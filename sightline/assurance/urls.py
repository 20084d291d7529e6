from .views import audits, data, groups, inspections, pack, plan, risks

app_name = "assurance"

urlpatterns = [
    *pack.urlpatterns,
    *risks.urlpatterns,
    *inspections.urlpatterns,
    *audits.urlpatterns,
    *groups.urlpatterns,
    *data.urlpatterns,
    *plan.urlpatterns,
]
