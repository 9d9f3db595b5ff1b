"""Printed records: PDFs of forms (reportlab)."""
