"""Reports and interoperability: charts, the PDF for the doctor, CSV, FHIR R4, backup/restore.

Every module here imports its heavy library (matplotlib, reportlab, fhir.resources) lazily.
"""
