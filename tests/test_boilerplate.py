"""Per-site furniture: counted by recurrence, removed wherever it stands."""

from crawler.extract import furniture


def test_lines_differing_in_case_or_punctuation_count_as_one() -> None:
    assert furniture.line_key("Like Us on Facebook") == furniture.line_key("like us on facebook!")
    assert furniture.line_key("Like Us on Facebook") != furniture.line_key("Like Us on Twitter")


def test_only_short_distinct_lines_are_counted() -> None:
    lines = ["Follow us.", "follow us", "one two three four five six", ""]
    counted = furniture.countable_lines(lines, max_words=5)
    assert list(counted.values()) == ["Follow us."]


def test_clean_removes_learned_lines_anywhere_in_the_body() -> None:
    body = [
        "First paragraph.",
        "Sign up for The Morning Briefing.",
        "Second paragraph.",
        "Sign up for the morning briefing",
    ]
    learned = {furniture.line_key("Sign up for The Morning Briefing.")}
    assert furniture.clean(body, learned) == ["First paragraph.", "Second paragraph."]


def test_clean_keeps_everything_when_nothing_was_learned() -> None:
    body = ["A subhead", "Sign up for The Morning Briefing.", "A paragraph."]
    assert furniture.clean(body, set()) == body


def test_generic_prior_catches_common_social_lines_only_when_short() -> None:
    assert furniture.is_generic_furniture("Like Us on Facebook")
    assert furniture.is_generic_furniture("Advertisement")
    assert not furniture.is_generic_furniture("Like us on Facebook, the senator told a crowd of supporters on Monday")


def test_a_dateline_that_leads_into_the_text_survives_learning() -> None:
    body = ["WASHINGTON (AP) —", "The Senate voted on Tuesday.", "Like Us on Facebook", "More text."]
    learned = {furniture.line_key("WASHINGTON (AP) —"), furniture.line_key("Like Us on Facebook")}
    assert furniture.clean(body, learned) == ["WASHINGTON (AP) —", "The Senate voted on Tuesday.", "More text."]


def test_a_learned_lead_in_with_nothing_after_it_is_furniture() -> None:
    learned = {furniture.line_key("Read more:")}
    assert furniture.clean(["A paragraph.", "Read more:"], learned) == ["A paragraph."]


def test_a_repeated_subhead_over_a_paragraph_survives_but_the_same_line_as_plain_text_does_not() -> None:
    body = ["Intro paragraph.", "What happens next", "The vote is on Friday.", "What happens next"]
    learned = {furniture.line_key("What happens next")}
    assert furniture.clean(body, learned, headings={1, 3}) == body[:3]  # the last one heads nothing
    assert furniture.clean(body, learned, headings=set()) == ["Intro paragraph.", "The vote is on Friday."]


# -- sentences at a paragraph's edges -----------------------------------------------

PARAGRAPH = "The council votes in March on the plan to widen the bridge, the mayor said on Tuesday."


def test_a_sentence_appended_to_a_paragraph_is_counted_apart_from_the_paragraph() -> None:
    line = f"{PARAGRAPH} Tap here to follow the Courier on WhatsApp."
    counted = furniture.countable_lines([line], max_words=40)
    assert furniture.line_key("Tap here to follow the Courier on WhatsApp.") in counted
    assert furniture.line_key(line) in counted
    assert furniture.line_key(PARAGRAPH) not in counted  # a sentence this long (17 words) says too much to be furniture


def test_a_learned_sentence_is_cut_from_the_end_or_start_of_a_paragraph_and_the_paragraph_stays() -> None:
    learned = {
        furniture.line_key("Tap here to follow the Courier on WhatsApp."),
        furniture.line_key("Listen to this story."),
    }
    body = [f"{PARAGRAPH} Tap here to follow the Courier on WhatsApp.", f"Listen to this story. {PARAGRAPH}"]
    assert furniture.clean(body, learned) == [PARAGRAPH, PARAGRAPH]


def test_two_sentences_of_furniture_appended_one_after_the_other_both_go() -> None:
    two = ["The Ledger is reader-funded.", "Join for $3 a month."]
    learned = {furniture.line_key(s) for s in two}
    assert furniture.clean([f"{PARAGRAPH} {' '.join(two)}"], learned) == [PARAGRAPH]


def test_a_sentence_run_on_without_a_full_stop_is_counted_at_the_story_end_and_cut() -> None:
    tail = "Download the Valley Post app to read offline."
    story = ["First paragraph of the story.", f"Reporting by Ana Ruiz; editing by Tom Lee © Reuters {tail}"]
    assert furniture.line_key(tail) in furniture.countable_lines(story, max_words=40)
    assert (
        furniture.clean(story, {furniture.line_key(tail)})[-1] == "Reporting by Ana Ruiz; editing by Tom Lee © Reuters"
    )


def test_abbreviations_initials_and_quotes_do_not_end_sentences_where_they_do_not() -> None:
    text = 'PASADENA, Calif. (AP) — Gen. J. Mann of the U.S. Army said "no." Then he left. "Why?" she asked.'
    assert furniture.sentences(text) == (
        'PASADENA, Calif. (AP) — Gen. J. Mann of the U.S. Army said "no."',
        "Then he left.",
        '"Why?" she asked.',
    )


def test_a_newsroom_note_in_the_same_words_on_many_pages_is_never_furniture() -> None:
    notes = [
        "Jane Roe contributed to this report.",
        "Correction: An earlier version misstated the date of the vote.",
        "This story has been updated with comment from the county.",
    ]
    learned = {furniture.line_key(note) for note in notes}
    learned.add(
        furniture.line_key("An earlier version misstated the date of the vote.")
    )  # the words after "Correction:"
    body = [PARAGRAPH, *notes, f"{PARAGRAPH} Jane Roe contributed to this report."]
    assert furniture.clean(body, learned) == body


# -- photo credits -------------------------------------------------------------------


def test_photo_credits_and_captions_led_by_one_go_by_their_shape() -> None:
    body = [
        "(Photo : Getty Images) The US military has long said that South Korea needs the system.",
        PARAGRAPH,
        "Photo: AP/Jane Doe",
        f"{PARAGRAPH} Image via Reuters",
        "Photograph: Sam Lee/Getty Images",
    ]
    assert furniture.clean(body, set()) == [PARAGRAPH, PARAGRAPH]


def test_text_about_photos_is_not_a_credit() -> None:
    body = [
        "Photos by the agency show the flooded road and the damaged bridge near the river on Sunday morning.",
        "Image quality was poor, the lawyers said.",
        "The picture: a city that cannot pay for its roads.",
    ]
    assert furniture.clean(body, set()) == body


def test_a_short_learned_sentence_run_on_to_a_line_is_cut_only_where_it_starts_as_a_sentence() -> None:
    learned = {furniture.line_key("Found this useful?"), furniture.line_key("Read more here.")}
    body = ["Spiced Honey Pear Jam Found this useful?", "For the full recipe you can read more here."]
    assert furniture.clean(body, learned) == ["Spiced Honey Pear Jam", "For the full recipe you can read more here."]
