"""Reports: the pipeline signature, the JSON report, the HTML page."""
