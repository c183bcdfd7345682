"""Pure experiment functions, one module per chapter: settings + Generator in, data out.

The notebooks and the widgets call these; the tests assert what the chapters claim.
"""
