"""The drafting rules of seven-minute briefings, with no database."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline.hub import drafting
from sightline.hub.drafting import (
    GENERIC_QUESTIONS,
    MAX_QUESTIONS,
    QUESTIONS,
    SECTION_LIMIT,
    AgencyActions,
    Block,
    ReviewSource,
    agency_line,
    blank_sections,
    blocks,
    bullets,
    draft_sections,
    plain_lines,
    plural,
    reflective_questions,
    shorten,
)
from sightline.hub.vocabulary import BRIEFING_SECTIONS

SECTION_NAMES = [name for name, _ in BRIEFING_SECTIONS]


def source(**overrides):
    values = {
        "title": "Child T: a local child safeguarding practice review",
        "kind": "Local child safeguarding practice review",
        "summary": "Child T lived with her mother. Agencies did not share what they knew.",
        "themes": ("Professional curiosity", "Information sharing"),
        "recommendations": ("Share information about men in the household.", "Train staff."),
        "actions": (
            AgencyActions(
                "Police", 3, 2, ("Brief every officer", "Audit cases", "Review", "Fourth")
            ),
            AgencyActions("Health", 1, 0, ("Update the policy",)),
        ),
        "review_url": "https://hub.example.test/hub/reviews/child-t/",
        "partnership": "Northshire Safeguarding Partnership",
    }
    return ReviewSource(**(values | overrides))


def test_plural():
    assert plural(0, "action") == "0 actions"
    assert plural(1, "action") == "1 action"
    assert plural(2, "action") == "2 actions"


def test_agency_line_counts_actions_and_completions():
    assert agency_line(AgencyActions("Police", 3, 2)) == "Police: 3 actions, 2 complete"
    assert agency_line(AgencyActions("Health", 1, 0)) == "Health: 1 action, 0 complete"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("  spread \n over  lines ", 100, "spread over lines"),
        ("one two three four", 10, "one two…"),
        ("exactly10!", 10, "exactly10!"),
        ("one, two three", 6, "one…"),
    ],
)
def test_shorten(text, limit, expected):
    assert shorten(text, limit) == expected


@given(st.text(), st.integers(min_value=2, max_value=300))
def test_shorten_never_exceeds_the_limit(text, limit):
    assert len(shorten(text, limit)) <= limit


def test_bullets_skips_blank_items_and_flattens_lines():
    assert bullets(["One", "  ", "Two\nlines"]) == "- One\n- Two lines"
    assert bullets([]) == ""


def test_questions_for_known_themes_come_first_then_generic_to_make_three():
    questions = reflective_questions(["Safer sleep"])
    assert questions[:2] == list(QUESTIONS["safer sleep"])
    assert questions[2] == GENERIC_QUESTIONS[0]
    assert len(questions) == 3


def test_questions_match_theme_names_ignoring_case_and_spaces():
    assert reflective_questions(["  ESCALATION "])[:2] == list(QUESTIONS["escalation"])


def test_unknown_or_no_themes_give_the_generic_questions():
    assert reflective_questions([]) == list(GENERIC_QUESTIONS)
    assert reflective_questions(["Something new"]) == list(GENERIC_QUESTIONS)


def test_questions_are_capped_and_not_repeated():
    themes = list(QUESTIONS)
    questions = reflective_questions(themes + themes)
    assert len(questions) == MAX_QUESTIONS
    assert len(set(questions)) == len(questions)


def test_every_theme_in_the_table_is_lower_case_with_questions():
    for name, questions in QUESTIONS.items():
        assert name == name.lower()
        assert questions
        assert all(question.endswith("?") for question in questions)


def test_draft_has_the_seven_sections_filled():
    sections = draft_sections(source())
    assert list(sections) == SECTION_NAMES
    assert all(text.strip() for text in sections.values())


def test_draft_reads_the_review():
    sections = draft_sections(source())
    assert "Northshire Safeguarding Partnership published" in sections["background"]
    assert "local child safeguarding practice review" in sections["background"]
    assert sections["what_happened"] == source().summary
    assert "- Share information about men in the household." in sections["what_to_do"]
    assert "- Police: 3 actions, 2 complete" in sections["what_we_learned"]
    assert "- Health: 1 action, 0 complete" in sections["what_we_learned"]
    assert "- Police: Brief every officer" in sections["what_we_learned"]
    assert "- Professional curiosity" in sections["what_we_learned"]
    assert sections["further_information"].endswith(source().review_url)
    assert QUESTIONS["professional curiosity"][0] in sections["questions"]
    assert QUESTIONS["information sharing"][0] in sections["questions"]


def test_draft_shows_at_most_three_actions_an_agency():
    sections = draft_sections(source())
    assert "- Police: Review" in sections["what_we_learned"]
    assert "Fourth" not in sections["what_we_learned"]


def test_draft_with_nothing_but_a_title_asks_for_the_missing_parts():
    sections = draft_sections(
        source(summary="  ", themes=(), recommendations=(), actions=(), review_url="")
    )
    assert sections["what_happened"].startswith("Add a short account")
    assert sections["what_we_learned"] == "Add what the review found about practice."
    assert sections["what_to_do"].startswith("Read the review")
    assert sections["questions"] == bullets(GENERIC_QUESTIONS)
    assert sections["further_information"] == "Read the full review on the learning hub."


def test_draft_lists_a_few_recommendations_and_says_how_many_more():
    many = tuple(f"Recommendation {n}." for n in range(1, 13))
    text = draft_sections(source(recommendations=many))["what_to_do"]
    assert "- Recommendation 8." in text
    assert "Recommendation 9." not in text
    assert "4 more recommendations" in text


def test_draft_sections_stay_within_the_limit_however_long_the_review():
    long = "word " * 3000
    sections = draft_sections(
        source(
            summary=long,
            recommendations=(long,) * 20,
            actions=tuple(
                AgencyActions(f"Agency {n} " + "x" * 100, 9, 1, (long,) * 5) for n in range(60)
            ),
        )
    )
    assert all(len(text) <= SECTION_LIMIT for text in sections.values())


@given(
    st.text(max_size=5000),
    st.lists(st.text(max_size=600), max_size=15),
    st.lists(
        st.tuples(
            st.text(max_size=80), st.integers(0, 50), st.lists(st.text(max_size=400), max_size=5)
        ),
        max_size=40,
    ),
)
def test_any_review_drafts_within_the_limit(summary, recommendations, actions):
    sections = draft_sections(
        source(
            summary=summary,
            recommendations=tuple(recommendations),
            actions=tuple(AgencyActions(a, n, 0, tuple(d)) for a, n, d in actions),
        )
    )
    assert list(sections) == SECTION_NAMES
    assert all(len(text) <= SECTION_LIMIT for text in sections.values())


def test_blank_sections_propose_only_questions():
    sections = blank_sections(themes=["Self-neglect"])
    assert list(sections) == SECTION_NAMES
    assert QUESTIONS["self-neglect"][0] in sections["questions"]
    assert all(not text for name, text in sections.items() if name != "questions")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   \n\n ", []),
        ("One paragraph.", [Block(text="One paragraph.")]),
        ("Two lines\nof one paragraph.", [Block(text="Two lines of one paragraph.")]),
        ("First.\n\nSecond.", [Block(text="First."), Block(text="Second.")]),
        ("- a\n- b", [Block(items=("a", "b"))]),
        ("* a\n• b", [Block(items=("a", "b"))]),
        (
            "Intro:\n- a\n- b\nAfter.",
            [Block(text="Intro:"), Block(items=("a", "b")), Block(text="After.")],
        ),
        ("- a\n  continued\n- b", [Block(items=("a continued", "b"))]),
        ("- a\n\n- b", [Block(items=("a",)), Block(items=("b",))]),
        ("Windows\r\nline ends\r\n\r\n- x", [Block(text="Windows line ends"), Block(items=("x",))]),
        ("-not a list", [Block(text="-not a list")]),
        ("- ", []),
        ("- a\n- \n- b", [Block(items=("a", "b"))]),
    ],
)
def test_blocks(text, expected):
    assert blocks(text) == expected


@given(st.text())
def test_blocks_never_lose_words(text):
    words_in = [w.lstrip("-*•") for w in text.split()]
    words_out = " ".join(
        " ".join(block.items) if block.is_list else block.text for block in blocks(text)
    ).split()
    assert [w for w in words_in if w] == [w.lstrip("-*•") for w in words_out if w.lstrip("-*•")]


def test_plain_lines():
    assert plain_lines("Intro.\n\n- a\n- b") == ["Intro.", "a", "b"]


def test_the_module_knows_no_database():
    source_text = Path(drafting.__file__).read_text()
    assert "django" not in source_text
    assert "RESTRICTED" not in source_text
