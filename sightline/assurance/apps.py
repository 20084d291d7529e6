from django.apps import AppConfig


class AssuranceConfig(AppConfig):
    name = "sightline.assurance"
    label = "assurance"
    verbose_name = "System assurance"
