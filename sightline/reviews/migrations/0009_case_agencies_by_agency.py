"""An index on the agencies involved in each case, agency first with the case beside it.

Whoever sees the cases of their agencies (agency leads, review group members) has their
lists, counts and dashboards limited to ``case_id IN (SELECT case_id FROM
reviews_case_agencies WHERE agency_id IN (...))`` (``reviews.selectors.visible_case_filter``).
The index Django made for the foreign key holds the agency alone, so PostgreSQL read every
involvement of the agency from the table itself: 655 pages, 1.5 to 3 ms, for each count and
list of an agency with 10,888 involvements at 53,000 cases. With the case in the index the
same read is an index-only scan of about 30 pages. Django makes the table of a many-to-many
field itself, without ``Meta.indexes``, so the index is made here in SQL that SQLite and
PostgreSQL both take; the unique pair (case, agency) stays as it was, for the other
direction.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reviews", "0008_redact_restricted_audit")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX case_agencies_agency_case_idx "
            "ON reviews_case_agencies (agency_id, case_id)",
            reverse_sql="DROP INDEX case_agencies_agency_case_idx",
        ),
    ]
