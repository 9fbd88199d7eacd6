"""Check kinds, one subpackage per assignment, one module per exercise."""
