"""The reasons radura-sl/3 and the product rules give no date at all, each in Bahasa Indonesia and
English (DOMAIN.md §8.11's words), with the 422 code and the field it is about."""

from collections.abc import Sequence

from schemas.purposes import PURPOSES
from schemas.shelf_life import ShelfLifeInputs
from service.shelf_life import parameters as p
from service.shelf_life.derivation import Refusal
from service.shelf_life.wording import plain, public_dose, temp

# one line each, as the product form explains them (DOMAIN.md §8.2)
PACKAGING_NAMES: dict[str, tuple[str, str]] = {
    "air": ("udara biasa (tidak kedap udara)", "ordinary air (not airtight)"),
    "vacuum": ("vakum", "vacuum"),
    "map": ("atmosfer termodifikasi (MAP)", "modified-atmosphere (MAP)"),
    "hermetic": ("hermetis (kedap udara)", "hermetic (airtight)"),
}
_RAW_FOOD_NAMES = {
    "fish_seafood": ("Ikan dan hasil laut mentah", "Raw fish and seafood"),
    "meat_poultry": ("Daging dan unggas mentah", "Raw meat and poultry"),
}


def _controls_given(inputs: ShelfLifeInputs, mark: str) -> str:
    given = []
    if inputs.water_activity is not None:
        given.append(f"aw {plain(inputs.water_activity, mark)}")
    if inputs.ph is not None:
        given.append(f"pH {plain(inputs.ph, mark)}")
    return f" ({', '.join(given)})" if given else ""


def raw_food_requires_chilling(inputs: ShelfLifeInputs) -> Refusal:
    name = _RAW_FOOD_NAMES.get(inputs.category, ("Pangan mentah", "Raw food"))
    limit = (temp(p.RAW_FOOD_MAX_STORAGE_C, ","), temp(p.RAW_FOOD_MAX_STORAGE_C, "."))
    stored = (temp(inputs.storage_temp_c, ","), temp(inputs.storage_temp_c, "."))
    dry = (plain(p.DRY_WATER_ACTIVITY_MAX, ","), plain(p.DRY_WATER_ACTIVITY_MAX, "."))
    return Refusal(
        "raw_food_requires_chilling",
        "storage_temp_c",
        f"{name[0]} harus disimpan dingin, paling tinggi {limit[0]}: iradiasi tidak "
        "menggantikan rantai dingin (mikroba pembusuk yang memberi tanda hilang, spora "
        f"C. botulinum bertahan). Pada {stored[0]} tidak ada dasar untuk menetapkan tanggal, "
        f"kecuali pangan kering (aw ≤ {dry[0]}).",
        f"{name[1]} must be kept chilled, at most {limit[1]}: irradiation does not replace the "
        "cold chain (the spoilage flora that warns the consumer is gone, C. botulinum spores "
        f"survive). At {stored[1]} there is no basis for a date unless the food is dried "
        f"(aw ≤ {dry[1]}).",
    )


def vacuum_requires_chilling(inputs: ShelfLifeInputs) -> Refusal:
    pack = PACKAGING_NAMES.get(inputs.packaging, (inputs.packaging, inputs.packaging))
    limit = (
        temp(p.REDUCED_OXYGEN_CHILLED_MAX_C, ","),
        temp(p.REDUCED_OXYGEN_CHILLED_MAX_C, "."),
    )
    stored = (temp(inputs.storage_temp_c, ","), temp(inputs.storage_temp_c, "."))
    aw = (plain(p.CONTROL_WATER_ACTIVITY_BELOW, ","), plain(p.CONTROL_WATER_ACTIVITY_BELOW, "."))
    ph = (plain(p.CONTROL_PH_BELOW, ",", 1), plain(p.CONTROL_PH_BELOW, ".", 1))
    return Refusal(
        "vacuum_requires_chilling",
        "storage_temp_c",
        f"Kemasan {pack[0]} yang tidak steril, tanpa faktor pengendali (aw < {aw[0]} atau "
        f"pH < {ph[0]}) dan tanpa studi yang berlaku, harus disimpan dingin, paling tinggi "
        f"{limit[0]} (C. botulinum non-proteolitik): pada {stored[0]} tidak ada dasar untuk "
        "menetapkan tanggal.",
        f"A non-sterile {pack[1]} pack with no controlling factor (aw < {aw[1]} or pH < {ph[1]}) "
        f"and no applicable study must be kept chilled, at most {limit[1]} (non-proteolytic "
        f"C. botulinum): at {stored[1]} there is no basis for a date.",
    )


def reduced_oxygen_uncontrolled(inputs: ShelfLifeInputs) -> Refusal:
    pack = PACKAGING_NAMES.get(inputs.packaging, (inputs.packaging, inputs.packaging))
    warm = (temp(p.GROUP_I_MIN_GROWTH_C, ","), temp(p.GROUP_I_MIN_GROWTH_C, "."))
    stored = (temp(inputs.storage_temp_c, ","), temp(inputs.storage_temp_c, "."))
    aw = (
        plain(p.SHELF_STABLE_WATER_ACTIVITY_MAX, ","),
        plain(p.SHELF_STABLE_WATER_ACTIVITY_MAX, "."),
    )
    ph = (plain(p.SHELF_STABLE_PH_MAX, ","), plain(p.SHELF_STABLE_PH_MAX, "."))
    given = (_controls_given(inputs, ","), _controls_given(inputs, "."))
    return Refusal(
        "reduced_oxygen_uncontrolled",
        "packaging",
        f"Kemasan {pack[0]} pada {stored[0]}{given[0]}: dari {warm[0]} ke atas C. botulinum "
        f"proteolitik dapat tumbuh, dan aw < 0,97 atau pH < 5,0 tidak menghentikannya. Tanpa "
        f"faktor pengendali aw ≤ {aw[0]} atau pH ≤ {ph[0]}, proses sterilisasi tervalidasi, "
        "atau studi pada suhu dan kemasan ini, tidak ada dasar untuk menetapkan tanggal.",
        f"A {pack[1]} pack at {stored[1]}{given[1]}: from {warm[1]} up proteolytic "
        "C. botulinum can grow, and aw < 0.97 or pH < 5.0 does not stop it. Without a "
        f"controlling factor of aw ≤ {aw[1]} or pH ≤ {ph[1]}, a validated sterilising process, "
        "or a study at this temperature and packaging, there is no basis for a date.",
    )


def study_condition_texts(
    inputs: ShelfLifeInputs, dose_used_kgy: float, failed: Sequence[str]
) -> list[tuple[str, str]]:
    """Each condition of the study the batch is outside, in both languages."""
    texts = []
    if "temperature" in failed and inputs.validated_study_temp_c is not None:
        stored = (temp(inputs.storage_temp_c, ","), temp(inputs.storage_temp_c, "."))
        study = (temp(inputs.validated_study_temp_c, ","), temp(inputs.validated_study_temp_c, "."))
        texts.append(
            (
                f"disimpan pada {stored[0]}, di atas suhu studi {study[0]}",
                f"stored at {stored[1]}, above the study's {study[1]}",
            )
        )
    if "dose" in failed and inputs.validated_study_dose_kgy is not None:
        used = (public_dose(dose_used_kgy, ","), public_dose(dose_used_kgy, "."))
        study_dose = inputs.validated_study_dose_kgy
        texts.append(
            (
                f"dosis serap {used[0]} di bawah dosis serap studi {public_dose(study_dose, ',')}",
                f"absorbed dose {used[1]} below the study's {public_dose(study_dose, '.')}",
            )
        )
    if "packaging" in failed and inputs.validated_study_packaging is not None:
        pack = PACKAGING_NAMES.get(inputs.packaging, (inputs.packaging, inputs.packaging))
        study_pack = PACKAGING_NAMES.get(
            inputs.validated_study_packaging,
            (inputs.validated_study_packaging, inputs.validated_study_packaging),
        )
        texts.append(
            (
                f"kemasan {pack[0]}, studi dengan kemasan {study_pack[0]}",
                f"{pack[1]} packaging, the study's was {study_pack[1]}",
            )
        )
    if "sterilising_dose" in failed:
        used = (public_dose(dose_used_kgy, ","), public_dose(dose_used_kgy, "."))
        sterile = (
            public_dose(p.STERILE_MIN_DOSE_KGY, ","),
            public_dose(p.STERILE_MIN_DOSE_KGY, "."),
        )
        texts.append(
            (
                f"dosis serap {used[0]} di bawah dosis sterilisasi {sterile[0]}",
                f"absorbed dose {used[1]} below the sterilising {sterile[1]}",
            )
        )
    if "purpose" in failed:
        texts.append(("tujuan iradiasi bukan sterilisasi", "the purpose is not sterilisation"))
    if "no_study" in failed:
        texts.append(
            ("tidak ada studi umur simpan tervalidasi", "there is no validated shelf-life study")
        )
    return texts


def study_not_applicable(
    inputs: ShelfLifeInputs, dose_used_kgy: float, failed: Sequence[str]
) -> Refusal:
    """A shelf-stable sterile meal is dated only by its study, and this one does not apply."""
    ref = inputs.validated_study_ref or "-"
    conditions = study_condition_texts(inputs, dose_used_kgy, failed)
    return Refusal(
        "study_not_applicable",
        "validated_shelf_life_days",
        "Pangan siap saji steril hanya diberi tanggal oleh studi umur simpannya, dan studi "
        f"({ref}) tidak berlaku: " + "; ".join(c[0] for c in conditions) + ".",
        "A shelf-stable sterile meal is dated only by its shelf-life study, and the study "
        f"({ref}) does not apply: " + "; ".join(c[1] for c in conditions) + ".",
    )


def study_conditions_missing(inputs: ShelfLifeInputs) -> Refusal:
    ref = inputs.validated_study_ref or "-"
    return Refusal(
        "study_conditions_missing",
        "validated_study_temp_c",
        f"Studi umur simpan ({ref}) belum mencatat kondisinya — suhu, dosis serap dan kemasan "
        "yang divalidasi: studi hanya berlaku untuk kondisi itu. Lengkapi kondisi studi pada "
        "produk sebelum bets diluluskan.",
        f"The shelf-life study ({ref}) does not record its conditions — the temperature, "
        "absorbed dose and packaging it validated: a study holds only for those. Complete the "
        "study's conditions on the product before the batch is released.",
    )


def dose_below_purpose_minimum(purpose: str, min_dose_kgy: float, typical_kgy: float) -> Refusal:
    """A validated minimum dose below what the purpose typically needs (Codex CXS 106 §2.2)."""
    words = PURPOSES.get(purpose, (purpose, purpose))  # type: ignore[call-overload]
    given = (public_dose(min_dose_kgy, ","), public_dose(min_dose_kgy, "."))
    typical = (public_dose(typical_kgy, ","), public_dose(typical_kgy, "."))
    return Refusal(
        "dose_below_purpose_minimum",
        "process_validation_ref",
        f"Dosis serap minimum tervalidasi {given[0]} di bawah dosis serap minimum yang lazim "
        f"untuk tujuan {words[0]} ({typical[0]}): dosis ini mungkin tidak mencapai tujuan yang "
        "tertulis pada label. Cantumkan rujukan validasi proses (process_validation_ref).",
        f"The validated minimum dose {given[1]} is below the typical minimum absorbed dose for "
        f"{words[1]} ({typical[1]}): it may not achieve the purpose the label states. Give the "
        "process validation reference (process_validation_ref).",
        {"min_dose_kgy": min_dose_kgy, "typical_min_dose_kgy": typical_kgy},
    )
