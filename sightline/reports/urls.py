from .views import dashboards

app_name = "reports"

urlpatterns = [*dashboards.urlpatterns]
