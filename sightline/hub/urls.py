from .views import manage, public

app_name = "hub"

urlpatterns = [
    *public.urlpatterns,
    *manage.urlpatterns,
]
