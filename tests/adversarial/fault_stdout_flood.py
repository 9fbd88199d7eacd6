"""Print 300 MB at import; the functions stay correct."""
import sys

_block = "flood " * (1024 * 1024 // 6)
for _ in range(300):
    sys.stdout.write(_block)
sys.stdout.flush()
