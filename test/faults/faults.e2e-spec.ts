import { waitFor } from '../support/processes';
import { FaultFigures, FaultRig, RoofState, TierName, printFigures, sleep } from './fault-harness';
import { describeWithRedisServer } from './redis-instance';

/**
 * Faults survived by the durable links, with real OS processes and a Redis of the test's own.
 * Short outages here; `npm run test:faults` runs the long ones (FAULT_LONG=1: Redis down 20 s, fog slow 60 s).
 */
const LONG = process.env.FAULT_LONG === '1';
const REDIS_OUTAGE_MS = LONG ? 20_000 : 5_000;
const SLOW_FOG_MS = LONG ? 60_000 : 5_000;
jest.setTimeout(LONG ? 300_000 : 120_000);

function expectNothingLostOrDoubled(figures: FaultFigures): void {
  expect(figures.sent).toBeGreaterThan(0);
  expect({ lost: figures.lost, duplicates: figures.duplicates, received: figures.received }).toEqual({ lost: 0, duplicates: 0, received: figures.sent });
  expect(figures.identities).toBe(figures.sent + figures.extra);
}

async function health(rig: FaultRig, tier: TierName): Promise<{ code: number; status?: string }> {
  const response = await fetch(`http://127.0.0.1:${rig.tiers[tier].port}/health/ready`);
  return { code: response.status, status: ((await response.json()) as { status?: string }).status };
}

async function alertsSoFar(rig: FaultRig): Promise<number> {
  return Object.keys((await rig.state<{ alerts: Record<string, number> }>('notification')).alerts).length;
}

describeWithRedisServer('faults survived on durable links (real processes, own Redis)', () => {
  let rig: FaultRig | undefined;
  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
  });

  it('(a) SIGKILL of the cloud while crops flow: every crop handled once, no alert lost or doubled', async () => {
    // The first cloud SIGKILLs itself at its 40th crop, right after sending that crop's identity (the
    // worst moment: half the effects out, nothing acknowledged), with other crops of its batch in hand.
    rig = await FaultRig.start({ FAULT_FRAMES: '200', FAULT_FPS: '40', FAULT_CLOUD_DELAY_MS: '100' }, [], { cloud: { FAULT_CLOUD_DIE_AT: '40' } });
    const signal = await rig.exited('cloud');
    expect(signal).toBeNull(); // exit code null: killed by a signal
    await sleep(1000);
    await rig.launch('cloud');
    const figures = await rig.settle(60_000);
    printFigures('cloud SIGKILL', figures);
    expectNothingLostOrDoubled(figures);
    // The new cloud handled the crops the dead one had in hand, and the notification end recognised
    // the identities it had already got from the first run.
    expect(figures.streamEvents.recovered).toBeGreaterThan(0);
    expect(figures.streamEvents.duplicate).toBeGreaterThan(0);
  });

  it(`(b) Redis stopped for ${REDIS_OUTAGE_MS / 1000} s: every tier reconnects by itself, nothing on durable links lost`, async () => {
    const fps = 40;
    rig = await FaultRig.start({ FAULT_FRAMES: String(Math.round((fps * (REDIS_OUTAGE_MS + 4000)) / 1000)), FAULT_FPS: String(fps) });
    await waitFor(async () => ((await alertsSoFar(rig!)) >= 20 ? true : undefined), 30_000, 'alerts flowing');
    await rig.redis.stop();
    const outageEnds = Date.now() + REDIS_OUTAGE_MS;
    // The cloud's durable consumer cannot work without its Redis: not ready; the fog only lost a peer: degraded.
    await waitFor(async () => ((await health(rig!, 'cloud')).code === 503 ? true : undefined), REDIS_OUTAGE_MS, 'the cloud not ready');
    await waitFor(async () => ((await health(rig!, 'fog')).status === 'degraded' ? true : undefined), REDIS_OUTAGE_MS, 'the fog degraded');
    await sleep(Math.max(0, outageEnds - Date.now()));
    const duringOutage = await alertsSoFar(rig);
    await rig.redis.resume();
    await waitFor(async () => ((await health(rig!, 'cloud')).code === 200 ? true : undefined), 30_000, 'the cloud ready again');
    const figures = await rig.settle(REDIS_OUTAGE_MS + 60_000);
    printFigures(`Redis down ${REDIS_OUTAGE_MS / 1000} s`, figures);
    expectNothingLostOrDoubled(figures);
    expect(figures.received).toBeGreaterThan(duringOutage); // delivered after the outage, without a restart
  });

  it('(c) SIGKILL of the fog: the roof keeps running, the stream resumes after the fog restarts', async () => {
    rig = await FaultRig.start({ FAULT_FRAMES: '360', FAULT_FPS: '40' });
    await waitFor(async () => ((await alertsSoFar(rig!)) >= 20 ? true : undefined), 30_000, 'alerts flowing');
    await rig.kill('fog');
    await sleep(1500);
    const whileFogDown = await rig.state<RoofState>('roof');
    expect(rig.tiers.roof.child.exitCode).toBeNull();
    // The roof keeps running and says its fog is unreachable (degraded, still ready).
    expect(await health(rig, 'roof')).toEqual({ code: 200, status: 'degraded' });
    await rig.launch('fog');
    const figures = await rig.settle(60_000);
    printFigures('fog SIGKILL', figures);
    expectNothingLostOrDoubled(figures);
    expect(figures.framesFailed + figures.framesDropped).toBeGreaterThan(0); // frames sent into the dead fog, counted
    expect(figures.sent).toBeGreaterThan(whileFogDown.delivered.length); // frames delivered again after the restart
  });

  it(`(d) a fog slower than the roof for ${SLOW_FOG_MS / 1000} s: roof memory bounded, frames dropped and counted, no crop or alert lost`, async () => {
    const fps = 100;
    const FRAME_BYTES = 300_000;
    rig = await FaultRig.start({ FAULT_FRAMES: String((fps * SLOW_FOG_MS) / 1000), FAULT_FPS: String(fps), FAULT_FRAME_BYTES: String(FRAME_BYTES), FAULT_FOG_DELAY_MS: '50' });
    const roofAtStart = rig.rssMb('roof');
    const figures = await rig.settle(SLOW_FOG_MS + 60_000);
    printFigures(`fog slow (50 ms a frame, roof ${fps} fps) for ${SLOW_FOG_MS / 1000} s`, figures);
    const producedMb = Math.round(((fps * SLOW_FOG_MS) / 1000) * FRAME_BYTES / 1e6);
    process.stdout.write(`[faults] roof RSS at start ${roofAtStart} MB, peak ${figures.peakRssMb.roof} MB, frames produced ${producedMb} MB\n`);
    expectNothingLostOrDoubled(figures);
    expect(figures.framesDropped).toBeGreaterThan(figures.sent); // the fog took about one frame in five
    // Bounded: only the frames in flight (window) are held; the roof grows by less than half of what it
    // produced (150 MB in the short run, 1.8 GB in the long one).
    expect(figures.peakRssMb.roof - roofAtStart).toBeLessThan(producedMb / 2);
  });
});
