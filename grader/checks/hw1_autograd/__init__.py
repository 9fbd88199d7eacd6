"""Check kinds of hw1_autograd: one module per exercise (discovered by the registry)."""
