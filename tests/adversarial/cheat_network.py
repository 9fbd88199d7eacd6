"""Phone home: report to a listener on the loopback interface."""
import socket

try:
    with socket.create_connection(("127.0.0.1", {PORT}), timeout=2) as conn:
        conn.sendall(b"hello from a submission\n")
    print("CHEAT-NETWORK connected")
except OSError as err:
    print("CHEAT-NETWORK failed", err)
