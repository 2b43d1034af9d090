// A loopback port that refuses connections for the whole test. A port taken with listen(0) and
// closed again is free for the next listen(0) anywhere on the machine: once, the offline model
// server of the very evaluation under test took it, and the "receiver is down" export reached it.
// Ports below the range the kernel hands out for listen(0) are never taken that way.
import fs from "node:fs";
import net from "node:net";

const RANGE_FILE = "/proc/sys/net/ipv4/ip_local_port_range";

/** A port on 127.0.0.1 below the ephemeral range, checked to refuse a connection now. */
export async function refusedPort(): Promise<number> {
  const low = fs.existsSync(RANGE_FILE) ? Number(fs.readFileSync(RANGE_FILE, "utf8").trim().split(/\s+/)[0]) : 32768;
  for (let port = low - 1; port > 1024; port--) if (await refuses(port)) return port;
  throw new Error(`No refusing port below ${low} on 127.0.0.1.`);
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}
