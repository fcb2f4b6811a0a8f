"""Request and response schemas (pydantic) that do not live beside their tables."""
