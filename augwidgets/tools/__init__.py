"""Teaching tools over generator settings: diagnose, code export, sharing, strength."""
