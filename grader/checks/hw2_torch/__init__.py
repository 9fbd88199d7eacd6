"""Check kinds of hw2_torch: one module per exercise (discovered by the registry).

No module here imports torch at import time: the parent never loads it.
Probes import it in the child, where the assignment's `preload` has already
done so once per process.
"""
