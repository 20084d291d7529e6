from .views import yearly

app_name = "reports"

urlpatterns = [*yearly.urlpatterns]
