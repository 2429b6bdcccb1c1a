"""The code picker's and the suggestion panel's item models pass Qt's model tester."""

from __future__ import annotations

from clinic_app.codes.models import CodeHit, CodeSuggestion, CodeSystem, Evidence
from clinic_app.ui.codes.code_hit_list_model import CODE_HIT_ROLE, CodeHitListModel
from clinic_app.ui.codes.code_suggestion_table_model import (
    ACCEPTED_ROLE,
    CodeSuggestionTableModel,
    SuggestionColumn,
)
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester


def hit(code: str, billable: bool = True) -> CodeHit:
    return CodeHit(code, f"Description of {code}", billable, 1.0, CodeSystem.ICD10CM, "s1", "2026")


def test_the_code_hit_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = CodeHitListModel()
    qtmodeltester.check(model)
    model.replace_hits([hit("E11"), hit("E11.9"), hit("E11.65", billable=True)])
    assert model.index(1).data(CODE_HIT_ROLE) == hit("E11.9")
    assert model.index(0).data() == "E11  Description of E11"
    model.replace_hits([])
    qtmodeltester.check(model)


def test_the_suggestion_model_passes_the_model_tester_and_marks_accepted_codes(
    qtmodeltester: ModelTester,
) -> None:
    model = CodeSuggestionTableModel()
    qtmodeltester.check(model)
    suggestion = CodeSuggestion(
        "I10",
        "Essential (primary) hypertension",
        True,
        0.9,
        [Evidence("HTN", 0, 3)],
        "current",
        CodeSystem.ICD10CM,
        "s1",
        "2026",
    )
    model.replace_suggestions([suggestion], accepted=set())
    assert model.index(0, SuggestionColumn.EVIDENCE).data() == "HTN"
    assert model.index(0, 0).data(ACCEPTED_ROLE) is False
    model.mark_accepted("I10")
    assert model.index(0, 0).data() == "✓ I10"
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    model.replace_suggestions([], accepted=set())
    qtmodeltester.check(model)
