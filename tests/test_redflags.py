"""The 17 red-flag questions, their urgencies, and the one rule before any guidance."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backpoints.catalog import Catalog
from backpoints.core import redflags
from backpoints.core.redflags import (
    GROUPS,
    QUESTION_LIST,
    QUESTIONS,
    URGENCY,
    Ask,
    GoAhead,
    Refer,
    decide,
    due,
    standing_after,
)
from backpoints.core.screening import UnknownFlag, screen
from backpoints.core.vocab import EMERGENCY_FLAGS, RED_FLAGS, URGENT_FLAGS

#: The contract: every question id and its urgency (emergency: call the number now).
DESIGN_URGENCY = {
    "bladder_or_bowel_change": "emergency",
    "saddle_numbness": "emergency",
    "progressive_leg_weakness": "emergency",
    "bilateral_leg_symptoms": "emergency",
    "chest_pain_or_breathless": "emergency",
    "major_trauma": "emergency",
    "fever_or_unwell": "urgent",
    "cancer_history": "urgent",
    "unexplained_weight_loss": "urgent",
    "constant_night_pain": "urgent",
    "osteoporosis_or_steroids": "urgent",
    "immunosuppressed_or_iv_drugs": "urgent",
    "new_thoracic_pain": "urgent",
    "back_lump_or_deformity": "urgent",
    "difficulty_walking": "urgent",
    "sexual_dysfunction": "urgent",
    "new_pain_under_20_or_over_50": "urgent",
}
ALL_NO = dict.fromkeys(QUESTIONS, False)


def test_there_are_exactly_the_17_questions_of_the_contract() -> None:
    assert len(QUESTION_LIST) == 17
    assert set(QUESTIONS) == set(DESIGN_URGENCY) == set(RED_FLAGS)
    assert set(EMERGENCY_FLAGS) == {q for q, u in DESIGN_URGENCY.items() if u == "emergency"}
    assert set(URGENT_FLAGS) == {q for q, u in DESIGN_URGENCY.items() if u == "urgent"}


@pytest.mark.parametrize(("flag", "urgency"), sorted(DESIGN_URGENCY.items()))
def test_each_question_maps_to_its_urgency(flag: str, urgency: str) -> None:
    assert URGENCY[flag] == urgency
    verdict = screen([flag])
    assert verdict.refer and verdict.urgency == urgency
    decision = decide(age=40, standing=(), answers={**ALL_NO, flag: True}, asked_now=True)
    assert isinstance(decision, Refer)
    assert decision.urgency == urgency and decision.standing == (flag,)


@pytest.mark.parametrize("question", QUESTION_LIST, ids=lambda q: q.id)
def test_each_question_is_plain_grouped_and_sourced(catalog: Catalog, question: object) -> None:
    assert isinstance(question, redflags.Question)
    assert question.text.endswith("?") and len(question.text) < 140
    assert question.group in GROUPS and question.label
    assert question.sources and set(question.sources) <= set(catalog.sources)


def test_emergency_questions_come_first_in_their_own_groups() -> None:
    urgencies = [q.urgency for q in QUESTION_LIST]
    assert urgencies == sorted(urgencies, key=lambda u: u != "emergency")
    groups = [title for title, _ in redflags.questions_in_groups()]
    assert groups == list(GROUPS)
    order = [q.id for _, found in redflags.questions_in_groups() for q in found]
    assert order == list(QUESTIONS)
    for _, found in redflags.questions_in_groups():
        assert len({q.urgency for q in found}) == 1


@given(st.sets(st.sampled_from(RED_FLAGS), min_size=1))
def test_the_gravest_urgency_wins(flags: set[str]) -> None:
    decision = decide(age=None, standing=flags, answers={}, asked_now=False)
    assert isinstance(decision, Refer)
    expected = "emergency" if flags & set(EMERGENCY_FLAGS) else "urgent"
    assert decision.urgency == expected


@given(
    st.sets(st.sampled_from(RED_FLAGS)),
    st.dictionaries(st.sampled_from(RED_FLAGS), st.booleans()),
)
def test_a_flag_stands_until_its_question_is_answered_no(
    standing: set[str], answers: dict[str, bool]
) -> None:
    after = set(standing_after(standing, answers))
    for flag in RED_FLAGS:
        if flag in answers:
            assert (flag in after) == answers[flag]
        else:
            assert (flag in after) == (flag in standing)


@given(
    st.sets(st.sampled_from(RED_FLAGS), min_size=1),
    st.dictionaries(st.sampled_from(RED_FLAGS), st.booleans()),
    st.booleans(),
)
def test_no_go_ahead_while_any_flag_stands(
    standing: set[str], answers: dict[str, bool], asked_now: bool
) -> None:
    decision = decide(age=30, standing=standing, answers=answers, asked_now=asked_now)
    if standing_after(standing, answers):
        assert isinstance(decision, Refer)
    else:
        assert not isinstance(decision, Refer)


def test_when_due_every_question_needs_an_answer() -> None:
    partial = dict(list(ALL_NO.items())[:-1])
    decision = decide(age=None, standing=(), answers=partial, asked_now=True)
    assert isinstance(decision, Ask) and decision.missing == (list(QUESTIONS)[-1],)
    assert isinstance(decide(age=None, standing=(), answers=ALL_NO, asked_now=True), GoAhead)
    assert isinstance(decide(age=None, standing=(), answers={}, asked_now=False), GoAhead)


@pytest.mark.parametrize("age", [0, 5, 12, 15])
def test_under_16_gets_no_guidance_even_with_every_answer_no(age: int) -> None:
    decision = decide(age=age, standing=(), answers=ALL_NO, asked_now=True)
    assert isinstance(decision, Refer) and decision.age and decision.urgency is None
    assert "parent" in decision.message and "doctor" in decision.message


@pytest.mark.parametrize("age", [16, 17, 40, 90, None])
def test_16_and_over_or_unknown_age_may_go_ahead(age: int | None) -> None:
    assert isinstance(decide(age=age, standing=(), answers=ALL_NO, asked_now=True), GoAhead)


def test_due_first_time_new_or_worse_pain_or_while_a_flag_stands() -> None:
    assert due((), None, {"neck": 3})
    assert not due((), {"neck": 3}, {"neck": 4})
    assert due((), {"neck": 3}, {"neck": 6})
    assert due((), {"neck": 3}, {"neck": 3, "sacrum": 1})
    assert due(("cancer_history",), {"neck": 3}, {"neck": 3})


def test_an_unknown_answer_is_refused_by_name() -> None:
    with pytest.raises(UnknownFlag, match="sore_toe"):
        decide(age=None, standing=(), answers={"sore_toe": True}, asked_now=True)
