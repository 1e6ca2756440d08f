"""Letters as PDFs: the editable wording templates and the reportlab renderer."""
