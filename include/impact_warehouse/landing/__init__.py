"""Landing zone: idempotent writes, pseudonyms and the vault, quarantine, watermarks."""
