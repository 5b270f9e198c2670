import { ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { freePort, waitFor } from '../support/processes';

export interface Broker {
  port: number;
  /** A second port for TLS, when started with a certificate. */
  tlsPort?: number;
  output(): string;
  stop(): Promise<void>;
}

const accepts = (port: number) =>
  new Promise<boolean | undefined>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(undefined));
  });

/** Runs a broker binary on loopback until stop(); resolves once its port accepts connections. */
async function runBroker(command: string, args: string[], port: number): Promise<{ child: ChildProcess; output(): string; stop(): Promise<void> }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(() => (child.exitCode !== null ? Promise.reject(new Error(`${command} exited: ${output}`)) : accepts(port)), 10_000, `${command} on port ${port}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { child, output: () => output, stop };
}

/** A redis-server of the test's own on free ports (the machine's Redis is left alone). */
export async function startRedis(options: { password: string; tls?: { cert: string; key: string }; extra?: string[] }): Promise<Broker> {
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : undefined;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', options.password, ...(options.extra ?? [])];
  if (options.tls) {
    args.push('--tls-port', String(tlsPort), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-ca-cert-file', options.tls.cert, '--tls-auth-clients', 'no');
  }
  const broker = await runBroker('redis-server', args, port);
  return { port, tlsPort, output: broker.output, stop: broker.stop };
}

/** A mosquitto of the test's own with a configuration file (listeners, password file). */
export async function startMosquitto(configFile: string, port: number): Promise<Broker> {
  const broker = await runBroker('mosquitto', ['-c', configFile], port);
  return { port, output: broker.output, stop: broker.stop };
}
