// Probes the brokers once so that specs can decide synchronously (describe time) whether to run.
// The results travel to the workers through environment variables.
const net = require('node:net');

function reachable(url, fallbackPort) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const socket = net.connect({ host: u.hostname, port: Number(u.port || fallbackPort) });
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(1500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

module.exports = async function globalSetup() {
  const services = {
    REDIS: [process.env.REDIS_URL || 'redis://127.0.0.1:6379', 6379],
    MQTT: [process.env.MQTT_URL || 'mqtt://127.0.0.1:1883', 1883],
  };
  for (const [name, [url, port]] of Object.entries(services)) {
    process.env[`EDGE_TEST_${name}_UP`] = (await reachable(url, port)) ? '1' : '0';
  }
};
