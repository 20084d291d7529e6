import re
from pathlib import Path

import pytest
from jinja2 import Environment

import sightline
from config.jinja2 import environment
from sightline.core.tables import STACKED_CLASS, data_table, record_table

RECORDS = """
<table class="govuk-table">
  <caption class="govuk-table__caption">People &amp; roles</caption>
  <thead class="govuk-table__head"><tr class="govuk-table__row">
    <th scope="col" class="govuk-table__header">Name</th>
    <th scope="col" class="govuk-table__header">Email &amp; phone</th>
    <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Action</span></th>
  </tr></thead>
  <tbody class="govuk-table__body">
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header">Ann <b>O'Neil</b></th>
      <td class="govuk-table__cell">ann@example.test<br>01234</td>
      <td class="govuk-table__cell"><a href="/x/?a=1&amp;b=2">Remove<span class="govuk-visually-hidden"> Ann</span></a></td>
    </tr>
    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="3">No more people</td></tr>
  </tbody>
</table>
"""


def test_record_table_labels_each_body_cell_with_its_column_heading():
    html = str(record_table(RECORDS))
    assert f'<table class="govuk-table {STACKED_CLASS}">' in html
    assert '<th scope="row" class="govuk-table__header" data-label="Name">Ann <b>' in html
    assert '<td class="govuk-table__cell" data-label="Email &amp; phone">ann@' in html
    # A heading for screen readers only labels nothing on screen; nor does a cell spanning
    # several columns.
    assert html.count("data-label") == 2
    assert '<td class="govuk-table__cell" colspan="3">No more people' in html
    # Everything else is left exactly as it was.
    assert (
        html.replace(' data-label="Name"', "")
        .replace(' data-label="Email &amp; phone"', "")
        .replace(f" {STACKED_CLASS}", "")
        == RECORDS
    )


def test_record_table_counts_columns_across_spans_and_uses_the_last_heading_row():
    html = str(
        record_table(
            "<table><thead><tr><th colspan='2'>Dates</th><th>Who</th></tr>"
            "<tr><th>From</th><th>To</th><th>Person</th></tr></thead>"
            "<tbody><tr><td colspan='2'>All year</td><td>Bo</td></tr>"
            "<tr><td>May</td><td>June</td><td data-label='Chosen'>Cy</td></tr></tbody></table>"
        )
    )
    assert '<td data-label="Person">Bo</td>' in html
    assert '<td data-label="From">May</td><td data-label="To">June</td>' in html
    assert "<td data-label='Chosen'>Cy</td>" in html


def test_record_table_can_stack_until_the_desktop_breakpoint():
    html = str(record_table(RECORDS, until="desktop"))
    assert f'<table class="govuk-table {STACKED_CLASS}-until-desktop">' in html
    assert 'data-label="Name"' in html
    with pytest.raises(ValueError, match="until must be"):
        record_table(RECORDS, until="wide")


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<p>No table</p>", "Expected one <table>, found 0"),
        ("<table></table><table></table>", "Expected one <table>, found 2"),
        ("<table><tbody><tr><td>x</td></tr></tbody></table>", "needs a <thead>"),
    ],
)
def test_record_table_refuses_what_it_cannot_label(markup, message):
    with pytest.raises(ValueError, match=message):
        record_table(markup)


def test_data_table_scrolls_in_a_region_labelled_by_its_caption():
    html = str(data_table(RECORDS))
    assert html.startswith(
        '<div class="sightline-table-scroll" role="region" '
        'aria-labelledby="table-people-roles" tabindex="0">'
    )
    assert '<caption id="table-people-roles" class="govuk-table__caption">' in html
    assert html.endswith("</table>\n</div>")
    assert "data-label" not in html


def test_data_table_keeps_a_caption_id_or_takes_a_heading_id():
    with_id = RECORDS.replace('<caption class="govuk-table__caption">', '<caption id="c1">')
    assert 'aria-labelledby="c1"' in data_table(with_id)
    no_caption = "<table><tr><td>1</td></tr></table>"
    assert 'aria-labelledby="figures-heading"' in data_table(no_caption, "figures-heading")
    with pytest.raises(ValueError, match="needs a <caption>"):
        data_table(no_caption)


def test_the_filters_work_as_filter_blocks_in_templates():
    env: Environment = environment(loader=None, autoescape=True)
    template = env.from_string(
        "{% filter record_table %}<table><thead><tr><th>Name</th></tr></thead><tbody>"
        "{% for name in names %}<tr><td>{{ name }}</td></tr>{% endfor %}"
        "</tbody></table>{% endfilter %}"
    )
    html = template.render(names=["<script>", "Di"])
    assert '<td data-label="Name">&lt;script&gt;</td>' in html
    assert '<td data-label="Name">Di</td>' in html


def test_every_table_in_a_template_chooses_how_it_reads_on_a_phone():
    """Each ``<table>`` sits in a record_table or data_table filter block, so that no page is
    wider than a 320 pixel screen (docs/decisions/0008-small-screens.md)."""
    templates = sorted(Path(sightline.__file__).parent.glob("*/jinja2/**/*.html"))
    unwrapped = []
    tables = 0
    for template in templates:
        lines = template.read_text().splitlines()
        for number, line in enumerate(lines):
            if "<table" not in line:
                continue
            tables += 1
            before = [text.strip() for text in lines[:number] if text.strip()]
            if not before or not re.fullmatch(r"{% filter (record|data)_table\b.*%}", before[-1]):
                unwrapped.append(
                    f"{template.relative_to(Path(sightline.__file__).parent)}:{number + 1}"
                )
    assert tables > 50
    assert unwrapped == []
