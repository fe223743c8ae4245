"""The baseline of ``benchmarks.request_path``: a bare Django + django-ninja app with one
endpoint that authenticates a bearer token with one indexed lookup and returns one row as JSON.

It is what an API read costs with nothing of ours in the way; microcourt's reads are measured
against it, in the same run, served the same way."""
