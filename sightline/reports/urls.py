from .views import dashboards, drafting, yearly

app_name = "reports"

urlpatterns = [*dashboards.urlpatterns, *yearly.urlpatterns, *drafting.urlpatterns]
