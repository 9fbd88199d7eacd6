"""decaying_cosine_grad ignores SIGTERM (and SIGINT) and never returns."""
import signal


def decaying_cosine_grad(x):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        pass
