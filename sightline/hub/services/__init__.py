"""Every write to the hub, by area: ``publishing`` (drafts, approval, withdrawal, documents),
``usage`` (page views), ``briefings``, ``search`` (the index), ``newsletter``."""
