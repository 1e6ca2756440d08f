"""What screening can find: contraindications that block booking and cautions that print."""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.domain.enums import FindingSeverity


@dataclass(frozen=True)
class FindingKind:
    key: str
    label: str
    severity: FindingSeverity
    # Therapy codes the finding matters for; empty means every therapy that needs screening.
    therapies: tuple[str, ...] = ()
    # The line a prep letter prints for a caution (placeholders are filled by the letter code).
    letter_note: str = ""


_B, _C = FindingSeverity.BLOCKING, FindingSeverity.CAUTION

FINDING_KINDS: dict[str, FindingKind] = {
    kind.key: kind
    for kind in (
        FindingKind("uncontrolled_hypertension", "Uncontrolled high blood pressure", _B),
        FindingKind("psychosis_mania", "Active psychosis or mania", _B),
        FindingKind("pregnancy_breastfeeding", "Pregnancy or breastfeeding", _B),
        FindingKind("substance_misuse", "Active substance misuse", _B),
        FindingKind(
            "vascular_disease",
            "Aneurysmal vascular disease, arteriovenous malformation or brain haemorrhage",
            _B,
            therapies=("esketamine",),
        ),
        FindingKind("other_contraindication", "Other contraindication", _B),
        FindingKind(
            "heart_disease",
            "Heart disease",
            _C,
            letter_note="Because of your heart condition, tell the nurse about any chest "
            "discomfort or palpitations before and during the session.",
        ),
        FindingKind(
            "benzodiazepines",
            "Takes benzodiazepines",
            _C,
            letter_note="You take a benzodiazepine: ask your clinician before the session "
            "whether to skip or reduce your dose, as it can blunt the treatment's effect.",
        ),
        FindingKind(
            "medication_review",
            "Other medications to review",
            _C,
            letter_note="Bring a list of all your medications; your clinician will review them "
            "with you before the session.",
        ),
    )
}
