"""The impact report: HTML (offline, Japanese or English), CSV and XLSX from a published release."""

from impact_warehouse.report.render import RenderedReport, render_report

__all__ = ["RenderedReport", "render_report"]
