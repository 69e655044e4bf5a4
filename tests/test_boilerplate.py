"""Per-site furniture: counted by recurrence, removed wherever it stands."""

from crawler import boilerplate


def test_lines_differing_in_case_or_punctuation_count_as_one() -> None:
    assert boilerplate.line_key("Like Us on Facebook") == boilerplate.line_key("like us on facebook!")
    assert boilerplate.line_key("Like Us on Facebook") != boilerplate.line_key("Like Us on Twitter")


def test_only_short_distinct_lines_are_counted() -> None:
    lines = ["Follow us.", "follow us", "one two three four five six", ""]
    counted = boilerplate.countable_lines(lines, max_words=5)
    assert list(counted.values()) == ["Follow us."]


def test_clean_removes_learned_lines_anywhere_in_the_body() -> None:
    body = ["First paragraph.", "Sign up for The Morning Briefing.", "Second paragraph.", "Sign up for the morning briefing"]
    learned = {boilerplate.line_key("Sign up for The Morning Briefing.")}
    assert boilerplate.clean(body, learned) == ["First paragraph.", "Second paragraph."]


def test_clean_keeps_everything_when_nothing_was_learned() -> None:
    body = ["A subhead", "Sign up for The Morning Briefing.", "A paragraph."]
    assert boilerplate.clean(body, set()) == body


def test_generic_prior_catches_common_social_lines_only_when_short() -> None:
    assert boilerplate.is_generic_furniture("Like Us on Facebook")
    assert boilerplate.is_generic_furniture("Advertisement")
    assert not boilerplate.is_generic_furniture("Like us on Facebook, the senator told a crowd of supporters on Monday")


def test_a_dateline_that_leads_into_the_text_survives_learning() -> None:
    body = ["WASHINGTON (AP) —", "The Senate voted on Tuesday.", "Like Us on Facebook", "More text."]
    learned = {boilerplate.line_key("WASHINGTON (AP) —"), boilerplate.line_key("Like Us on Facebook")}
    assert boilerplate.clean(body, learned) == ["WASHINGTON (AP) —", "The Senate voted on Tuesday.", "More text."]


def test_a_learned_lead_in_with_nothing_after_it_is_furniture() -> None:
    learned = {boilerplate.line_key("Read more:")}
    assert boilerplate.clean(["A paragraph.", "Read more:"], learned) == ["A paragraph."]


def test_a_repeated_subhead_over_a_paragraph_survives_but_the_same_line_as_plain_text_does_not() -> None:
    body = ["Intro paragraph.", "What happens next", "The vote is on Friday.", "What happens next"]
    learned = {boilerplate.line_key("What happens next")}
    assert boilerplate.clean(body, learned, headings={1, 3}) == body[:3]  # the last one heads nothing
    assert boilerplate.clean(body, learned, headings=set()) == ["Intro paragraph.", "The vote is on Friday."]
