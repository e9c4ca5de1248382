"""A radura-sl/3 derivation in words, Bahasa Indonesia and English, with DOMAIN.md §8.11's terms
(umur simpan, dosis serap, faktor pengendali, "batas 10 hari tidak berlaku") and doses written
to one decimal as the public reads them. Earlier versions keep their own words (explain.py), so
a stored result re-derives to the same text."""

from collections.abc import Callable

from schemas.purposes import PURPOSES
from schemas.shelf_life import ShelfLifeExplanation
from service.shelf_life import parameters as p
from service.shelf_life.derivation import Derivation, RuleCode
from service.shelf_life.explain import temperature_clauses
from service.shelf_life.refusals import PACKAGING_NAMES, study_condition_texts
from service.shelf_life.wording import days_en, factor, plain, public_dose, temp

Clause = tuple[str, str]


def explain(derivation: Derivation) -> ShelfLifeExplanation:
    """One clause per rule that fired, then the resulting number of days."""
    clauses = [
        *temperature_clauses(derivation),
        *_credit_clauses(derivation),
        *_no_credit_clauses(derivation),
        *_study_clauses(derivation),
        *_reduced_oxygen_clauses(derivation),
    ]
    days = derivation.extended_days
    return ShelfLifeExplanation(
        id="; ".join(clause[0] for clause in clauses) + f" → {days} hari.",
        en="; ".join(clause[1] for clause in clauses) + f" → {days_en(days)}.",
    )


def _both(value: float, text: Callable[[float, str], str]) -> Clause:
    """A number written by `text` with a decimal comma (Indonesian) and a point (English)."""
    return text(value, ","), text(value, ".")


def _dose_used(derivation: Derivation) -> float:
    assert derivation.dose_used_kgy is not None  # radura-sl/3 always records it
    return float(derivation.dose_used_kgy)


def _credit_clauses(derivation: Derivation) -> list[Clause]:
    """Step 2 in words: the uncertainty taken off the dose, and the factor it earns."""
    inputs = derivation.inputs
    rules = derivation.rules
    measured = _both(inputs.dose_min_kgy, public_dose)
    used = _both(_dose_used(derivation), public_dose)
    shown_factor = (factor(derivation.multiplier, ","), factor(derivation.multiplier, "."))
    clauses: list[Clause] = []
    credited = (
        f"dosis serap minimum terukur {measured[0]}",
        f"measured minimum absorbed dose {measured[1]}",
    )
    if inputs.expanded_uncertainty_pct > 0:
        pct = _both(inputs.expanded_uncertainty_pct, plain)
        clauses.append(
            (
                f"dosis serap minimum terukur {measured[0]} dikurangi ketidakpastian {pct[0]} %: "
                f"{used[0]}",
                f"measured minimum absorbed dose {measured[1]} less the {pct[1]} % uncertainty: "
                f"{used[1]}",
            )
        )
        credited = (f"dosis serap terkoreksi {used[0]}", f"the corrected absorbed dose {used[1]}")
    if RuleCode.DOSE_CREDIT_PRODUCE in rules:
        cap = (plain(p.PRODUCE_MULTIPLIER_CAP, ",", 1), plain(p.PRODUCE_MULTIPLIER_CAP, ".", 1))
        clauses.append(
            (
                "sayur dan buah dirusak kapang dan pematangan, bukan bakteri: "
                f"{credited[0]} memberi faktor {shown_factor[0]} (paling tinggi {cap[0]})",
                "fruit and vegetables spoil by moulds and ripening, not bacteria: "
                f"{credited[1]} gives a factor of {shown_factor[1]} (at most {cap[1]})",
            )
        )
    if RuleCode.DOSE_CREDIT in rules:
        clauses.append(
            (
                f"{credited[0]} memberi faktor {shown_factor[0]}",
                f"{credited[1]} gives a factor of {shown_factor[1]}",
            )
        )
    if RuleCode.DOSE_CREDIT_CAPPED in rules:
        clauses.append(
            (
                f"{credited[0]} memberi faktor {shown_factor[0]} (batas atas)",
                f"{credited[1]} gives a factor of {shown_factor[1]} (the cap)",
            )
        )
    return clauses


def _no_credit_clauses(derivation: Derivation) -> list[Clause]:
    """Every reason the dose earns nothing, each named (SPEC §4 step 2)."""
    inputs = derivation.inputs
    rules = derivation.rules
    used = _both(_dose_used(derivation), public_dose)
    clauses: list[Clause] = []
    if RuleCode.NO_CREDIT_PURPOSE in rules:
        purpose = PURPOSES.get(inputs.purpose, (inputs.purpose, inputs.purpose))  # type: ignore[call-overload]
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
                "the absorbed dose earns no credit",
            )
        )
    if RuleCode.NO_CREDIT_FROZEN in rules:
        frozen = _both(p.FROZEN_MAX_STORAGE_C, temp)
        clauses.append(
            (
                f"penyimpanan beku (≤ {frozen[0]}) dibatasi oksidasi: "
                "dosis serap tidak menambah umur simpan",
                f"frozen storage (≤ {frozen[1]}) is limited by oxidation: "
                "the absorbed dose earns no credit",
            )
        )
    if RuleCode.NO_CREDIT_LOW_DOSE in rules:
        threshold = _both(p.LOW_DOSE_THRESHOLD_KGY, public_dose)
        clauses.append(
            (
                f"dosis serap {used[0]} di bawah {threshold[0]} tidak menambah umur simpan",
                f"an absorbed dose of {used[1]} is below {threshold[1]} and earns no credit",
            )
        )
    if RuleCode.NO_CREDIT_DRY in rules and inputs.water_activity is not None:
        aw = _both(inputs.water_activity, plain)
        limit = _both(p.DRY_WATER_ACTIVITY_MAX, plain)
        clauses.append(
            (
                f"aw {aw[0]} ≤ {limit[0]}: pangan kering tidak dirusak bakteri (kapang, serangga "
                "dan ketengikan membatasi umur simpannya), dosis serap tidak menambah umur simpan",
                f"aw {aw[1]} ≤ {limit[1]}: dry food is not spoiled by bacteria (mould, insects "
                "and rancidity limit it), the absorbed dose earns no credit",
            )
        )
    if RuleCode.NO_CREDIT_WARM_STORAGE in rules:
        stored = _both(inputs.storage_temp_c, temp)
        limit = _both(p.CHILL_LIMIT_C[inputs.category], temp)
        food = (
            ("daging dan unggas", "meat and poultry")
            if inputs.category == "meat_poultry"
            else ("ikan dan hasil laut", "fish and seafood")
        )
        clauses.append(
            (
                f"disimpan pada {stored[0]}, di atas batas rantai dingin {limit[0]} untuk "
                f"{food[0]} iradiasi: dosis serap tidak menambah umur simpan",
                f"stored at {stored[1]}, above the {limit[1]} chill limit for irradiated "
                f"{food[1]}: the absorbed dose earns no credit",
            )
        )
    return clauses


def _study_clauses(derivation: Derivation) -> list[Clause]:
    inputs = derivation.inputs
    rules = derivation.rules
    study_days = inputs.validated_shelf_life_days
    if study_days is None:
        return []
    ref = inputs.validated_study_ref or "-"
    model_days = derivation.model_days
    # the model's own figure is shown whenever there is a study, so the two can be compared
    clauses: list[Clause] = [
        (f"model: {model_days} hari", f"the model gives {days_en(model_days)}")
    ]
    if RuleCode.STUDY_NOT_APPLICABLE in rules:
        failed = study_condition_texts(inputs, _dose_used(derivation), derivation.study_failed)
        if study_days < model_days:
            outcome = (
                f"umur simpan studi yang lebih pendek, {study_days} hari, tetap berlaku",
                f"its shorter {days_en(study_days)} still hold",
            )
        else:
            outcome = (
                "studi tidak dapat memperpanjang tanggal model",
                "it cannot lengthen the model's date",
            )
        clauses.append(
            (
                f"studi umur simpan tervalidasi ({ref}) tidak berlaku: "
                + ", ".join(text[0] for text in failed)
                + f"; {outcome[0]}",
                f"the validated shelf-life study ({ref}) does not apply: "
                + ", ".join(text[1] for text in failed)
                + f"; {outcome[1]}",
            )
        )
    if RuleCode.VALIDATED_STUDY in rules:
        assert inputs.validated_study_temp_c is not None
        assert inputs.validated_study_dose_kgy is not None
        assert inputs.validated_study_packaging is not None
        pack = PACKAGING_NAMES[inputs.validated_study_packaging]
        at = _both(inputs.validated_study_temp_c, temp)
        dose = _both(inputs.validated_study_dose_kgy, public_dose)
        clauses.append(
            (
                f"studi umur simpan tervalidasi ({ref}; ≤ {at[0]}, ≥ {dose[0]}, kemasan {pack[0]}) "
                f"berlaku dan menetapkan {study_days} hari",
                f"the validated shelf-life study ({ref}; ≤ {at[1]}, ≥ {dose[1]}, {pack[1]} "
                f"packaging) applies and sets {days_en(study_days)}",
            )
        )
    if RuleCode.STERILE_VALIDATED in rules:
        used = _both(_dose_used(derivation), public_dose)
        sterile = _both(p.STERILE_MIN_DOSE_KGY, public_dose)
        clauses.append(
            (
                f"proses sterilisasi tervalidasi: dosis serap minimum {used[0]} ≥ {sterile[0]}",
                f"validated sterilising process: minimum absorbed dose {used[1]} ≥ {sterile[1]}",
            )
        )
    return clauses


def _reduced_oxygen_clauses(derivation: Derivation) -> list[Clause]:
    """Step 5 and the warm reduced-oxygen rule in words."""
    inputs = derivation.inputs
    pack = PACKAGING_NAMES.get(inputs.packaging, (inputs.packaging, inputs.packaging))
    safe = _both(p.REDUCED_OXYGEN_SAFE_MAX_C, temp)
    days = p.REDUCED_OXYGEN_CAP_DAYS
    if RuleCode.VACUUM_CHILLED_CAP in derivation.rules:
        aw = _both(p.CONTROL_WATER_ACTIVITY_BELOW, plain)
        ph = (plain(p.CONTROL_PH_BELOW, ",", 1), plain(p.CONTROL_PH_BELOW, ".", 1))
        return [
            (
                f"kemasan {pack[0]} di atas {safe[0]} tanpa faktor pengendali (aw < {aw[0]} atau "
                f"pH < {ph[0]}): paling lama {days} hari (C. botulinum non-proteolitik)",
                f"{pack[1]} pack above {safe[1]} with no controlling factor (aw < {aw[1]} or "
                f"pH < {ph[1]}): at most {days} days (non-proteolytic C. botulinum)",
            )
        ]
    if derivation.warm_control is not None:
        warm = _both(p.GROUP_I_MIN_GROWTH_C, temp)
        control = _control_text(derivation, derivation.warm_control, group_i=True)
        return [
            (
                f"kemasan {pack[0]} pada {warm[0]} atau lebih dengan faktor pengendali "
                f"{control[0]}: C. botulinum proteolitik tidak tumbuh, batas {days} hari tidak "
                "berlaku",
                f"{pack[1]} pack at {warm[1]} or warmer with the controlling factor "
                f"{control[1]}: proteolytic C. botulinum does not grow, the {days}-day limit does "
                "not apply",
            )
        ]
    if derivation.cap_lifted_by is not None:
        control = _control_text(derivation, derivation.cap_lifted_by, group_i=False)
        return [
            (
                f"kemasan {pack[0]} di atas {safe[0]} dengan faktor pengendali terdokumentasi "
                f"({control[0]}): batas {days} hari tidak berlaku",
                f"{pack[1]} pack above {safe[1]} with a documented controlling factor "
                f"({control[1]}): the {days}-day limit does not apply",
            )
        ]
    return []


def _control_text(derivation: Derivation, control: str, *, group_i: bool) -> Clause:
    inputs = derivation.inputs
    if control == "aw" and inputs.water_activity is not None:
        value = _both(inputs.water_activity, plain)
        if group_i:
            limit = _both(p.SHELF_STABLE_WATER_ACTIVITY_MAX, plain)
            return f"aw {value[0]} ≤ {limit[0]}", f"aw {value[1]} ≤ {limit[1]}"
        limit = _both(p.CONTROL_WATER_ACTIVITY_BELOW, plain)
        return f"aw {value[0]} < {limit[0]}", f"aw {value[1]} < {limit[1]}"
    assert inputs.ph is not None  # "ph" is named only when a pH was given
    value = _both(inputs.ph, plain)
    if group_i:
        limit = _both(p.SHELF_STABLE_PH_MAX, plain)
        return f"pH {value[0]} ≤ {limit[0]}", f"pH {value[1]} ≤ {limit[1]}"
    limit = (plain(p.CONTROL_PH_BELOW, ",", 1), plain(p.CONTROL_PH_BELOW, ".", 1))
    return f"pH {value[0]} < {limit[0]}", f"pH {value[1]} < {limit[1]}"
