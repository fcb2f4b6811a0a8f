"""Reference data: geography (regions, municipalities, districts, teams), the catalogue (life
domains, support profiles, tariffs), providers and their contracts, catalogue imports and the
public care marketplace with its waiting times. Uses only the platform.
"""

MAY_USE: tuple[str, ...] = ("platform",)
