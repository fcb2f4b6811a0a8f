"""The iJw 3.2 standard itself, without our data: its XML Schemas (package data under
``schemas/``), the code lists read from their enumerations, a hardened XML parser and the
schema check. The services that exchange messages live in ``app.services.ijw``.
"""
