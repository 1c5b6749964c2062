#!/usr/bin/env python3
"""Minimal HTTP CONNECT relay for the benchmark: wget reaches the simulation's HTTPS sites through it.

Why hand-written: the simulated web answers plain-HTTP proxy requests (absolute-form targets)
itself, but not CONNECT, and wget has no --connect-to/--resolve option. This relay accepts
`CONNECT host:443` and opens a TCP connection to the simulation's HTTPS port on a fixed loopback
site address (the simulation serves every site on every site address and routes by SNI/Host),
so wget never resolves a name and nothing leaves loopback. It never connects anywhere else.

usage: connect-proxy.py LISTEN_PORT TARGET_IP HTTPS_PORT HTTP_PORT
"""
import asyncio
import ipaddress
import sys


def main() -> None:
    listen_port, target_ip, https_port, http_port = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if not ipaddress.ip_address(target_ip).is_loopback:
        sys.exit("target must be a loopback address")
    ports = {443: https_port, 80: http_port}

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            method, authority, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
            port = int(authority.rsplit(":", 1)[1]) if ":" in authority else 443
            if method != "CONNECT" or port not in ports:
                writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                writer.close()
                return
            up_reader, up_writer = await asyncio.open_connection(target_ip, ports[port])
            writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            await writer.drain()
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", int(listen_port))
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
