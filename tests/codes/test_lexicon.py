"""The reviewable data files in resources/codes load, and every default code they name is a
billable code of the shipped ICD-10-CM release."""

from __future__ import annotations

from clinic_app.codes.icd10cm_importer import packaged_release, parse_icd10cm
from clinic_app.codes.lexicon import load_lexicon


def test_the_data_files_load() -> None:
    lexicon = load_lexicon()
    assert lexicon.expansions[("htn",)].words == ("hypertension",)
    assert lexicon.expansions[("af",)].upper_only
    assert lexicon.expansions[("poorly", "controlled")].qualifier
    assert lexicon.triggers[("denies",)] == "negated"
    assert lexicon.triggers[("family", "history", "of")] == "family"
    assert len(lexicon.index_terms) > 200


def test_every_default_code_is_billable_in_the_release() -> None:
    billable = {item.code for item in parse_icd10cm(packaged_release()).items if item.billable}
    missing = [(words, code) for words, code in load_lexicon().index_terms if code not in billable]
    assert missing == []
