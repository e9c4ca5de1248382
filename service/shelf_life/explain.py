"""Turns one shelf-life derivation into short Bahasa Indonesia and English text for the producer."""

from schemas.purposes import PURPOSES
from schemas.shelf_life import ShelfLifeExplanation
from service.shelf_life import parameters as p
from service.shelf_life.derivation import Derivation, RuleCode
from service.shelf_life.wording import days_en as _days_en
from service.shelf_life.wording import days_value as _days_value
from service.shelf_life.wording import dose as _dose
from service.shelf_life.wording import factor as _factor
from service.shelf_life.wording import plain as _plain
from service.shelf_life.wording import temp as _temp

_PACKAGING_NAMES: dict[str, tuple[str, str]] = {
    "vacuum": ("vakum", "vacuum"),
    "map": ("atmosfer termodifikasi (MAP)", "modified-atmosphere (MAP)"),
}


def explain(derivation: Derivation) -> ShelfLifeExplanation:
    """One clause per rule that fired, then the resulting number of days."""
    clauses = _clauses(derivation)
    days = derivation.extended_days
    return ShelfLifeExplanation(
        id="; ".join(clause_id for clause_id, _ in clauses) + f" → {days} hari.",
        en="; ".join(clause_en for _, clause_en in clauses) + f" → {_days_en(days)}.",
    )


def _clauses(derivation: Derivation) -> list[tuple[str, str]]:
    inputs = derivation.inputs
    rules = derivation.rules
    dose = _credited_dose(derivation)
    # the annex's own words (DOMAIN.md §7), as the label prints them
    purpose = PURPOSES.get(inputs.purpose, (inputs.purpose, inputs.purpose))  # type: ignore[call-overload]
    packaging = _PACKAGING_NAMES.get(inputs.packaging, (inputs.packaging, inputs.packaging))

    clauses = temperature_clauses(derivation)
    clauses.extend(_credit_clauses(derivation))
    if RuleCode.NO_CREDIT_PURPOSE in rules:
        clauses.append(
            (
                f"tujuan {purpose[0]} tidak menambah umur simpan",
                f"{purpose[1]} earns no shelf-life credit",
            )
        )
    if RuleCode.NO_CREDIT_CATEGORY in rules:
        clauses.append(
            (
                "jenis pangan ini dibatasi mutu (kadar air, aroma, pertunasan), bukan mikroba: "
                "dosis serap tidak menambah umur simpan",
                "this food type is limited by quality (moisture, aroma, sprouting), not microbes: "
                "the dose earns no credit",
            )
        )
    if RuleCode.NO_CREDIT_FROZEN in rules:
        frozen_max = (_temp(p.FROZEN_MAX_STORAGE_C, ","), _temp(p.FROZEN_MAX_STORAGE_C, "."))
        clauses.append(
            (
                f"penyimpanan beku (≤ {frozen_max[0]}) dibatasi oksidasi: "
                "dosis serap tidak menambah umur simpan",
                f"frozen storage (≤ {frozen_max[1]}) is limited by oxidation: "
                "the dose earns no credit",
            )
        )

    clauses.extend(_study_clauses(derivation, dose))

    if RuleCode.VACUUM_CHILLED_CAP in rules:
        clauses.append(
            (
                f"kemasan {packaging[0]} di atas {_temp(p.REDUCED_OXYGEN_SAFE_MAX_C, ',')} tanpa "
                f"faktor pengendali (aw < {_plain(p.CONTROL_WATER_ACTIVITY_BELOW, ',')} atau pH < "
                f"{_plain(p.CONTROL_PH_BELOW, ',', 1)}): paling lama "
                f"{p.REDUCED_OXYGEN_CAP_DAYS} hari (C. botulinum non-proteolitik)",
                f"{packaging[1]} pack above {_temp(p.REDUCED_OXYGEN_SAFE_MAX_C, '.')} with no "
                f"control (aw < {_plain(p.CONTROL_WATER_ACTIVITY_BELOW, '.')} or pH < "
                f"{_plain(p.CONTROL_PH_BELOW, '.', 1)}): at most "
                f"{p.REDUCED_OXYGEN_CAP_DAYS} days (non-proteolytic C. botulinum)",
            )
        )
    elif derivation.cap_lifted_by is not None:
        clauses.append(_control_clause(derivation, packaging))
    return clauses


def temperature_clauses(derivation: Derivation) -> list[tuple[str, str]]:
    """Step 1 in words, the same in every version: the base and its temperature adjustment."""
    inputs = derivation.inputs
    rules = derivation.rules
    temp_ref = (_temp(inputs.reference_temp_c, ","), _temp(inputs.reference_temp_c, "."))
    temp = (_temp(inputs.storage_temp_c, ","), _temp(inputs.storage_temp_c, "."))
    base = inputs.base_shelf_life_days
    adjusted = (
        _days_value(derivation.adjusted_base_days, ","),
        _days_value(derivation.adjusted_base_days, "."),
    )

    clauses = [
        (
            f"Umur simpan dasar {base} hari pada {temp_ref[0]}",
            f"Base shelf life {_days_en(base)} at {temp_ref[1]}",
        )
    ]

    if RuleCode.TEMP_ADJUST_SQRT in rules and derivation.frozen_base_not_transferable:
        clauses.append(
            (
                f"disimpan pada {temp[0]}: umur simpan yang ditetapkan pada suhu beku tidak "
                f"berlaku di atas {_temp(p.SQRT_MODEL_T_MIN_C, ',')} (model akar kuadrat): 0 hari",
                f"stored at {temp[1]}: a shelf life established frozen does not carry over above "
                f"{_temp(p.SQRT_MODEL_T_MIN_C, '.')} (square-root model): 0 days",
            )
        )
    elif RuleCode.TEMP_ADJUST_SQRT in rules:
        t_min = (_temp(p.SQRT_MODEL_T_MIN_C, ","), _temp(p.SQRT_MODEL_T_MIN_C, "."))
        clauses.append(
            (
                f"disimpan pada {temp[0]}, model akar kuadrat (T_min {t_min[0]}): "
                f"{adjusted[0]} hari",
                f"stored at {temp[1]}, square-root model (T_min {t_min[1]}): {adjusted[1]} days",
            )
        )
    elif RuleCode.TEMP_ADJUST_Q10 in rules:
        clauses.append(
            (
                f"disimpan pada {temp[0]}, Q10 = {p.Q10}: {adjusted[0]} hari",
                f"stored at {temp[1]}, Q10 = {p.Q10}: {adjusted[1]} days",
            )
        )
    elif inputs.storage_temp_c < inputs.reference_temp_c:
        clauses.append(
            (
                f"disimpan pada {temp[0]}: tanpa tambahan untuk suhu lebih dingin",
                f"stored at {temp[1]}: no credit for colder storage",
            )
        )
    return clauses


def _credited_dose(derivation: Derivation) -> tuple[str, str]:
    """The dose the credit was computed from: radura-sl/2 takes D_min less its uncertainty,
    radura-sl/1 the measured D_min itself."""
    used = derivation.dose_used_kgy
    value = derivation.inputs.dose_min_kgy if used is None else float(used)
    return _dose(value, ","), _dose(value, ".")


def _credit_clauses(derivation: Derivation) -> list[tuple[str, str]]:
    """Step 2 in words: the uncertainty taken off the dose, and the multiplier it earns."""
    inputs = derivation.inputs
    rules = derivation.rules
    clauses: list[tuple[str, str]] = []
    measured = (_dose(inputs.dose_min_kgy, ","), _dose(inputs.dose_min_kgy, "."))
    dose = _credited_dose(derivation)
    used = derivation.dose_used_kgy
    factor = (_factor(derivation.multiplier, ","), _factor(derivation.multiplier, "."))
    uncertainty = inputs.expanded_uncertainty_pct
    if used is not None and uncertainty > 0:
        pct = (_plain(uncertainty, ","), _plain(uncertainty, "."))
        clauses.append(
            (
                f"dosis serap minimum terukur {measured[0]} dikurangi ketidakpastian {pct[0]} %: "
                f"{dose[0]}",
                f"measured minimum dose {measured[1]} less the {pct[1]} % uncertainty: {dose[1]}",
            )
        )
    credited = (
        f"dosis serap minimum terukur {measured[0]}",
        f"measured minimum dose {measured[1]}",
    )
    if used is not None and uncertainty > 0:
        credited = (f"dosis serap terkoreksi {dose[0]}", f"the corrected dose {dose[1]}")
    if RuleCode.DOSE_CREDIT_PRODUCE in rules:
        cap = (_plain(p.PRODUCE_MULTIPLIER_CAP, ",", 1), _plain(p.PRODUCE_MULTIPLIER_CAP, ".", 1))
        clauses.append(
            (
                "sayur dan buah dirusak kapang dan pematangan, bukan bakteri: "
                f"dosis serap {dose[0]} memberi faktor {factor[0]} (paling tinggi {cap[0]})",
                f"fruit and vegetables spoil by moulds and ripening, not bacteria: {dose[1]} "
                f"gives a factor of {factor[1]} (at most {cap[1]})",
            )
        )
    if RuleCode.NO_CREDIT_LOW_DOSE in rules:
        threshold = (
            _dose(p.LOW_DOSE_THRESHOLD_KGY, ","),
            _dose(p.LOW_DOSE_THRESHOLD_KGY, "."),
        )
        clauses.append(
            (
                f"dosis serap {dose[0]} di bawah {threshold[0]} tidak menambah umur simpan",
                f"a dose of {dose[1]} is below {threshold[1]} and earns no credit",
            )
        )
    if RuleCode.DOSE_CREDIT in rules:
        clauses.append(
            (
                f"{credited[0]} memberi faktor {factor[0]}",
                f"{credited[1]} gives a factor of {factor[1]}",
            )
        )
    if RuleCode.DOSE_CREDIT_CAPPED in rules:
        clauses.append(
            (
                f"{credited[0]} memberi faktor {factor[0]} (batas atas)",
                f"{credited[1]} gives a factor of {factor[1]} (the cap)",
            )
        )
    return clauses


def _study_clauses(derivation: Derivation, dose: tuple[str, str]) -> list[tuple[str, str]]:
    inputs = derivation.inputs
    rules = derivation.rules
    ref = inputs.validated_study_ref or "-"
    study_days = inputs.validated_shelf_life_days
    sterile_min = (_dose(p.STERILE_MIN_DOSE_KGY, ","), _dose(p.STERILE_MIN_DOSE_KGY, "."))
    clauses: list[tuple[str, str]] = []
    if study_days is not None:
        # The model's own figure is shown whenever there is a study, so the two can be compared.
        clauses.append(
            (
                f"model: {derivation.model_days} hari",
                f"the model gives {_days_en(derivation.model_days)}",
            )
        )
    if derivation.study_needs_sterile_dose:
        clauses.append(
            (
                f"dosis serap minimum terukur {dose[0]} di bawah {sterile_min[0]}: "
                "bukan proses steril, studi tidak dapat memperpanjang umur simpan",
                f"measured minimum dose {dose[1]} is below {sterile_min[1]}: not a sterilising "
                "process, so the study cannot extend the shelf life",
            )
        )
    if RuleCode.VALIDATED_STUDY in rules and study_days is not None:
        clauses.append(
            (
                f"studi umur simpan tervalidasi ({ref}) menetapkan {study_days} hari",
                f"the validated shelf-life study ({ref}) sets {_days_en(study_days)}",
            )
        )
    if RuleCode.STERILE_VALIDATED in rules:
        clauses.append(
            (
                f"proses sterilisasi tervalidasi: dosis minimum terukur {dose[0]} ≥ "
                f"{sterile_min[0]}",
                f"validated sterilising process: measured minimum dose {dose[1]} ≥ "
                f"{sterile_min[1]}",
            )
        )
    if derivation.sterile_dose_without_study:
        clauses.append(
            (
                "tanpa studi umur simpan tervalidasi, proses steril belum dapat diakui",
                "without a validated shelf-life study the sterilising process cannot be recognised",
            )
        )
    return clauses


def _control_clause(derivation: Derivation, packaging: tuple[str, str]) -> tuple[str, str]:
    inputs = derivation.inputs
    if derivation.cap_lifted_by == "aw" and inputs.water_activity is not None:
        limit = p.CONTROL_WATER_ACTIVITY_BELOW
        value = inputs.water_activity
        control = (
            f"aw {_plain(value, ',')} < {_plain(limit, ',')}",
            f"aw {_plain(value, '.')} < {_plain(limit, '.')}",
        )
    else:
        assert inputs.ph is not None  # the model names "ph" only when a pH below 5.0 was given
        control = (
            f"pH {_plain(inputs.ph, ',')} < {_plain(p.CONTROL_PH_BELOW, ',', 1)}",
            f"pH {_plain(inputs.ph, '.')} < {_plain(p.CONTROL_PH_BELOW, '.', 1)}",
        )
    cap_days = p.REDUCED_OXYGEN_CAP_DAYS
    safe_max = p.REDUCED_OXYGEN_SAFE_MAX_C
    return (
        f"kemasan {packaging[0]} di atas {_temp(safe_max, ',')} dengan faktor pengendali "
        f"terdokumentasi ({control[0]}): batas {cap_days} hari tidak berlaku",
        f"{packaging[1]} pack above {_temp(safe_max, '.')} with a documented control "
        f"({control[1]}): no {cap_days}-day limit",
    )
