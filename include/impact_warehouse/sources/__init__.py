"""Extract: one module per source (Google Forms API, panel files, operations workbook)."""
