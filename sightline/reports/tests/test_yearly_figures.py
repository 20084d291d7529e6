"""The yearly report's figures, statutory contents, small numbers and sentences, worked out
without the database."""

import dataclasses
import datetime

import pytest

from sightline.reports.yearly import contents, figures
from sightline.reports.yearly.coverage import small_numbers, statutory_contents
from sightline.reports.yearly.narrative import ChapterNarrative, approved_chapters
from sightline.reports.yearly.sentences import training_sentences

from .yearly_data import YEAR, learning, make, quarter, standard, timeliness, training

D = datetime.date


def test_received_counts_every_route_and_only_starts_in_the_year():
    made = make(
        starts=[
            ("child", D(2023, 4, 1)),
            ("child", D(2024, 3, 31)),
            ("adult", D(2023, 9, 9)),
            ("child", D(2023, 3, 31)),  # the year before
            ("dhr", D(2024, 4, 1)),  # the year after
        ]
    )
    assert made.as_json()["case_reviews"]["received"] == {
        "child": 2,
        "adult": 1,
        "dhr": 0,
        "local": 0,
    }
    assert made.case_reviews.received_total() == 3


def test_published_is_in_the_year_by_date_then_reference():
    made = make(
        publications=[
            figures.Publication("B-2", "adult", D(2023, 12, 1)),
            figures.Publication("A-9", "child", D(2023, 12, 1)),
            figures.Publication("C-1", "dhr", D(2023, 5, 2)),
            figures.Publication("OLD", "dhr", D(2023, 3, 31)),
        ]
    )
    assert made.as_json()["case_reviews"]["published"] == [
        {"reference": "C-1", "route": "dhr", "published_date": "2023-05-02"},
        {"reference": "A-9", "route": "child", "published_date": "2023-12-01"},
        {"reference": "B-2", "route": "adult", "published_date": "2023-12-01"},
    ]


def test_adult_reviews_are_concluded_in_the_year_or_ongoing_at_its_end():
    def review(reference, decided, published):
        return figures.AdultReview(reference, "sar_mandatory", decided, None, published)

    made = make(
        adult_reviews=[
            review("DONE", D(2022, 5, 1), D(2023, 10, 1)),
            review("GOING", D(2023, 6, 1), None),
            review("LATER", D(2023, 6, 1), D(2024, 6, 1)),  # published after the year
            review("BEFORE", D(2021, 5, 1), D(2023, 3, 1)),  # concluded the year before
            review("NOT YET", D(2024, 4, 2), None),  # decided after the year
        ]
    )
    adult = made.as_json()["case_reviews"]["adult_reviews"]
    assert [r["reference"] for r in adult["concluded"]] == ["DONE"]
    assert [r["reference"] for r in adult["ongoing"]] == ["GOING", "LATER"]


def test_the_json_is_a_copy_the_caller_cannot_change_the_figures_through():
    made = make(timeliness_report=timeliness(standard("child.notification", 3, 2)))
    first = made.as_json()
    first["case_reviews"]["timeliness"]["standards"][0]["met"] = 99
    assert made.as_json()["case_reviews"]["timeliness"]["standards"][0]["met"] == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.since = D(2020, 1, 1)  # type: ignore[misc]


def test_assurance_quarters_in_the_json():
    risk = figures.RiskAbove("SR-1", "Front door", "Ann", 16, accepted=True)
    other = figures.RiskAbove("SR-2", "Data", "Bob", 15, accepted=False)
    made = make(
        quarters=(
            quarter(1, risks_above_appetite=(risk, other), risk_reviews_overdue=1),
            quarter(2, returns_assured=2, returns_partial=1, returns_missing=1),
            quarter(3),
            quarter(4, data_exceptions=(figures.Breach("Data", "Re-referrals", "31%", "> 25%"),)),
        ),
        priorities=(
            figures.PriorityStatus("Neglect", "Ann", ("green", "amber", "red", ""), "Slow"),
            figures.PriorityStatus("Exploitation", "", ("", "", "", ""), ""),
            figures.PriorityStatus("Under 1s", "Bob", ("red", "", "green", ""), ""),
        ),
    )
    assurance = made.as_json()["assurance"]
    assert assurance["risks"][0] | {"above_appetite_risks": []} == {
        "quarter": "2023-24 Q1",
        "as_at": "2023-06-30",
        "above_appetite": 2,
        "accepted": 1,
        "not_accepted": 1,
        "reviews_overdue": 1,
        "above_appetite_risks": [],
    }
    assert assurance["group_returns"][1] == {
        "quarter": "2023-24 Q2",
        "assured": 2,
        "partial": 1,
        "not_assured": 0,
        "missing": 1,
    }
    assert [q["count"] for q in assurance["data_exceptions"]] == [0, 0, 0, 1]
    assert [(p["priority"], p["little_progress"]) for p in assurance["priorities"]] == [
        ("Neglect", True),  # red at its last update
        ("Exploitation", True),  # no update in the year
        ("Under 1s", False),  # green at its last
    ]
    assert assurance["priorities"][0]["status"]["2023-24 Q4"] is None


def test_every_statutory_content_is_listed_in_order_and_none_covered_without_content():
    found = statutory_contents(figures=make(), approved_chapters=set())
    assert [item.id for item in found] == list(contents.CONTENT_IDS)
    assert [item.id for item in found if item.covered] == []
    assert all(item.where is None for item in found)


def test_approved_narrative_covers_its_chapters_contents():
    found = statutory_contents(figures=make(), approved_chapters={"independent_scrutiny"})
    covered = {item.id: item.where for item in found if item.covered}
    assert covered == {"wt.effectiveness": "Independent scrutiny"}


def test_figures_cover_a_content_only_when_they_have_something_for_it():
    ongoing = figures.AdultReview("SAR-1", "sar_mandatory", D(2023, 5, 1), None, None)
    refused = figures.NotAccepted("R-1", "SAR-1", "Already in place")
    found = statutory_contents(
        figures=make(
            adult_reviews=[ongoing],
            not_accepted=[refused],
            learning_report=learning(recommendations=4, with_dissemination_evidence=1),
        ),
        approved_chapters=set(),
    )
    covered = {item.id: item.where for item in found if item.covered}
    reviews = contents.chapter("practice_reviews").title
    assert covered == {
        "wt.review_actions": reviews,
        "ca.sar_ongoing": reviews,
        "ca.sar_not_implemented": reviews,
        "panel.learning_embedded": contents.chapter("learning_embedded").title,
    }


def test_an_unapproved_or_empty_narrative_covers_nothing():
    narratives = {
        "independent_scrutiny": ChapterNarrative("independent_scrutiny", "Text", approved=False),
        "next_steps": ChapterNarrative("next_steps", "  ", approved=True),
        "introduction": ChapterNarrative("introduction", "Hello", approved=True),
    }
    assert approved_chapters(narratives) == {"introduction"}


def test_narrative_paragraphs_are_split_on_blank_lines():
    narrative = ChapterNarrative("introduction", "One\nline.\n\n\nTwo <b>.\r\n\r\nThree", True)
    assert narrative.paragraphs() == ["One line.", "Two <b>.", "Three"]


def test_small_numbers_are_those_about_people_above_0_and_below_the_threshold():
    made = make(
        starts=[("child", D(2023, 5, 1)), ("child", D(2023, 6, 1)), ("adult", D(2023, 6, 1))]
        + [("dhr", D(2023, 7, n)) for n in range(1, 8)],
        timeliness_report=timeliness(standard("child.notification", 2, 2)),
    )
    found = {item.label: item.value for item in small_numbers(figures=made, threshold=5)}
    assert found == {
        "Cases received: child serious incident": 2,
        "Cases received: safeguarding adult review": 1,
        "Cases with the standard child.notification": 2,
    }
    assert small_numbers(figures=made, threshold=1) == []
    where = {item.where for item in small_numbers(figures=made, threshold=5)}
    assert where == {contents.chapter("practice_reviews").title}


def test_training_sentences_give_the_headline_in_words():
    assert training_sentences(training()) == [
        "5 practitioners attended multi-agency training between 1 April 2023 and "
        "31 March 2024: 6 attendances at 2 sessions.",
        "71.4% of evaluations rated the training good or excellent (5 of 7).",
        "33.3% of booked places with a marked register were not attended (3 of 9).",
    ]


def test_training_sentences_never_give_a_rating_from_fewer_than_three_evaluations():
    few = training(evaluations=2, good_or_excellent=None, good_or_excellent_percent=None)
    assert "too few to report" in training_sentences(few)[1]
    none = training(
        evaluations=0,
        good_or_excellent=None,
        good_or_excellent_percent=None,
        marked=0,
        no_shows=0,
        no_show_rate_percent=None,
    )
    assert training_sentences(none)[1:] == [
        "No evaluations were returned for sessions in this period.",
        "No registers were marked for sessions in this period.",
    ]


def test_the_year_is_the_financial_year():
    assert make().as_json()["year"] == YEAR.label == "2023-24"
    assert (make().as_json()["from"], make().as_json()["to"]) == ("2023-04-01", "2024-03-31")
