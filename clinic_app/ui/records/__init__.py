"""Clinical records: the patient chart, visits, attachments, annotations, reviews (issue 4)."""
