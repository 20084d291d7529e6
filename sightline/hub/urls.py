from .views import briefings, manage, newsletter, public, search

app_name = "hub"

urlpatterns = [
    *public.urlpatterns,
    *briefings.urlpatterns,
    *search.urlpatterns,
    *newsletter.urlpatterns,
    *manage.urlpatterns,
]
