"""The batch export for inspections: the CSV for programs and the workbook for people."""
