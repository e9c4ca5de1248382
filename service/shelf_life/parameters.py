"""Every number and code list of the radura-sl shelf-life models, each with its source."""

from typing import Final

# A stored result names its version; a date is re-derived with the parameters of its version, so
# any change to a number below needs a new version (and a new section), not an edit of this one.
# radura-sl/1 used every number down to step 5; radura-sl/2 and radura-sl/3 add a section each.
MODEL_VERSION: Final = "radura-sl/3"

# --- Step 1: temperature-adjusted base shelf life ------------------------------------------------

# Square-root (Ratkowsky) relative rate of spoilage, rate ∝ (T − T_min)², for chilled fish and meat.
# Source: DTU Seafood Spoilage and Safety Predictor (relative rate of spoilage, T_min = −10 °C).
SQRT_MODEL_T_MIN_C: Final = -10
SQRT_MODEL_CATEGORIES: Final = frozenset({"fish_seafood", "processed_fish", "meat_poultry"})

# Every other category: rate × Q10 per 10 °C. Q10 ≈ 2–3 is reported for foods; the upper value is
# taken because it shortens the date faster when storage is warmer (conservative).
# Source: DOMAIN.md §4 (Q10 ≈ 2–3 for other foods); SPEC.md §4 step 1 fixes Q10 = 3.
Q10: Final = 3
Q10_STEP_C: Final = 10

# --- Step 2: dose multiplier ----------------------------------------------------------------------

# m = min(cap, 1 + D_min / dose per unit). 3.0 kGy per +1: the packaged-chicken study (3 kGy at 8 °C
# took 5 d to > 10 d, i.e. ×2 at 3 kGy), consistent with a conservative effective D10 of 0.5 kGy for
# the surviving flora (D10 meta-analysis: average vegetative bacteria 0.42 kGy; Campylobacter 0.20,
# E. coli O157 0.30, Listeria 0.45, Salmonella 0.70).
DOSE_PER_UNIT_CREDIT_KGY: Final = 3.0
# Source: reported extensions — chicken 3 kGy ×2, strawberries 2–3 kGy ×1.5–2, chilled fish
# 1.5–2.5 kGy ×2–3 (DOMAIN.md §4): a ×2 cap sits at the low end of what studies report.
MULTIPLIER_CAP: Final = 2.0

# Purposes whose mechanism is a reduction of spoilage or pathogenic flora, the only ones for which a
# microbial shelf-life credit makes sense. Sprout inhibition, ripening delay, disinfestation,
# quarantine and parasite control work by other mechanisms (DOMAIN.md §4; SPEC.md §4 step 2).
CREDIT_PURPOSES: Final = frozenset(
    {"extend_shelf_life", "reduce_pathogens", "reduce_microbial_load", "eliminate_salmonella"}
)

# Categories whose shelf life is limited by quality (moisture, aroma, sprouting), not microbes, so a
# dose does not lengthen it (DOMAIN.md §4; SPEC.md §4 step 2).
NO_CREDIT_CATEGORIES: Final = frozenset({"bulbs_tubers", "dry_goods", "spices_herbs", "mangosteen"})

# At or below this storage temperature the product counts as frozen: frozen shelf life is limited
# by oxidation, not microbial growth, so no dose credit (DOMAIN.md §4; value: SPEC.md §4 step 2).
FROZEN_MAX_STORAGE_C: Final = -12

# --- Step 4: sterile ready meals ------------------------------------------------------------------

# BATAN sterile rendang/pepes study: 45 kGy, frozen on dry ice, vacuum laminate; 1.5 years at
# 28–30 °C against ≤ 5 days untreated. foodirradiation.org gives ≈ 45–46 kGy for food sterilisation.
STERILE_MIN_DOSE_KGY: Final = 45
STERILE_CATEGORY: Final = "ready_meal_sterile"
STERILE_PURPOSE: Final = "sterilisation"

# --- Step 5: hard cap for reduced-oxygen packs ---------------------------------------------------

# UK FSA guidance on vacuum and modified-atmosphere packed chilled foods: non-proteolytic
# C. botulinum grows from 3 °C, so such food kept above 3 °C gets at most 10 days unless a
# documented control exists (aw < 0.97, pH < 5.0, or a validated heat step).
REDUCED_OXYGEN_PACKAGINGS: Final = frozenset({"vacuum", "map"})
REDUCED_OXYGEN_SAFE_MAX_C: Final = 3
REDUCED_OXYGEN_CAP_DAYS: Final = 10
CONTROL_WATER_ACTIVITY_BELOW: Final = 0.97
CONTROL_PH_BELOW: Final = 5.0

# --- radura-sl/2 (checked against published results that radura-sl/1 beat) -------------------

# No credit below 1.0 kGy: strawberries at 3 °C gained nothing at 0.3–0.9 kGy (DOMAIN.md §7); the
# lowest dose behind any reported extension (chilled fish 1.5 kGy, DOMAIN.md §4) is above it.
LOW_DOSE_THRESHOLD_KGY: Final = 1.0
# Fruit and vegetables are spoiled by moulds and ripening, not bacteria: the lethal dose for
# Botrytis is 5.4–9.7 kGy, and strawberries at 8 °C went from 7–8 d to 11–12 d at 2 kGy (×1.5).
# m = min(1.5, 1 + D / 4.0 kGy) gives ×1.5 at 2 kGy and never more (DOMAIN.md §7; SPEC.md §4).
PRODUCE_CATEGORIES: Final = frozenset({"fresh_produce", "processed_produce", "mango"})
PRODUCE_DOSE_PER_UNIT_CREDIT_KGY: Final = 4.0
PRODUCE_MULTIPLIER_CAP: Final = 1.5
# The UK FSA 10-day rule assumes chilled storage at 3–8 °C; it gives no basis to date a
# non-sterile vacuum or MAP pack without a control kept warmer, so such a pack is refused.
REDUCED_OXYGEN_CHILLED_MAX_C: Final = 8

# --- radura-sl/3 (DOMAIN.md §8: what may be dated at all) ---------------------------------------

# Reduced-oxygen for C. botulinum: besides vacuum and MAP, a sealed jar, bottle, can or retort
# pouch, and food covered in oil (FDA Food Code 3-502.12 lists ROP forms; DOMAIN.md §8.2).
REDUCED_OXYGEN_PACKAGINGS_SL3: Final = frozenset({"vacuum", "map", "hermetic"})

# Proteolytic (group I) C. botulinum grows from 10 °C, and aw < 0.97 or pH < 5.0 do not stop it
# (ICMSF 1996; Peck 2006). A reduced-oxygen pack kept at 10 °C or warmer is dated only with
# aw ≤ 0.85 or equilibrium pH ≤ 4.6 — the limits for shelf-stable sealed food in US 21 CFR
# 113/114 —, a validated sterilising process, or a study at that temperature and packaging.
GROUP_I_MIN_GROWTH_C: Final = 10
SHELF_STABLE_WATER_ACTIVITY_MAX: Final = 0.85
SHELF_STABLE_PH_MAX: Final = 4.6

# Raw fish and meat need the cold chain, irradiated or not: the spoilage flora that warns the
# consumer is gone while spores survive (Hobbs 1977; Eklund 1982; Venugopal et al. 1999). Such a
# product labelled for storage above 10 °C is not dated unless it is dried (DOMAIN.md §8.3).
RAW_FOOD_CATEGORIES: Final = frozenset({"fish_seafood", "meat_poultry"})
RAW_FOOD_MAX_STORAGE_C: Final = 10

# Below aw 0.85 bacteria do not grow; mould, insects and rancidity limit the shelf life, so a
# dose earns no bacterial credit (DOMAIN.md §8.5: ikan asin, dodol). The same boundary makes a
# fish or meat product "dried" for the raw-food rule (abon, dendeng, ikan asin; DOMAIN.md §8.3).
DRY_WATER_ACTIVITY_MAX: Final = 0.85

# The chill limit above which a dose earns no credit: irradiated fish is kept at ≤ 3 °C (type E
# toxin can come before spoilage above it), poultry at ≤ 4 °C (EU Reg. 853/2004; US FSIS keeps
# irradiated poultry at ≤ 4.4 °C), and meat products with it (DOMAIN.md §8.3).
CHILL_LIMIT_C: Final[dict[str, float]] = {
    "fish_seafood": 3,
    "processed_fish": 3,
    "meat_poultry": 4,
}

# The typical minimum absorbed dose per purpose (foodirradiation.org terminology page; DOMAIN.md
# §1.1, §8.6; Codex CXS 106 §2.2: the minimum dose must achieve the purpose). Migration 0100 seeds
# food_category_purposes.typical_min_dose_kgy from these, only on rows whose legal maximum is
# above them; the table, not this dict, is what product rules read. Delay of ripening and
# parasite control have no typical minimum.
TYPICAL_MIN_DOSE_KGY: Final[dict[str, float]] = {
    "sprout_inhibition": 0.05,
    "quarantine": 0.15,  # fruit flies
    "disinfestation": 0.40,  # other insects
    "extend_shelf_life": 1.5,
    "reduce_pathogens": 1.5,
    "eliminate_salmonella": 1.5,  # a pathogen reduction
    "reduce_microbial_load": 6.5,  # spice sanitation
    "sterilisation": 45,
}
TYPICAL_MIN_DOSE_SOURCE: Final = (
    "foodirradiation.org terminology page (typical minimum doses), DOMAIN.md §1.1, §8.6; "
    "Codex CXS 106-1983 Rev.1-2003 §2.2"
)

# Shown next to the numbers wherever a caller wants to cite them (DOMAIN.md: show the source of a
# fact wherever it is used).
PARAMETER_SOURCES: Final[dict[str, str]] = {
    "SQRT_MODEL_T_MIN_C": "DTU Seafood Spoilage and Safety Predictor, square-root model",
    "SQRT_MODEL_CATEGORIES": "DTU Seafood Spoilage and Safety Predictor (chilled fish and meat)",
    "Q10": "Q10 ≈ 2–3 for foods (DOMAIN.md §4); upper value, fixed by SPEC.md §4",
    "Q10_STEP_C": "definition of Q10 (rate ratio per 10 °C)",
    "DOSE_PER_UNIT_CREDIT_KGY": (
        "packaged chicken 3 kGy at 8 °C: 5 d → > 10 d; D10 meta-analysis (0.42 kGy average, "
        "0.5 kGy conservative effective D10)"
    ),
    "MULTIPLIER_CAP": "reported extensions: chicken ×2, strawberries ×1.5–2, chilled fish ×2–3",
    "CREDIT_PURPOSES": "DOMAIN.md §4: only microbial-reduction purposes earn a credit",
    "NO_CREDIT_CATEGORIES": "DOMAIN.md §4: quality-limited food types (moisture, aroma)",
    "FROZEN_MAX_STORAGE_C": "DOMAIN.md §4: frozen storage is oxidation-limited; SPEC.md §4",
    "STERILE_MIN_DOSE_KGY": "BATAN sterile rendang/pepes study (45 kGy); foodirradiation.org",
    "STERILE_CATEGORY": "BPOM 3/2018 Annex I (ready meals, sterilisation), DOMAIN.md §1.1",
    "STERILE_PURPOSE": "BPOM 3/2018 Annex I (ready meals, sterilisation), DOMAIN.md §1.1",
    "REDUCED_OXYGEN_PACKAGINGS": "UK FSA vacuum and modified-atmosphere packed chilled foods",
    "REDUCED_OXYGEN_SAFE_MAX_C": "UK FSA: non-proteolytic C. botulinum grows from 3 °C",
    "REDUCED_OXYGEN_CAP_DAYS": "UK FSA: at most 10 days above 3 °C without a control",
    "CONTROL_WATER_ACTIVITY_BELOW": "UK FSA: controlling factor aw < 0.97",
    "CONTROL_PH_BELOW": "UK FSA: controlling factor pH < 5.0",
    "LOW_DOSE_THRESHOLD_KGY": "strawberries at 3 °C: no gain at 0.3–0.9 kGy (DOMAIN.md §7)",
    "PRODUCE_CATEGORIES": "mould- and ripening-limited produce (DOMAIN.md §7; SPEC.md §4)",
    "PRODUCE_DOSE_PER_UNIT_CREDIT_KGY": "strawberries at 8 °C, 2 kGy: 7–8 d → 11–12 d",
    "PRODUCE_MULTIPLIER_CAP": "strawberries at 8 °C, 2 kGy: ×1.5 (DOMAIN.md §7)",
    "REDUCED_OXYGEN_CHILLED_MAX_C": "UK FSA 10-day rule assumes storage at 3–8 °C (DOMAIN.md §7)",
    "REDUCED_OXYGEN_PACKAGINGS_SL3": "FDA Food Code 3-502.12 (ROP forms); DOMAIN.md §8.2",
    "GROUP_I_MIN_GROWTH_C": "ICMSF 1996; Peck 2006: proteolytic C. botulinum grows from 10 °C",
    "SHELF_STABLE_WATER_ACTIVITY_MAX": "US 21 CFR 113/114: shelf-stable sealed food aw ≤ 0.85",
    "SHELF_STABLE_PH_MAX": "US 21 CFR 113/114: acid food, equilibrium pH ≤ 4.6",
    "RAW_FOOD_CATEGORIES": "DOMAIN.md §8.3: irradiation does not replace the cold chain",
    "RAW_FOOD_MAX_STORAGE_C": "DOMAIN.md §8.3; SPEC.md §4 radura-sl/3 refusal 1",
    "DRY_WATER_ACTIVITY_MAX": "DOMAIN.md §8.5: bacteria do not grow below aw ≈ 0.85",
    "CHILL_LIMIT_C": (
        "fish ≤ 3 °C (Hobbs 1977; Eklund 1982; Venugopal et al. 1999); poultry ≤ 4 °C "
        "(EU Reg. 853/2004; US FSIS 4.4 °C)"
    ),
    "TYPICAL_MIN_DOSE_KGY": TYPICAL_MIN_DOSE_SOURCE,
}
