import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { freePort } from '../support/processes';
import { NotificationHarness, bootNotification, makeAlert, tempDataDir, waitUntil } from '../notification/support';
import { Broker, startMosquitto } from './brokers';
import { selfSignedCertificate, tempDir } from './support';

const USER = 'sentinel';
const PASSWORD = 'mqtt-test-password-3';

/** The notification service's MQTT channel with a password and TLS, against a mosquitto the test starts. */
describe('MQTT with a password file and TLS (own mosquitto)', () => {
  jest.setTimeout(60_000);
  const dir = tempDir('mqtt-auth-');
  const certificate = selfSignedCertificate(dir.dir);
  const prefix = `sentinel-sec-${process.pid}`;
  let broker: Broker;
  let tlsPort: number;
  let subscriber: MqttClient;
  const received: string[] = [];
  const harnesses: NotificationHarness[] = [];

  beforeAll(async () => {
    const passwords = join(dir.dir, 'passwd');
    execFileSync('mosquitto_passwd', ['-b', '-c', passwords, USER, PASSWORD], { stdio: 'ignore' });
    chmodSync(passwords, 0o600);
    const port = await freePort();
    tlsPort = await freePort();
    const config = join(dir.dir, 'mosquitto.conf');
    writeFileSync(config, [
      // Run as the test's user (mosquitto started by root would switch to a user that cannot read the temp folder).
      `user ${userInfo().username}`,
      'per_listener_settings false', 'log_dest stderr', 'log_type all', 'allow_anonymous false', `password_file ${passwords}`, 'persistence false',
      `listener ${port} 127.0.0.1`,
      `listener ${tlsPort} 127.0.0.1`, `certfile ${certificate.cert}`, `keyfile ${certificate.key}`,
    ].join('\n'));
    broker = await startMosquitto(config, port);
    subscriber = await connectAsync(`mqtt://127.0.0.1:${port}`, { username: USER, password: PASSWORD });
    subscriber.on('message', (_topic, payload) => payload.length && received.push((JSON.parse(payload.toString()) as { id: string }).id));
    await subscriber.subscribeAsync(`${prefix}/events`, { qos: 1 });
  });

  afterAll(async () => {
    for (const harness of harnesses) await harness.close();
    await subscriber?.endAsync();
    await broker?.stop();
    dir.remove();
  });

  async function boot(url: string, sets: string[]): Promise<NotificationHarness> {
    const harness = await bootNotification(tempDataDir(), [
      'notification.cooldownMs=0', 'notification.log.enabled=false', 'notification.mqtt.enabled=true', 'notification.mqtt.reconnectPeriodMs=200',
      `notification.mqtt.url=${url}`, `notification.mqtt.topicPrefix=${prefix}`, ...sets,
    ]);
    harnesses.push(harness);
    return harness;
  }

  it('anonymous clients are refused by the broker (the password file is in force)', async () => {
    await expect(connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 0, connectTimeout: 2_000 })).rejects.toThrow(/Not authorized|Connection refused/i);
  });

  it('delivers with the password in plain MQTT and over mqtts:// verified against the test CA', async () => {
    const plain = await boot(`mqtt://127.0.0.1:${broker.port}`, [`notification.mqtt.username=${USER}`, `notification.mqtt.password=${PASSWORD}`]);
    const tls = await boot(`mqtts://127.0.0.1:${tlsPort}`, [`notification.mqtt.username=${USER}`, `notification.mqtt.password=${PASSWORD}`, `notification.mqtt.tls.caPath=${certificate.cert}`]);
    for (const harness of [plain, tls]) await waitUntil(async () => (await harness.health.check('notification.mqtt')).status === 'up', 10_000, 'MQTT up');
    const alerts = [makeAlert({ id: 'sec-plain' }), makeAlert({ id: 'sec-tls' })];
    expect((await plain.link.handleAlert(alerts[0])).channels).toEqual(['mqtt']);
    expect((await tls.link.handleAlert(alerts[1])).channels).toEqual(['mqtt']);
    await waitUntil(() => received.includes('sec-plain') && received.includes('sec-tls'), 10_000, 'both alerts at the subscriber');
  });

  it('a wrong password never connects: the broker refuses it, health is down, nothing is sent', async () => {
    const refusals = () => (broker.output().match(/not authori[sz]ed/gi) ?? []).length;
    const before = refusals();
    const wrong = await boot(`mqtt://127.0.0.1:${broker.port}`, [`notification.mqtt.username=${USER}`, 'notification.mqtt.password=wrong-password']);
    await waitUntil(() => refusals() > before, 10_000, 'the broker refusing the wrong password');
    expect(await wrong.health.check('notification.mqtt')).toMatchObject({ status: 'down' });
    await wrong.link.handleAlert(makeAlert({ id: 'sec-wrong' }));
    expect(received).not.toContain('sec-wrong');
    expect(wrong.stats.snapshot().sentByChannel.mqtt ?? 0).toBe(0);
  });
});
