# The benchmark's student-style TCP echo server: what the course asks for, in plain Python (a
# thread per client, recv(1024), sendall), bound to loopback. The bench runs it plain and under
# strace to measure what tracing costs. Usage: python3 echo-server.py PORT
import socket
import sys
import threading


def serve(conn):
    with conn:
        try:
            while True:
                data = conn.recv(1024)
                if not data:
                    break
                conn.sendall(data)
        except OSError:
            pass  # the client reset the connection: this thread ends, the server goes on


def main():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', int(sys.argv[1])))
    server.listen(64)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
