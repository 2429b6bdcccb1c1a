"""Turns a `PatientInput` into clean column values, or a `ValidationError` naming each field."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from clinic_app.errors import ValidationError
from clinic_app.patients.models import PatientInput, Sex
from clinic_app.storage.types import is_storable_text

MAX_NAME = 100
MAX_OTHER_NAMES = 200
MAX_PHONE = 40
MAX_EMAIL = 254
MAX_ADDRESS = 500
MAX_IDENTIFIER = 40
MAX_CLINICAL_TEXT = 20_000
EARLIEST_BIRTH = date(1880, 1, 1)
MAX_ACCOUNT_ID = 36  # a UUID
_UNSTORABLE = "Contains characters that can't be stored."
_TEXT_FIELDS = (
    "given_name",
    "family_name",
    "sex",
    "other_names",
    "phone",
    "email",
    "address",
    "mrn",
    "national_id",
    "primary_doctor_id",
)
_CLINICAL_FIELDS = ("allergies", "history_notes")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,40}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_-]*$")


def fold(text: str) -> str:
    """Lower case without accents: 'Élodie' and 'elodie' sort and match alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@dataclass(frozen=True)
class CleanPatient:
    given_name: str
    family_name: str
    other_names: str | None
    sex: Sex
    birth_date: date
    phone: str | None
    phone_digits: str | None
    phone_search: str | None
    email: str | None
    address: str | None
    mrn: str | None
    national_id: str | None
    primary_doctor_id: str | None
    allergies: str | None
    history_notes: str | None


def _single_line(
    value: str, field: str, limit: int, errors: dict[str, str], *, required: bool
) -> str | None:
    if not is_storable_text(value):
        errors[field] = _UNSTORABLE
        return None
    if _LINE_CONTROL.search(value):
        errors[field] = "Must not contain control characters or line breaks."
        return None
    cleaned = " ".join(value.split())
    if not cleaned:
        if required:
            errors[field] = "Required."
        return None
    if len(cleaned) > limit:
        errors[field] = f"At most {limit} characters."
        return None
    return cleaned


def _multi_line(value: str | None, field: str, errors: dict[str, str]) -> str | None:
    if value is None:
        return None
    if not is_storable_text(value):
        errors[field] = _UNSTORABLE
        return None
    if _CONTROL.search(value):
        errors[field] = "Must not contain control characters."
        return None
    cleaned = value.replace("\r\n", "\n").strip()
    if len(cleaned) > MAX_CLINICAL_TEXT:
        errors[field] = f"At most {MAX_CLINICAL_TEXT} characters."
        return None
    return cleaned


def phone_search_terms(digits: str) -> str:
    """The number and its trailing parts, so local, national and international forms match."""
    terms = [digits]
    for length in (4, 7, 8, 9, 10):
        if len(digits) > length:
            tail = digits[-length:]
            terms.append(tail)
            if length >= 9:
                terms.append("0" + tail)  # national form with a trunk prefix
    return " ".join(dict.fromkeys(terms))


def parse_birth_date(value: str | date, today: date, errors: dict[str, str]) -> date | None:
    if isinstance(value, date):
        parsed = value
    else:
        text = value.strip()
        if not text:
            errors["birth_date"] = "Required."
            return None
        try:
            parsed = date.fromisoformat(text)
        except ValueError:
            errors["birth_date"] = "Use the form YYYY-MM-DD with a real date."
            return None
    if parsed > today:
        errors["birth_date"] = "Can't be in the future."
        return None
    if parsed < EARLIEST_BIRTH:
        errors["birth_date"] = f"Can't be before {EARLIEST_BIRTH.isoformat()}."
        return None
    return parsed


def _type_errors(data: PatientInput) -> dict[str, str]:
    """Values of the wrong type (a caller's mistake, or a script's) are named per field before
    any of them is read as text."""
    errors: dict[str, str] = {}
    for field in _TEXT_FIELDS:
        if not isinstance(getattr(data, field), str):
            errors[field] = "Must be text."
    for field in _CLINICAL_FIELDS:
        value = getattr(data, field)
        if value is not None and not isinstance(value, str):
            errors[field] = "Must be text (or left out)."
    birth = data.birth_date
    # A datetime is a date too, but "born at 14:05 UTC" is not a birth date the form can mean.
    if isinstance(birth, datetime) or not isinstance(birth, str | date):
        errors["birth_date"] = "Use a date (YYYY-MM-DD)."
    return errors


def validate_patient(data: PatientInput, today: date) -> CleanPatient:
    if not isinstance(data, PatientInput):
        raise ValidationError("Patient details are missing.")
    errors = _type_errors(data)
    if errors:
        raise ValidationError(f"Please correct: {', '.join(sorted(errors))}.", errors)
    given = _single_line(data.given_name, "given_name", MAX_NAME, errors, required=True)
    family = _single_line(data.family_name, "family_name", MAX_NAME, errors, required=True)
    other = _single_line(data.other_names, "other_names", MAX_OTHER_NAMES, errors, required=False)
    try:
        sex = Sex(data.sex.strip().lower())
    except ValueError:
        errors["sex"] = "Choose female, male, other or unknown."
        sex = Sex.UNKNOWN
    birth = parse_birth_date(data.birth_date, today, errors)
    phone = _single_line(data.phone, "phone", MAX_PHONE, errors, required=False)
    if phone and (not _PHONE.match(phone) or not any(ch.isdigit() for ch in phone)):
        errors["phone"] = "Digits, spaces and + ( ) - . / only."
    email = _single_line(data.email, "email", MAX_EMAIL, errors, required=False)
    if email and not _EMAIL.match(email):
        errors["email"] = "Not a valid e-mail address."
    address = _single_line(data.address, "address", MAX_ADDRESS, errors, required=False)
    identifiers: dict[str, str | None] = {}
    for field in ("mrn", "national_id"):
        value = _single_line(getattr(data, field), field, MAX_IDENTIFIER, errors, required=False)
        if value and not _IDENTIFIER.match(value):
            errors[field] = "Letters, digits, spaces and . / _ - only."
        identifiers[field] = value
    doctor = data.primary_doctor_id.strip() or None
    if doctor is not None and (not is_storable_text(doctor) or len(doctor) > MAX_ACCOUNT_ID):
        errors["primary_doctor_id"] = "Choose an active doctor."
    allergies = _multi_line(data.allergies, "allergies", errors)
    history = _multi_line(data.history_notes, "history_notes", errors)
    if errors or given is None or family is None or birth is None:
        fields = ", ".join(sorted(errors))
        raise ValidationError(f"Please correct: {fields}.", errors)
    digits = "".join(ch for ch in phone if ch.isdigit()) if phone else None
    phone_search = phone_search_terms(digits) if digits else None
    return CleanPatient(
        given_name=given,
        family_name=family,
        other_names=other,
        sex=sex,
        birth_date=birth,
        phone=phone,
        phone_digits=digits or None,
        phone_search=phone_search,
        email=email,
        address=address,
        mrn=identifiers["mrn"],
        national_id=identifiers["national_id"],
        primary_doctor_id=doctor,
        allergies=allergies,
        history_notes=history,
    )
