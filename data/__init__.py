"""Package data: word lists, lexicons, column specs and vocabularies, read through
`pipelines.resources`. The bundled sample and the training registers are not installed."""
