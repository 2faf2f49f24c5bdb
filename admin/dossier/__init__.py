"""dossier: a staff-data privacy regulation enforced by PostgreSQL itself."""

__version__ = "0.1.0"
