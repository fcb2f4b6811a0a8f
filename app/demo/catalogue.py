"""The illustrative support-profile catalogue used by the demo and the tests.

The names are illustrative (marked so): a region defines its own profiles through
``POST /support-profiles`` or ``POST /catalogue-imports``.
"""

# (code, name, segment)
PROFILES: list[tuple[str, str, str]] = [
    ("P01", "Licht opvoedondersteuning (illustratief)", "A"),
    ("P02", "Ontwikkelingsproblemen (illustratief)", "B"),
    ("P03", "Gedragsproblemen (illustratief)", "B"),
    ("P04", "Emotionele problemen (illustratief)", "B"),
    ("P05", "Angst en stemming (illustratief)", "B"),
    ("P06", "AD(H)D-diagnostiek en behandeling (illustratief)", "B"),
    ("P07", "Autisme (illustratief)", "B"),
    ("P08", "Verslaving jeugd (illustratief)", "B"),
    ("P09", "Licht verstandelijke beperking (illustratief)", "B"),
    ("P10", "Complexe scheiding en veiligheid (illustratief)", "C"),
    ("P11", "Meervoudige problematiek gezin (illustratief)", "C"),
]

# (code, name, max months)
INTENSITIES: list[tuple[str, str, int]] = [
    ("I1", "Licht (illustratief)", 3),
    ("I2", "Middel (illustratief)", 6),
    ("I3", "Intensief (illustratief)", 12),
    ("I4", "Zeer intensief (illustratief)", 24),
]

# Regional tariff per intensity in euro cents (segment B); segment C tariffs are per provider.
REGIONAL_TARIFF_CENTS = {"I1": 150_000, "I2": 420_000, "I3": 950_000, "I4": 1_900_000}
