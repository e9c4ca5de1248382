"""What each irradiation purpose is called, in Bahasa Indonesia and English: the words a label,
a shelf-life explanation and a page all print (BPOM 3/2018's purposes, SPEC §3.1)."""

from __future__ import annotations

from schemas.common import Purpose

PURPOSES: dict[Purpose, tuple[str, str]] = {
    "sprout_inhibition": ("menghambat pertunasan", "inhibiting sprouting"),
    "delay_ripening": ("menunda pematangan", "delaying ripening"),
    "disinfestation": ("membasmi serangga", "killing insects"),
    "quarantine": ("perlakuan karantina", "quarantine treatment"),
    "extend_shelf_life": ("memperpanjang umur simpan", "extending shelf life"),
    "reduce_pathogens": (
        "mengurangi jumlah mikroba patogen tertentu",
        "reducing specific pathogenic microbes",
    ),
    "reduce_microbial_load": ("mengurangi jumlah mikroba", "reducing the microbial load"),
    "control_parasites": (
        "mengontrol infeksi oleh parasit tertentu",
        "controlling infection by specific parasites",
    ),
    "eliminate_salmonella": ("menghilangkan bakteri Salmonella", "eliminating Salmonella bacteria"),
    "sterilisation": ("sterilisasi", "sterilisation"),
}
