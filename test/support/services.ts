import { isCi } from './shared-data';

export type TestService = 'REDIS' | 'MQTT';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const MQTT_URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';

const urls: Record<TestService, string> = { REDIS: REDIS_URL, MQTT: MQTT_URL };

/** `describe` for suites that need a running broker (probed once in global-setup.js). */
export function describeWithService(service: TestService, name: string, body: () => void): void {
  const up = process.env[`EDGE_TEST_${service}_UP`] === '1';
  if (up) {
    describe(name, body);
    return;
  }
  if (isCi()) {
    describe(name, () => {
      it(`needs ${service} at ${urls[service]}`, () => {
        throw new Error(`CI=true but ${service} is not reachable at ${urls[service]}`);
      });
    });
    return;
  }
  console.warn(`[skip] ${name}: ${service} not reachable at ${urls[service]}`);
  describe(name, () => it.skip(`needs ${service} at ${urls[service]}`, () => undefined));
}
